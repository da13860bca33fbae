"""`metroanalysis run --executor dask`: the same reports as the local pool, the same records;
without Dask installed, one clear line and exit 2."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from conftest import MONTH, PROJECT_ROOT, visible_text

from metroanalysis.cli import main

# One notebook for two months (a task for each worker) keeps the batch short: what is pinned is
# where notebooks run, not what they say (the notebooks' own tests cover that).
NOTEBOOKS = ("03-regional-coverage",)
MONTHS = (MONTH, "2021-05")

HAS_DASK = importlib.util.find_spec("dask") is not None and importlib.util.find_spec("distributed") is not None


def two_month_project(root: Path) -> Path:
    shutil.copytree(PROJECT_ROOT / "data" / "raw" / MONTH, root / "data" / "raw" / MONTH)
    shutil.copytree(PROJECT_ROOT / "data" / "reference", root / "data" / "reference")
    (root / "notebooks").mkdir(parents=True)
    for name in NOTEBOOKS:
        for source in PROJECT_ROOT.joinpath("notebooks").glob(f"{name}.*"):
            shutil.copy2(source, root / "notebooks" / source.name)
    synth = ["synth", "--from", MONTH, "--month", MONTHS[1], "--seed", "1", "--root", str(root), "--into-raw"]
    assert main(synth) == 0
    return root


def page(path: Path) -> str:
    """A report page without the moment it was written, and without the name of the reports
    folder it was written to (its provenance names the run's parameters, --output among them)."""
    text = re.sub(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?", "TIME", path.read_text(encoding="utf-8"))
    return re.sub(r"reports-(local|dask)", "REPORTS", text)


@pytest.mark.slow
@pytest.mark.skipif(not HAS_DASK, reason="dask[distributed] is the optional cluster extra: uv sync --extra cluster")
def test_a_two_month_batch_on_a_dask_local_cluster_gives_the_local_pools_reports(tmp_path, capsys):
    root = two_month_project(tmp_path / "project")
    local, dask = root / "reports-local", root / "reports-dask"
    assert main(["run", "--all", "--root", str(root), "-j", "2", "--output", str(local)]) == 0
    capsys.readouterr()
    assert main(["run", "--all", "--root", str(root), "-j", "2", "--output", str(dask), "--executor", "dask"]) == 0
    out = capsys.readouterr().out
    # one progress line per report, and the total naming the cluster
    tasks = len(MONTHS) * len(NOTEBOOKS)
    assert len(re.findall(rf"^\[\d+/{tasks}\] 2021-0[45] \d\d-[a-z-]+: ok in", out, re.M)) == tasks
    assert f"{tasks} report(s) in" in out and "Dask LocalCluster, 2 worker(s)" in out

    for month in MONTHS:
        names = sorted(p.name for p in (local / month).iterdir())
        assert names == sorted(p.name for p in (dask / month).iterdir())
        for name in NOTEBOOKS:
            assert page(dask / month / f"{name}.html") == page(local / month / f"{name}.html")
            assert visible_text(page(dask / month / f"{name}.html"))  # a page with text, not an empty frame
            record = json.loads((dask / month / ".build" / f"{name}.json").read_text(encoding="utf-8"))
            assert record["status"] == "ok"
        run = json.loads((dask / month / "run.json").read_text(encoding="utf-8"))
        assert run["ok"] and sorted(r["notebook"] for r in run["reports"]) == list(NOTEBOOKS)
        assert {r["status"] for r in run["reports"]} == {"built"}

    # the incremental records are the local pool's: nothing changed, nothing runs on the cluster
    assert main(["run", "--all", "--root", str(root), "--output", str(dask), "--executor", "dask"]) == 0
    assert "nothing changed: every report is up to date" in capsys.readouterr().out


def test_the_dask_executor_without_dask_installed_is_one_line_and_exit_2(project_copy, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # as if the cluster extra were not installed
    code = main(["run", "--month", MONTH, "--root", str(project_copy), "--executor", "dask"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("metroanalysis: error: --executor dask needs Dask")
    assert "pip install -e '.[cluster]'" in err
    assert not (project_copy / "reports").exists(), "no report work before the check"


def test_a_scheduler_without_the_dask_executor_is_refused(project_copy, capsys):
    code = main(["run", "--month", MONTH, "--root", str(project_copy), "--scheduler", "tcp://127.0.0.1:8786"])
    assert code == 2
    assert "--scheduler needs --executor dask" in capsys.readouterr().err
