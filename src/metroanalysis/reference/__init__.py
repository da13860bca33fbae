"""Reviewed reference data packaged with the library (not parsed from any bulletin).

The areas of Nanjing are a fact about the city, not about one month's bulletin: the 11
administrative districts and 江北新区, which the bulletin reports beside them.
"""

from __future__ import annotations

import csv
from importlib.resources import files


def _read(name: str) -> list[dict[str, str]]:
    with files(__package__).joinpath(name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


AREA_ROWS = _read("areas.csv")
AREAS: tuple[str, ...] = tuple(r["area"] for r in AREA_ROWS)
