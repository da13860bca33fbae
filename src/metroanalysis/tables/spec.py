"""How a bulletin table declares itself, once, in its parser module: `Table` (the clean
table: titles, description, fields, entity column) and `Printed` (the block of the bulletin
its printed title finds, and the parsers that read it)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import Extract, Section

# The year and month every printed title carries (checked against the folder's month).
YM = r"(?P<year>\d{4})年(?P<month>\d{1,2})月"

# A field of a table: its name in schema.FIELD_METADATA, or (name, what differs in this table).
FieldRef = str | tuple[str, dict[str, str]]


@dataclass(frozen=True)
class Table:
    """A clean table, declared once where it is made: its name, its titles in both languages,
    what it holds, its fields in column order, and the column naming its entity (if any)."""

    name: str
    title_zh: str | None
    title_en: str | None
    description: str
    fields: tuple[FieldRef, ...]
    entity_column: str | None = None


@dataclass(frozen=True)
class Printed:
    """A block of the bulletin: the printed title that finds it, the parsers that read it and
    the clean tables they yield (the first names the block in error messages)."""

    key: str
    title: re.Pattern
    parsers: tuple[Callable[[Section, Extract], None], ...]
    tables: tuple[str, ...]
