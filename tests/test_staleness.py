"""What makes a step stale: the library modules it really imports (followed statically), the
notebook and the files beside it. A report-only edit never cleans a month again; an edit to one
analysis module re-executes only the reports whose notebooks import it; a wording edit in one
notebook re-executes that notebook only."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from metroanalysis.build import keys as build
from metroanalysis.cli import main

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "metroanalysis"
MONTH = "2021-04"

# Files that shape reports but never the clean tables (publish/templates/* is globbed). Not i18n.py:
# the clean step writes each check's message in English with it (messages.said).
REPORT_ONLY = [
    "run/runner.py",
    "run/execute.py",
    "run/pool.py",
    "run/kernels.py",
    "run/interrupts.py",
    "run/tasks.py",
    "publish/export.py",
    "publish/site.py",
    "run/report.py",
    "cli.py",
    "analysis/notebook.py",
    "analysis/plotting.py",
    "analysis/labels.py",
    "synth/generate.py",
    "publish/workbook.py",
    "analysis/__init__.py",
    "analysis/profile.py",
    "analysis/stats.py",
    "analysis/totals.py",
    "analysis/channels.py",
    "analysis/coverage.py",
    "analysis/kiosks.py",
    "analysis/quality.py",
    "analysis/trends.py",
]


@pytest.fixture
def package(tmp_path, monkeypatch) -> Path:
    """A scratch copy of the package's source, which the digests read instead of the real one."""
    copy = tmp_path / "src" / "metroanalysis"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(build, "PACKAGE_DIR", copy)
    return copy


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(REPO / "data" / "raw" / MONTH, root / "data" / "raw" / MONTH)
    shutil.copytree(REPO / "data" / "reference", root / "data" / "reference")
    return root


