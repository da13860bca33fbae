"""The report runner: notebooks executed in-process with Papermill, exported to offline HTML,
indexed with their findings; a failing notebook named, kept, and never over a good report;
nothing re-executed when nothing changed.

Runs small notebooks written here (not the project's), so it tests the runner, not the analysis.
Every kernel start costs ~1-2 s: the scenarios share projects and keep the runs few.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from metroanalysis.build import keys as build
from metroanalysis.clean.pipeline import clean_month
from metroanalysis.paths import Project
from metroanalysis.run import execute
from metroanalysis.run.report import report_months

REPO = Path(__file__).resolve().parents[1]
MONTH = "2021-04"
PARAMETERS = 'month = None\nroot = None\nprocessed_dir = None\nreports_dir = None\nlang = "zh"'
SOURCE_MARKER = "SOURCE_TEXT_THAT_MUST_NOT_SHOW"
# Entity names come from untrusted bulletins: the finding carries markup that must arrive as text.
FINDING = "{month}：诊间预约占比最高（44.6 %），南京鼓楼医院 <b>&</b> 居首"

CHART = f"""\
from pathlib import Path
import matplotlib.pyplot as plt
import mplfonts
from matplotlib import font_manager
font_manager.fontManager.addfont(str(Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"))
plt.rcParams["font.sans-serif"] = ["Noto Sans CJK SC"]
plt.rcParams["axes.unicode_minus"] = False
from metroanalysis import load_month
m = load_month(month, root, processed_dir)
{SOURCE_MARKER} = len(m.facts)
fig, ax = plt.subplots(figsize=(5, 2.5))
ax.bar(["网上", "电话", "诊间"], [24.3, 10.4, 44.6])
ax.set_title(f"{{month}} 各渠道预约占比")
ax.set_ylabel("占比（%）")
plt.show()
"""


def finding_cell(text: str) -> str:
    return (
        "from IPython.display import Markdown, display\n"
        f"text = f{text!r}\n"
        "display(Markdown(text), metadata={'metroanalysis': {'finding': text}})"
    )


def notebook(*cells) -> nbformat.NotebookNode:
    params = new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[params, *cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def good_notebook() -> nbformat.NotebookNode:
    return notebook(
        new_markdown_cell("# 预约渠道占比\n\n各渠道预约量占全部预约的比例。"),
        new_code_cell(CHART),
        new_code_cell(finding_cell(FINDING)),
    )


def failing_notebook(message: str = "boom") -> nbformat.NotebookNode:
    return notebook(new_markdown_cell("# 会失败的报告"), new_code_cell(f"raise ValueError({message!r} + ' ' + month)"))


def small_notebook(title: str, finding: str, extra: str = "") -> nbformat.NotebookNode:
    cells = [new_markdown_cell(f"# {title}"), new_code_cell(finding_cell(finding))]
    if extra:
        cells.append(new_code_cell(extra))
    return notebook(*cells)


def make_project(root: Path, notebooks: dict[str, nbformat.NotebookNode]) -> Project:
    (root / "data" / "raw").mkdir(parents=True)
    shutil.copytree(REPO / "data" / "raw" / MONTH, root / "data" / "raw" / MONTH)
    if (REPO / "data" / "reference").is_dir():
        shutil.copytree(REPO / "data" / "reference", root / "data" / "reference")
    project = Project(root)
    clean_month(project, MONTH)
    (root / "notebooks").mkdir()
    for name, nb in notebooks.items():
        nbformat.write(nb, root / "notebooks" / name)
    return project


def run(project: Project, **kwargs) -> tuple[bool, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        ok = report_months(project, [MONTH], jobs=kwargs.pop("jobs", 1), **kwargs)
    return ok, out.getvalue(), err.getvalue()


def body(html: str) -> str:
    return html[html.index("<body") :]


# ---------------------------------------------------------------------------------------------
# One run over a good and a failing notebook


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("report") / "project"
    project = make_project(root, {"01-channels.ipynb": good_notebook(), "02-broken.ipynb": failing_notebook()})
    ok, out, err = run(project)
    return project, ok, out, err


def test_the_good_report_hides_code_and_embeds_its_chart(built):
    project, *_ = built
    html = (project.reports / MONTH / "01-channels.html").read_text(encoding="utf-8")
    page = body(html)
    assert SOURCE_MARKER not in html and "load_month" not in html and "plt.subplots" not in html
    # every code cell is rendered without its input; the one input area left is the Markdown cell's
    code_cells = re.findall(r'<div class="jp-Cell jp-CodeCell[^"]*"', page)
    assert code_cells and all("jp-mod-noInput" in c for c in code_cells)
    assert page.count('class="jp-InputArea') == 1
    assert "jp-InputPrompt" not in page and "jp-OutputPrompt" not in page
    assert page.count('src="data:image/png;base64,') == 1
    assert "预约渠道占比" in page and "各渠道预约量占全部预约的比例" in page


def test_the_good_report_is_chinese_and_readable_offline(built):
    project, *_ = built
    html = (project.reports / MONTH / "01-channels.html").read_text(encoding="utf-8")
    assert re.search(r'<html lang="zh"', html)
    assert '<meta charset="utf-8"' in html
    # nothing fetched: no remote script, stylesheet, font or module import; the only "http" is the
    # Content-Security-Policy meta that forbids any fetch or script at all
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html)
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//|@import|import\(", html)
    assert [m.group(0) for m in re.finditer(r"http[\w-]*", html)] == ["http-equiv"]
    assert "default-src 'none'" in html
    assert "require.js" not in html and "mathjax" not in html.lower() and "mermaid" not in html.lower()
    assert "<title>预约渠道占比</title>" in html


def test_the_chart_draws_chinese_with_a_real_font(built):
    project, _, _, err = built
    assert "drawn without a font" not in err
    executed = nbformat.read(project.reports / MONTH / "01-channels.ipynb", as_version=4)
    assert execute.notebook_warnings(executed) == []


def test_the_index_pages_link_the_report_with_its_finding_escaped(built):
    project, *_ = built
    month_index = (project.reports / MONTH / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh"' in month_index and '<meta charset="utf-8"' in month_index
    assert '<a class="title" href="01-channels.html">' in month_index
    finding = FINDING.format(month=MONTH)
    assert "南京鼓楼医院 &lt;b&gt;&amp;&lt;/b&gt; 居首" in month_index
    assert "<b>" not in month_index
    assert finding not in month_index  # only its escaped form
    assert "2021年4月" in month_index
    root_index = (project.reports / "index.html").read_text(encoding="utf-8")
    assert 'href="2021-04/index.html"' in root_index and "2021年4月" in root_index
    assert "<script" not in month_index + root_index and "http" not in month_index.replace("http-equiv", "")


def test_a_failing_notebook_is_named_kept_and_gets_no_html(built):
    project, ok, _, err = built
    assert ok is False
    failures = [line for line in err.splitlines() if line.startswith("metroanalysis: error:")]
    assert len(failures) == 1
    assert MONTH in failures[0] and "02-broken" in failures[0] and "ValueError: boom 2021-04" in failures[0]
    assert "01-channels" not in failures[0]
    executed = nbformat.read(project.reports / MONTH / "02-broken.ipynb", as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors and errors[0].ename == "ValueError"
    assert not (project.reports / MONTH / "02-broken.html").exists()
    # the month's index says so, and links the executed notebook with the error
    month_index = (project.reports / MONTH / "index.html").read_text(encoding="utf-8")
    assert "本次运行失败" in month_index and 'href="02-broken.ipynb"' in month_index
    assert 'href="02-broken.html"' not in month_index
    # no temporary file left behind
    assert not [p.name for p in (project.reports / MONTH).iterdir() if p.name.startswith(".") and p.is_file()]


# ---------------------------------------------------------------------------------------------
# Reruns: nothing changed, one notebook changed, a good report then a failing run, --force, -j 2


@pytest.fixture
def small(tmp_path):
    return make_project(
        tmp_path / "project",
        {
            "01-first.ipynb": small_notebook("第一份", "第一份报告的结论"),
            "02-second.ipynb": small_notebook("第二份", "第二份报告的结论"),
        },
    )


def test_a_nothing_changed_rerun_leaves_the_indexes_alone_unless_a_record_is_newer(small):
    """A rerun with nothing to do renders no page (well under half a second); an index older than
    a report's record (a run stopped between the report and its index) is written again."""
    ok, out, _ = run(small)
    assert ok, out
    month_index, root_index = small.reports / MONTH / "index.html", small.reports / "index.html"
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (month_index, root_index)}
    ok, out, _ = run(small)
    assert ok and "nothing changed" in out
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in before} == before
    record = small.reports / MONTH / ".build" / "01-first.json"
    later = before[month_index][1] + 5_000_000_000
    os.utime(record, ns=(later, later))
    ok, out, _ = run(small)
    assert ok and month_index.stat().st_mtime_ns != before[month_index][1]
    assert root_index.stat().st_mtime_ns != before[root_index][1]  # newer than its month's index


