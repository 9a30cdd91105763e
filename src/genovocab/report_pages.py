"""HTML pages of the workflow's tables and cards, for ``snakemake --report``.

Snakemake's report shows images and HTML inline but offers any other file (TSV, JSON, Markdown)
only as a download. So the tables a reader wants to see (the universe assessment, statistics,
corpus statistics, the release card) get a small, self-contained HTML page each: the same
numbers, rendered as a table, no scripts and no external resources.

Markdown support is what genovocab's own cards use: ``#`` headings, pipe tables, fenced code,
``- `` lists, paragraphs, inline code, bold and links; images are named, not embedded (the plots
are in the report's categories already), and the YAML header is shown as code at the end.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

STYLE = (
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:1.2em;"
    "color:#222;max-width:70em}"
    "table{border-collapse:collapse;margin:0.6em 0 1.2em;font-size:0.9em}"
    "th,td{border:1px solid #ccc;padding:0.25em 0.6em;text-align:left;vertical-align:top}"
    "th{background:#f0f3f7}td.num{text-align:right;font-variant-numeric:tabular-nums}"
    "tr:nth-child(even) td{background:#fafafa}"
    "code,pre{font-family:ui-monospace,Menlo,monospace;font-size:0.9em}"
    "pre{background:#f6f8fa;padding:0.6em;overflow-x:auto}"
    "h1{font-size:1.4em}h2{font-size:1.2em}h3{font-size:1.05em}"
)
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def page(title: str, body: str) -> str:
    """A complete HTML document."""
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}'
        f"</title><style>{STYLE}</style></head>\n<body>\n<h1>{html.escape(title)}</h1>\n"
        f"{body}\n</body></html>\n"
    )


def format_cell(value: str) -> tuple[str, bool]:
    """(display text, is a number): floats to 4 significant digits, integers with commas."""
    text = value.strip()
    if not NUMBER.match(text):
        return text, False
    number = float(text)
    if re.fullmatch(r"[+-]?\d+", text):
        return f"{int(text):,}", True
    if number.is_integer() and abs(number) < 1e15:  # 666312.0 is a count
        return f"{int(number):,}", True
    if number != 0 and (abs(number) >= 1e6 or abs(number) < 1e-3):
        return f"{number:.4g}", True
    return f"{number:,.4g}" if abs(number) >= 1000 else f"{number:.4g}", True


def table_html(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """An HTML table; numeric cells right-aligned."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for value in row:
            text, numeric = format_cell("" if value is None else str(value))
            cls = ' class="num"' if numeric else ""
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table><thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(body) + "\n</tbody></table>"
    )


def read_tsv(path: str | os.PathLike) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a TSV file (``#`` lines skipped)."""
    with open(path, encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#") and line.strip()]
    rows = list(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    return (rows[0], rows[1:]) if rows else ([], [])


def tsv_page(path: str | os.PathLike, title: str, note: str = "") -> str:
    """A page with the TSV file's table."""
    header, rows = read_tsv(path)
    intro = f"<p>{html.escape(note)}</p>\n" if note else ""
    source = (
        f"<p><code>{html.escape(os.path.basename(os.fspath(path)))}</code>, "
        f"{len(rows):,} rows</p>\n"
    )
    return page(title, intro + source + table_html(header, rows))


def flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested mappings as ``a.b.c`` keys (lists of scalars joined by commas)."""
    if isinstance(value, Mapping):
        out = []
        for key in value:
            out += flatten(value[key], f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return [(prefix, ", ".join(str(v) for v in value))]
    return [(prefix, value)]


def stats_page(named: Mapping[str, str | os.PathLike], title: str) -> str:
    """One statistic/value table per JSON file (e.g. every corpus's ``stats.json``)."""
    parts = []
    for name, path in named.items():
        with open(path, encoding="utf-8") as handle:
            stats = json.load(handle)
        parts.append(
            f"<h2>{html.escape(name)}</h2>\n" + table_html(("statistic", "value"), flatten(stats))
        )
    return page(title, "\n".join(parts))


def _inline(text: str) -> str:
    """Inline Markdown: code, bold, links and images (named, not embedded)."""
    out = []
    for k, piece in enumerate(re.split(r"(`[^`]*`)", text)):
        if k % 2:
            out.append(f"<code>{html.escape(piece[1:-1])}</code>")
            continue
        piece = html.escape(piece, quote=False)
        piece = re.sub(r"!\[([^\]]*)\]\(([^)]*)\)", r"<em>[plot \1: \2]</em>", piece)
        piece = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r'<a href="\2">\1</a>', piece)
        piece = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", piece)
        piece = re.sub(r"(?<![\w*])_([^_]+)_(?![\w*])", r"<em>\1</em>", piece)
        out.append(piece)
    return "".join(out)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def markdown_html(text: str) -> str:
    """The HTML body of a card (the subset of Markdown described in the module docstring)."""
    lines = text.splitlines()
    out: list[str] = []
    metadata = ""
    i = 0
    if lines and lines[0].strip() == "---":  # YAML metadata header: shown last
        end = next((k for k in range(1, len(lines)) if lines[k].strip() == "---"), 0)
        if end:
            metadata = (
                "<h2>Hugging Face metadata</h2><pre>"
                + html.escape("\n".join(lines[1:end]))
                + "</pre>"
            )
            i = end + 1
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.startswith("```"):
            end = next(
                (k for k in range(i + 1, len(lines)) if lines[k].startswith("```")), len(lines)
            )
            out.append("<pre>" + html.escape("\n".join(lines[i + 1 : end])) + "</pre>")
            i = end + 1
        elif m := re.match(r"^(#{1,6})\s+(.*)$", line):
            level = min(len(m.group(1)) + 1, 6)  # the page title is the h1
            out.append(f"<h{level}>{_inline(m.group(2))}</h{level}>")
            i += 1
        elif line.lstrip().startswith("|"):
            block = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                block.append(lines[i])
                i += 1
            rows = [_cells(b) for b in block if not re.fullmatch(r"[\s|:-]+", b)]
            head = "".join(f"<th>{_inline(c)}</th>" for c in rows[0])
            body = "".join(
                "<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>\n" for r in rows[1:]
            )
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table>")
        elif re.match(r"^\s*[-*]\s+", line):
            items = []
            while i < len(lines) and re.match(r"^\s*[-*]\s+", lines[i]):
                items.append(re.sub(r"^\s*[-*]\s+", "", lines[i]))
                i += 1
            out.append("<ul>" + "".join(f"<li>{_inline(t)}</li>" for t in items) + "</ul>")
        else:
            para = []
            while (
                i < len(lines)
                and lines[i].strip()
                and not re.match(r"^(#{1,6}\s|```|\s*\||\s*[-*]\s+)", lines[i])
            ):
                para.append(lines[i].strip())
                i += 1
            out.append(f"<p>{_inline(' '.join(para))}</p>")
    return "\n".join(out + ([metadata] if metadata else []))


def card_page(path: str | os.PathLike, title: str) -> str:
    """A page of a Markdown card (the release card, a dataset card)."""
    with open(path, encoding="utf-8") as handle:
        return page(title, markdown_html(handle.read()))
