"""One hospital, one identity: the registry resolves every printed name of the shipped month,
the profile's numbers equal the source tables', and an unknown name is reported, not lost."""

from __future__ import annotations

import csv
import filecmp
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from metroanalysis.analysis import labels, registry_names
from metroanalysis.clean.entities import ENTITY_COLUMNS, Registry
from metroanalysis.clean.pipeline import clean_month
from metroanalysis.paths import Project

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw" / "2021-04" / "bulletin.txt"
# Han characters (with extensions and compatibility forms) and CJK/full-width punctuation such
# as （）、，: none of them belongs in an English name.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
NAME_EN_SOURCES = ("official", "translated", "pinyin")


@pytest.fixture(scope="module")
def april(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    (root / "data" / "raw" / "2021-04").mkdir(parents=True)
    shutil.copy(RAW, root / "data" / "raw" / "2021-04" / "bulletin.txt")
    shutil.copytree(REPO / "data" / "reference", root / "data" / "reference")
    return clean_month(Project(root), "2021-04")


def test_every_name_in_the_shipped_month_resolves(april):
    for table, column in ENTITY_COLUMNS.items():
        df = april.tables[table]
        unresolved = df.loc[df["entity_id"].isna(), column].tolist()
        assert unresolved == [], f"{table}: {unresolved}"
    assert "unmatched" not in set(april.quality["status"])


@pytest.mark.parametrize(
    ("table", "printed", "canonical_id"),
    [
        ("booking_by_hospital", "南大学附属中大医院", "H009"),  # a dropped character
        ("upload_by_hospital", "东南大学附属中大医院", "H009"),
        ("kiosk_usage", "东南大学附属中大医院", "H009"),
        ("booking_by_hospital", "南京市江宁医院（湖山路）", "H022"),  # a campus in brackets
        ("kiosk_usage", "南京市江宁医院", "H022"),
        ("booking_by_hospital", "江苏省省级机关医院", "H020"),
        ("upload_by_hospital", "江苏省级机关医院", "H020"),
        ("upload_by_hospital", "南医大眼科医院", "H041"),  # an abbreviation
        ("kiosk_usage", "南京医科大学附属眼科医院", "H041"),
        ("kiosk_usage", "南京江北人民医院", "H039"),
        ("upload_by_hospital", "南京市江北人民医院", "H039"),
    ],
)
def test_printed_variants_resolve_to_one_entity(april, table, printed, canonical_id):
    df = april.tables[table]
    column = ENTITY_COLUMNS[table]
    assert df.loc[df[column] == printed, "entity_id"].tolist() == [canonical_id]


def test_look_alikes_stay_apart(april):
    booking = april.tables["booking_by_hospital"].set_index("hospital")["entity_id"]
    assert booking["南京鼓楼医院"] != booking["南京鼓楼医院江北国际医院"]
    assert booking["南京鼓楼医院"] != booking["泰康仙林鼓楼医院"]
    assert booking["东部战区总医院"] != booking["东部战区空军医院"]
    kiosk = april.tables["kiosk_usage"].set_index("unit")["entity_id"]
    assert kiosk["中国人民解放军东部战区总医院秦淮医疗区"] != kiosk["东部战区总医院"]


def test_profile_numbers_equal_the_source_tables(april):
    profile = april.tables["hospital_profile"].set_index("entity_id")
    gulou = profile.loc["H001"]  # 南京鼓楼医院: booking line 53, upload line 568, kiosk line 817
    assert (gulou["online_12320"], gulou["phone"], gulou["in_clinic"], gulou["third_party"]) == (
        64543,
        11649,
        40045,
        79906,
    )
    assert gulou["bookings"] == 196143
    assert (gulou["upload_volume"], gulou["outpatient_records"], gulou["discharge_records"]) == (14323874, 362920, 9118)
    assert gulou["kiosk_terminals"] == 108
    assert f"{gulou['kiosk_money_yuan']:.2f}" == "35488693.98"  # 3613251.00 + 31875442.98
    # 南大学附属中大医院 (booking) and 东南大学附属中大医院 (upload, kiosk) are one row.
    zhongda = profile.loc["H009"]
    assert zhongda["bookings"] == 3800 and zhongda["upload_volume"] == 8028042 and zhongda["kiosk_terminals"] == 62
    assert str(zhongda["missing_from"]) == "<NA>"


def test_profile_names_the_tables_a_hospital_is_missing_from(april):
    profile = april.tables["hospital_profile"].set_index("entity_id")
    assert profile.loc["H004", "missing_from"] == "kiosk_usage,upload_by_hospital"  # 鼓楼江北国际: bookings only
    assert profile.loc["H037", "missing_from"] == "booking_by_hospital"  # 南京脑科医院
    # One row per hospital that appears anywhere, and no non-hospital.
    assert profile.index.is_unique
    assert not any(eid.startswith(("A", "C", "Y", "P")) for eid in profile.index)


def test_an_unknown_name_is_kept_and_reported(tmp_path):
    (tmp_path / "data" / "raw" / "2021-04").mkdir(parents=True)
    text = RAW.read_text(encoding="utf-8").replace("\t南京明基医院\n\t487", "\t南京新开医院\n\t487")
    (tmp_path / "data" / "raw" / "2021-04" / "bulletin.txt").write_text(text, encoding="utf-8")
    result = clean_month(Project(tmp_path), "2021-04")
    booking = result.tables["booking_by_hospital"]
    row = booking[booking["hospital"] == "南京新开医院"]
    assert len(row) == 1 and row["entity_id"].isna().all() and row["subtotal"].iloc[0] == 552
    unmatched = result.quality[result.quality["status"] == "unmatched"]
    expected = [["booking_by_hospital", "南京新开医院", 197]]
    assert unmatched[["table", "entity", "source_line"]].values.tolist() == expected
    with open(result.folder / "quality.csv", encoding="utf-8-sig") as fh:
        assert any(r["status"] == "unmatched" and r["entity"] == "南京新开医院" for r in csv.DictReader(fh))


def test_reference_files_are_documented_and_the_packaged_copy_is_the_reviewed_one(april):
    package_copy = REPO / "src" / "metroanalysis" / "reference"
    for name in ("entities.csv", "aliases.csv"):
        assert filecmp.cmp(REPO / "data" / "reference" / name, package_copy / name, shallow=False), name
    import json

    resources = {r["name"] for r in json.loads((april.folder / "datapackage.json").read_text())["resources"]}
    assert {"entities", "aliases", "hospital-profile"} <= resources


def test_every_alias_names_a_registered_entity_and_every_id_is_unique():
    with open(REPO / "data" / "reference" / "entities.csv", encoding="utf-8") as fh:
        entities = list(csv.DictReader(fh))
    ids = [e["entity_id"] for e in entities]
    assert len(ids) == len(set(ids))
    assert len({e["name_zh"] for e in entities}) == len(entities)
    with open(REPO / "data" / "reference" / "aliases.csv", encoding="utf-8") as fh:
        aliases = list(csv.DictReader(fh))
    for a in aliases:
        assert a["entity_id"] in ids, a
        assert a["confidence"] in ("certain", "likely"), a
        assert a["not_to_confuse_with"] in ("", *ids), a
        assert a["note"], a


def reference_rows(name: str, folder: Path = REPO / "data" / "reference") -> list[dict[str, str]]:
    with open(folder / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_entity_has_an_english_name_without_chinese_characters():
    entities = reference_rows("entities.csv")
    missing = [e["entity_id"] for e in entities if not e["name_en"].strip()]
    assert missing == []
    chinese = {e["entity_id"]: e["name_en"] for e in entities if CJK.search(e["name_en"])}
    assert chinese == {}
    unsourced = {e["entity_id"]: e["name_en_source"] for e in entities if e["name_en_source"] not in NAME_EN_SOURCES}
    assert unsourced == {}
    english = [e["name_en"] for e in entities]
    assert len(set(english)) == len(english), "two entities would read alike in English"


def test_the_cjk_check_catches_chinese_and_full_width_punctuation():
    assert CJK.search("Nanjing Jiangning Hospital（湖山路）")
    assert CJK.search("南京市江北人民医院")
    assert CJK.search("Nanjing，Jiangsu")
    assert not CJK.search("Children's Hospital of Nanjing Medical University")


def test_packaged_areas_have_the_registry_english_names():
    registry = {e["name_zh"]: e["name_en"] for e in reference_rows("entities.csv")}
    areas = reference_rows("areas.csv", REPO / "src" / "metroanalysis" / "reference")
    assert {a["area"]: a["name_en"] for a in areas} == {a["area"]: registry[a["area"]] for a in areas}


def test_english_reports_show_registry_names_and_unknown_names_as_printed():
    entities = Registry.load(REPO).entities
    english = labels.entity_names(entities, "en")
    assert {i: n for i, n in english.items() if CJK.search(n)} == {}
    assert english["H004"] == "Nanjing Drum Tower Hospital Jiangbei International Hospital"
    booking = pd.DataFrame(
        {
            "hospital": pd.array(["南京市江宁医院（湖山路）", "南京新开医院"], dtype="string"),
            "entity_id": pd.array(["H022", pd.NA], dtype="string"),
        }
    )
    shown = registry_names(booking, entities, "en")["hospital"].tolist()
    assert shown == ["Nanjing Jiangning Hospital", "南京新开医院"]  # not in the registry: as printed
