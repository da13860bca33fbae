"""Cleaning is skipped when nothing it depends on changed, and redone when anything did; a
crash mid-clean leaves the previous month intact; two runs on one month wait for each other;
data/processed/all stacks every month."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from metroanalysis.build.locking import month_lock
from metroanalysis.clean.pipeline import load_all_months
from metroanalysis.cli import main

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw" / "2021-04" / "bulletin.txt"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "data" / "raw" / "2021-04").mkdir(parents=True)
    shutil.copy(RAW, tmp_path / "data" / "raw" / "2021-04" / "bulletin.txt")
    shutil.copytree(REPO / "data" / "reference", tmp_path / "data" / "reference")
    return tmp_path


def clean(project, *extra):
    return main(["clean", "--month", "2021-04", "--root", str(project), *extra])


def test_a_rerun_with_nothing_changed_cleans_nothing_and_says_so(project, capsys):
    assert clean(project) == 0
    first = (project / "data/processed/2021-04/facts.csv").stat().st_mtime_ns
    capsys.readouterr()
    assert clean(project) == 0
    assert "up to date, nothing to do" in capsys.readouterr().out
    assert (project / "data/processed/2021-04/facts.csv").stat().st_mtime_ns == first


@pytest.mark.parametrize("change", ["bulletin", "reference", "force"])
def test_a_changed_input_or_force_cleans_again(project, capsys, change):
    assert clean(project) == 0
    capsys.readouterr()
    extra = []
    if change == "bulletin":  # one figure changed: 南京明基医院's 12320 bookings 487 → 488
        raw = project / "data/raw/2021-04/bulletin.txt"
        raw.write_text(
            raw.read_text(encoding="utf-8").replace("\t南京明基医院\n\t487", "\t南京明基医院\n\t488"), "utf-8"
        )
    elif change == "reference":
        with open(project / "data/reference/aliases.csv", "a", encoding="utf-8") as fh:
            fh.write('南京明基,H019,likely,,"test alias"\n')
    else:
        extra = ["--force"]
    assert clean(project, *extra) in (0, 1)
    out = capsys.readouterr()
    assert "cleaned into" in out.out
    assert ("changed since it was cleaned" in out.err) == (change == "bulletin")  # raw edits are reported


def test_the_build_record_names_the_raw_checksum(project):
    assert clean(project) == 0
    folder = project / "data/processed/2021-04"
    record = json.loads((folder / "build.json").read_text())
    package = json.loads((folder / "datapackage.json").read_text())
    import hashlib

    digest = hashlib.sha256(RAW.read_bytes()).hexdigest()
    assert record["bulletin_sha256"] == digest == package["sources"][0]["sha256"]


def test_a_crash_while_writing_keeps_the_previous_month(project, monkeypatch):
    assert clean(project) == 0
    folder = project / "data/processed/2021-04"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    import metroanalysis.clean.store as store

    real = store.to_csv_text
    calls = {"n": 0}

    def dies_halfway(df, table, stacked=False):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt  # as if the analyst pressed Ctrl-C mid-write
        return real(df, table, stacked)

    monkeypatch.setattr(store, "to_csv_text", dies_halfway)
    assert clean(project, "--force") == 130
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert not [p for p in folder.parent.iterdir() if ".tmp-" in p.name]


def test_an_up_to_date_month_is_still_rid_of_what_a_killed_clean_left(project, capsys):
    """A clean killed while writing leaves a temporary folder; one killed between the swap's two
    renames leaves no month folder but the previous one set aside. The next clean finds the
    month up to date and still drops the first and puts the second back."""
    assert clean(project) == 0
    folder = project / "data/processed/2021-04"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    half = folder.parent / ".2021-04.tmp-killed"
    half.mkdir()
    (half / "facts.csv").write_text("half", encoding="utf-8")
    os.replace(folder, folder.parent / ".2021-04.old-12345")
    capsys.readouterr()
    assert clean(project) == 0
    assert "2021-04: clean tables up to date, nothing to do" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(".2021-04.")) == []


def test_processed_all_stacks_every_month_with_its_month(project):
    second = project / "data/raw/2021-05"
    second.mkdir()
    text = (
        RAW.read_text(encoding="utf-8")
        .replace("2021年4月", "2021年5月")
        .replace("4月份", "5月份")
        .replace("4月，", "5月，")
    )
    (second / "bulletin.txt").write_text(text.replace("截止4月底", "截止5月底"), encoding="utf-8")
    assert main(["clean", "--all", "--root", str(project)]) == 0
    stacked = load_all_months(root=project)
    booking = stacked.booking_by_hospital
    assert booking.groupby("month").size().to_dict() == {"2021-04": 35, "2021-05": 35}
    assert stacked.facts["month"].nunique() == 2
    # Rebuilt whenever a month changes.
    (second / "bulletin.txt").write_text(text.replace("截止4月底", "截止5月底").replace("\t64543", "\t64544"), "utf-8")
    main(["clean", "--all", "--root", str(project)])
    stacked = load_all_months(root=project)
    may = stacked.booking_by_hospital.query("month == '2021-05' and hospital == '南京鼓楼医院'")
    assert may["online_12320"].tolist() == [64544]


LOCK_HOLDER = """
import sys, time
from pathlib import Path
from metroanalysis.build.locking import month_lock
with month_lock(Path(sys.argv[1]), "2021-04"):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_two_processes_on_one_month_wait_for_each_other(tmp_path, capsys):
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(tmp_path), "1.5"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "locked"
    start = time.monotonic()
    with month_lock(tmp_path, "2021-04"):
        waited = time.monotonic() - start
    holder.wait()
    assert waited > 0.5
    assert f"2021-04: waiting for another run (pid {holder.pid})" in capsys.readouterr().err


