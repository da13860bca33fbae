"""Reproducible to the byte (issue 13): SOURCE_DATE_EPOCH fixes every stamp, every page and
executed notebook says what it was made from, and `metroanalysis verify` catches a changed byte.

The fast tests clean the real bulletin and export a report from a notebook with outputs already
in it (no kernel); the slow one builds the reports twice, in two fresh copies, and compares every
byte of data/processed/ and reports/.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from metroanalysis.build import keys as build
from metroanalysis.cli import main
from metroanalysis.errors import UsageError
from metroanalysis.paths import Project
from metroanalysis.publish import provenance, site
from metroanalysis.publish.export import write_report
from metroanalysis.run import runner
from metroanalysis.run.tasks import KERNEL, Task

MONTH = "2021-04"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
RAW = PROJECT_ROOT / "data" / "raw" / MONTH / "bulletin.txt"
EPOCH = "1619827200"  # 2021-05-01 00:00:00 UTC


def bulletin_prefix() -> str:
    return hashlib.sha256(RAW.read_bytes()).hexdigest()[:12]


@pytest.fixture
def cleaned(project_copy, capsys) -> Path:
    assert main(["clean", "--month", MONTH, "--root", str(project_copy)]) == 0
    capsys.readouterr()
    return project_copy


def meta(html: str, name: str) -> list[str]:
    """The content of every <meta name=NAME> of the page, unescaped."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Metas(HTMLParser):
        def handle_starttag(self, tag, attrs):
            values = dict(attrs)
            if tag == "meta" and values.get("name") == name:
                found.append(values.get("content"))

    Metas().feed(html)
    return found


def flip_one_byte(path: Path, at: int = 200) -> None:
    data = bytearray(path.read_bytes())
    data[at] = ord("x") if data[at] != ord("x") else ord("y")
    path.write_bytes(bytes(data))


# ---------------------------------------------------------------------------------------------
# Time


