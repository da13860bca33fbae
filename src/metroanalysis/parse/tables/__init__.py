"""The bulletin's tables, each declared once in its own module under this package; this is
their registry.

A table module declares `TABLES` (each clean table: name, Chinese and English titles,
description, fields, entity column, and for a grid its printed `columns`) and, for a block
found by its printed title, `PRINTED` (its title and the words that recognise it reworded, its
parsers, the tables they yield, the months it is printed in, whether it may continue under
续表); its fixed categories' names in both languages are its set in reference/categories.csv.
Every module of this package is found here by itself: to add a table, add its module (see
README, "add a table") and its test; nothing else is edited. `register` adds a module from
elsewhere at run time (a test's, say), `unregister` takes it out again.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from types import ModuleType

from metroanalysis.parse.tables.spec import Printed, Table

# The tables printed so far, in printed order; a module added later comes after them (the
# running totals are footnotes read wherever they stand: no title of their own).
_PRINTED_ORDER = ("hotline", "booking", "remote", "upload", "kiosk", "cumulative")
_NOT_TABLES = ("base", "spec")


def _discover() -> list[ModuleType]:
    names = [m.name for m in pkgutil.iter_modules(__path__) if m.name not in _NOT_TABLES]
    ordered = [n for n in _PRINTED_ORDER if n in names] + sorted(n for n in names if n not in _PRINTED_ORDER)
    return [importlib.import_module(f"{__name__}.{n}") for n in ordered]


MODULES: list[ModuleType] = _discover()
PRINTED: list[Printed] = [p for m in MODULES for p in getattr(m, "PRINTED", ())]
TABLES: dict[str, Table] = {t.name: t for m in MODULES for t in m.TABLES}
ENTITY_COLUMNS: dict[str, str] = {t.name: t.entity_column for t in TABLES.values() if t.entity_column}


def register(module: ModuleType) -> None:
    """Declare one more table module (after those printed so far). The lists every other
    module reads the tables from (schema, store, labels) are updated in place."""
    if module in MODULES:
        return
    MODULES.append(module)
    PRINTED.extend(getattr(module, "PRINTED", ()))
    for table in module.TABLES:
        TABLES[table.name] = table
        if table.entity_column:
            ENTITY_COLUMNS[table.name] = table.entity_column
    _follow()


def unregister(module: ModuleType) -> None:
    """Take a module added by `register` out again."""
    if module not in MODULES:
        return
    MODULES.remove(module)
    for printed in getattr(module, "PRINTED", ()):
        PRINTED.remove(printed)
    for table in module.TABLES:
        TABLES.pop(table.name, None)
        ENTITY_COLUMNS.pop(table.name, None)
    _follow()


# The lists other modules keep of the tables (schema's, store's, the reports' names) follow the
# registry through these callbacks: this package never imports the modules that read it.
_FOLLOWERS: list[Callable[[], None]] = []


def follow(callback: Callable[[], None]) -> None:
    """Call `callback` whenever a table module is registered or unregistered."""
    _FOLLOWERS.append(callback)


def _follow() -> None:
    for callback in _FOLLOWERS:
        callback()
