"""Killing `metroanalysis run` while it writes reports (SIGINT or SIGKILL, at several moments)
leaves the earlier good report whole and readable, and the next run completes the work."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

REPO = Path(__file__).resolve().parents[1]
MONTH = "2021-04"
DELAYS = (1.0, 2.5, 4.0)


def notebook(seconds: float) -> nbformat.NotebookNode:
    params = new_code_cell('month = None\nroot = None\nprocessed_dir = None\nreports_dir = None\nlang = "zh"')
    params.metadata["tags"] = ["parameters"]
    work = new_code_cell(f"import time\ntime.sleep({seconds})\nprint('报告完成', month)")
    nb = new_notebook(cells=[params, work])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def run(root: Path, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "metroanalysis.cli", "run", "--month", MONTH, "--root", str(root), "-j", "1", *extra]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def whole(page: Path) -> bool:
    text = page.read_text(encoding="utf-8")
    return text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>") and "报告完成" in text


@pytest.mark.slow
def test_interrupted_report_runs_lose_nothing(tmp_path, capsys):
    shutil.copytree(REPO / "data" / "raw" / MONTH, tmp_path / "data" / "raw" / MONTH)
    shutil.copytree(REPO / "data" / "reference", tmp_path / "data" / "reference")
    (tmp_path / "notebooks").mkdir()
    nbformat.write(notebook(1.0), tmp_path / "notebooks" / "01-slow.ipynb")
    assert run(tmp_path).wait() == 0
    page = tmp_path / "reports" / MONTH / "01-slow.html"
    good = page.read_bytes()
    tried = 0
    for sig in (signal.SIGINT, signal.SIGKILL):
        for delay in DELAYS:
            proc = run(tmp_path, "--force")
            time.sleep(delay)
            proc.send_signal(sig)
            proc.wait()
            tried += 1
            assert whole(page), (sig, delay)  # the old page or a complete new one, never half
            assert run(tmp_path).wait() == 0, (sig, delay)  # the next run completes the work
            # and leaves every report as its record says (a notebook the stopped run left
            # half-executed is built again, not taken for up to date)
            verify = [sys.executable, "-m", "metroanalysis.cli", "verify", "--all", "--root", str(tmp_path)]
            assert subprocess.run(verify, capture_output=True).returncode == 0, (sig, delay)
            assert whole(page)
            record = json.loads((tmp_path / "reports" / MONTH / "run.json").read_text(encoding="utf-8"))
            assert record["ok"] is True
            leftovers = [p.name for p in page.parent.iterdir() if ".running." in p.name or ".tmp" in p.name]
            assert leftovers == [], leftovers
    assert good.startswith(b"<!DOCTYPE html>")
    with capsys.disabled():
        print(f"\n  report-run interruptions tried: {tried}, all held")
