"""A built project copied, moved or cloned elsewhere with its outputs is still the same build:
it verifies there, and a run there executes no notebook (every record holds paths relative to
the project, never the folder it was built in)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from metroanalysis.cli import main
from metroanalysis.errors import UsageError
from metroanalysis.paths import Project
from metroanalysis.run.runner import kept_languages

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


@pytest.mark.slow
def test_no_output_names_the_folder_it_was_built_in(built_project):
    written = [p for top in ("reports", "data/processed") for p in (built_project / top).rglob("*") if p.is_file()]
    assert any(p.suffix == ".ipynb" for p in written) and any(p.parent.name == ".build" for p in written)
    assert [p for p in written if str(built_project).encode() in p.read_bytes()] == []


@pytest.mark.slow
def test_a_copied_project_verifies(moved, capsys):
    assert main(["verify", "--all", "--root", str(moved)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("verified 1 month(s)") and "10 report(s)" in out


@pytest.mark.slow
def test_a_run_in_a_copied_project_executes_no_notebook_in_any_language(moved, capsys):
    before = outputs(moved)
    assert f"reports/{MONTH}/en/01-channel-shares.ipynb" in before
    assert main(["run", "--all", "--root", str(moved)]) == 0  # no --lang: the English pages are kept too
    out = capsys.readouterr().out
    assert "nothing changed: every report is up to date" in out
    assert outputs(moved) == before


# ---------------------------------------------------------------------------------------------
# Every language kept current


def edit_a_sentence(notebook: Path) -> None:
    """A wording edit in the notebook's first Markdown cell, as the README describes."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    cell["source"] = [*cell["source"], "（改）"] if isinstance(cell["source"], list) else cell["source"] + "（改）"
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


@pytest.mark.slow
def test_after_a_notebook_edit_a_run_without_lang_rebuilds_its_english_page_too(built_project, tmp_path, capsys):
    root = tmp_path / "project"
    shutil.copytree(built_project, root, ignore=shutil.ignore_patterns(".locks"))
    edit_a_sentence(root / "notebooks" / "02-kiosk-revenue.ipynb")
    english_index = root / "reports" / MONTH / "en" / "index.html"

    # a run in Chinese only leaves the English page as it was, flagged out of date on its index
    assert main(["run", "--all", "--root", str(root), "--lang", "zh"]) == 0
    flagged = [line for line in english_index.read_text(encoding="utf-8").splitlines() if "Out of date" in line]
    assert len(flagged) == 1, flagged
    page = english_index.read_text(encoding="utf-8")
    assert page.index("02-kiosk-revenue.html") < page.index("Out of date") < page.index("03-regional-coverage.html")
    assert "Out of date" not in (root / "reports" / MONTH / "index.html").read_text(encoding="utf-8")
    capsys.readouterr()

    # `make report` (no --lang) keeps the English pages current: only the stale one runs
    assert main(["run", "--all", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"{MONTH} 02-kiosk-revenue (en): ok" in out and "[1/1]" in out
    assert "Out of date" not in english_index.read_text(encoding="utf-8")
    assert main(["verify", "--all", "--root", str(root)]) == 0


def test_the_languages_a_run_keeps_come_from_the_reports_and_the_project_settings(tmp_path):
    project = Project(tmp_path)
    (tmp_path / "data" / "raw").mkdir(parents=True)
    assert kept_languages(project, project.reports) == ("zh",)
    (tmp_path / "pyproject.toml").write_text('[tool.metroanalysis]\nlanguages = ["en"]\n', encoding="utf-8")
    assert kept_languages(project, project.reports) == ("zh", "en")
    (tmp_path / "pyproject.toml").write_text('[tool.metroanalysis]\nlanguages = ["fr"]\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"pyproject.toml: \[tool.metroanalysis\] languages = \['fr'\]"):
        kept_languages(project, project.reports)
    (tmp_path / "pyproject.toml").unlink()
    (project.reports / MONTH / "en" / ".build").mkdir(parents=True)  # English reports exist
    assert kept_languages(project, project.reports) == ("zh", "en")


def test_run_json_records_the_command_with_the_projects_paths_relative(tmp_path, monkeypatch):
    from metroanalysis.run.runner import command_line

    elsewhere = tmp_path.parent / "shared-drive" / "reports"
    argv = ["metroanalysis", "run", "--all", "--root", str(tmp_path), f"--output={tmp_path / 'out'}", str(elsewhere)]
    monkeypatch.setattr("sys.argv", argv)
    assert command_line(tmp_path) == f"metroanalysis run --all --root . --output=out {elsewhere}"


def test_an_executed_notebook_run_again_where_it_is_stored_finds_its_project(tmp_path, monkeypatch):
    """Its `root` ("..") was the way from notebooks/; from reports/MONTH/en/ the project is found
    upward (nbval, or a reviewer re-running it in JupyterLab)."""
    from metroanalysis.analysis.notebook import resolve

    (tmp_path / "data" / "raw" / MONTH).mkdir(parents=True)
    (tmp_path / "data" / "raw" / MONTH / "bulletin.txt").write_text("公报", encoding="utf-8")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "reports" / MONTH / "en").mkdir(parents=True)
    for folder in ("notebooks", f"reports/{MONTH}/en"):
        monkeypatch.chdir(tmp_path / folder)
        found = resolve(MONTH, "..", "data/processed", "reports", "en")
        assert (found.root, found.processed_dir, found.reports_dir) == (
            tmp_path,
            tmp_path / "data" / "processed",
            tmp_path / "reports",
        ), folder
