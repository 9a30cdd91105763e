"""The package's import graph has no cycle.

Every ``import`` statement of every module under ``src/genovocab`` counts, at module level or
inside a function (a deferred import is still a dependency), ``TYPE_CHECKING`` blocks
included. ``from package import name`` is an edge to the submodule when ``name`` is one, else
to the package. A package importing its own submodules is no cycle by itself; a submodule
importing a sibling that imports it back is.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def modules(src: Path, package: str) -> dict[str, tuple[Path, bool]]:
    """``{dotted name: (file, is a package)}`` of every module of ``package`` under ``src``."""
    found = {}
    for path in sorted((src / package).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, is_package)
    return found


def imports(name: str, mods: dict[str, tuple[Path, bool]], package: str) -> set[str]:
    """The modules of ``package`` that module ``name`` imports (any import statement)."""
    path, is_package = mods[name]
    here = name if is_package else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")[: len(here.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                out.add(sub if sub in mods else module)
    return {m for m in out if m in mods and m != name and m.split(".")[0] == package}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def import_cycles(src: Path, package: str) -> list[list[str]]:
    mods = modules(src, package)
    return cycles({m: imports(m, mods, package) for m in mods})


def test_the_package_has_no_import_cycle():
    mods = modules(SRC, "genovocab")
    assert "genovocab.regions" in mods and "genovocab.io.bed" in mods  # the walk found them
    assert import_cycles(SRC, "genovocab") == []


def test_the_walk_finds_a_cycle_through_a_deferred_import(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from pkg import a\n")
    (pkg / "a.py").write_text("from pkg.sub import b\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "b.py").write_text("def f():\n    from .. import a\n    return a\n")
    (pkg / "c.py").write_text("import pkg.a\n")
    mods = modules(tmp_path, "pkg")
    assert imports("pkg.sub.b", mods, "pkg") == {"pkg.a"}
    assert imports("pkg", mods, "pkg") == {"pkg.a"}
    assert import_cycles(tmp_path, "pkg") == [["pkg.a", "pkg.sub.b"]]
    (pkg / "sub" / "b.py").write_text("import os\n")
    assert import_cycles(tmp_path, "pkg") == []
