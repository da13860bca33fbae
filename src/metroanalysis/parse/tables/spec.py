"""How a bulletin table declares itself, once, in its parser module: `Table` (the clean
table: titles, description, fields, entity column) and `Printed` (the block of the bulletin
its printed title finds, and the parsers that read it)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from metroanalysis.parse.tables.base import Extract, Section

# The year and month every printed title carries (checked against the folder's month).
YM = r"(?P<year>\d{4})年(?P<month>\d{1,2})月"

# A field of a table: its name in schema.FIELD_METADATA, or (name, what differs in this table);
# a field new to the project is declared whole where its table is (dtype, unit, title_zh,
# title_en, description), not in FIELD_METADATA.
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
    columns: tuple = ()  # base.Column: the printed columns, where the table is a declared grid
    total_row: bool = False  # printed with a 合计 row (its summed columns are checked against it)


@dataclass(frozen=True)
class Printed:
    """A block of the bulletin: how its printed title is recognised, the parsers that read it
    and the clean tables they yield (the first names the block in error messages).

    `title` is the wording printed so far (found silently). A title reworded in another month
    is still this block when it holds every one of `words` and none of `not_words` (regular
    expressions: alternatives with |); it is read, with a warning quoting it. `since` and
    `until` (YYYY-MM) are the months the block is printed in: before `since` or after `until`
    it is not "missing". `continues`: the block is a grid that may run onto a second page
    under 续表 with its header printed again."""

    key: str
    title: re.Pattern
    parsers: tuple[Callable[[Section, Extract], None], ...]
    tables: tuple[str, ...]
    words: tuple[str, ...] = ()
    not_words: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    continues: bool = False

    def names(self, text: str) -> bool:
        """A title-like line `text` names this block (by its words, whatever the wording)."""
        return (
            bool(self.words)
            and all(re.search(w, text) for w in self.words)
            and not any(re.search(w, text) for w in self.not_words)
        )

    def printed_in(self, month: str) -> bool:
        """The block belongs in a bulletin of `month` (YYYY-MM)."""
        return (self.since is None or month >= self.since) and (self.until is None or month <= self.until)