def test_source_date_epoch_fixes_every_build_stamp(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert build.build_time().isoformat() == "2021-05-01T00:00:00+00:00"
    assert build.now() == "2021-05-01 00:00"
    assert build.durations(12.3456, {"execute": 1.0}) == {"seconds": None, "timings": {}}


def test_without_source_date_epoch_the_stamps_are_the_clock(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert build.build_time().year >= 2024
    assert build.durations(12.3456, {"execute": 1.0}) == {"seconds": 12.346, "timings": {"execute": 1.0}}


def test_a_source_date_epoch_that_is_not_seconds_is_a_usage_error(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(UsageError, match=r"SOURCE_DATE_EPOCH='yesterday': expected whole seconds"):
        build.build_time()


def test_cleaning_twice_in_two_copies_writes_the_same_bytes_even_without_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    built = []
    for name in ("one", "two"):
        root = tmp_path / name
        fresh_copy(root)
        assert main(["clean", "--all", "--root", str(root)]) == 0
        built.append(every_file(root))
    assert len(built[0]) > 40 and built[0] == built[1]


# ---------------------------------------------------------------------------------------------
# The data package


def test_the_data_package_gives_every_csv_its_bytes_and_sha256(cleaned):
    folder = cleaned / "data" / "processed" / MONTH
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert len(package["resources"]) == len(list(folder.glob("*.csv")))
    for resource in package["resources"]:
        data = (folder / resource["path"]).read_bytes()
        assert resource["bytes"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()


def test_verify_passes_on_a_clean_month_and_names_a_changed_csv_and_bulletin(cleaned, capsys):
    assert main(["verify", "--month", MONTH, "--root", str(cleaned)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("verified 1 month(s):") and "1 bulletin(s)" in out[0]

    flip_one_byte(cleaned / "data" / "processed" / MONTH / "kiosk_usage.csv")
    flip_one_byte(cleaned / "data" / "raw" / MONTH / "bulletin.txt")
    assert main(["verify", "--all", "--root", str(cleaned)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert any(line.startswith(f"data/processed/{MONTH}/kiosk_usage.csv: sha256 ") for line in out), out
    assert any(line.startswith(f"data/raw/{MONTH}/bulletin.txt: sha256 ") for line in out), out
    # the clean step's record says which of its inputs changed
    assert any(line.startswith(f"data/processed/{MONTH}/build.json:") and "bulletin_sha256" in line for line in out)


# ---------------------------------------------------------------------------------------------
# A report exported without a kernel, as a run would: its page, notebook and record


def executed_notebook() -> object:
    parameters = new_code_cell("month = '2021-04'")
    parameters.metadata["tags"] = ["injected-parameters"]
    parameters.id = "random1"
    finding = new_code_cell("finding()")
    finding.outputs = [
        new_output(
            "display_data",
            data={"text/markdown": "诊间预约最多"},
            metadata={"metroanalysis": {"finding": "诊间预约最多"}},
        )
    ]
    finding.metadata["execution"] = {"iopub.execute_input": "2026-11-26T12:09:20.196589Z"}
    finding.metadata["papermill"] = {"start_time": "2026-11-26T12:09:20+00:00", "duration": 0.5}
    nb = new_notebook(cells=[new_markdown_cell("# 预约渠道"), parameters, finding])
    nb.metadata["papermill"] = {"start_time": "2026-11-26T12:09:18+00:00", "duration": 21.3, "output_path": "/x"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def export_report(root: Path, lang: str = "zh") -> Path:
    """notebooks/01-channels.ipynb 'executed' into reports/MONTH[/en]/ and recorded as built,
    as execute.run_task does after Papermill."""
    project = Project(root)
    notebook = root / "notebooks" / "01-channels.ipynb"
    notebook.parent.mkdir(exist_ok=True)
    nbformat.write(new_notebook(cells=[new_markdown_cell("# 预约渠道")]), notebook)
    out_dir = runner.month_dir(project.reports, MONTH, lang)
    out_dir.mkdir(parents=True, exist_ok=True)
    values = runner.parameters(project, project.reports, MONTH, lang)
    common = build.month_inputs(project.bulletin(MONTH), project.processed, project.months(), MONTH)
    inputs = build.report_inputs(notebook, common, values, KERNEL)
    key = build.digest(inputs)
    nb = executed_notebook()
    nbformat.write(nb, out_dir / "01-channels.ipynb")
    task = Task(MONTH, str(notebook), str(out_dir), values, key, lang)
    title, finding = write_report(nb, out_dir / "01-channels.html", task)
    build.record_built(out_dir, "01-channels", key, title, finding, 1.5, {"execute": 1.0}, inputs)
    runner.publish_data(project.processed_month(MONTH), project.reports / MONTH / provenance.DATA_FOLDER)
    site.write_month_index(
        out_dir, MONTH, ["01-channels"], lang, runner.page_parameters(project, project.reports, MONTH, lang)
    )
    site.write_root_index(project.reports, root)
    return out_dir


def test_every_page_says_what_it_was_made_from(cleaned, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    out_dir = export_report(cleaned)
    uv_lock = hashlib.sha256(b"lock\n").hexdigest()[:12]
    (cleaned / "uv.lock").write_bytes(b"lock\n")
    site.write_root_index(cleaned / "reports", cleaned)  # now with a lock file
    pages = {
        "report": (out_dir / "01-channels.html", "none"),
        "month": (out_dir / "index.html", "none"),
        "months": (cleaned / "reports" / "index.html", uv_lock),
    }
    for kind, (page, lock) in pages.items():
        html = page.read_text(encoding="utf-8")
        footer = html[html.index('class="ma-provenance"') :]
        assert f"data/raw/{MONTH}/bulletin.txt，SHA-256 前 12 位 {bulletin_prefix()}" in footer, kind
        assert "metroanalysis 0.1.0" in footer and "项目文件夹不是 git 仓库" in footer, kind
        assert ("没有锁文件 uv.lock" if lock == "none" else f"锁文件 uv.lock 摘要 {lock}") in footer, kind
        assert "生成时间 2021-05-01T00:00:00+00:00" in footer, kind
        assert meta(html, "metroanalysis-bulletin") == [f"data/raw/{MONTH}/bulletin.txt sha256:{bulletin_prefix()}"]
        assert meta(html, "metroanalysis-lock") == [lock], kind
        assert meta(html, "metroanalysis-version") == ["0.1.0"] and meta(html, "metroanalysis-commit") == ["no git"]
        assert meta(html, "metroanalysis-built") == ["2021-05-01T00:00:00+00:00"], kind
        assert len(meta(html, "metroanalysis-library")[0]) == 12, kind
        assert str(cleaned) not in html, f"{kind} page names the builder's folder"
    report = pages["report"][0].read_text(encoding="utf-8")
    assert "month=2021-04" in report and "root=." in report and "processed_dir=data/processed" in report
    assert json.loads(meta(report, "metroanalysis-parameters")[0]) == {
        "lang": "zh",
        "month": MONTH,
        "processed_dir": "data/processed",
        "reports_dir": "reports",
        "root": ".",
    }
    assert 'href="run.json"' in report and 'href="data/datapackage.json"' in report
    library = provenance.report_library(cleaned / "notebooks" / "01-channels.ipynb")[:12]
    assert f"库代码摘要 {library}" in report
    months = pages["months"][0].read_text(encoding="utf-8")
    assert f'href="{MONTH}/run.json"' in months and f'href="{MONTH}/data/datapackage.json"' in months


def test_an_english_report_links_the_month_data_one_folder_up(cleaned):
    out_dir = export_report(cleaned, "en")
    html = (out_dir / "01-channels.html").read_text(encoding="utf-8")
    assert 'href="../data/datapackage.json"' in html and f"SHA-256 {bulletin_prefix()}" in html


def test_the_executed_notebook_carries_the_provenance_and_no_run_times(cleaned, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    out_dir = export_report(cleaned)
    nb = json.loads((out_dir / "01-channels.ipynb").read_text(encoding="utf-8"))
    made = nb["metadata"]["metroanalysis"]["provenance"]
    assert made["bulletins"] == [
        {"month": MONTH, "name": f"data/raw/{MONTH}/bulletin.txt", "sha256": bulletin_prefix()}
    ]
    assert made["lock"] == "none" and made["commit"] == "no git" and made["built"] == "2021-05-01T00:00:00+00:00"
    # the file's own path, relative to the project: no builder's folder in the file
    assert nb["metadata"]["papermill"]["output_path"] == f"reports/{MONTH}/01-channels.ipynb"
    assert nb["metadata"]["papermill"]["duration"] is None
    assert nb["metadata"]["papermill"]["start_time"] == "2021-05-01T00:00:00+00:00"
    assert nb["cells"][1]["id"] == "injected-parameters"
    assert "execution" not in nb["cells"][2]["metadata"]
    assert nb["cells"][2]["metadata"]["papermill"] == {"start_time": "2021-05-01T00:00:00+00:00", "duration": None}


def test_the_months_data_package_is_published_beside_its_reports(cleaned):
    export_report(cleaned)
    processed = cleaned / "data" / "processed" / MONTH
    published = cleaned / "reports" / MONTH / "data"
    names = sorted(p.name for p in published.iterdir())
    assert names == sorted(["datapackage.json", *(p.name for p in processed.glob("*.csv"))])
    for name in names:
        assert (published / name).read_bytes() == (processed / name).read_bytes()
    before = (published / "datapackage.json").stat().st_mtime_ns
    runner.publish_data(processed, published)  # nothing changed: not copied again
    assert (published / "datapackage.json").stat().st_mtime_ns == before
    (published / "2021-04.xlsx").write_bytes(b"a download made by another step")
    (processed / "datapackage.json").write_bytes((processed / "datapackage.json").read_bytes() + b"\n")
    runner.publish_data(processed, published)  # changed: copied again, the download kept
    assert (published / "datapackage.json").read_bytes() == (processed / "datapackage.json").read_bytes()
    assert (published / "2021-04.xlsx").read_bytes() == b"a download made by another step"


def test_verify_names_a_changed_report_page_and_a_changed_csv(cleaned, capsys):
    out_dir = export_report(cleaned)
    assert main(["verify", "--month", MONTH, "--root", str(cleaned)]) == 0
    assert "1 report(s)" in capsys.readouterr().out

    flip_one_byte(out_dir / "01-channels.html", at=500)
    flip_one_byte(cleaned / "data" / "processed" / MONTH / "booking_by_channel.csv")
    assert main(["verify", "--month", MONTH, "--root", str(cleaned)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert sorted(line.split(":")[0] for line in out) == [
        f"data/processed/{MONTH}/booking_by_channel.csv",
        f"reports/{MONTH}/01-channels.html",
    ]
    assert all(", recorded " in line for line in out)


@pytest.mark.parametrize("output", ["01-channels.html", "01-channels.ipynb"])
def test_verify_names_a_report_output_that_is_gone(cleaned, capsys, output):
    out_dir = export_report(cleaned)
    (out_dir / output).unlink()
    assert main(["verify", "--month", MONTH, "--root", str(cleaned)]) == 1
    assert capsys.readouterr().out.splitlines()[0] == f"reports/{MONTH}/{output}: missing"


@pytest.mark.parametrize("folder", [f"data/processed/{MONTH}", f"reports/{MONTH}/data"])
def test_verify_names_a_csv_its_data_package_lists_that_is_gone(cleaned, capsys, folder):
    export_report(cleaned)
    (cleaned / folder / "kiosk_usage.csv").unlink()
    assert main(["verify", "--month", MONTH, "--root", str(cleaned)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert f"{folder}/kiosk_usage.csv: missing (listed in {folder}/datapackage.json)" in lines, lines


def test_verify_checks_the_published_copy_of_the_data(cleaned, capsys):
    export_report(cleaned)
    published = cleaned / "reports" / MONTH / "data" / "booking_by_channel.csv"
    good = published.read_bytes()
    flip_one_byte(published)
    assert main(["verify", "--month", MONTH, "--root", str(cleaned)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [f"reports/{MONTH}/data/booking_by_channel.csv"], lines
    # a published package that is not the processed month's: the copy is stale
    package = cleaned / "reports" / MONTH / "data" / "datapackage.json"
    published.write_bytes(good)
    package.write_text(package.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert main(["verify", "--month", MONTH, "--root", str(cleaned)]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        f"reports/{MONTH}/data/datapackage.json: not a copy of data/processed/{MONTH}/datapackage.json "
        "(run the reports again)"
    )


def test_verify_says_when_a_report_was_built_from_other_inputs(cleaned, capsys):
    export_report(cleaned)
    notebook = cleaned / "notebooks" / "01-channels.ipynb"
    nbformat.write(new_notebook(cells=[new_markdown_cell("# 预约渠道（改）")]), notebook)
    assert main(["verify", "--month", MONTH, "--root", str(cleaned)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert out == [
        f"reports/{MONTH}/.build/01-channels.json: built from other inputs than those now "
        "(its notebook changed; run the reports again)"
    ]


def test_verify_names_each_input_of_a_report_that_changed(cleaned, capsys):
    """The catalog (English words), and an earlier month's clean tables, are named as such."""
    export_report(cleaned)
    (cleaned / "notebooks" / "01-channels.en.yml").write_text('"预约渠道": "Booking channels"\n', encoding="utf-8")
    assert main(["verify", "--month", MONTH, "--root", str(cleaned)]) == 1
    assert "(its catalog changed; run the reports again)" in capsys.readouterr().out
    (cleaned / "notebooks" / "01-channels.en.yml").unlink()
    record = cleaned / "data" / "processed" / MONTH / "build.json"
    record.write_text(record.read_text(encoding="utf-8").replace('"step"', '"step2"'), encoding="utf-8")
    assert main(["verify", "--month", MONTH, "--root", str(cleaned)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(line.endswith("(its tables changed; run the reports again)") for line in lines), lines


def test_verify_of_a_record_without_its_inputs_lists_what_may_have_changed(cleaned, capsys):
    out_dir = export_report(cleaned)
    path = build.record_path(out_dir, "01-channels")
    record = json.loads(path.read_text(encoding="utf-8"))
    record.pop("inputs")
    path.write_text(json.dumps(record), encoding="utf-8")
    nbformat.write(
        new_notebook(cells=[new_markdown_cell("# 预约渠道（改）")]), cleaned / "notebooks" / "01-channels.ipynb"
    )
    assert main(["verify", "--month", MONTH, "--root", str(cleaned)]) == 1
    assert "(notebook, catalog, library, tables, parameters or versions changed;" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# The code's state


def git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@t", *args], check=True, capture_output=True
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_commit_is_shown_only_for_a_checkout_without_uncommitted_changes(tmp_path):
    folder = tmp_path / "checkout"
    folder.mkdir()
    assert provenance.code_commit(folder) == "no git"
    git(folder, "init", "-q")
    (folder / "a.txt").write_text("a\n")
    git(folder, "add", "a.txt")
    git(folder, "commit", "-q", "-m", "a")
    head = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    provenance._code_commit.cache_clear()
    assert provenance.code_commit(folder) == head.strip()[:12]
    (folder / "a.txt").write_text("b\n")
    provenance._code_commit.cache_clear()
    assert provenance.code_commit(folder) == "modified"
    provenance._code_commit.cache_clear()


# ---------------------------------------------------------------------------------------------
# Two builds, two fresh copies, every byte


def fresh_copy(root: Path) -> None:
    (root / "data" / "raw").mkdir(parents=True)
    shutil.copytree(PROJECT_ROOT / "data" / "raw" / MONTH, root / "data" / "raw" / MONTH)
    shutil.copytree(PROJECT_ROOT / "data" / "reference", root / "data" / "reference")
    (root / "notebooks").mkdir()
    for name in ("01-channel-shares", "03-regional-coverage"):  # one short and one with maps and tables
        for path in (PROJECT_ROOT / "notebooks").glob(f"{name}.*"):
            shutil.copyfile(path, root / "notebooks" / path.name)


def run_build(root: Path, epoch: str | None) -> subprocess.CompletedProcess:
    """`metroanalysis run` in a process of its own, from inside the copy (no path on the command
    line), with the library under test first on the path."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(provenance.__file__).parents[1]), env.get("PYTHONPATH", "")])
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = epoch
    command = [sys.executable, "-m", "metroanalysis.cli", "run", "--all", "--lang", "zh,en", "-j", "2"]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=900)


def every_file(root: Path) -> dict[str, bytes]:
    """Every file under data/processed/ and reports/, by path; the lock files' holder ids
    (.locks/*.pid, the process that last held a month's lock) and reports/.state/ (the sizes and
    times a rerun compares, `runner.QUIET`, `build.RecordIndex`) are run state, not output."""
    found = {}
    for top in ("data/processed", "reports"):
        for path in sorted((root / top).rglob("*")):
            parts = path.relative_to(root).parts
            if path.is_file() and ".locks" not in parts and ".state" not in parts:
                found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


@pytest.mark.slow
def test_two_builds_in_two_folders_are_byte_identical(tmp_path):
    # Two folders at different depths, with a space: nothing written may name where it was built
    # (the notebooks' parameters and Papermill's paths are relative to the project).
    first_place, where = tmp_path / "first", tmp_path / "second place" / "project"
    fresh_copy(first_place)
    first = run_build(first_place, EPOCH)
    assert first.returncode == 0, first.stderr
    before = every_file(first_place)
    fresh_copy(where)
    second = run_build(where, EPOCH)
    assert second.returncode == 0, second.stderr
    after = every_file(where)

    assert sorted(after) == sorted(before)
    assert [name for name in before if before[name] != after[name]] == []
    kinds = {Path(name).suffix for name in before}
    assert {".csv", ".json", ".html", ".ipynb"} <= kinds
    assert f"reports/{MONTH}/en/01-channel-shares.html" in before and f"reports/{MONTH}/data/datapackage.json" in before
    assert f"reports/{MONTH}/en/.build/01-channel-shares.json" in before
    for name, data in before.items():  # no file names the folder it was built in
        assert str(first_place).encode() not in data and str(tmp_path).encode() not in data, name

    # the copy verifies: every file is the one its records describe
    check = run_verify(where)
    assert check.returncode == 0, check.stdout
    assert check.stdout.startswith("verified 1 month(s)")


def run_verify(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(Path(provenance.__file__).parents[1])}
    command = [sys.executable, "-m", "metroanalysis.cli", "verify", "--all"]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_a_page_says_which_bulletin_it_expected_when_there_is_none(tmp_path):
    (tmp_path / "data" / "raw").mkdir(parents=True)
    assert provenance.bulletin(tmp_path, MONTH) == provenance.Bulletin(
        MONTH, f"data/raw/{MONTH}/bulletin.txt", "missing"
    )


def test_a_report_whose_files_changed_after_its_record_is_built_again(cleaned):
    """A run stopped mid-notebook can leave a half-executed notebook in place of the good one
    before it records anything: the record no longer describes the files, so the report is not
    up to date (the next run builds it again, rather than saying nothing changed)."""
    out_dir = export_report(cleaned)
    key = build.read_record(out_dir, "01-channels")["key"]
    assert build.is_current(out_dir, "01-channels", key)
    notebook, page = out_dir / "01-channels.ipynb", out_dir / "01-channels.html"
    good = notebook.read_bytes()
    half = nbformat.reads(good.decode("utf-8"), as_version=4)
    half.cells = half.cells[:1]
    nbformat.write(half, notebook)
    assert not build.is_current(out_dir, "01-channels", key)
    notebook.write_bytes(good)
    assert build.is_current(out_dir, "01-channels", key)
    page.write_bytes(page.read_bytes().replace(b"</body>", b"<p>edited</p></body>"))
    assert not build.is_current(out_dir, "01-channels", key)
