"""One hospital, one identity: the reviewed registry of entities and the printed variants
of their names (data/reference/entities.csv and aliases.csv).

The bulletin names the same hospital differently from table to table. Cleaning attaches an
`entity_id` to every row that names an entity; a name the registry does not know (a new
hospital in a later month) keeps its row, gets <NA>, and is listed in quality.csv as
`unmatched` with its table and line: never dropped, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import pandas as pd

from metroanalysis.i18n.messages import said
from metroanalysis.parse.tables import ENTITY_COLUMNS  # which column names the entity, in each table that has one

REFERENCE_FILES = ("entities.csv", "aliases.csv")


@dataclass(frozen=True)
class Registry:
    entities: pd.DataFrame  # entity_id, name_zh, name_en, kind, district, parent_id, note
    aliases: pd.DataFrame  # alias, entity_id, confidence, not_to_confuse_with, note

    @classmethod
    def load(cls, root: Path | None = None) -> Registry:
        """The project's reviewed files (ROOT/data/reference), or, for a folder of bulletins
        that has none, the copy packaged with the library (kept identical by a test)."""
        folder = root / "data" / "reference" if root is not None else None
        if folder is None or not all((folder / f).is_file() for f in REFERENCE_FILES):
            folder = Path(str(files("metroanalysis").joinpath("reference")))
        read = {"dtype": "string", "keep_default_na": False, "na_values": [""], "encoding": "utf-8"}
        entities = pd.read_csv(folder / "entities.csv", **read)
        aliases = pd.read_csv(folder / "aliases.csv", **read)
        return cls(entities, aliases)

    def lookup(self) -> dict[str, str]:
        """Printed name → entity_id: canonical names, then reviewed aliases."""
        names = dict(zip(self.entities["name_zh"], self.entities["entity_id"], strict=True))
        names.update(zip(self.aliases["alias"], self.aliases["entity_id"], strict=True))
        return names

    def resembles(self, name: str) -> tuple[str, str] | None:
        """The registry entry an unknown `name` looks like (name_zh, entity_id): the same name
        with another campus in brackets (南京市江宁医院（湖山路） → 南京市江宁医院), or the longest
        registered name it begins with, or that begins with it (a campus or branch added or
        left off). Said to a reviewer, never applied."""
        base = _without_campus(name)
        if len(base) < _SHORTEST_PREFIX:
            return None
        ids = dict(zip(self.entities["entity_id"], self.entities["name_zh"], strict=True))
        alike = []
        for printed, entity_id in self.lookup().items():
            other = _without_campus(printed)
            if printed == name or len(other) < _SHORTEST_PREFIX:
                continue
            # the same name first; then the longest registered name it begins with; then the
            # shortest that begins with it
            if other == base:
                rank = (2, 0)
            elif base.startswith(other):
                rank = (1, len(other))
            elif other.startswith(base):
                rank = (0, -len(other))
            else:
                continue
            alike.append((rank, ids.get(entity_id, printed), entity_id))
        best = max(alike, default=None)
        return None if best is None else best[1:]


# A shared prefix shorter than a whole hospital name (南京市…) says nothing.
_SHORTEST_PREFIX = 5


def _without_campus(name: str) -> str:
    """A name less its bracketed campus or location: 南京市江宁医院（湖山路） → 南京市江宁医院."""
    return re.sub(r"[（(][^（()）]*[）)]$", "", name.strip())


def attach_entity_ids(
    tables: dict[str, pd.DataFrame], registry: Registry
) -> tuple[dict[str, pd.DataFrame], list[dict]]:
    """Every entity table with an `entity_id` column after its name column, and one quality
    row per name the registry does not know (naming it and its line, and the registry entry it
    looks like, if one)."""
    lookup, out, unmatched = registry.lookup(), dict(tables), []
    for table, column in ENTITY_COLUMNS.items():
        df = tables[table].drop(columns="entity_id", errors="ignore")
        ids = df[column].map(lambda name: lookup.get(name) if pd.notna(name) else None)
        df.insert(df.columns.get_loc(column) + 1, "entity_id", pd.array(ids, dtype="string"))
        out[table] = df
        for row in df[df["entity_id"].isna()].itertuples(index=False):
            name = getattr(row, column)
            unmatched.append(unmatched_row(table, column, name, row.source_line, registry.resembles(name)))
    return out, unmatched


def unmatched_row(table: str, column: str, name: str, line, like: tuple[str, str] | None = None) -> dict:
    return {
        "rule": "entity_in_registry",
        "table": table,
        "entity": name,
        "column": column,
        "printed": name,
        "computed": "",
        "difference": "",
        "status": "unmatched",
        "source_line": line,
        **(
            said("entity_resembles", name=name, line=line, like=like[0], like_id=like[1])
            if like
            else said("entity_in_registry", name=name, line=line)
        ),
    }
