"""A built project copied, moved or cloned elsewhere with its outputs is still the same build:
it verifies there, and a run there executes no notebook (every record holds paths relative to
the project, never the folder it was built in)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from metroanalysis.cli import main

MONTH = "2021-04"


def outputs(root: Path) -> dict[str, bytes]:
    """Every report, executed notebook and build record, by path."""
    found = {}
    for path in sorted((root / "reports").rglob("*")):
        if path.is_file() and (path.suffix in (".html", ".ipynb") or ".build" in path.parts):
            found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


@pytest.fixture(scope="module")
def moved(built_project, tmp_path_factory) -> Path:
    """A copy of the shared built project (Chinese and English reports), at another depth and
    with a space in its path."""
    copy = tmp_path_factory.mktemp("elsewhere") / "a copy" / "project"
    shutil.copytree(built_project, copy, ignore=shutil.ignore_patterns(".locks"))
    return copy


def test_no_output_names_the_folder_it_was_built_in(built_project):
    written = [p for top in ("reports", "data/processed") for p in (built_project / top).rglob("*") if p.is_file()]
    assert any(p.suffix == ".ipynb" for p in written) and any(p.parent.name == ".build" for p in written)
    assert [p for p in written if str(built_project).encode() in p.read_bytes()] == []


def test_a_copied_project_verifies(moved, capsys):
    assert main(["verify", "--all", "--root", str(moved)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("verified 1 month(s)") and "10 report(s)" in out


def test_a_run_in_a_copied_project_executes_no_notebook_in_any_language(moved, capsys):
    before = outputs(moved)
    assert f"reports/{MONTH}/en/01-channel-shares.ipynb" in before
    assert main(["run", "--all", "--root", str(moved)]) == 0  # no --lang: the English pages are kept too
    out = capsys.readouterr().out
    assert "nothing changed: every report is up to date" in out
    assert outputs(moved) == before