def test_a_nothing_changed_rerun_still_undoes_a_killed_copy_of_the_months_data(small):
    """reports/MONTH/data/ is swapped in whole: a run killed while copying leaves a temporary
    folder, one killed between the two renames leaves the copy set aside. A rerun with nothing
    to do drops the first and puts the second back."""
    ok, out, _ = run(small)
    assert ok, out
    data = small.reports / MONTH / "data"
    before = {p.name: p.read_bytes() for p in data.iterdir()}
    for kill in ("copying", "swapping"):
        (small.reports / MONTH / ".data.tmp-killed").mkdir()
        if kill == "swapping":
            os.replace(data, small.reports / MONTH / ".data.old-12345")
        ok, out, _ = run(small)
        assert ok and "nothing changed" in out
        assert {p.name: p.read_bytes() for p in data.iterdir()} == before, kill
        assert [p.name for p in (small.reports / MONTH).iterdir() if p.name.startswith(".data.")] == [], kill


def test_reruns_rebuild_only_what_changed_and_never_lose_a_good_report(small):
    folder = small.reports / MONTH
    ok, out, _ = run(small)
    assert ok, out
    first_html = (folder / "01-first.html").read_bytes()
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if p.is_file()}

    # nothing changed: nothing executed, and the run says so
    ok, out, _ = run(small)
    assert ok and "nothing changed" in out and "[1/" not in out
    per_run = ("index.html", "run.json")  # the run's own record and index are rewritten each run
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if p.is_file() and p.name not in per_run} == {
        k: v for k, v in stamps.items() if k not in per_run
    }
    assert json.loads((folder / "run.json").read_text())["reports"][0]["status"] == "unchanged"

    # one notebook changed: only that one executed
    nbformat.write(small_notebook("第二份", "第二份报告的新结论"), small.notebooks / "02-second.ipynb")
    ok, out, _ = run(small)
    assert ok and "[1/1] 2021-04 02-second: ok" in out and "01-first" not in out
    assert "第二份报告的新结论" in (folder / "index.html").read_text(encoding="utf-8")

    # the first notebook now fails: its good HTML survives, the index still links it and says so
    nbformat.write(failing_notebook("broken later"), small.notebooks / "01-first.ipynb")
    ok, _, err = run(small)
    assert not ok and "2021-04 01-first: ValueError: broken later 2021-04" in err
    assert (folder / "01-first.html").read_bytes() == first_html
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert 'href="01-first.html"' in index and "第一份报告的结论" in index and "上次成功生成的报告" in index
    executed = nbformat.read(folder / "01-first.ipynb", as_version=4)
    assert any(o.output_type == "error" for c in executed.cells if c.cell_type == "code" for o in c.outputs)

    # a failure is never taken as up to date: the next run tries again (and only that one)
    ok, out, _ = run(small)
    assert not ok and "[1/1] 2021-04 01-first: FAILED" in out

    # fixed, and everything forced through a pool of two workers
    nbformat.write(small_notebook("第一份", "修好了"), small.notebooks / "01-first.ipynb")
    ok, out, err = run(small, force=True, jobs=2)
    assert ok, err
    assert "2 report(s)" in out and "(2 jobs)" in out
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "修好了" in index and "本次运行失败" not in index


