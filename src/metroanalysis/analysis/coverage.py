"""Regional coverage: which of the 12 areas each remote-medicine platform reaches; how
completely areas and hospitals upload to the city platform; hypertension and diabetes records
per 1,000 basic health records; the metropolitan-area facts the bulletin prints.

Inputs are the clean tables `remote_coverage`, `remote_platforms`, `upload_by_district`,
`upload_by_hospital`, `remote_volumes`, `remote_institutions` and `cumulative_totals`.
Tables and numbers out, no sentences: report 03 words them. Names shown are vocabulary
(platform names from `labels.PLATFORMS`, areas and hospitals from the registry).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from metroanalysis.analysis import labels, ratio, registry_names
from metroanalysis.clean import schema
from metroanalysis.reference import AREAS

# The special health records counted against the basic ones (upload_by_district columns).
SPECIAL_RECORDS = {
    "hypertension": "health_records_hypertension",
    "diabetes": "health_records_diabetes",
}
BASIC_RECORDS = "health_records_basic"


def days_in_month(month: str) -> int:
    """'2021-04' → 30."""
    year, number = (int(part) for part in month.split("-"))
    return calendar.monthrange(year, number)[1]


# ---------------------------------------------------------------------------------------------
# Remote-medicine platforms × areas


def _area_names(remote_coverage: pd.DataFrame, entities: pd.DataFrame | None, lang: str) -> dict[str, str]:
    """Printed area name → the name shown (the registry's, in `lang`)."""
    if entities is None or "entity_id" not in remote_coverage:
        return {}
    shown = registry_names(remote_coverage, entities, lang, column="area")["area"]
    return dict(zip(remote_coverage["area"], shown, strict=True))


def coverage_matrix(
    remote_coverage: pd.DataFrame, lang: str = "zh", entities: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Areas (rows, in the reference order of the 12 areas) × platforms (columns, the platform
    names of `labels.PLATFORMS` in `lang`, in printed order): True where connected. An area the
    bulletin does not mention for a platform stays <NA>. With `entities`, areas show under their
    registry names in `lang`. A platform with no coverage figures has no column."""
    platforms = list(dict.fromkeys(remote_coverage["platform"]))
    wide = remote_coverage.pivot(index="area", columns="platform", values="connected")
    areas = [a for a in AREAS if a in wide.index] + [a for a in wide.index if a not in AREAS]
    wide = wide.reindex(index=areas, columns=platforms).astype("boolean")
    wide.columns = [labels.category(labels.PLATFORMS, p, lang) for p in platforms]
    names = _area_names(remote_coverage, entities, lang)
    wide.index = [names.get(a, a) for a in wide.index]
    return wide


def area_gaps(matrix: pd.DataFrame) -> pd.DataFrame:
    """One row per area of `coverage_matrix`: `not_connected`, the platforms the bulletin names
    it as not connected to, out of `platforms_known`, those that say either way (<NA> cells,
    where the bulletin says nothing, count as neither)."""
    known = matrix.notna().sum(axis=1).astype("Int64")
    missing = (matrix == False).fillna(False).sum(axis=1).astype("Int64")  # noqa: E712 (nullable booleans)
    out = pd.DataFrame({"area": matrix.index.astype("string"), "not_connected": missing, "platforms_known": known})
    return out.reset_index(drop=True)


def connected_platforms(remote_coverage: pd.DataFrame) -> pd.DataFrame:
    """For the map of the areas: one row per area of the coverage table, indexed by its
    `entity_id` (an area the registry does not know has none and is left out), in the reference
    order of the 12 areas. `connected` counts the platforms the area is connected to, out of
    `platforms_known`, those the bulletin says either way about for it; an area it says nothing
    about for any platform has `connected` <NA> (not reported, never 0)."""
    rows = remote_coverage.dropna(subset=["entity_id"])
    said = rows["connected"].astype("boolean")
    known = said.notna().groupby(rows["entity_id"], sort=False).sum()
    connected = said.fillna(False).groupby(rows["entity_id"], sort=False).sum()
    out = pd.DataFrame({"connected": connected, "platforms_known": known}).astype("Int64")
    out.loc[out["platforms_known"] == 0, "connected"] = pd.NA
    order = {name: i for i, name in enumerate(AREAS)}
    printed = rows.drop_duplicates("entity_id").set_index("entity_id")["area"]
    rank = printed.map(lambda area: order.get(area, len(order))).sort_values(kind="stable")
    out = out.loc[rank.index]
    out.index = pd.Index(out.index, dtype="string", name="entity_id")
    return out


def keyed_by_area(rows: pd.DataFrame, source: pd.DataFrame) -> pd.DataFrame:
    """`rows`, computed row for row from the clean table `source` (`district_uploads`,
    `health_records` of upload_by_district), indexed by the source's `entity_id`, as the map of
    the areas places them; a row whose name the registry does not know has no id and is left out
    (quality.csv lists it as unmatched)."""
    if len(rows) != len(source):
        raise ValueError(f"{len(rows)} rows computed from {len(source)}: not row for row")
    ids = pd.Index(source["entity_id"].astype("string").to_numpy(), name="entity_id")
    keyed = rows.set_axis(ids)
    return keyed[keyed.index.notna()]


def platform_gaps(
    remote_coverage: pd.DataFrame,
    remote_platforms: pd.DataFrame,
    lang: str = "zh",
    entities: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per platform, in printed order: `platform_name` (labels.PLATFORMS in `lang`),
    the printed `institutions_connected` and `areas_covered` (覆盖N个区), `areas_not_reached`
    (a list of the areas the coverage table names as not connected, registry names in `lang`
    when `entities` is given; <NA> when the platform has no coverage figures), and the
    `status` of a platform with no figures as printed (its English from printed_en.csv in "en")."""
    names = _area_names(remote_coverage, entities, lang)
    not_reached = {
        platform: [names.get(a, a) for a in rows.loc[rows["connected"] == False, "area"]]  # noqa: E712
        for platform, rows in remote_coverage.groupby("platform", sort=False)
    }
    out = pd.DataFrame(
        {
            "platform": remote_platforms["platform"].astype("string"),
            "platform_name": [labels.category(labels.PLATFORMS, p, lang) for p in remote_platforms["platform"]],
            "institutions_connected": remote_platforms["institutions_connected"].astype("Int64"),
            "areas_covered": remote_platforms["districts_covered"].astype("Int64"),
            "areas_not_reached": pd.Series(
                [not_reached.get(p, pd.NA) for p in remote_platforms["platform"]], dtype="object"
            ),
            # a platform's state in words, in `lang` where printed_en.csv has its English
            "status": pd.array(
                [s if pd.isna(s) else labels.printed_text(str(s), lang) for s in remote_platforms["status"]],
                dtype="string",
            ),
        }
    )
    out["platform_name"] = out["platform_name"].astype("string")
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Uploads to the city platform


def _completeness(df: pd.DataFrame, month: str) -> pd.DataFrame:
    """Each ratio is numerator ÷ denominator as its name says; <NA> where the denominator is 0
    or not reported (a 未反馈 declaration has no uploaded ÷ declared)."""
    out = df.copy()
    out["uploaded_of_declared"] = ratio(out["uploaded_tables"], out["declared_tables"])
    out["uploaded_of_required"] = ratio(out["uploaded_tables"], out["required_tables"])
    out["declared_of_required"] = ratio(out["declared_tables"], out["required_tables"])
    out["days_in_month"] = pd.array([days_in_month(month)] * len(out), dtype="Int64")
    out["upload_days_share"] = ratio(out["upload_days"], out["days_in_month"])
    return out


def district_uploads(upload_by_district: pd.DataFrame, month: str) -> pd.DataFrame:
    """Upload completeness by area, in printed order: uploaded ÷ declared tables, uploaded ÷
    required tables, declared ÷ required tables, upload days ÷ the days in the month."""
    cols = ["area", "declared_tables", "required_tables", "uploaded_tables", "upload_volume", "upload_days"]
    return _completeness(upload_by_district[cols], month).reset_index(drop=True)


def hospital_uploads(upload_by_hospital: pd.DataFrame, month: str) -> pd.DataFrame:
    """Upload completeness by hospital. A hospital printed 未反馈 did not report what it declared:
    `reported` is False and `declared_tables`, uploaded ÷ declared and declared ÷ required stay
    <NA> (not zero); its required and uploaded tables are printed, so uploaded ÷ required is
    computed for it like for every other hospital."""
    cols = ["hospital", "declared_tables", "required_tables", "uploaded_tables", "upload_volume", "upload_days"]
    out = _completeness(upload_by_hospital[cols], month)
    out.insert(1, "reported", upload_by_hospital["declared_reported"].astype("boolean"))
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class Spread:
    """A ratio over a set of units: how many have it (`n`), its median, the lowest and highest
    value and every unit at each (ties kept), and the units without it (<NA>: a denominator of 0
    or not reported). The set is the rows given; a sentence names it."""

    n: int
    median: float | None
    lowest: float | None
    lowest_units: tuple[str, ...]
    highest: float | None
    highest_units: tuple[str, ...]
    missing_units: tuple[str, ...]


def spread(df: pd.DataFrame, column: str, name: str) -> Spread:
    """The `Spread` of `df[column]` over the rows of `df`, units named by `df[name]`."""
    values = df[column].astype("Float64")
    have = values.notna()
    missing = tuple(str(x) for x in df.loc[~have, name])
    if not have.any():
        return Spread(0, None, None, (), None, (), missing)
    present = values[have].astype(float)
    low, high = float(present.min()), float(present.max())
    return Spread(
        n=int(have.sum()),
        median=float(present.median()),
        lowest=low,
        lowest_units=tuple(str(x) for x in df.loc[have, name][present == low]),
        highest=high,
        highest_units=tuple(str(x) for x in df.loc[have, name][present == high]),
        missing_units=missing,
    )


def missed_upload_days(uploads: pd.DataFrame) -> pd.DataFrame:
    """The rows of `district_uploads`/`hospital_uploads` that did not upload on every day of the
    month (fewest days first, printed order among ties)."""
    short = uploads[uploads["upload_days"] < uploads["days_in_month"]]
    return short.sort_values("upload_days", kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Health records


def health_records(upload_by_district: pd.DataFrame) -> pd.DataFrame:
    """Hypertension and diabetes records per 1,000 basic health records, by area (printed order).

    The rule is the fields' own (`schema.FIELD_METADATA`'s `zero_means_not_reported`, stated on
    the page with its reason): an area printing 0 records of a kind against a positive number of
    basic records has not reported that kind. Its `<kind>_reported` is False and its rate <NA>
    (the count read through `schema.as_reported`), as it is where either count is missing or the
    basic records are 0."""
    cols = ["area", BASIC_RECORDS, *SPECIAL_RECORDS.values()]
    out = upload_by_district[cols].astype({"area": "string"}).reset_index(drop=True)
    basic = out[BASIC_RECORDS].astype("Int64")
    for kind, column in SPECIAL_RECORDS.items():
        count = schema.as_reported(out, column).astype("Int64")
        out[f"{kind}_reported"] = count.notna().astype("boolean")
        out[f"{kind}_per_1000"] = (ratio(count, basic) * 1000).astype("Float64")
    return out


def city_record_rates(records: pd.DataFrame) -> pd.DataFrame:
    """One row per kind of special record: the city's rate per 1,000 basic records over the areas
    that reported that kind (`health_records`' rule), both sums over those same areas, how many
    areas count (`areas`) and which were left out (`excluded`, a tuple of names). Nothing is
    printed to compare with: the bulletin gives no 合计 for this table."""
    rows = []
    for kind, column in SPECIAL_RECORDS.items():
        used = records[records[f"{kind}_reported"].fillna(False) & records[BASIC_RECORDS].notna()]
        count, basic = int(used[column].astype("Int64").sum()), int(used[BASIC_RECORDS].astype("Int64").sum())
        left_out = records.loc[~records.index.isin(used.index), "area"]
        rows.append(
            {
                "kind": kind,
                "records": count,
                "basic_records": basic,
                "per_1000": count / basic * 1000 if basic else pd.NA,
                "areas": len(used),
                "excluded": tuple(str(a) for a in left_out),
            }
        )
    out = pd.DataFrame(rows)
    return out.astype({"kind": "string", "records": "Int64", "basic_records": "Int64", "per_1000": "Float64"})


# ---------------------------------------------------------------------------------------------
# Volumes and running totals


def metro_facts(
    remote_volumes: pd.DataFrame,
    cumulative_totals: pd.DataFrame,
    remote_institutions: pd.DataFrame | None = None,
    remote_platforms: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The facts the bulletin prints about the platforms' reach and volume, as one list to read.

    `kind` says what each row is: `volume` (a platform's volume this month or to date),
    `running_total` (the city's running totals in the footnotes), `institutions` (institutions
    in the metropolitan area's cities connected to a platform, categories naming 都市圈) and
    `cities` (the cities a platform connects). `platform` is the platform's key (<NA> for the
    city's running totals); `measure_zh` and `unit` are as printed (the institutions' category,
    nothing for cities); `period` is `month` or `to_date`; `as_of` the printed date of a running
    total (e.g. 4月底); `printed` the running total's printed text ('101.78亿条': see
    `printed_figure` for the form to show), <NA> for the other rows, printed whole."""
    frames = [
        _facts(
            "volume",
            remote_volumes["platform"],
            remote_volumes["measure_zh"],
            remote_volumes["value"],
            remote_volumes["unit"],
            remote_volumes["period"],
            pd.NA,
            remote_volumes["source_line"],
        ),
        _facts(
            "running_total",
            pd.NA,
            cumulative_totals["measure_zh"],
            cumulative_totals["value"],
            cumulative_totals["unit"],
            "to_date",
            cumulative_totals["as_of"],
            cumulative_totals["source_line"],
            cumulative_totals["printed"],
        ),
    ]
    if remote_institutions is not None:
        metro = remote_institutions[remote_institutions["category_zh"].str.contains("都市圈", na=False)]
        frames.append(
            _facts(
                "institutions",
                metro["platform"],
                metro["category_zh"],
                metro["institutions"],
                "家",
                "to_date",
                pd.NA,
                metro["source_line"],
            )
        )
    if remote_platforms is not None:
        cities = remote_platforms.dropna(subset=["cities_connected"])
        frames.append(
            _facts(
                "cities",
                cities["platform"],
                pd.NA,
                cities["cities_connected"],
                "个",
                "to_date",
                pd.NA,
                cities["source_line"],
            )
        )
    kept = [f for f in frames if len(f)]
    out = pd.concat(kept, ignore_index=True) if kept else frames[0].iloc[:0]
    return out.astype(
        {
            "kind": "string",
            "platform": "string",
            "measure_zh": "string",
            "value": "Int64",
            "unit": "string",
            "period": "string",
            "as_of": "string",
            "source_line": "Int64",
            "printed": "string",
        }
    )


def _facts(kind, platform, measure_zh, value, unit, period, as_of, source_line, printed=pd.NA) -> pd.DataFrame:
    frame = pd.DataFrame({"value": value, "source_line": source_line})
    for name, column in (("platform", platform), ("measure_zh", measure_zh), ("unit", unit), ("printed", printed)):
        frame[name] = column
    frame["kind"], frame["period"], frame["as_of"] = kind, period, as_of
    return frame[["kind", "platform", "measure_zh", "value", "unit", "period", "as_of", "source_line", "printed"]]


_HUNDRED_MILLION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*亿")


@dataclass(frozen=True)
class PrintedFigure:
    """A figure printed in 亿 (10⁸), kept in its printed form: `zh` '101.78亿', `en` '10.178
    billion' (the same digits, the same precision), `step` the value of its last printed digit
    (1,000,000 for 101.78亿). The whole number the cleaning writes (10,178,000,000) is derived from
    it, exact only to half a step; it is never shown as if printed."""

    zh: str
    en: str
    step: int

    def shown(self, lang: str = "zh") -> str:
        return self.zh if labels.check_lang(lang) == "zh" else self.en


def printed_figure(printed) -> PrintedFigure | None:
    """'101.78亿条' → PrintedFigure('101.78亿', '10.178 billion', 1000000); None for a figure
    printed whole (its value is the printed number, nothing derived)."""
    found = _HUNDRED_MILLION.match(str(printed)) if pd.notna(printed) else None
    if not found:
        return None
    number = Decimal(found[1])
    places = -number.as_tuple().exponent
    billions = number / 10
    return PrintedFigure(f"{found[1]}亿", f"{billions:f} billion", 10 ** (8 - places))


def as_of_month(as_of, month: str) -> str | None:
    """The month a running total is dated to: '4月底' in the bulletin of 2021-04 → '2021-04'
    (a later month number than the bulletin's is the year before); None for any other form."""
    found = re.fullmatch(r"(\d{1,2})月底", str(as_of).strip()) if pd.notna(as_of) else None
    if not found or not 1 <= int(found[1]) <= 12:
        return None
    year, number = (int(part) for part in month.split("-"))
    dated = int(found[1])
    return f"{year if dated <= number else year - 1}-{dated:02d}"
