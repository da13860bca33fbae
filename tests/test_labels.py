"""The data's vocabulary in both languages: every category has Chinese and English, units and
printed words read in English, and entity names come from the registry (English falling back
to Chinese). Report wording is the notebooks' own (tests/test_notebook_words.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from metroanalysis.analysis import labels, registry_names
from metroanalysis.analysis.trends import MEASURES
from metroanalysis.clean.entities import Registry

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def entities():
    return Registry.load(REPO).entities


@pytest.mark.parametrize(
    "mapping", [labels.CHANNELS, labels.SECTIONS, labels.PLATFORMS, labels.STATUSES, labels.TABLES, labels.HOTLINE]
)
def test_every_category_has_both_languages(mapping):
    for key, pair in mapping.items():
        assert len(pair) == 2 and all(p.strip() for p in pair), key


def test_every_headline_measure_has_an_english_label_and_unit():
    assert all(m.label("en") and m.unit("en") for m in MEASURES.values())


def test_category_names_and_printed_words_in_each_language():
    assert labels.category(labels.CHANNELS, "phone", "zh") == "电话预约"
    assert labels.category(labels.CHANNELS, "phone", "en") == "Phone"
    assert labels.category(labels.CHANNELS, "not-a-channel", "en") == "not-a-channel"  # unknown: as given
    assert labels.unit("台", "en") == "terminals" and labels.unit("台", "zh") == "台"
    assert labels.printed_text("采集心电病例", "en") == "ECG cases collected"
    with pytest.raises(ValueError):
        labels.category(labels.CHANNELS, "phone", "fr")


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
