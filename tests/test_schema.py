"""Each field is described once (schema.FIELD_METADATA) and each table declared once, in its
parser module; the lists the rest of the library reads are derived from there."""

from __future__ import annotations

import re

import pytest

from metroanalysis.analysis import labels
from metroanalysis.clean import entities, schema
from metroanalysis.parse import tables
from metroanalysis.parse.bulletin import SECTIONS

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_field_of_every_table_is_described_in_both_languages():
    for table in schema.TABLES:
        for f in schema.fields(table):
            where = f"{table}.{f.name}"
            assert CJK.search(f.label), where
            assert f.label_en and not CJK.search(f.label_en), where
            assert f.description and f.dtype in {"Int64", "Float64", "string", "boolean"}, where


def test_every_described_field_is_used_and_every_override_changes_something():
    used = set()
    for table in schema.TABLES.values():
        for ref in table.fields:
            name, changes = (ref, {}) if isinstance(ref, str) else ref
            used.add(name)
            same = {k for k, v in changes.items() if schema.FIELD_METADATA[name][k] == v}
            assert not same, f"{table.name}.{name}: override repeats the shared {sorted(same)}"
    assert set(schema.FIELD_METADATA) - used == {"month"}  # month: only in the stacked tables


def test_an_unknown_override_is_refused():
    with pytest.raises(KeyError, match="titel_zh"):
        schema.field(("calls", {"titel_zh": "x"}))


def test_the_bulletins_tables_come_from_the_parser_modules_in_printed_order():
    assert schema.BULLETIN_TABLES == [
        "hotline_calls",
        "hotline_province",
        "booking_by_hospital",
        "booking_by_channel",
        "remote_platforms",
        "remote_volumes",
        "remote_institutions",
        "remote_top_uploaders",
        "remote_coverage",
        "upload_by_district",
        "upload_by_hospital",
        "kiosk_usage",
        "cumulative_totals",
    ]
    assert [s.key for s in SECTIONS] == [
        "hotline",
        "booking",
        "channel",
        "remote",
        "upload_district",
        "upload_hospital",
        "kiosk",
    ]
    # every printed block yields declared tables, and every declared table but the footnotes has a block
    printed = [t for s in SECTIONS for t in s.tables]
    assert printed == [t for t in schema.BULLETIN_TABLES if t != "cumulative_totals"]


def test_titles_and_entity_columns_are_read_from_the_table_declarations():
    assert labels.TABLES["kiosk_usage"] == ("自助终端使用情况表", "Self-service kiosk use")
    assert set(labels.TABLES) == {*schema.BULLETIN_TABLES, "printed_totals"}
    assert entities.ENTITY_COLUMNS is tables.ENTITY_COLUMNS
    assert entities.ENTITY_COLUMNS["kiosk_usage"] == "unit"
    for table, column in entities.ENTITY_COLUMNS.items():
        names = [f.name for f in schema.fields(table)]
        assert names[names.index(column) + 1] == "entity_id", table  # the id stands after the name


def test_printed_names_of_fixed_categories_are_the_parsers_vocabulary():
    # The kiosk table's vertical labels and the platforms' printed names map to the ids the
    # reports name in both languages.
    assert tables.kiosk.SECTIONS == {"医疗单位": "hospital", "各区": "district"}
    assert tables.remote.PLATFORMS["心电"] == "ecg" and labels.PLATFORMS["ecg"] == ("远程心电", "ECG")
    assert tables.hotline.CATEGORIES["咨询类"] == "consultations"
    assert labels.HOTLINE["consultations"][0] == "咨询类（不含专家咨询）"
    assert labels.UNITS["台"] == "terminals" and labels.PRINTED_EN["流转标本"] == "specimens routed"


def test_printed_zeros_that_mean_not_reported_are_declared_per_field_with_a_reason():
    declared = {n for n, meta in schema.FIELD_METADATA.items() if meta.get("zero_means_not_reported")}
    assert declared == {
        "registrations",
        "registration_amount_yuan",
        "payments",
        "payment_amount_yuan",
        "kiosk_registrations",
        "kiosk_registration_yuan",
        "kiosk_payments",
        "kiosk_payment_yuan",
        "kiosk_money_yuan",
        "health_records_hypertension",
        "health_records_diabetes",
        "discharge_records",
    }
    for name in declared:
        rule = schema.field(name).zero_means_not_reported
        assert CJK.search(rule.reason_zh) and rule.reason_en and not CJK.search(rule.reason_en.replace("未反馈", ""))
    assert schema.field("phone").zero_means_not_reported is None  # a channel not used is a real 0


def test_as_reported_leaves_out_only_the_zeros_the_rule_names():
    import pandas as pd

    kiosks = pd.DataFrame(
        {
            "terminals": pd.array([3, 0, 2, 4], dtype="Int64"),
            "registrations": pd.array([0, 0, 5, 0], dtype="Int64"),
            "payments": pd.array([0, 0, 0, 7], dtype="Int64"),
        }
    )
    # terminals and no transaction: not reported; no terminal: a real 0; one kind of
    # transaction only: a real 0 of the other kind.
    assert list(schema.not_reported(kiosks, "registrations")) == [True, False, False, False]
    shown = schema.as_reported(kiosks, "registrations")
    assert pd.isna(shown[0]) and list(shown[1:]) == [0, 5, 0]
    assert list(schema.as_reported(kiosks, "terminals")) == [3, 0, 2, 4]  # no rule: unchanged
    assert not schema.not_reported(kiosks[["terminals"]], "registrations").any()  # rule's fields absent
