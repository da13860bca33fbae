"""Two runs on the same month wait for each other instead of interleaving writes (two real
processes), and every run leaves reports/MONTH/run.json saying what ran, what failed and why."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

REPO = Path(__file__).resolve().parents[1]
MONTH = "2021-04"

PARAMETERS = 'month = None\nroot = None\nprocessed_dir = None\nreports_dir = None\nlang = "zh"'


def notebook(body: str) -> nbformat.NotebookNode:
    params = new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[params, new_code_cell(body)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture
def project(tmp_path):
    shutil.copytree(REPO / "data" / "raw" / MONTH, tmp_path / "data" / "raw" / MONTH)
    shutil.copytree(REPO / "data" / "reference", tmp_path / "data" / "reference")
    (tmp_path / "notebooks").mkdir()
    # it says when it has started (the run then holds the month), and takes 2 s
    slow = "import pathlib, time\npathlib.Path(root, 'started').touch()\ntime.sleep(2)\nprint('slept', month)"
    nbformat.write(notebook(slow), tmp_path / "notebooks" / "01-slow.ipynb")
    return tmp_path


def report(root: Path, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "metroanalysis.cli", "run", "--month", MONTH, "--root", str(root), "-j", "1", *extra]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_two_runs_of_one_month_take_turns(project):
    first = report(project, "--force")
    deadline = time.monotonic() + 60
    while not (project / "started").exists() and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.05)
    assert (project / "started").exists(), first.communicate()[1]  # the first is inside the month
    second = report(project, "--force")
    _out1, err1 = first.communicate(timeout=120)
    _out2, err2 = second.communicate(timeout=120)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    assert "waiting for another run" in err2
    executed = json.loads((project / "reports" / MONTH / "01-slow.ipynb").read_text(encoding="utf-8"))
    assert any("slept 2021-04" in "".join(o.get("text", "")) for c in executed["cells"] for o in c.get("outputs", []))
    record = json.loads((project / "reports" / MONTH / "run.json").read_text(encoding="utf-8"))
    assert record["ok"] is True and [r["status"] for r in record["reports"]] == ["built"]


def test_run_json_names_the_failed_report_and_why(project):
    nbformat.write(notebook("raise ValueError('数据不对：测试用的失败')"), project / "notebooks" / "02-broken.ipynb")
    proc = report(project)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    failed = [line for line in err.splitlines() if "02-broken" in line]
    assert len(failed) == 1 and "ValueError" in failed[0]
    record = json.loads((project / "reports" / MONTH / "run.json").read_text(encoding="utf-8"))
    by_name = {r["notebook"]: r for r in record["reports"]}
    assert record["ok"] is False
    assert by_name["01-slow"]["status"] == "built" and by_name["01-slow"]["html"] == "01-slow.html"
    assert by_name["02-broken"]["status"] == "failed" and "数据不对" in by_name["02-broken"]["error"]
    assert by_name["02-broken"]["html"] is None
    assert record["started"] <= record["finished"]


def test_run_json_records_the_strict_verdict(project):
    """The bulletin's kiosk 合计 of payment_amount_yuan is printed 336807013.30 against rows adding
    to 336807013.31 (line 1191): a mismatch, so `run --strict` fails the month. Its run.json says
    so, and is not ok though the report itself was built (before: ok true)."""
    proc = report(project, "--strict")
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    record = json.loads((project / "reports" / MONTH / "run.json").read_text(encoding="utf-8"))
    assert [r["status"] for r in record["reports"]] == ["built"]
    assert record["strict"] == {"checks": "failed", "quality": "quality.csv"}
    assert record["ok"] is False
    plain = report(project)
    assert plain.wait(timeout=120) == 0
    record = json.loads((project / "reports" / MONTH / "run.json").read_text(encoding="utf-8"))
    assert record["ok"] is True and "strict" not in record
