"""The tile-grid map of the 12 areas (report 03): the layout is the registry's 12 areas, one
tile per cell; the map shows on each tile the value of the table beside it, read off
data/raw/2021-04/bulletin.txt by hand; a missing value is drawn as missing, never as 0; every
name and value fits inside its tile, in Chinese and in English."""

import csv
import filecmp
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.text import Text

from metroanalysis import load_month
from metroanalysis.analysis import coverage, fmt_pct, labels, plotting
from metroanalysis.clean.entities import Registry
from metroanalysis.reference import AREA_TILES

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]
REGISTRY = Registry.load(REPO).entities

# Lines 386-392: the areas each platform names as not connected (会诊: 鼓楼、玄武、秦淮; 心电: 秦淮;
# 临检: 鼓楼、秦淮、雨花台; 影像: 秦淮、栖霞), so connected out of the 4 platforms with coverage figures:
CONNECTED = {"A01": 3, "A02": 0, "A03": 4, "A04": 2, "A05": 4, "A06": 3,
             "A07": 3, "A08": 4, "A09": 4, "A10": 4, "A11": 4, "A12": 4}  # fmt: skip
# Lines 417-538, 已上传 of 规定 129 (the x of "申明/129" is the declared count):
UPLOADED = {"A08": 60, "A11": 39, "A10": 63, "A05": 50, "A09": 54, "A12": 42,
            "A02": 19, "A04": 49, "A07": 48, "A03": 40, "A01": 51, "A06": 35}  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def style():
    plotting.setup()


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    return load_month("2021-04", root=REPO, processed=tmp_path_factory.mktemp("processed"))


def draw(values, lang="zh", texts=None, **kwargs):
    fig = plotting.area_tile_map(
        values,
        AREA_TILES,
        title="标题",
        names=labels.entity_names(REGISTRY, lang),
        colorbar_label="单位",
        note="示意图",
        texts=texts,
        missing_label="未报告" if lang == "zh" else "not reported",
        **kwargs,
    )
    fig.set_dpi(plotting.DRAW_DPI)  # drawn as to_png draws it for the page
    fig.canvas.draw()
    return fig


def artist(fig, gid):
    (found,) = [a for a in fig.axes[0].get_children() if a.get_gid() == gid]
    return found


