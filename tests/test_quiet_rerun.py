"""A nothing-changed rerun reads one record (issue 26): after a run that executed and cleaned
nothing, the next identical run compares the tree's sizes and times with that record and says
what that run said, without planning (no build record, page or month read); any change sends it
the whole way again."""

from __future__ import annotations

import nbformat
import pytest
from test_report import MONTH, good_notebook, make_project

from metroanalysis.cli import main
from metroanalysis.run import runner


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


def test_a_months_run_record_is_kept_when_the_run_left_the_month_as_it_was(tmp_path):
    """run.json of a month whose reports were all unchanged, by the same command, is not written
    again for its times alone (a synced write per month of history); any other outcome is."""
    from metroanalysis.run.tasks import Outcome

    unchanged = [Outcome(MONTH, "01-channels", True, skipped=True)]
    runner.write_run_record(tmp_path, MONTH, "2021-05-01T00:00:00+00:00", unchanged)
    first = (tmp_path / "run.json").stat().st_mtime_ns
    runner.write_run_record(tmp_path, MONTH, "2021-06-01T00:00:00+00:00", unchanged)
    assert (tmp_path / "run.json").stat().st_mtime_ns == first
    runner.write_run_record(tmp_path, MONTH, "2021-06-01T00:00:00+00:00", [Outcome(MONTH, "01-channels", True)])
    record = (tmp_path / "run.json").read_text(encoding="utf-8")
    assert '"status": "built"' in record and "2021-06-01" in record


def test_a_run_that_took_a_month_lock_since_sends_the_next_the_whole_way(project, capsys, monkeypatch):
    """A run started after the record (perhaps still at work on the month) wrote its pid beside
    the month's lock: the next run plans, and so waits for that run, rather than replaying."""
    from metroanalysis.build.locking import month_lock

    run(project, capsys)
    with month_lock(project.processed, MONTH):
        pass
    monkeypatch.setattr(runner, "plan", no_planning)
    with pytest.raises(AssertionError, match="planned the run"):
        run(project, capsys)
