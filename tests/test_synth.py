"""The synthetic-bulletin generator: generated months clean without a code change and give the
generator's own numbers back exactly; the same seed writes the same file; hospitals and
platform coverage change as asked; the command never writes over a real bulletin."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from metroanalysis.clean.checks import run_checks
from metroanalysis.parse.bulletin import parse_bulletin
from metroanalysis.paths import Project
from metroanalysis.read.text import RawBulletin, split_lines
from metroanalysis.reference import AREAS
from metroanalysis.synth.args import add_synth_parser
from metroanalysis.synth.generate import MARK, Truth, generate
from metroanalysis.synth.layout import records_of

ROOT = Path(__file__).resolve().parents[1]
SOURCE_MONTH = "2021-04"
SOURCE = (ROOT / "data" / "raw" / SOURCE_MONTH / "bulletin.txt").read_text(encoding="utf-8")
NEW = ["南京市江心洲医院", "南京仙林湖医院"]  # names printed nowhere in the real bulletin


def parse_text(text: str, month: str):
    return parse_bulletin(RawBulletin("<synth>", "utf-8", "", split_lines(text)), month)


def assert_round_trip(tables, printed_totals, truth: Truth) -> None:
    """Every table the generator wrote comes back exactly, row by row, and every printed total."""
    assert set(truth.tables) >= {
        "hotline_calls",
        "hotline_province",
        "booking_by_hospital",
        "booking_by_channel",
        "remote_platforms",
        "remote_volumes",
        "remote_institutions",
        "remote_top_uploaders",
        "remote_coverage",
        "upload_by_district",
        "upload_by_hospital",
        "kiosk_usage",
        "cumulative_totals",
    }
    for name, want in truth.tables.items():
        got = records_of(tables[name], truth.columns(name))
        assert got == want, name
    got_totals = {(r.table, r.column): Decimal(f"{r.value:.2f}") for r in printed_totals.itertuples(index=False)}
    want_totals = {k: Decimal(v).quantize(Decimal("0.01")) for k, v in truth.totals.items()}
    assert got_totals == want_totals


def assert_consistent(quality) -> None:
    bad = quality[quality["status"].isin(["mismatch", "rounding", "missing"])]
    assert bad.empty, bad.to_string()


@pytest.mark.parametrize(
    ("month", "seed"),
    [("2021-05", 1), ("2021-06", 2), ("2021-12", 3), ("2022-01", 4), ("2021-02", 5), ("2023-07", 6)],
)
def test_round_trip_parse(month, seed):
    text, truth = generate(SOURCE, SOURCE_MONTH, month, seed)
    parsed = parse_text(text, month)
    assert parsed.missing == []
    assert_round_trip(parsed.tables, parsed.printed_totals, truth)
    assert_consistent(run_checks(parsed.tables, parsed.printed_totals, parsed.missing))


@pytest.mark.parametrize(("month", "seed"), [("2021-05", 11), ("2022-01", 12)])
def test_round_trip_clean_month(tmp_path, month, seed):
    """Written where a real month lives and cleaned by the pipeline: quality has no mismatch."""
    from metroanalysis.clean.pipeline import clean_month

    text, truth = generate(SOURCE, SOURCE_MONTH, month, seed, add_hospitals=NEW[:1], drop_hospitals=["南京市胸科医院"])
    folder = tmp_path / "data" / "raw" / month
    folder.mkdir(parents=True)
    (folder / "bulletin.txt").write_text(text, encoding="utf-8")
    result = clean_month(Project(tmp_path), month)
    assert_round_trip(result.tables, result.tables["printed_totals"], truth)
    quality = (result.folder / "quality.csv").read_text(encoding="utf-8-sig")
    assert ",mismatch," not in quality
    assert ",rounding," not in quality
    # the generator's own mark line is no damage: made from a bulletin with none, it repairs none
    assert ",repaired," not in quality


@pytest.mark.parametrize("factor", [0.0, 0.05, 0.5])
def test_other_factors_round_trip(factor):
    text, truth = generate(SOURCE, SOURCE_MONTH, "2021-09", 21, factor=factor)
    parsed = parse_text(text, "2021-09")
    assert_round_trip(parsed.tables, parsed.printed_totals, truth)
    assert_consistent(run_checks(parsed.tables, parsed.printed_totals, parsed.missing))


def test_same_seed_same_file_other_seed_other_file():
    a, ta = generate(SOURCE, SOURCE_MONTH, "2021-05", 7)
    b, tb = generate(SOURCE, SOURCE_MONTH, "2021-05", 7)
    c, _ = generate(SOURCE, SOURCE_MONTH, "2021-05", 8)
    assert a == b and ta == tb
    assert a != c


def test_figures_vary_within_factor():
    factor = 0.2
    _, truth = generate(SOURCE, SOURCE_MONTH, "2021-05", 9, factor=factor)
    source = {
        r["hospital"]: r
        for r in records_of(
            parse_text(SOURCE, SOURCE_MONTH).tables["booking_by_hospital"],
            ["hospital", "online_12320", "phone", "in_clinic", "third_party"],
        )
    }
    changed = 0
    for row in truth.tables["booking_by_hospital"]:
        for col in ("online_12320", "phone", "in_clinic", "third_party"):
            old, new = source[row["hospital"]][col], row[col]
            assert old * (1 - factor) <= new <= old * (1 + factor), (row["hospital"], col)
            changed += old != new
    assert changed > 50


def test_marked_synthetic_and_month_references_rewritten():
    text, _ = generate(SOURCE, SOURCE_MONTH, "2022-01", 4)
    lines = text.split("\n")
    assert lines[0].startswith(MARK)
    parsed = parse_text(text, "2022-01")
    start, end = parsed.stats_lines
    stats = "\n".join(lines[start - 1 : end])
    assert "2021年4月" not in stats and "4月份" not in stats and "截止4月底" not in stats
    assert stats.count("2022年1月") == 8  # the seven table titles and the hotline paragraph
    assert "1月份" in stats and "截止1月底" in stats and "\n1月，全省12320" in stats
    # the generated file is a valid source in its turn: one mark, a month further on
    again, truth = generate(text, "2022-01", "2022-02", 4)
    assert again.count(MARK) == 1
    parsed_again = parse_text(again, "2022-02")
    assert_round_trip(parsed_again.tables, parsed_again.printed_totals, truth)


def test_hospitals_added_and_dropped():
    dropped = ["南京鼓楼医院", "江苏省人民医院"]  # the latter is the first kiosk row: it carries the 位 label
    text, truth = generate(SOURCE, SOURCE_MONTH, "2021-07", 13, add_hospitals=NEW, drop_hospitals=dropped)
    parsed = parse_text(text, "2021-07")
    assert_round_trip(parsed.tables, parsed.printed_totals, truth)
    booking = parsed.tables["booking_by_hospital"]
    assert list(booking["row_number"]) == list(range(1, len(booking) + 1))
    assert len(booking) == 35 - 2 + 2
    subtotals = list(booking["subtotal"])
    assert subtotals == sorted(subtotals, reverse=True)
    for table, column in [
        ("booking_by_hospital", "hospital"),
        ("upload_by_hospital", "hospital"),
        ("kiosk_usage", "unit"),
    ]:
        names = set(parsed.tables[table][column])
        assert set(NEW) <= names, table
        assert not set(dropped) & names, table
    assert truth.dropped_hospitals["南京鼓楼医院"] == ["booking_by_hospital", "upload_by_hospital", "kiosk_usage"]
    assert truth.added_hospitals[NEW[0]] == ["booking_by_hospital", "upload_by_hospital", "kiosk_usage"]
    assert set(parsed.tables["kiosk_usage"]["section_zh"]) == {"医疗单位", "各区"}
    with pytest.raises(ValueError, match="not printed"):
        generate(SOURCE, SOURCE_MONTH, "2021-07", 13, drop_hospitals=["南京不存在医院"])
    with pytest.raises(ValueError, match="already printed"):
        generate(SOURCE, SOURCE_MONTH, "2021-07", 13, add_hospitals=["南京市中医院"])


def coverage(parsed, platform: str) -> dict[str, bool]:
    df = parsed.tables["remote_coverage"]
    df = df[df["platform"] == platform]
    return dict(zip(df["area"], df["connected"].astype(bool), strict=True))


def test_district_joins_a_platform():
    text, truth = generate(SOURCE, SOURCE_MONTH, "2021-08", 17, join_platform={"lab": ["鼓楼区"], "影像": "栖霞区"})
    parsed = parse_text(text, "2021-08")
    assert_round_trip(parsed.tables, parsed.printed_totals, truth)
    assert_consistent(run_checks(parsed.tables, parsed.printed_totals, parsed.missing))
    assert coverage(parsed, "lab")["鼓楼区"] and not coverage(parsed, "lab")["秦淮区"]
    assert coverage(parsed, "imaging")["栖霞区"]
    platforms = parsed.tables["remote_platforms"].set_index("platform")
    assert platforms.loc["lab", "districts_covered"] == 10
    assert platforms.loc["lab", "districts_not_connected"] == "秦淮区、雨花台区"
    assert platforms.loc["imaging", "districts_not_connected"] == "秦淮区"
    assert "未对接的是秦淮区。" in text  # one area left: 是, not 有
    with pytest.raises(ValueError, match="not printed as not connected"):
        generate(SOURCE, SOURCE_MONTH, "2021-08", 17, join_platform=[("lab", "江宁区")])


def test_last_district_joins_sentence():
    """With no area left the 未对接 clause goes; a sentence that ended with it says all joined."""
    text, truth = generate(
        SOURCE,
        SOURCE_MONTH,
        "2021-08",
        19,
        join_platform={"consultation": ["鼓楼区", "玄武区", "秦淮区"], "ecg": "秦淮区"},
    )
    paragraphs = {ln[:12]: ln for ln in text.split("\n") if ln.startswith("南京市远程")}
    consultation = next(v for k, v in paragraphs.items() if "会诊" in k)
    ecg = next(v for k, v in paragraphs.items() if "心电" in k)
    assert "覆盖12个辖区，各区均已对接。其中" in consultation and "未对接" not in consultation
    assert "覆盖12个区的社区卫生服务中心，以及南京都市圈城市的" in ecg and "未对接" not in ecg
    parsed = parse_text(text, "2021-08")
    platforms = parsed.tables["remote_platforms"].set_index("platform")
    assert platforms.loc["ecg", "districts_covered"] == len(AREAS)
    assert_consistent(run_checks(parsed.tables, parsed.printed_totals, parsed.missing))
    assert {r["platform"] for r in truth.tables["remote_coverage"]} == {"consultation", "ecg", "lab", "imaging"}


def test_all_areas_joined_shows_in_coverage():
    text, _ = generate(SOURCE, SOURCE_MONTH, "2021-08", 19, join_platform={"ecg": "秦淮区"})
    parsed = parse_text(text, "2021-08")
    assert coverage(parsed, "ecg") == dict.fromkeys(AREAS, True)


def test_upload_days_fit_the_month():
    for month, days in [("2021-05", 31), ("2022-02", 28), ("2021-06", 30)]:
        _, truth = generate(SOURCE, SOURCE_MONTH, month, 23)
        rows = truth.tables["upload_by_district"] + truth.tables["upload_by_hospital"]
        assert max(r["upload_days"] for r in rows) == days
        assert all(r["declared_tables"] is None or r["declared_tables"] <= r["required_tables"] for r in rows)


# ---------------------------------------------------------------- the command


def run_synth(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="metroanalysis")
    add_synth_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["synth", *argv])
    return args.handler(args)


@pytest.fixture
def project(tmp_path) -> Path:
    folder = tmp_path / "data" / "raw" / SOURCE_MONTH
    folder.mkdir(parents=True)
    (folder / "bulletin.txt").write_text(SOURCE, encoding="utf-8")
    return tmp_path


def test_command_writes_stdout_by_default(project, capsys):
    assert run_synth(["--root", str(project), "--from", SOURCE_MONTH, "--month", "2021-05", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(MARK) and "2021年5月预约挂号服务统计表" in out
    assert sorted(p.name for p in (project / "data" / "raw").iterdir()) == [SOURCE_MONTH]


def test_command_out_and_into_raw(project, capsys, tmp_path):
    base = ["--root", str(project), "--from", SOURCE_MONTH, "--seed", "3"]
    out = tmp_path / "demo" / "bulletin.txt"
    assert run_synth([*base, "--month", "2021-05", "--out", str(out), "--factor", "0.1"]) == 0
    assert out.read_text(encoding="utf-8").startswith(MARK)
    # not into data/raw by --out, and never over a real bulletin
    assert run_synth([*base, "--month", "2021-05", "--out", str(project / "data/raw/2021-05/bulletin.txt")]) == 2
    assert run_synth([*base, "--month", SOURCE_MONTH, "--into-raw"]) == 2
    assert "real bulletin" in capsys.readouterr().err
    assert (project / "data/raw" / SOURCE_MONTH / "bulletin.txt").read_text(encoding="utf-8") == SOURCE
    # --into-raw writes the month, and may replace a synthetic one
    target = project / "data/raw/2021-05/bulletin.txt"
    assert run_synth([*base, "--month", "2021-05", "--into-raw"]) == 0
    first = target.read_text(encoding="utf-8")
    assert run_synth([*base, "--month", "2021-05", "--into-raw", "--seed", "4", "--join", "lab:鼓楼区"]) == 0
    assert target.read_text(encoding="utf-8") != first
    assert re.search(r"未对接的有秦淮区、雨花台区", target.read_text(encoding="utf-8"))
    assert run_synth([*base, "--month", "2021-13"]) == 2
    assert run_synth([*base, "--month", "2021-05", "--join", "lab"]) == 2
