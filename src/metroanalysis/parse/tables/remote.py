"""远程医疗系统数据统计: one paragraph per remote-medicine platform.

Each paragraph is prose; it is read clause by clause with patterns for the things the
bulletin reports (institutions connected and their breakdown, districts covered and the
ones not connected, the month's volumes, the top-three uploaders). Every number in a
paragraph must be claimed by one of these readings: a number left over stops the run,
so a reworded sentence can never silently lose a figure.
"""

from __future__ import annotations

import re

from metroanalysis.errors import BulletinError
from metroanalysis.parse.tables.base import Extract, Section
from metroanalysis.parse.tables.spec import YM, Printed, Table
from metroanalysis.read.text import Line
from metroanalysis.reference import AREAS, category_names

TABLE = "remote_platforms"
VOLUMES_TABLE = "remote_volumes"
INSTITUTIONS = "remote_institutions"
UPLOADERS = "remote_top_uploaders"
COVERAGE = "remote_coverage"

_PLATFORM_ID = ("platform", {"description": "platform id"})
TABLES = (
    Table(
        TABLE,
        "远程医疗平台",
        "Remote-medicine platforms",
        "Remote-medicine platforms: institutions, districts covered and not connected, status.",
        (
            "platform",
            "platform_zh",
            "entity_id",
            "institutions_connected",
            "districts_covered",
            "districts_not_connected",
            "cities_connected",
            "status",
            "source_line",
        ),
        entity_column="platform_zh",
    ),
    Table(
        VOLUMES_TABLE,
        "远程医疗业务量",
        "Remote-medicine volumes",
        "Remote-medicine platform volumes (this month, or to date where printed as 累计).",
        (
            _PLATFORM_ID,
            (
                "measure",
                {"description": "consultations, ecg_cases, lab_reports, specimens_routed, imaging_reports, images"},
            ),
            "measure_zh",
            ("value", {"dtype": "Int64", "title_zh": "数量", "title_en": "Count", "description": "printed count"}),
            ("unit", {"description": "unit as printed (份, 例, 次)"}),
            "period",
            "source_line",
        ),
    ),
    Table(
        INSTITUTIONS,
        "远程医疗接入机构",
        "Institutions on the platforms",
        "Breakdown of each platform's connected institutions, as printed after 其中.",
        (_PLATFORM_ID, "category_zh", "institutions", "source_line"),
    ),
    Table(
        UPLOADERS,
        "远程医疗上传前三名",
        "Top uploaders to the platforms",
        "The top three uploaders of each platform this month.",
        (_PLATFORM_ID, "rank", "uploader", "entity_id", "records", "unit", "source_line"),
        entity_column="uploader",
    ),
    Table(
        COVERAGE,
        "远程医疗覆盖区",
        "Areas covered by the platforms",
        "Each platform × each of the 12 areas (11 districts and 江北新区): connected or not.",
        (
            _PLATFORM_ID,
            "area",
            "entity_id",
            "connected",
            "source_line",
        ),
        entity_column="area",
    ),
)

# Tidy platform id → the platform's short printed name, English name.
PLATFORM_NAMES = category_names("remote_platform")
# The distinctive part of a printed platform name (南京市远程会诊平台 → 会诊) → tidy id.
PLATFORMS = {zh.removeprefix("远程"): platform for platform, (zh, _) in PLATFORM_NAMES.items()}
_PLATFORM = re.compile(r"^(?P<name>南京市远程\S{1,8}?(平台|系统))")


# Volumes: printed phrase → (measure, period). 累计 figures are to date, the rest this month.
VOLUMES = [
    (r"累计通过平台开展各类会诊(\d+)(次|例)", "consultations", "to_date", "累计会诊"),
    (r"采集心电病例(\d+)(份)", "ecg_cases", "month", "采集心电病例"),
    (r"会诊量(\d+)(例|次)", "consultations", "month", "会诊量"),
    (r"采集检验报告(\d+)(份)", "lab_reports", "month", "采集检验报告"),
    (r"流转标本(\d+)(份)", "specimens_routed", "month", "流转标本"),
    (r"采集影像报告(\d+)(份)", "imaging_reports", "month", "采集影像报告"),
    (r"图像量(\d+)(份|张)", "images", "month", "图像量"),
    (r"(?<!共)会诊(\d+)(例|次)", "consultations", "month", "会诊"),
]