def test_a_stderr_warning_stays_in_the_notebook_not_in_the_report(small):
    nbformat.write(
        small_notebook("第一份", "结论", extra="import sys; print('NOISY-WARNING', file=sys.stderr)"),
        small.notebooks / "01-first.ipynb",
    )
    (small.notebooks / "02-second.ipynb").unlink()
    ok, _, _ = run(small)
    assert ok
    assert "NOISY-WARNING" not in (small.reports / MONTH / "01-first.html").read_text(encoding="utf-8")
    assert "NOISY-WARNING" in (small.reports / MONTH / "01-first.ipynb").read_text(encoding="utf-8")


def test_no_notebooks_is_a_failure_not_a_silent_success(tmp_path):
    project = Project(tmp_path)
    (tmp_path / "data" / "raw" / MONTH).mkdir(parents=True)
    shutil.copy(REPO / "data" / "raw" / MONTH / "bulletin.txt", tmp_path / "data" / "raw" / MONTH)
    ok, _, err = run(project, notebooks=tmp_path / "nowhere")
    assert not ok and "no notebooks" in err


# ---------------------------------------------------------------------------------------------
# Small parts


def test_write_atomic_never_leaves_a_half_written_file(tmp_path, monkeypatch):
    target = tmp_path / "01-x.html"
    target.write_text("good report", encoding="utf-8")

    def crash(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError):
        build.write_atomic(target, "half a report")
    assert target.read_text(encoding="utf-8") == "good report"
    assert [p.name for p in tmp_path.iterdir()] == ["01-x.html"]


