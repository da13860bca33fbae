"""The package's import graph: no circles anywhere, and the stages' layers hold (the contract in
pyproject.toml, run by `lint-imports` in `make test`; here it is shown to catch an upward import)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def circles(graph) -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan), as sorted names."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(m: str) -> None:
        index[m] = low[m] = len(index)
        stack.append(m)
        on.add(m)
        for n in graph.find_modules_directly_imported_by(m):
            if n not in index:
                visit(n)
                low[m] = min(low[m], low[n])
            elif n in on:
                low[m] = min(low[m], index[n])
        if low[m] == index[m]:
            group = []
            while True:
                n = stack.pop()
                on.discard(n)
                group.append(n)
                if n == m:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for m in sorted(graph.modules):
        if m not in index:
            visit(m)
    return found


def test_a_circle_is_found_where_there_is_one():
    """The finder itself: a graph with one circle (a → b → a, b → c) gives that circle alone."""
    graph = grimp.ImportGraph()
    for module in ("p.a", "p.b", "p.c"):
        graph.add_module(module)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.a")
    graph.add_import(importer="p.b", imported="p.c")
    assert circles(graph) == [["p.a", "p.b"]]


def test_no_module_imports_itself_back_through_others():
    """Imports inside functions count too: a circle closed lazily is still a circle. Names
    imported for annotations only (under TYPE_CHECKING) are not imports at run time."""
    graph = grimp.build_graph("metroanalysis", cache_dir=None, exclude_type_checking_imports=True)
    assert circles(graph) == []


@pytest.mark.skipif(not LINT.exists(), reason="import-linter is installed by `make setup`")
def test_the_layers_contract_fails_on_an_upward_import(tmp_path):
    """A module of `read` that imports from `clean` (above it) breaks the contract, by name."""
    copy = tmp_path / "src"
    shutil.copytree(REPO / "src", copy, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    text = copy / "metroanalysis" / "read" / "text.py"
    upward = "\nfrom metroanalysis.clean import schema  # noqa: E402, F401\n"
    text.write_text(text.read_text(encoding="utf-8") + upward, encoding="utf-8")
    env = {"PYTHONPATH": str(copy), "PATH": str(LINT.parent)}
    proc = subprocess.run([str(LINT)], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1, proc.stdout
    assert "metroanalysis.read.text -> metroanalysis.clean.schema" in proc.stdout, proc.stdout