class Paragraph:
    """A paragraph's text with the spans that readings have claimed."""

    def __init__(self, line: Line, platform: str, platform_zh: str):
        self.line, self.platform, self.platform_zh = line, platform, platform_zh
        self.text = line.text
        self.claimed: list[tuple[int, int]] = [(0, len(platform_zh))]

    def free(self, start: int, end: int) -> bool:
        return not any(start < b and a < end for a, b in self.claimed)

    def find(self, pattern: str) -> re.Match | None:
        """The first match of pattern in text no other reading has claimed; it is claimed."""
        for m in re.finditer(pattern, self.text):
            if self.free(*m.span()):
                self.claimed.append(m.span())
                return m
        return None

    def leftover_numbers(self) -> list[re.Match]:
        return [m for m in re.finditer(r"\d+", self.text) if self.free(*m.span())]


def remote_platforms(section: Section, ex: Extract) -> None:
    tables: dict[str, list[dict]] = {k: [] for k in ("platforms", "volumes", "breakdown", "uploaders", "coverage")}
    for line in section.body:
        m = _PLATFORM.match(line.text.strip())
        if not m:
            if line.text.strip() and re.search(r"\d", line.text):
                raise BulletinError("paragraph names no remote platform", line=line.no, table=TABLE, text=line.text)
            continue
        name = m["name"]
        platform = next((v for k, v in PLATFORMS.items() if k in name), None)
        if platform is None:
            raise BulletinError("unknown remote platform", line=line.no, table=TABLE, text=name)
        read_paragraph(Paragraph(line, platform, name), tables, ex)
    if not tables["platforms"]:
        raise BulletinError("no platform paragraphs", line=section.title.no, table=TABLE)
    ex.put(TABLE, tables["platforms"])
    ex.put(VOLUMES_TABLE, tables["volumes"])
    ex.put(INSTITUTIONS, tables["breakdown"])
    ex.put(UPLOADERS, tables["uploaders"])
    ex.put(COVERAGE, tables["coverage"])


def read_paragraph(p: Paragraph, tables: dict[str, list[dict]], ex: Extract) -> None:
    no = p.line.no

    def fact(entity, measure, value, unit, at):
        # the line the number is printed on (a paragraph re-joined from wrapped lines spans several)
        ex.fact(TABLE, p.platform, entity, measure, value, unit, p.line.no_at(at), str(value))

    row = {"platform": p.platform, "platform_zh": p.platform_zh, "source_line": no}
    if m := p.find(r"累计接入(\d+)家医疗机构"):
        row["institutions_connected"] = int(m[1])
        fact(p.platform_zh, "institutions_connected", m[1], "家", m.start(1))
    if m := p.find(r"(?:联通|连通)(?P<names>[^，。]*?)(\d+)个城市"):
        row["cities_connected"] = int(m[2])
        fact(p.platform_zh, "cities_connected", m[2], "个", m.start(2))
    if m := p.find(r"覆盖(?:市内)?(\d+)个(?:辖)?区"):
        row["districts_covered"] = int(m[1])
        fact(p.platform_zh, "districts_covered", m[1], "个", m.start(1))
    not_connected = read_not_connected(p)
    if not_connected is None and row.get("districts_covered") == len(AREAS):
        not_connected = []  # every area covered: the bulletin names none as not connected
    if not_connected is not None:
        row["districts_not_connected"] = "、".join(not_connected) or None
        for area in AREAS:
            tables["coverage"].append(
                {"platform": p.platform, "area": area, "connected": area not in not_connected, "source_line": no}
            )
    if "institutions_connected" not in row:
        row["status"] = p.text.strip()[len(p.platform_zh) :].strip("，。 ")
    read_breakdown(p, tables["breakdown"], fact)
    read_volumes(p, tables["volumes"], fact)
    read_uploaders(p, tables["uploaders"], fact)
    while p.find(r"(\d{4}年)?\d{1,2}月(份|底)?"):  # dates are not figures
        pass
    left = p.leftover_numbers()
    if left:
        raise BulletinError(
            "a number in this paragraph was not understood",
            line=p.line.no_at(left[0].start()),
            table=TABLE,
            text=left[0].group(),
        )
    tables["platforms"].append(row)