def test_the_last_line_of_an_error():
    class RaisedInNotebookError(Exception):
        ename, evalue = "KeyError", "'南京鼓楼医院'"

    assert execute.last_line(RaisedInNotebookError()) == "KeyError: '南京鼓楼医院'"
    assert execute.last_line(RuntimeError("first\nKernel didn't respond in 60 seconds\n")) == (
        "Kernel didn't respond in 60 seconds"
    )
    assert execute.is_startup_race(RuntimeError("Kernel didn't respond in 60 seconds"))
    assert not execute.is_startup_race(ValueError("boom"))


def test_lean_imports_skip_the_rfc3987_grammar_but_leave_it_importable():
    code = (
        "import sys\n"
        "from metroanalysis.run.execute import lean_imports\n"
        "lean_imports()\n"
        "import jsonschema, nbformat\n"
        "assert 'rfc3987_syntax' not in sys.modules, 'grammar compiled'\n"
        "assert sys.modules.get('rfc3987_syntax', 0) is not None\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_reports_up_to_date_in_many_months_are_one_line(capsys):
    from metroanalysis.run.runner import say_unchanged
    from metroanalysis.run.tasks import Outcome, Task

    months = [f"2022-{m:02d}" for m in range(1, 13)] + [f"2023-{m:02d}" for m in range(1, 13)]
    unchanged = [Outcome(m, f"0{n}-x", True, skipped=True) for m in months for n in range(1, 6)]
    changed = [Task("2023-12", "notebooks/01-x.ipynb", "reports/2023-12", {}, "key")]
    say_unchanged(changed, [o for o in unchanged if not (o.month == "2023-12" and o.name == "01-x")], verbose=False)
    assert capsys.readouterr().out.splitlines() == ["119 report(s) unchanged, not re-executed; 23 months up to date"]
    say_unchanged(changed, unchanged, verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2022-01: 5 report(s) up to date" and len(lines) == 24
