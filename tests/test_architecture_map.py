"""docs/architecture.md's module map names every module of the package, and only modules that
exist: a new module must be added there, a removed one taken out."""

from __future__ import annotations

import re

from tests.conftest import REPO

PACKAGE = REPO / "src" / "genovocab"
MAP = REPO / "docs" / "architecture.md"
PRIVATE = {"__init__", "__main__", "_version"}


def map_rows() -> dict[str, str]:
    """First column (``name`` or ``name/``) -> the rest of the row, from the module-map table."""
    text = MAP.read_text(encoding="utf-8")
    section = text.split("## Module map", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\| `([A-Za-z_/]+)` \|(.*)\|\s*$", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def package_modules(folder) -> set[str]:
    return {p.stem for p in folder.glob("*.py") if p.stem not in PRIVATE} | {
        p.name for p in folder.iterdir() if (p / "__init__.py").is_file()
    }


def test_every_top_level_module_is_in_the_map():
    rows = map_rows()
    named = {name.rstrip("/") for name in rows}
    assert package_modules(PACKAGE) - named == set()


def test_the_map_names_only_existing_modules():
    for name in map_rows():
        path = PACKAGE / name.rstrip("/")
        if name.endswith("/"):
            assert (path / "__init__.py").is_file(), f"{name} is not a package"
        else:
            assert path.with_suffix(".py").is_file(), f"{name}.py does not exist"


def test_every_module_of_a_package_is_named_in_its_row():
    for name, row in map_rows().items():
        if not name.endswith("/"):
            continue
        named = set(re.findall(r"`([a-z_]+)`", row))
        missing = package_modules(PACKAGE / name.rstrip("/")) - named
        assert missing == set(), f"{name}: {sorted(missing)} not in the map"


def test_every_package_star_import_works():
    """``from genovocab.<package> import *`` resolves every name of the package's ``__all__``."""
    import importlib
    import pkgutil

    import genovocab

    for info in pkgutil.walk_packages(genovocab.__path__, "genovocab."):
        if info.ispkg:
            namespace: dict = {}
            exec(f"from {info.name} import *", namespace)  # noqa: S102
            module = importlib.import_module(info.name)
            assert set(getattr(module, "__all__", [])) <= set(namespace), info.name