def read_not_connected(p: Paragraph) -> list[str] | None:
    m = re.search(r"未对接的(?:有|是|为)", p.text)
    if not m:
        return None
    names, end = [], m.end()
    # The list ends at the first part that is not an area (…秦淮区，以及南京都市圈城市的7家…):
    # only the names are claimed, so the number after them is read by another pattern.
    for part in re.finditer(r"[^、，,。；和]+", p.text[m.end() :]):
        name = part.group().strip()
        if name not in AREAS:
            break
        names.append(name)
        end = m.end() + part.end()
    if not names:
        raise BulletinError(
            "no Nanjing area named as not connected", line=p.line.no, table=TABLE, text=p.text[m.start() :]
        )
    p.claimed.append((m.start(), end))
    return names


def read_breakdown(p: Paragraph, out: list[dict], fact) -> None:
    """其中…二级以上医疗机构24家，社区卫生服务中心13家；南京都市圈城市1家… and the like."""
    pattern = r"(?:其中，?|[，；、])(?P<cat>[^，；、。\d]{2,20}?)(?P<n>\d+)家(?P<tail>医疗机构)?"
    while m := p.find(pattern):
        category = re.sub(r"^(其中|以及|南京市内|接入)+", "", m["cat"]) + (m["tail"] or "")
        at = m.start("n")
        out.append(
            {
                "platform": p.platform,
                "category_zh": category,
                "institutions": int(m["n"]),
                "source_line": p.line.no_at(at),
            }
        )
        fact(category, "institutions", m["n"], "家", at)


def read_volumes(p: Paragraph, out: list[dict], fact) -> None:
    for pattern, measure, period, label in VOLUMES:
        if m := p.find(pattern):
            out.append(
                {
                    "platform": p.platform,
                    "measure": measure,
                    "measure_zh": label,
                    "value": int(m[1]),
                    "unit": m[2],
                    "period": period,
                    "source_line": p.line.no_at(m.start(1)),
                }
            )
            fact(p.platform_zh, measure, m[1], m[2], m.start(1))


def read_uploaders(p: Paragraph, out: list[dict], fact) -> None:
    """本月数据上传量(排名)前三的分别是江宁区29287份，江苏省人民医院17957份，…"""
    m = p.find(r"前三的分别是(?P<list>[^。]*)")
    if not m:
        return
    offset = m.start("list")
    for rank, text in enumerate(re.split(r"[，、,]", m["list"]), start=1):
        start, offset = offset + len(text) - len(text.lstrip()), offset + len(text) + 1
        item = re.fullmatch(r"(?P<name>.*?\D)(?P<n>\d+)(?P<unit>份|例|次)", text.strip())
        if not item:
            raise BulletinError("expected a name and a count", line=p.line.no_at(start), table=TABLE, text=text)
        at = start + item.start("n")
        out.append(
            {
                "platform": p.platform,
                "rank": rank,
                "uploader": item["name"],
                "records": int(item["n"]),
                "unit": item["unit"],
                "source_line": p.line.no_at(at),
            }
        )
        fact(item["name"], "uploaded_records", item["n"], item["unit"], at)


PRINTED = (
    Printed(
        "remote",
        re.compile(YM + r"南京市远程医疗系统数据统计"),
        (remote_platforms,),
        (TABLE, VOLUMES_TABLE, INSTITUTIONS, UPLOADERS, COVERAGE),
        words=("远程",),
    ),
)
