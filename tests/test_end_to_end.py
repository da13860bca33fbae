"""The main job end to end: `metroanalysis run` on the shipped month into a scratch project,
then each HTML report read as a reviewer would (no code, charts embedded, Chinese, the key
figures stated), and nbval re-running the executed notebooks to show their outputs are stable."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import visible_text

from metroanalysis.cli import main

REPO = Path(__file__).resolve().parents[1]
MONTH = "2021-04"
NOTEBOOKS = sorted(p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(built_project):
    return built_project


def html(project, name: str) -> str:
    return (project / "reports" / MONTH / f"{name}.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_each_report_is_a_readable_page_with_charts_and_no_code(project, name):
    page = html(project, name)
    assert '<html lang="zh"' in page
    code_cells = re.findall(r'class="(jp-Cell jp-CodeCell[^"]*)"', page)
    assert code_cells and all("jp-mod-noInput" in c for c in code_cells)  # code cells show output only
    assert not re.search(r'class="[^"]*jp-(InputPrompt|CodeMirrorEditor)', page)
    assert "load_month" not in page and "import " not in visible_text(page)  # no code shown
    assert "data:image/png;base64," in page  # charts embedded, readable offline
    assert not re.search(r"""(src|href)=["']https?://""", page)  # nothing fetched from the web
    assert "Traceback" not in page and "Error" not in visible_text(page)


def test_the_channel_report_states_the_key_figures(project):
    text = visible_text(html(project, NOTEBOOKS[0]))
    assert "427,194" in text  # all bookings: 合计 小计, bulletin line 338
    assert "44.6%" in text  # in-clinic share: 190,355 / 427,194


def test_the_index_pages_link_every_report_with_a_finding(project):
    month_index = (project / "reports" / MONTH / "index.html").read_text(encoding="utf-8")
    for name in NOTEBOOKS:
        assert f'href="{name}.html"' in month_index
    assert "427,194" in month_index  # the channel report's one-line finding
    root_index = (project / "reports" / "index.html").read_text(encoding="utf-8")
    assert f"{MONTH}/index.html" in root_index
    # The months index carries each month's headline figures, read off the bulletin:
    assert "427,194 次" in root_index  # bookings, 合计 line 338
    assert "106,398 个" in root_index  # hotline calls, line 40
    assert f"{MONTH}/en/index.html" in root_index


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_english_reports_are_english_pages(project, name):
    page = (project / "reports" / MONTH / "en" / f"{name}.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in page and "All reports for April 2021" in page
    assert "data:image/png;base64," in page
    headings = re.findall(r"<h[12][^>]*>(.*?)<a", page)
    assert headings and not any(re.search(r"[\u4e00-\u9fff]", h) for h in headings), headings
    index = (project / "reports" / MONTH / "en" / "index.html").read_text(encoding="utf-8")
    assert f'href="{name}.html"' in index and "Reports for April 2021" in index


def test_no_chart_was_drawn_with_missing_glyphs(project):
    for name in NOTEBOOKS:
        nb = json.loads((project / "reports" / MONTH / f"{name}.ipynb").read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            for out in cell.get("outputs", []):
                text = "".join(out.get("text", ""))
                assert "missing from font" not in text and "Glyph" not in text, (name, text[:200])


def test_a_rerun_with_nothing_changed_executes_nothing(project, capsys):
    capsys.readouterr()
    assert main(["run", "--month", MONTH, "--root", str(project)]) == 0
    out = capsys.readouterr()
    assert "up to date" in out.out + out.err or "nothing changed" in out.out + out.err
    assert "ok in" not in out.out + out.err


def test_nbval_reruns_the_executed_notebooks_with_the_same_outputs(project):
    executed = [str(project / "reports" / MONTH / f"{name}.ipynb") for name in NOTEBOOKS]
    # -n 0: nbval runs a notebook's cells in order in one kernel, never spread over xdist workers
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", "--nbval", *executed]
    cmd += ["--nbval-sanitize-with", str(REPO / "tests" / "nbval_sanitize.cfg"), "--nbval-cell-timeout", "300"]
    proc = subprocess.run(cmd, cwd=project / "notebooks", capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert re.search(r"\d+ passed", proc.stdout)
