"""The bulletin's tables, each declared once in its parser module; this list is their registry.

A parser module declares `TABLES` (each clean table: name, Chinese and English titles,
description, fields, entity column) and, for a block found by its printed title, `PRINTED`
(the title, the parsers, the tables they yield); its fixed categories' names in both languages
are its set in reference/categories.csv. To add a table: write its parser module with those
two, add its new fields to `schema.FIELD_METADATA`, list the module below in the order the
bulletin prints it, and test it.
"""

from __future__ import annotations

from . import booking, cumulative, hotline, kiosk, remote, upload
from .spec import Printed, Table

# In printed order. The running totals are footnotes read wherever they stand: no title of their own.
MODULES = (hotline, booking, remote, upload, kiosk, cumulative)

PRINTED: tuple[Printed, ...] = tuple(p for m in MODULES for p in getattr(m, "PRINTED", ()))
TABLES: dict[str, Table] = {t.name: t for m in MODULES for t in m.TABLES}
ENTITY_COLUMNS: dict[str, str] = {t.name: t.entity_column for t in TABLES.values() if t.entity_column}
