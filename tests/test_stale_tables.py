"""A notebook opened after the cleaning code changed (a `git pull`, then JupyterLab, no `make
report`) reads the tables cleaning makes now, not those an older version left in
data/processed/ (which failed on a column they lacked, or, worse, gave their old numbers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from months import two_cleaned_months

from metroanalysis import load_month
from metroanalysis.clean.pipeline import stacked_is_current

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "p"
    two_cleaned_months(root)
    return root


def left_by_an_older_version(folder: Path) -> None:
    """The month's tables as an older cleaning left them: its record names other code, and 南京鼓楼医院's
    booking subtotal (printed 196143, lines 53–59) is another number."""
    record = json.loads((folder / "build.json").read_text(encoding="utf-8"))
    (folder / "build.json").write_text(json.dumps({**record, "library": "older"}), encoding="utf-8")
    table = folder / "booking_by_hospital.csv"
    table.write_text(table.read_text(encoding="utf-8").replace(",196143,", ",1,", 1), encoding="utf-8")


def test_a_month_cleaned_by_older_code_is_cleaned_again_when_loaded(project):
    folder = project / "data" / "processed" / "2021-04"
    left_by_an_older_version(folder)
    month = load_month("2021-04", root=project)
    gulou = month.booking_by_hospital.set_index("hospital").loc["南京鼓楼医院"]
    assert gulou["subtotal"] == 196143 and gulou["source_line"] == 53
    assert json.loads((folder / "build.json").read_text(encoding="utf-8"))["library"] != "older"  # recorded
    record = (folder / "build.json").stat().st_mtime_ns
    load_month("2021-04", root=project)
    assert (folder / "build.json").stat().st_mtime_ns == record  # up to date now: not cleaned again


def test_history_reads_the_stacked_months_only_while_each_is_as_its_folder_holds_it(project):
    """data/processed/all/ stacked April as an older cleaning left it (its record says so): the
    history of May's reports is stacked from the month folders, with April's printed 196143."""
    from metroanalysis.analysis import notebook as nb

    processed = project / "data" / "processed"
    assert stacked_is_current(processed, ["2021-04", "2021-05"])
    assert not stacked_is_current(processed, ["2021-04", "2021-05", "2021-06"])  # a month not stacked
    stacked = processed / "all" / "stacked.json"
    made = json.loads(stacked.read_text(encoding="utf-8"))
    stacked.write_text(json.dumps({"months": {**made["months"], "2021-04": "older"}}), encoding="utf-8")
    table = processed / "all" / "booking_by_hospital.csv"
    table.write_text(table.read_text(encoding="utf-8").replace(",196143,", ",1,", 1), encoding="utf-8")
    assert not stacked_is_current(processed, ["2021-04", "2021-05"])
    history = nb.history(nb.setup("2021-05", str(project)))
    april = history["booking_by_hospital"].query("month == '2021-04'").set_index("hospital")
    assert april.loc["南京鼓楼医院", "subtotal"] == 196143


def test_a_month_its_run_holds_is_read_as_it_is_without_waiting(project):
    """A run holds each month while its notebooks run (`run` cleans stale months before that):
    a notebook of the run does not clean the month again, which would wait for ever for the
    lock its own run holds; it reads the folder as the run left it."""
    from metroanalysis.build.locking import month_lock

    folder = project / "data" / "processed" / "2021-04"
    left_by_an_older_version(folder)
    with month_lock(project / "data" / "processed", "2021-04"):
        month = load_month("2021-04", root=project)
    assert month.booking_by_hospital.set_index("hospital").loc["南京鼓楼医院", "subtotal"] == 1
    assert json.loads((folder / "build.json").read_text(encoding="utf-8"))["library"] == "older"
