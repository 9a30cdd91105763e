"""Error types shared by every stage.

Bad input must produce a message that names the file, the line and the problem, so that a
user can open the file and fix it. :class:`InputError` formats that message in one place.
"""

from __future__ import annotations

import os


class GenovocabError(Exception):
    """Base class of every error genovocab raises on purpose."""


class InputError(GenovocabError, ValueError):
    """Malformed or inconsistent input, located by file and (when known) line number."""

    def __init__(self, path: str | os.PathLike | None, problem: str, line: int | None = None):
        self.path = None if path is None else os.fspath(path)
        self.line = line
        self.problem = problem
        where = self.path or "<input>"
        if line is not None:
            where = f"{where}, line {line}"
        super().__init__(f"{where}: {problem}")


class DownloadError(GenovocabError, RuntimeError):
    """A source could not be fetched (HTTP error, too many retries, bad URL)."""


class ChecksumError(DownloadError):
    """A fetched file's sha256 differs from the configured one."""

    def __init__(
        self,
        source: str,
        expected: str,
        actual: str,
        name: str | None = None,
        reason: str | None = None,
    ):
        self.source = source
        self.expected = expected
        self.actual = actual
        label = f"source {name!r} ({source})" if name else source
        why = f" ({reason})" if reason else ""
        super().__init__(
            f"sha256 mismatch for {label}: expected {expected}, actual {actual}{why}; "
            "the downloaded file was removed"
        )


class OutputError(GenovocabError, ValueError):
    """An output path that genovocab refuses to write (it would replace the user's files)."""

    def __init__(self, path: str | os.PathLike, problem: str):
        self.path = os.fspath(path)
        self.problem = problem
        super().__init__(f"output {self.path}: {problem}")
