"""Reviewed reference data packaged with the library (not parsed from any bulletin).

The areas of Nanjing are a fact about the city, not about one month's bulletin: the 11
administrative districts and 江北新区, which the bulletin reports beside them.
`printed_en.csv` is the English for words the bulletin prints: its units, its measures and
running totals, its kinds of institution
and a platform's state in words. `categories.csv` names the fixed categories of
the tables (booking channels, hotline categories, remote platforms, kiosk sections) in both
languages; each parser module reads its own set. Both are reviewed like the registry.
`area_tiles.csv` places the 12 areas on a tile grid for report 03's maps: a schematic, not a
geographic map (data/reference/area_tiles.md says how it was made and why no boundaries).
"""

from __future__ import annotations

import csv
from importlib.resources import files


def _read(name: str) -> list[dict[str, str]]:
    with files(__package__).joinpath(name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


AREA_ROWS = _read("areas.csv")
AREAS: tuple[str, ...] = tuple(r["area"] for r in AREA_ROWS)

# entity_id → (row, col) of its tile: row 0 is the north, col 0 the west (the copy of
# data/reference/area_tiles.csv, kept identical by a test).
AREA_TILES: dict[str, tuple[int, int]] = {
    r["entity_id"]: (int(r["row"]), int(r["col"])) for r in _read("area_tiles.csv")
}

PRINTED_ROWS = _read("printed_en.csv")
CATEGORY_ROWS = _read("categories.csv")


def category_names(name: str) -> dict[str, tuple[str, str]]:
    """A set of fixed categories of categories.csv (booking_channel, hotline_category, …):
    id → (Chinese name as printed, English name), in the file's order."""
    names = {r["id"]: (r["zh"], r["en"]) for r in CATEGORY_ROWS if r["set"] == name}
    if not names:
        raise KeyError(f"categories.csv has no set {name!r}")
    return names


UNITS_EN: dict[str, str] = {r["printed"]: r["en"] for r in PRINTED_ROWS if r["kind"] == "unit"}
PRINTED_EN: dict[str, str] = {r["printed"]: r["en"] for r in PRINTED_ROWS if r["kind"] != "unit"}
