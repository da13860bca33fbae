"""An output folder that cannot be written (a read-only reports/ or data/processed/) stops the
command before any work, with one line naming the folder, and exit 1."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

REPO = Path(__file__).resolve().parents[1]
MONTH = "2021-04"


@contextlib.contextmanager
def read_only(folder: Path):
    """`folder` refuses new files: its mode for a user, the immutable flag for root (whom modes
    do not stop); skipped where neither is possible."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)]).returncode != 0:
        pytest.skip("running as root without chattr +i: no folder can be made read-only")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


@pytest.fixture
def project(tmp_path):
    shutil.copytree(REPO / "data" / "raw" / MONTH, tmp_path / "data" / "raw" / MONTH)
    shutil.copytree(REPO / "data" / "reference", tmp_path / "data" / "reference")
    (tmp_path / "notebooks").mkdir()
    params = new_code_cell('month = None\nroot = None\nprocessed_dir = None\nreports_dir = None\nlang = "zh"')
    params.metadata["tags"] = ["parameters"]
    ran = tmp_path / "executed"
    nb = new_notebook(cells=[params, new_code_cell(f"import pathlib\npathlib.Path({str(ran)!r}).touch()")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "notebooks" / "01-touch.ipynb")
    return tmp_path


def metroanalysis(root: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "metroanalysis.cli", *args, "--root", str(root)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if not line.startswith("warning:")]


@pytest.mark.parametrize("folder", ["reports/2021-04", "data/processed"])
def test_a_read_only_output_folder_is_one_line_and_exit_1(project, folder):
    assert metroanalysis(project, "clean", "--month", MONTH).returncode == 0
    target = project / folder
    (project / "reports" / MONTH).mkdir(parents=True)
    (project / "reports" / MONTH / "index.html").write_text("<!DOCTYPE html><html></html>\n", encoding="utf-8")
    with read_only(target):
        done = metroanalysis(project, "run", "--month", MONTH, "--force", "-j", "1")
    assert done.returncode == 1, done.stderr
    (line,) = errors(done.stderr)  # one line, naming the folder
    assert line.startswith("metroanalysis: error: cannot write to this folder") and line.endswith(str(target)), line
    assert not (project / "executed").exists(), "a notebook was executed before the folder was found read-only"