def test_the_layout_has_exactly_the_registrys_12_areas_one_tile_per_cell():
    areas = set(REGISTRY.loc[REGISTRY["kind"].isin(["district", "new_area"]), "entity_id"])
    assert len(areas) == 12 and set(AREA_TILES) == areas
    assert len(set(AREA_TILES.values())) == 12
    with open(REPO / "data" / "reference" / "area_tiles.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    names = dict(zip(REGISTRY["entity_id"], REGISTRY["name_zh"], strict=True))
    assert all(r["area"] == names[r["entity_id"]] and r["note"] for r in rows)


def test_the_packaged_layout_is_the_reviewed_one():
    reviewed = REPO / "data" / "reference" / "area_tiles.csv"
    assert filecmp.cmp(reviewed, REPO / "src" / "metroanalysis" / "reference" / "area_tiles.csv", shallow=False)


def test_the_layout_puts_the_north_bank_north_and_gaochun_south():
    row = {e: r for e, (r, _) in AREA_TILES.items()}
    col = {e: c for e, (_, c) in AREA_TILES.items()}
    north_bank = {"A09", "A05", "A12"}  # 六合, 浦口, 江北新区
    assert max(row[e] for e in north_bank) < min(r for e, r in row.items() if e not in north_bank)
    assert row["A11"] == max(row.values())  # 高淳, the southern end
    assert col["A05"] == min(col.values()) and col["A06"] == max(col.values())  # 浦口 west, 栖霞 east


def test_the_coverage_map_shows_the_platforms_connected_as_the_bulletin_names_them(month):
    counts = coverage.connected_platforms(month.remote_coverage)
    assert counts["connected"].to_dict() == CONNECTED
    assert set(counts["platforms_known"]) == {4}  # 远程病理 (line 394) gives no areas
    # The same numbers as the heatmap's rows (已对接 cells) beside it.
    matrix = coverage.coverage_matrix(month.remote_coverage, "zh", REGISTRY)
    names = labels.entity_names(REGISTRY, "zh")
    assert {e: int(matrix.loc[names[e]].sum()) for e in CONNECTED} == CONNECTED
    texts = {e: f"{r.connected} / {r.platforms_known}" for e, r in counts.iterrows()}
    fig = draw(counts["connected"], texts=texts, vmin=0, vmax=4, steps=True)
    shown = {e: artist(fig, f"tile-value:{e}").get_text() for e in AREA_TILES}
    assert shown == {e: f"{n} / 4" for e, n in CONNECTED.items()}
    assert artist(fig, "tile-name:A12").get_text() == "江北新区"


def test_the_upload_map_shows_the_tables_share_for_each_area(month):
    uploads = coverage.district_uploads(month.upload_by_district, "2021-04")
    keyed = coverage.keyed_by_area(uploads, month.upload_by_district)
    assert keyed["uploaded_of_required"].to_dict() == {e: n / 129 for e, n in UPLOADED.items()}
    shares = keyed["uploaded_of_required"]
    fig = draw(shares * 100, texts={e: fmt_pct(v) for e, v in shares.items()}, vmin=0, vmax=100)
    shown = {e: artist(fig, f"tile-value:{e}").get_text() for e in AREA_TILES}
    assert shown == {e: f"{n / 129 * 100:.1f}%" for e, n in UPLOADED.items()}
    assert shown["A01"] == "39.5%" and shown["A02"] == "14.7%"  # 51/129 and 19/129


def test_keyed_by_area_leaves_out_a_name_the_registry_does_not_know():
    source = pd.DataFrame({"area": ["玄武区", "新区"], "entity_id": pd.array(["A01", pd.NA], dtype="string")})
    rows = pd.DataFrame({"area": ["玄武区", "新区"], "share": [0.5, 0.25]})
    assert coverage.keyed_by_area(rows, source)["share"].to_dict() == {"A01": 0.5}
    with pytest.raises(ValueError, match="row for row"):
        coverage.keyed_by_area(rows.iloc[:1], source)


def test_connected_platforms_of_an_area_the_bulletin_says_nothing_about_is_missing_not_0():
    remote = pd.DataFrame(
        {
            "platform": ["ecg", "ecg", "lab", "lab"],
            "area": ["玄武区", "秦淮区", "玄武区", "秦淮区"],
            "entity_id": pd.array(["A01", "A02", "A01", "A02"], dtype="string"),
            "connected": pd.array([False, pd.NA, False, pd.NA], dtype="boolean"),
        }
    )
    counts = coverage.connected_platforms(remote)
    assert counts.loc["A01"].tolist() == [0, 2]  # named as not connected by both: a real 0
    assert pd.isna(counts.loc["A02", "connected"]) and counts.loc["A02", "platforms_known"] == 0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_missing_value_is_drawn_hatched_and_named_never_as_0(lang):
    values = pd.Series({e: float(n) for e, n in CONNECTED.items()})
    values["A06"] = pd.NA  # not reported
    values = values.drop("A09")  # absent altogether
    fig = draw(values, lang=lang, vmin=0, vmax=4, steps=True)
    word = "未报告" if lang == "zh" else "not reported"
    zero_colour = tile_colour(fig, "A02")  # 秦淮区: a real 0
    for missing in ("A06", "A09"):
        tile = artist(fig, f"tile:{missing}")
        assert tile.get_hatch() == plotting.MISSING_HATCH
        assert to_hex(tile.get_facecolor()) == plotting.MISSING_COLOUR != zero_colour
        assert " ".join(artist(fig, f"tile-value:{missing}").get_text().split()) == word
    assert artist(fig, "tile:A02").get_hatch() is None and artist(fig, "tile-value:A02").get_text() == "0"
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [word]


def tile_colour(fig, entity):
    return to_hex(artist(fig, f"tile:{entity}").get_facecolor())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_name_and_value_fits_inside_its_tile(lang):
    values = pd.Series({e: 0.5 for e in AREA_TILES}).astype("Float64")
    values["A12"] = pd.NA  # the longest English name over the longest value text
    texts = {e: "100.0%" for e in AREA_TILES}
    fig = draw(values, lang=lang, texts=texts, vmin=0, vmax=1)
    renderer = fig.canvas.get_renderer()
    for entity in AREA_TILES:
        tile = artist(fig, f"tile:{entity}").get_window_extent(renderer)
        for part in ("name", "value"):
            box = artist(fig, f"tile-{part}:{entity}").get_window_extent(renderer)
            inside = tile.x0 <= box.x0 and box.x1 <= tile.x1 and tile.y0 <= box.y0 and box.y1 <= tile.y1
            assert inside, (lang, entity, part)
        name = artist(fig, f"tile-name:{entity}")
        assert name.get_text().replace("\n", " ") == labels.entity_names(REGISTRY, lang)[entity]  # never cut short
        # Wrapped at a space before set smaller: full size over a figure, readable over "not reported".
        assert name.get_fontsize() == plotting.NAME_SIZE if entity != "A12" else name.get_fontsize() >= 8
    name, value = artist(fig, "tile-name:A07"), artist(fig, "tile-value:A07")
    assert name.get_window_extent(renderer).y0 >= value.get_window_extent(renderer).y1  # name above value


def test_wrappings_break_at_spaces_most_evenly_first():
    assert plotting._wrappings("Jiangbei New Area") == [
        "Jiangbei New Area",
        "Jiangbei\nNew Area",
        "Jiangbei\nNew\nArea",
    ]
    assert plotting._wrappings("江北新区") == ["江北新区"]


@pytest.mark.parametrize(
    ("title", "note"),
    [
        (
            "2021年4月 各区已上传表占规定上传表的比例",
            "示意图：每格一个区，位置大致对应各区的相对方位；格子的大小和形状不表示面积和边界。",
        ),
        (
            "Uploaded tables as a share of required tables, by area, April 2021",
            "Schematic: one tile per area, placed roughly where the area lies relative to the others; a tile's size "
            "and shape do not show the area's size or boundaries.",
        ),
    ],
)
def test_the_title_note_colorbar_and_legend_stay_on_the_canvas(title, note):
    values = pd.Series({e: 40.0 for e in AREA_TILES})
    values["A02"] = pd.NA
    fig = plotting.area_tile_map(
        values,
        AREA_TILES,
        title=title,
        names={},
        colorbar_label="Uploaded tables ÷ required tables (%)",
        note=note,
        vmin=0,
        vmax=100,
    )
    fig.set_dpi(plotting.DRAW_DPI)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    canvas = fig.bbox
    texts = [t for ax in fig.axes for t in ax.findobj(Text) if t.get_text().strip()] + list(fig.texts)
    assert {t.get_text() for t in texts} >= {title, "Uploaded tables ÷ required tables (%)", "100"}
    for text in texts:
        box = text.get_window_extent(renderer)
        assert canvas.x0 <= box.x0 and box.x1 <= canvas.x1 and canvas.y0 <= box.y0 and box.y1 <= canvas.y1, text