def test_a_lock_left_by_a_killed_process_is_taken_over(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(tmp_path), "60"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "locked"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert (tmp_path / ".locks" / "2021-04.pid").read_text().strip() == str(holder.pid)  # the stale name is there
    with month_lock(tmp_path, "2021-04", wait=5) as path:
        assert path.read_text().strip() == str(os.getpid())


def test_many_months_are_cleaned_at_once_and_reported_in_month_order(project, capsys, monkeypatch):
    """Three months or more are shared between this process and a pool: the tables are the ones a
    one-by-one clean writes, the lines come in month order, and a month whose bulletin cannot be
    read is one error line that does not stop the others."""
    from metroanalysis import cli
    from metroanalysis.run import clean_months

    months = ["2021-05", "2021-06", "2021-07"]
    for seed, month in enumerate(months, start=1):
        synth = ["synth", "--from", "2021-04", "--month", month, "--seed", str(seed), "--into-raw"]
        assert main([*synth, "--root", str(project)]) == 0
    broken = project / "data" / "raw" / "2021-08" / "bulletin.txt"
    broken.parent.mkdir(parents=True)
    broken.write_text("这不是一份月报\n", encoding="utf-8")
    capsys.readouterr()
    import concurrent.futures

    pools = []

    class Pool(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(kwargs.get("max_workers"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Pool)

    assert main(["clean", "--all", "--root", str(project)]) == cli.EXIT_BAD_INPUT
    assert len(pools) == 1, "the months were shared with a pool"
    out, err = capsys.readouterr()
    cleaned = [line.split(":")[0] for line in out.splitlines() if "cleaned into" in line]
    assert cleaned == ["2021-04", *months]
    errors = [line for line in err.splitlines() if line.startswith("metroanalysis: error:")]
    assert len(errors) == 1 and "2021-08" in errors[0] and "bulletin.txt" in errors[0]
    at_once = {m: (project / "data/processed" / m / "facts.csv").read_bytes() for m in ["2021-04", *months]}
    assert (project / "data/processed/all/datapackage.json").is_file()

    monkeypatch.setattr(clean_months, "PARALLEL_CLEAN", 99)  # one after another, in this process
    assert main(["clean", "--all", "--force", "--root", str(project)]) == cli.EXIT_BAD_INPUT
    assert len(pools) == 1
    one_by_one = {m: (project / "data/processed" / m / "facts.csv").read_bytes() for m in at_once}
    assert one_by_one == at_once
