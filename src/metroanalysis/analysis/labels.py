"""The data's vocabulary in both languages, for the analysis and the notebooks: the names of the
fixed categories (channels, hotline categories, platforms, kiosk sections, check statuses,
tables), units and printed measure names, and entity names from the registry.

Each is defined once where the data is made (the table modules, checks.py, reference/) and only
re-exported here. Report wording (headings, chart titles, sentences) is not vocabulary: it lives
in the notebooks and their catalogs (see `metroanalysis.i18n`).

`lang` is "zh" (the default: reviewers read Chinese) or "en". English entity names are the
registry's `name_en`; a name the registry does not know is shown as printed, never guessed.

    >>> category(CHANNELS, "phone", "en")
    'Phone'
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from metroanalysis import reference
from metroanalysis.clean import checks, schema
from metroanalysis.i18n import LANGS, check_lang
from metroanalysis.parse.tables import booking, hotline, kiosk, remote

__all__ = ["LANGS", "check_lang"]  # re-exported: the one language list is i18n's


def pick(pair: tuple[str, str] | Mapping[str, str], lang: str) -> str:
    """The `lang` member of a (zh, en) pair."""
    check_lang(lang)
    return pair[LANGS.index(lang)] if isinstance(pair, tuple) else pair[lang]


# ---------------------------------------------------------------------------------------------
# Entity names from the registry


def entity_names(entities: pd.DataFrame, lang: str = "zh") -> dict[str, str]:
    """entity_id → the name shown in `lang`: name_zh, or name_en falling back to name_zh."""
    check_lang(lang)
    zh = entities["name_zh"].astype("string")
    english = entities["name_en"].astype("string").str.strip().replace("", pd.NA).fillna(zh)
    shown = english if lang == "en" else zh
    return dict(zip(entities["entity_id"], shown, strict=True))


def printed_names(entities: pd.DataFrame, aliases: pd.DataFrame, lang: str = "zh") -> dict[str, str]:
    """Every name as the bulletin prints it → the name shown in `lang`: registry names and their
    aliases by entity_id, the hotline's printed categories (咨询电话, 电话预约) and 合计. For a
    table that names its entity only as printed (quality.csv); a name not here is shown as printed.
    In Chinese, none: a Chinese page shows the name as printed, as the reader finds it on its line."""
    if check_lang(lang) == LANGS[0]:
        return {}
    shown = entity_names(entities, lang)
    names = {str(k): shown[i] for k, i in zip(entities["name_zh"], entities["entity_id"], strict=True)}
    names |= {str(a): shown[i] for a, i in zip(aliases["alias"], aliases["entity_id"], strict=True) if i in shown}
    names |= {zh: pick((zh, en), lang) for zh, en in HOTLINE.values()}
    names[TOTAL[0]] = pick(TOTAL, lang)
    return names


def entity_label(entity_id, printed, names: Mapping[str, str]) -> str:
    """The registry name of `entity_id`; the printed name when the registry does not know it
    (an unmatched name is shown as printed, never guessed)."""
    if pd.notna(entity_id) and entity_id in names:
        return str(names[entity_id])
    return str(printed)


# ---------------------------------------------------------------------------------------------
# Fixed categories


# Each defined once where the data is made; re-exported here for the analysis and the notebooks.
TABLES = {name: (t.title_zh, t.title_en) for name, t in schema.TABLES.items() if t.title_zh}


def _follow_registry() -> None:
    """A table module registered or unregistered: the reports' table names follow (after schema's)."""
    TABLES.clear()
    TABLES.update({name: (t.title_zh, t.title_en) for name, t in schema.TABLES.items() if t.title_zh})


schema.parsed.follow(_follow_registry)
CHANNELS = booking.CHANNEL_NAMES
HOTLINE = hotline.CATEGORY_NAMES
PLATFORMS = remote.PLATFORM_NAMES
SECTIONS = kiosk.SECTION_NAMES
STATUSES = checks.STATUSES
TOTAL = ("合计", "Total")  # a printed total's row, named as an entity in quality.csv
UNITS = reference.UNITS_EN  # units as printed → English
PRINTED_EN = reference.PRINTED_EN  # measures, running totals, kinds of institution as printed → English


def category(mapping: Mapping[str, tuple[str, str]], key, lang: str = "zh") -> str:
    """The `lang` name of a fixed category (`key` itself when the mapping does not know it)."""
    return pick(mapping[key], lang) if key in mapping else str(key)


def unit(printed: str, lang: str = "zh") -> str:
    return printed if check_lang(lang) == "zh" else UNITS.get(printed, printed)


def printed_text(printed: str, lang: str = "zh") -> str:
    """A measure or category as printed in the bulletin, in English where we know it."""
    return printed if check_lang(lang) == "zh" else PRINTED_EN.get(printed, printed)