def touch(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    comment = "{# edited #}" if path.suffix == ".j2" else "/* edited */" if path.suffix == ".css" else "# edited"
    path.write_text(text + "\n" + comment + "\n", encoding="utf-8")


def clean(project: Path, capsys) -> str:
    assert main(["clean", "--month", MONTH, "--root", str(project)]) == 0
    return capsys.readouterr().out


def test_editing_a_report_only_file_cleans_no_month(package, project, capsys):
    assert "cleaned into" in clean(project, capsys)
    edited = [package / name for name in REPORT_ONLY] + sorted((package / "publish" / "templates").iterdir())
    assert all(p.is_file() for p in edited), [p for p in edited if not p.is_file()]
    for path in edited:
        touch(path)
        assert "up to date, nothing to do" in clean(project, capsys), path.relative_to(package)
    # the same run notices an edit to a parser: the test can fail
    touch(package / "parse" / "tables" / "booking.py")
    assert "cleaned into" in clean(project, capsys)


def shipped_keys(notebooks: Path) -> dict[str, str]:
    parameters = {"month": MONTH, "lang": "zh"}
    return {nb.stem: build.report_key(nb, "month", parameters, "python3") for nb in sorted(notebooks.glob("*.ipynb"))}


def test_an_analysis_module_edit_restales_only_the_reports_that_import_it(package, tmp_path):
    notebooks = tmp_path / "notebooks"
    shutil.copytree(REPO / "notebooks", notebooks)
    before = shipped_keys(notebooks)
    touch(package / "analysis" / "kiosks.py")
    after = shipped_keys(notebooks)
    assert {name for name in before if before[name] != after[name]} == {"02-kiosk-revenue"}
    touch(package / "publish" / "templates" / "report.html.j2")  # the report page's frame: every report
    assert all(after[name] != key for name, key in shipped_keys(notebooks).items())


def test_a_notebooks_own_files_restale_only_that_notebook(tmp_path):
    notebooks = tmp_path / "notebooks"
    shutil.copytree(REPO / "notebooks", notebooks)
    before = shipped_keys(notebooks)
    (notebooks / "01-channel-shares.en.yml").write_text('"各渠道": "Channels"\n', encoding="utf-8")
    after = shipped_keys(notebooks)
    assert {name for name in before if before[name] != after[name]} == {"01-channel-shares"}
    (notebooks / "notes.txt").write_text("not a notebook's file", encoding="utf-8")
    assert shipped_keys(notebooks) == after


def test_imports_are_followed_into_functions_and_through_other_modules(tmp_path):
    fake = tmp_path / "metroanalysis"
    (fake / "sub").mkdir(parents=True)
    (fake / "__init__.py").write_text('"""Package."""\n', encoding="utf-8")
    (fake / "a.py").write_text("def f():\n    from .sub import b\n    return b\n", encoding="utf-8")
    (fake / "sub" / "__init__.py").write_text("", encoding="utf-8")
    (fake / "sub" / "b.py").write_text("from .. import c  # through another module\n", encoding="utf-8")
    (fake / "sub" / "data.csv").write_text("x\n1\n", encoding="utf-8")
    (fake / "c.py").write_text("X = 1\n", encoding="utf-8")
    (fake / "unused.py").write_text("import metroanalysis.a\n", encoding="utf-8")
    found = {p.relative_to(fake).as_posix() for p in build.closure({"metroanalysis.a"}, fake)}
    assert found == {"__init__.py", "a.py", "sub/__init__.py", "sub/b.py", "sub/data.csv", "c.py"}


def test_a_notebooks_imports_are_its_code_cells_imports():
    cells = [
        "%matplotlib inline\nfrom metroanalysis.analysis import kiosks, display_table\nimport pandas as pd",
        "!ls\nimport metroanalysis.analysis.plotting as plotting",
        "this is not python (",
    ]
    assert build.notebook_imports(cells) == {
        "metroanalysis.analysis",
        "metroanalysis.analysis.kiosks",
        "metroanalysis.analysis.display_table",
        "metroanalysis.analysis.plotting",
    }


@pytest.mark.slow
def test_a_wording_edit_reexecutes_one_notebook_and_cleans_nothing(project, capsys):
    (project / "notebooks").mkdir()
    for name in ("01-channel-shares.ipynb", "05-trends.ipynb"):
        shutil.copy(REPO / "notebooks" / name, project / "notebooks")
    assert main(["run", "--month", MONTH, "--root", str(project), "-j", "1"]) == 0
    processed = project / "data" / "processed" / MONTH
    stamps = {p.name: p.stat().st_mtime_ns for p in processed.iterdir()}
    capsys.readouterr()

    path = project / "notebooks" / "01-channel-shares.ipynb"
    nb = nbformat.read(path, as_version=4)
    markdown = next(c for c in nb.cells if c.cell_type == "markdown")
    markdown.source += "\n\n（措辞修改）"
    nbformat.write(nb, path)
    assert main(["run", "--month", MONTH, "--root", str(project), "-j", "1"]) == 0
    out = capsys.readouterr().out
    assert "clean tables up to date, nothing to do" in out
    assert "1 report(s) unchanged" in out
    assert "[1/1] 2021-04 01-channel-shares: ok" in out and "05-trends: ok" not in out
    assert {p.name: p.stat().st_mtime_ns for p in processed.iterdir()} == stamps
    record = json.loads((project / "reports" / MONTH / "run.json").read_text(encoding="utf-8"))
    assert {r["notebook"]: r["status"] for r in record["reports"]} == {
        "01-channel-shares": "built",
        "05-trends": "unchanged",
    }


# ---------------------------------------------------------------------------------------------
# A month's part of a report's key


def month_folders(tmp_path: Path, months: list[str]) -> tuple[Path, Path]:
    """data/processed/MONTH/build.json for each month (what a month's tables are digested by)
    and a bulletin."""
    processed = tmp_path / "processed"
    for month in months:
        (processed / month).mkdir(parents=True)
        (processed / month / "build.json").write_text(f'{{"month": "{month}"}}', encoding="utf-8")
    bulletin = tmp_path / "bulletin.txt"
    bulletin.write_text("公报", encoding="utf-8")
    return processed, bulletin


def test_an_earlier_months_tables_make_a_report_stale_and_a_later_months_do_not(tmp_path):
    months = ["2021-03", "2021-04", "2021-05"]
    processed, bulletin = month_folders(tmp_path, months)
    before = build.month_inputs(bulletin, processed, months, "2021-04")
    (processed / "2021-05" / "build.json").write_text('{"changed": 1}', encoding="utf-8")
    assert build.month_inputs(bulletin, processed, months, "2021-04") == before
    (processed / "2021-03" / "build.json").write_text('{"changed": 1}', encoding="utf-8")  # the trends read it
    after = build.month_inputs(bulletin, processed, months, "2021-04")
    assert after["tables"] != before["tables"] and after["versions"] == before["versions"]


@pytest.mark.parametrize("package", build.REPORT_PACKAGES)
def test_each_package_version_is_part_of_a_reports_key(package, tmp_path, monkeypatch):
    processed, bulletin = month_folders(tmp_path, ["2021-04"])
    notebook = tmp_path / "01-x.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), notebook)
    real = build.versions(build.REPORT_PACKAGES)

    def key() -> str:
        return build.report_key(notebook, build.month_inputs(bulletin, processed, ["2021-04"], "2021-04"), {}, "k")

    before = key()
    monkeypatch.setattr(build, "versions", lambda packages: {**real, package: "0.0.0-other"})
    assert key() != before
