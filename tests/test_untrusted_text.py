"""Text from a bulletin is data: hospital names that look like markup, a template or a formula
reach the reports as those characters, never as markup, script, link or typeset maths. The test
prints how many hostile names it exercised."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from metroanalysis.analysis.notebook import markdown
from metroanalysis.cli import main

REPO = Path(__file__).resolve().parents[1]
MONTH = "2021-04"

# Booking-table rows renamed (they are the three biggest hospitals, so every chart names them).
HOSTILE = {
    "南京鼓楼医院": "<script>alert(1)</script>",
    "南京市儿童医院": "{{7*7}}医院",
    "南京市中医院": "$\\alpha$ & <b>粗体</b> [链接](javascript:alert(2))",
}


def test_markdown_shows_markup_characters_as_text():
    md = markdown("**结论** <img src=x onerror=alert(1)> [x](javascript:1) `code`").data
    assert "<img" not in md and "&lt;img" in md
    assert "\\[x\\](javascript:1)" in md and "\\`code\\`" in md
    assert md.startswith("**结论**")  # the reports' own emphasis still works


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    raw = (REPO / "data" / "raw" / MONTH / "bulletin.txt").read_text(encoding="utf-8")
    for printed, hostile in HOSTILE.items():
        raw = raw.replace(f"\t{printed}\n\t", f"\t{hostile}\n\t", 1)  # the booking table's row
    (root / "data" / "raw" / MONTH).mkdir(parents=True)
    (root / "data" / "raw" / MONTH / "bulletin.txt").write_text(raw, encoding="utf-8")
    shutil.copytree(REPO / "data" / "reference", root / "data" / "reference")
    (root / "notebooks").mkdir()
    shutil.copy(REPO / "notebooks" / "01-channel-shares.ipynb", root / "notebooks")
    assert main(["run", "--month", MONTH, "--root", str(root)]) == 0
    return root


@pytest.mark.slow
def test_hostile_names_are_text_in_tables_reports_and_index(project, capsys):
    import pandas as pd

    booking = pd.read_csv(project / "data/processed" / MONTH / "booking_by_hospital.csv", encoding="utf-8-sig")
    assert set(HOSTILE.values()) <= set(booking["hospital"])  # kept exactly as printed
    page = (project / "reports" / MONTH / "01-channel-shares.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<b>粗体</b>" not in page
    assert not re.search(r"<a [^>]*javascript:", page)
    shown = html.unescape(re.sub(r"<[^>]+>", "", page))
    for name in HOSTILE.values():
        assert name in shown, name  # every name reads as printed, character for character
    assert "49医院" not in shown  # {{7*7}} was not evaluated by any template
    index = (project / "reports" / MONTH / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in index
    with capsys.disabled():
        print(f"\n  hostile names exercised: {len(HOSTILE)}, all shown as text")


def test_parameters_reach_notebooks_as_values_not_code(tmp_path):
    """A project folder whose name is Python (quotes, a statement) arrives as that string: the
    notebooks live outside it (--notebooks), so `root`, the way from them to it, names it."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    root = tmp_path / "x'\"; open('PWNED', 'w'); '{{7*7}}"
    shutil.copytree(REPO / "data" / "raw" / MONTH, root / "data" / "raw" / MONTH)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    params = new_code_cell('month = None\nroot = None\nprocessed_dir = None\nreports_dir = None\nlang = "zh"')
    params.metadata["tags"] = ["parameters"]
    echo = new_code_cell("from pathlib import Path\nPath(root, 'seen.txt').write_text(root, encoding='utf-8')")
    nb = new_notebook(cells=[params, echo])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, notebooks / "01-echo.ipynb")
    assert main(["report", "--month", MONTH, "--root", str(root), "--notebooks", str(notebooks), "-j", "1"]) == 0
    assert (root / "seen.txt").read_text(encoding="utf-8") == f"../{root.name}"
    assert not list(root.rglob("PWNED")) and not list(tmp_path.rglob("PWNED"))
