"""A 24-month batch: the shipped month plus 23 generated ones clean in one `clean --all`, stack
into data/processed/all, give the generator's figures back, and the trends report for the
newest month charts all 24. Month-over-month figures on a generated pair are checked against
the generator's own numbers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from months import months_after

from metroanalysis import load_all_months
from metroanalysis.analysis.trends import headline_figures, latest_changes
from metroanalysis.cli import main
from metroanalysis.synth.generate import as_format, generate

REPO = Path(__file__).resolve().parents[1]
SOURCE = (REPO / "data" / "raw" / "2021-04" / "bulletin.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    shutil.copytree(REPO / "data" / "raw" / "2021-04", root / "data" / "raw" / "2021-04")
    shutil.copytree(REPO / "data" / "reference", root / "data" / "reference")
    truths = {}
    for seed, month in enumerate(months_after("2021-04", 23), start=1):
        text, truths[month] = generate(SOURCE, "2021-04", month, seed)
        (root / "data" / "raw" / month).mkdir(parents=True)
        kind = ("txt", "html", "docx")[seed % 3]  # months arrive as text, web pages and Word files
        (root / "data" / "raw" / month / f"bulletin.{kind}").write_bytes(as_format(text, kind))
    assert main(["clean", "--all", "--root", str(root)]) == 0
    return root, truths


@pytest.mark.slow
def test_24_months_clean_and_stack(batch):
    root, truths = batch
    stacked = load_all_months(root=root)
    months = sorted(stacked.booking_by_hospital["month"].unique())
    assert len(months) == 24 and months[0] == "2021-04" and months[-1] == "2023-03"
    for month, truth in truths.items():
        got = stacked.booking_by_hospital.query("month == @month")["hospital"].tolist()
        assert got == [r["hospital"] for r in truth.tables["booking_by_hospital"]], month
    # The generated months are consistent; the one mismatch is the real bulletin's kiosk payment
    # 合计 (printed 0.01 yuan below its rows).
    mismatches = stacked.quality[stacked.quality["status"] == "mismatch"]
    assert [tuple(r) for r in mismatches[["month", "table", "column", "difference"]].itertuples(index=False)] == [
        ("2021-04", "kiosk_usage", "payment_amount_yuan", "-0.01")
    ]


@pytest.mark.slow
def test_month_over_month_equals_the_generators_numbers(batch):
    root, truths = batch
    h = headline_figures(load_all_months(root=root).tables)
    bookings = {
        name: sum(r["subtotal"] for r in truths[month].tables["booking_by_hospital"])
        for name, month in [("may", "2021-05"), ("june", "2021-06")]
    }
    change = latest_changes(h, "2021-06").set_index("measure").loc["bookings_total"]
    assert change["previous"] == bookings["may"] and change["value"] == bookings["june"]
    assert change["change"] == bookings["june"] - bookings["may"]
    assert round(change["change_pct"], 6) == round(100 * (bookings["june"] - bookings["may"]) / bookings["may"], 6)


@pytest.mark.slow
def test_a_reports_history_reads_only_the_tables_its_figures_come_from(batch, monkeypatch):
    """Issue 26: facts.csv repeats every number of every month (most of the time reading the
    stacked tables took); the headline figures over the months up to June 2022 leave it unread,
    and equal those worked out from every table read whole."""
    import pandas as pd

    from metroanalysis.clean import store
    from metroanalysis.clean.pipeline import TablesRead

    root, _ = batch
    read: list[str] = []
    original = store.read_table
    monkeypatch.setattr(
        store, "read_table", lambda f, name, stacked=False: read.append(name) or original(f, name, stacked)
    )
    upto = "2022-06"
    lazy = headline_figures(TablesRead(root / "data" / "processed" / "all", True, lambda df: df[df["month"] <= upto]))
    assert read and "facts" not in read and sorted(lazy["month"].unique())[-1] == upto
    whole = {name: df[df["month"] <= upto] for name, df in load_all_months(root=root).tables.items()}
    pd.testing.assert_frame_equal(lazy, headline_figures(whole))


@pytest.mark.slow
def test_a_reports_month_over_month_table_reads_two_months_and_equals_the_whole_historys(batch, monkeypatch):
    """Issue 26: the month-over-month table of reports 01–04 (`nb.changes`) is worked out from the
    report's month and the month folder before it, and equals, for every report's measures, the
    table the whole stacked history gives: in the first two months of the batch, across a year's
    end, in the middle and in the last (every month: 11 s of the gate, for the same code path)."""
    import pandas as pd

    from metroanalysis.analysis import notebook as nb
    from metroanalysis.analysis import trends

    root, _ = batch
    months = ["2021-04", *months_after("2021-04", 23)]
    read: list[str] = []
    original = nb.load_month
    monkeypatch.setattr(nb, "load_month", lambda month, **kw: read.append(month) or original(month, **kw))
    for at, month in ((at, months[at]) for at in (0, 1, 8, 9, 16, 23)):  # 2021-12 → 2022-01 at 8, 9
        m = nb.setup(month, str(root))
        whole = trends.headline_figures(nb.history(m))
        for report, measures in trends.REPORT_MEASURES.items():
            read.clear()
            got = nb.changes(m, measures)
            assert read == months[max(0, at - 1) : at], (month, report)  # the month before, only
            pd.testing.assert_frame_equal(got, trends.change_table(whole, month, measures), obj=f"{month} {report}")
        assert at == 0 or not got.empty


@pytest.mark.slow
def test_a_figure_the_month_before_lacks_is_compared_with_the_latest_month_that_has_it(batch):
    """A measure's previous figure is its latest in any earlier month: where the month before has
    none (its hotline paragraph missing), the months looked at widen until one has it."""
    import pandas as pd

    from metroanalysis.analysis import trends

    root, _ = batch
    whole = load_all_months(root=root).tables
    months = ["2021-04", *months_after("2021-04", 14)]  # up to 2022-06
    month, gap = months[-1], months[-2]

    def without_gap(window: list[str]) -> dict[str, pd.DataFrame]:
        out = {name: df[df["month"].isin(window)] for name, df in whole.items()}
        out["hotline_calls"] = out["hotline_calls"][out["hotline_calls"]["month"] != gap]
        return {name: df.reset_index(drop=True) for name, df in out.items()}

    asked: list[list[str]] = []
    measures = trends.REPORT_MEASURES["channels"]
    got = trends.recent_changes(lambda w: asked.append(w) or without_gap(w), months, month, measures)
    expected = trends.change_table(trends.headline_figures(without_gap(months)), month, measures)
    pd.testing.assert_frame_equal(got, expected)
    assert asked == [months[-2:], months[-4:]]
    by_measure = got.set_index("measure")
    assert by_measure.loc["hotline_calls", "previous_month"] == months[-3]
    assert by_measure.loc["bookings_total", "previous_month"] == gap


@pytest.fixture(scope="module")
def trends_report(batch):
    """The trends report for the newest month of the batch, run once (tests may run in any order,
    on any worker): the notebook's stem and the run's exit code."""
    root, _ = batch
    (root / "notebooks").mkdir(exist_ok=True)
    trends = next((REPO / "notebooks").glob("[0-9][0-9]-trends.ipynb"))
    shutil.copy(trends, root / "notebooks")
    return trends, main(["report", "--month", "2023-03", "--root", str(root)])


@pytest.mark.slow
def test_trends_report_for_the_newest_month_charts_all_24(batch, trends_report):
    root, _ = batch
    trends, code = trends_report
    assert code == 0
    executed = json.loads((root / "reports" / "2023-03" / f"{trends.stem}.ipynb").read_text(encoding="utf-8"))
    pngs = [o for c in executed["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert pngs, "the trends report drew no chart"
    text = (root / "reports" / "2023-03" / f"{trends.stem}.html").read_text(encoding="utf-8")
    assert "2021年4月" in text and "2023年3月" in text  # the series runs from the first month to the last


@pytest.mark.slow
def test_trends_table_over_24_months_shows_the_latest_12_whole(batch, trends_report):
    """A column per month: 24 are too wide to read, and past 27 months pandas cut the table's
    middle columns to "…" under an English "15 rows × 122 columns" (seen at 120 months). The
    table shows the latest 12, whole; the charts still run over all 24 (test above)."""
    import lxml.html

    root, truths = batch
    trends, _ = trends_report
    page = lxml.html.fromstring((root / "reports" / "2023-03" / f"{trends.stem}.html").read_bytes())
    table = page.xpath("//h2[contains(., '主要指标逐月一览')]/following::table[1]")[0]
    headers = [" ".join(th.text_content().split()) for th in table.xpath(".//thead/tr[1]/th")]
    assert headers[3:] == [f"{2022 + (m >= 13)}年{(m - 1) % 12 + 1}月" for m in range(4, 16)]  # 2022年4月 … 2023年3月
    rows = {
        r.xpath("th")[0].text_content(): [td.text_content() for td in r.xpath("td")] for r in table.xpath(".//tbody/tr")
    }
    march = sum(r["subtotal"] for r in truths["2023-03"].tables["booking_by_hospital"])
    assert rows["预约挂号总量"][-1] == f"{march:,}"
    text = page.text_content()
    assert "表中为最近 12 个月" in text and "…" not in table.text_content() and " columns" not in text


@pytest.mark.slow
def test_generated_months_never_pass_for_real_ones(batch, trends_report):
    from metroanalysis import load_month

    root, _ = batch
    assert load_month("2021-04", root=root).synthetic is False
    assert load_month("2021-05", root=root).synthetic is True
    index = (root / "reports" / "index.html").read_text(encoding="utf-8")  # written by the trends report
    assert index.count("合成测试数据，非真实公报") == 1  # only 2023-03 has reports in this batch
    page = (root / "reports" / "2023-03" / "05-trends.html").read_text(encoding="utf-8")
    assert "不是真实公报" in page


@pytest.mark.slow
def test_a_run_with_one_month_changed_says_little_of_the_others(batch, tmp_path, capsys):
    root = tmp_path / "project"
    shutil.copytree(batch[0], root, ignore=shutil.ignore_patterns(".locks"))
    text, _ = generate(SOURCE, "2021-04", "2023-04", 99)  # a 25th month arrives
    (root / "data" / "raw" / "2023-04").mkdir(parents=True)
    (root / "data" / "raw" / "2023-04" / "bulletin.txt").write_text(text, encoding="utf-8")
    capsys.readouterr()

    assert main(["clean", "--all", "--root", str(root)]) == 0
    out, err = capsys.readouterr()
    new = [line for line in (out + err).splitlines() if "2023-04" in line]
    others = [line for line in (out + err).splitlines() if "2023-04" not in line]
    assert new[0].startswith("2023-04: cleaned into") and new[1].startswith("2023-04: checks")
    # the 24 months up to date: one line, and one for the real month's mismatch, said when cleaned
    assert others == [
        "24 months up to date (2021-04 to 2023-03), nothing to clean",
        "warning: 2021-04: a mismatch or a missing table, reported when cleaned "
        "(see data/processed/2021-04/quality.csv, or run with -v)",
    ]

    assert main(["clean", "--all", "--root", str(root), "-v"]) == 0  # -v: every month, its checks
    out, err = capsys.readouterr()
    assert len([line for line in out.splitlines() if "clean tables up to date" in line]) == 25
    assert "payment_amount_yuan (合计) printed 336807013.30" in err
