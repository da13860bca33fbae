"""What `metroanalysis clean` writes: BOM'd CSVs, a valid Frictionless package describing every
table and field, tables that load back as the parse made them, paths from the working folder."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import MONTH, PROJECT_ROOT, RAW_BULLETIN

from metroanalysis import load_month
from metroanalysis.clean import schema, store
from metroanalysis.cli import main

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory) -> Path:
    """A copy of the project (its own data/raw) cleaned once for this module."""
    root = tmp_path_factory.mktemp("outputs")
    (root / "data" / "raw" / MONTH).mkdir(parents=True)
    shutil.copyfile(RAW_BULLETIN, root / "data" / "raw" / MONTH / "bulletin.txt")
    assert main(["clean", "--month", MONTH, "--root", str(root)]) == 0
    return root


@pytest.fixture(scope="module")
def folder(cleaned) -> Path:
    return cleaned / "data" / "processed" / MONTH


@pytest.fixture(scope="module")
def package(folder) -> dict:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def test_every_table_is_a_csv_with_a_bom(folder):
    csvs = sorted(folder.glob("*.csv"))
    names = {p.stem for p in csvs}
    assert set(schema.BULLETIN_TABLES) | {"facts", "quality", "printed_totals"} <= names
    for path in csvs:
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), path.name
        data[3:].decode("utf-8")  # UTF-8 after the BOM
        assert b"\xef\xbb\xbf" not in data[3:], path.name


def test_money_is_written_as_printed(folder):
    text = (folder / "kiosk_usage.csv").read_text(encoding="utf-8-sig")
    assert ",671629.00," in text and ",68152013.32," in text and ",16619410.50," in text


def test_datapackage_validates_with_frictionless(folder):
    import frictionless  # a required dependency: imported, never skipped

    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    frictionless.Package(str(folder / "datapackage.json"))  # loads as a package too


def test_datapackage_describes_every_table_and_field(folder, package):
    resources = {r["path"]: r for r in package["resources"]}
    assert set(resources) == {p.name for p in folder.glob("*.csv")}
    for path, resource in resources.items():
        assert resource.get("description"), path
        header = pd.read_csv(folder / path, encoding="utf-8-sig", nrows=0).columns.tolist()
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == header, path
        for f in fields:
            where = f"{path}:{f['name']}"
            assert f["type"] in {"integer", "number", "string", "boolean"}, where
            assert f.get("title") and CJK.search(f["title"]), where  # the Chinese label
            assert f.get("title_en") and not CJK.search(f["title_en"]), where  # and its English
            assert f.get("description"), where


def test_datapackage_field_types_and_units_follow_the_schema(package):
    resources = {r["path"]: r for r in package["resources"]}
    kinds = {"Int64": "integer", "Float64": "number", "string": "string", "boolean": "boolean"}
    for table in [*schema.BULLETIN_TABLES, "facts", "printed_totals", "quality"]:
        fields = {f["name"]: f for f in resources[f"{table}.csv"]["schema"]["fields"]}
        for spec in schema.fields(table):
            assert fields[spec.name]["type"] == kinds[spec.dtype], (table, spec.name)
            assert fields[spec.name].get("unit", "") == spec.unit, (table, spec.name)
    kiosk = {f["name"]: f for f in resources["kiosk_usage.csv"]["schema"]["fields"]}
    assert kiosk["payment_amount_yuan"]["unit"] == "yuan" and kiosk["payment_amount_yuan"]["type"] == "number"


def test_load_month_returns_the_parse(cleaned, parsed):
    m = load_month(MONTH, root=cleaned)
    for table in schema.BULLETIN_TABLES:
        got = m[table]
        want = parsed.tables[table]
        assert len(got) == len(want), table
        for column in want.columns:
            if column == "entity_id":  # attached after the parse, from the entity registry
                continue
            assert got[column].dtype == want[column].dtype, (table, column)
            pd.testing.assert_series_equal(
                got[column].reset_index(drop=True), want[column].reset_index(drop=True), check_exact=True, obj=table
            )
    pd.testing.assert_frame_equal(m.facts, parsed.facts, check_exact=True)
    pd.testing.assert_frame_equal(m.printed_totals, parsed.printed_totals, check_exact=True)


def test_load_month_quality_reads_back_as_written(raw_bytes, make_project, capsys):
    """A missing table's quality row (empty entity, column, numbers) reads back as the checks made it."""
    from metroanalysis.clean.pipeline import clean_month
    from metroanalysis.paths import find_project

    lines = raw_bytes.decode("utf-8").split("\n")
    del lines[341:382]  # the channel table, lines 342-382
    root = make_project("\n".join(lines))
    result = clean_month(find_project(root), MONTH)
    m = load_month(MONTH, root=root)
    pd.testing.assert_frame_equal(m.quality, result.quality, check_exact=True)
    assert list(m.quality.loc[m.quality["status"] == "missing", "table"]) == ["booking_by_channel"]


def test_paths_resolve_from_the_current_folder(project_copy, monkeypatch, capsys):
    """A copy of the project works on its own data from any folder inside it, with no --root."""
    inside = project_copy / "notebooks"
    inside.mkdir()
    monkeypatch.chdir(inside)
    assert main(["clean", "--month", MONTH]) == 0
    assert (project_copy / "data" / "processed" / MONTH / "facts.csv").is_file()
    m = load_month(MONTH)
    assert m.folder.resolve() == (project_copy / "data" / "processed" / MONTH).resolve()
    assert len(m.booking_by_hospital) == 35


def test_root_option_from_an_unrelated_folder(project_copy, tmp_path, monkeypatch, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["clean", "--month", MONTH, "--root", str(project_copy)]) == 0
    assert (project_copy / "data" / "processed" / MONTH / "datapackage.json").is_file()
    assert not (elsewhere / "data").exists()


def test_no_project_found(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["clean", "--month", MONTH]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "data/raw" in err


def test_installed_command_works_on_a_copy_from_its_cwd(project_copy):
    """The console script, run inside a copy, writes into the copy, not into the repository."""
    script = Path(sys.executable).with_name("metroanalysis")
    if not script.exists():
        pytest.skip("console script not installed next to this python")
    before = sorted((PROJECT_ROOT / "data" / "processed").glob("*"))
    done = subprocess.run([str(script), "clean", "--month", MONTH], cwd=project_copy, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (project_copy / "data" / "processed" / MONTH / "datapackage.json").is_file()
    assert sorted((PROJECT_ROOT / "data" / "processed").glob("*")) == before


def test_store_round_trip_keeps_types(parsed, tmp_path):
    for table in ["upload_by_hospital", "kiosk_usage", "hotline_calls"]:
        df = parsed.tables[table]
        (tmp_path / f"{table}.csv").write_text(store.to_csv_text(df, table), encoding="utf-8-sig")
        back = store.read_table(tmp_path, table)
        for column in df.columns:
            pd.testing.assert_series_equal(back[column], df[column], check_exact=True)
