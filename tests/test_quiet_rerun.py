"""A nothing-changed rerun reads one record (issue 26): after a run that executed and cleaned
nothing, the next identical run compares the tree's sizes and times with that record and says
what that run said, without planning (no build record, page or month read); any change sends it
the whole way again."""

from __future__ import annotations

import nbformat
import pytest
from test_report import MONTH, good_notebook, make_project

from metroanalysis import runner
from metroanalysis.cli import main


@pytest.fixture
def project(tmp_path):
    project = make_project(tmp_path / "project", {"01-channels.ipynb": good_notebook()})
    assert main(["run", "--all", "--root", str(project.root), "-j", "1"]) == 0
    return project


def run(project, capsys) -> tuple[int, str]:
    code = main(["run", "--all", "--root", str(project.root), "-j", "1"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def no_planning(*args, **kwargs):
    raise AssertionError("planned the run: the record of the quiet run was not used")


def test_a_second_nothing_changed_rerun_says_the_same_without_planning(project, capsys, monkeypatch):
    capsys.readouterr()
    code, first = run(project, capsys)  # finds nothing to do the long way, and records it
    assert code == 0 and "nothing changed: every report is up to date" in first
    monkeypatch.setattr(runner, "plan", no_planning)
    code, second = run(project, capsys)
    assert code == 0 and second == first


def test_an_edited_notebook_is_run_again_after_a_quiet_run(project, capsys, monkeypatch):
    run(project, capsys)
    run(project, capsys)
    notebook = project.root / "notebooks" / "01-channels.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("（措辞修改）"))
    nbformat.write(nb, notebook)
    code, out = run(project, capsys)
    assert code == 0 and f"[1/1] {MONTH} 01-channels: ok" in out


def test_a_deleted_report_is_built_again_after_a_quiet_run(project, capsys):
    run(project, capsys)
    run(project, capsys)
    (project.reports / MONTH / "01-channels.html").unlink()
    code, out = run(project, capsys)
    assert code == 0 and f"[1/1] {MONTH} 01-channels: ok" in out
    assert (project.reports / MONTH / "01-channels.html").is_file()


def test_the_quiet_record_is_run_state_outside_the_reports_folders(project, capsys):
    run(project, capsys)
    assert (project.reports / ".state" / runner.QUIET).is_file()
    assert not list((project.reports / MONTH).rglob(runner.QUIET))
