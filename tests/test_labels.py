"""Both languages of the reports: every label key has Chinese and English, every key the
notebooks use exists, and entity names come from the registry (English falling back to Chinese)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pandas as pd
import pytest

from metroanalysis import labels
from metroanalysis.analysis import registry_names
from metroanalysis.analysis.trends import MEASURES
from metroanalysis.entities import Registry

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def entities():
    return Registry.load(REPO).entities


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_label_key_has_both_languages_with_the_same_placeholders():
    for key, (zh, en) in labels.TEXT.items():
        assert zh.strip() and en.strip(), key
        assert placeholders(zh) == placeholders(en), key
        assert not re.search(r"[\u4e00-\u9fff]", en) or "“" in en, f"{key}: English text with Chinese"


@pytest.mark.parametrize(
    "mapping", [labels.CHANNELS, labels.SECTIONS, labels.PLATFORMS, labels.STATUSES, labels.TABLES, labels.HOTLINE]
)
def test_every_category_has_both_languages(mapping):
    for key, pair in mapping.items():
        assert len(pair) == 2 and all(p.strip() for p in pair), key


def test_every_headline_measure_has_an_english_label_and_unit():
    assert all(m.label("en") and m.unit("en") for m in MEASURES.values())


def test_t_fills_placeholders_and_rejects_an_unknown_language():
    assert labels.t("c.apps", "zh", month="2021年4月") == "2021年4月 各途径预约量"
    assert labels.t("c.apps", "en", month="April 2021") == "Bookings by app or website, April 2021"
    assert labels.translator("en")("h.bookings") == "Bookings"
    with pytest.raises(ValueError):
        labels.t("h.bookings", "fr")


def test_month_titles():
    assert labels.month_title("2021-04") == "2021年4月"
    assert labels.month_title("2021-12", "en") == "December 2021"


def test_entity_without_english_name_falls_back_to_chinese(entities):
    # The shipped registry names every entity in English (tests/test_entities.py); a row a
    # project adds without one is still shown in Chinese, never as an empty name.
    added = pd.DataFrame({"entity_id": ["H999"], "name_zh": ["南京新开医院"], "name_en": [pd.NA]})
    en = labels.entity_names(pd.concat([entities, added], ignore_index=True), "en")
    assert en["H999"] == "南京新开医院"
    assert en["H009"] == "Zhongda Hospital, Southeast University"
    assert labels.entity_names(entities, "zh")["H009"] == "东南大学附属中大医院"


def test_registry_names_replace_printed_names_and_keep_unknown_ones(entities):
    booking = pd.DataFrame(
        {
            "hospital": pd.array(["南大学附属中大医院", "南京市江宁医院（湖山路）", "新建医院"], dtype="string"),
            "entity_id": pd.array(["H009", "H022", pd.NA], dtype="string"),
            "phone": [1, 2, 3],
        }
    )
    zh = registry_names(booking, entities, "zh")
    assert list(zh["hospital"]) == ["东南大学附属中大医院", "南京市江宁医院", "新建医院"]
    en = registry_names(booking, entities, "en")
    assert list(en["hospital"]) == ["Zhongda Hospital, Southeast University", "Nanjing Jiangning Hospital", "新建医院"]
    assert booking["hospital"].iloc[0] == "南大学附属中大医院"  # the input is not changed


def test_money_and_changes_are_written_in_the_language():
    assert labels.fmt_yuan(1234.5) == "1,234.50 元"
    assert labels.fmt_yuan(1234.5, "en") == "1,234.50 yuan"
    assert labels.fmt_signed(-1000) == "-1,000"
    assert labels.fmt_signed(0) == "0"
    assert labels.fmt_signed_pct(0.2341) == "+0.2%"
