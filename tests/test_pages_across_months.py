"""Reviewers get the numbers: the month's data published beside its reports (CSVs, data package,
workbook), a page per hospital and area across months, one quality page for every month, and
every link still resolving after reports/ is copied elsewhere.

Two months: the real April 2021 bulletin and a generated May (`metroanalysis synth`)."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pandas as pd
import pytest
from months import two_cleaned_months
from openpyxl import load_workbook

from metroanalysis import load_all_months, load_month
from metroanalysis.analysis.notebook import source_line
from metroanalysis.cli import main
from metroanalysis.publish.data import publish_workbook
from metroanalysis.publish.entity_pages import write_entity_pages
from metroanalysis.publish.quality_page import write_quality_page
from metroanalysis.publish.site import write_month_index, write_root_index
from metroanalysis.run.runner import publish_data

REPO = Path(__file__).resolve().parents[1]
MONTHS = ("2021-04", "2021-05")
LANGS = ("zh", "en")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A scratch project with both months cleaned, their data published and the pages across
    months built in both languages (no notebooks: the month indexes only)."""
    root = tmp_path_factory.mktemp("pages")
    two_cleaned_months(root)
    reports = root / "reports"
    for month in MONTHS:
        publish_data(root / "data" / "processed" / month, reports / month / "data")
        assert publish_workbook(root / "data" / "processed" / month, reports) is True
        write_month_index(reports / month, month, [], "zh")
        write_month_index(reports / month / "en", month, [], "en")
    assert write_entity_pages(root / "data" / "processed" / "all", reports, LANGS, root=root) is True
    assert write_quality_page(root / "data" / "processed" / "all", reports, LANGS, root=root) is True
    write_root_index(reports)
    return root


def page(path: Path):
    return lxml.html.fromstring(path.read_text(encoding="utf-8"))


def section_rows(doc, table: str) -> dict[str, list[str]]:
    """The rows of an entity page's section for `table`: month label → the cells' text."""
    rows = doc.xpath(f'//section[@id="{table}"]//table/tbody/tr')
    return {r.xpath("string(th)").strip(): [td.text_content().strip() for td in r.xpath("td")] for r in rows}


# ---------------------------------------------------------------------------------------------
# A page per hospital and area


def test_one_hospitals_bookings_equal_the_clean_tables_in_each_month(project):
    doc = page(project / "reports" / "entities" / "H001.html")
    shown = section_rows(doc, "booking_by_hospital")
    assert set(shown) == {"2021年4月", "2021年5月"}
    for month in MONTHS:
        row = load_month(month, root=project).booking_by_hospital.query("entity_id == 'H001'").iloc[0]
        label = f"2021年{int(month[-2:])}月"
        channels = ["online_12320", "phone", "in_clinic", "third_party", "subtotal"]
        assert shown[label] == [f"{int(row[c]):,}" for c in channels] + [str(int(row["source_line"]))]
    # April as printed: bulletin lines 53-59, 南京鼓楼医院 64543 11649 40045 79906 小计 196143
    assert shown["2021年4月"] == ["64,543", "11,649", "40,045", "79,906", "196,143", "53"]


def test_every_hospital_and_area_page_shows_every_months_figures(project):
    stacked = load_all_months(root=project).tables
    tables = ["booking_by_hospital", "kiosk_usage", "upload_by_hospital", "upload_by_district", "remote_coverage"]
    entities = stacked["entities"].query("month == '2021-05'")
    kinds = dict(zip(entities["entity_id"], entities["kind"], strict=True))
    checked = set()
    for table in tables:
        df = stacked[table].dropna(subset=["entity_id"])
        for entity_id, part in df.groupby("entity_id"):
            if kinds[entity_id] not in ("hospital", "hospital_campus", "district", "new_area"):
                continue
            for lang, folder, labels in [
                ("zh", "", {"2021-04": "2021年4月", "2021-05": "2021年5月"}),
                ("en", "en", {"2021-04": "April 2021", "2021-05": "May 2021"}),
            ]:
                shown = section_rows(page(project / "reports" / "entities" / folder / f"{entity_id}.html"), table)
                assert {labels[m] for m in part["month"]} <= set(shown), (entity_id, table, lang)
            checked.add(entity_id)
    hospitals = {e for e in checked if e.startswith("H")}
    areas = {e for e in checked if e.startswith("A")}
    assert len(hospitals) >= 40 and len(areas) == 12
    index = (project / "reports" / "entities" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{e}.html"' in index for e in checked)


def test_a_series_gets_a_chart_once_there_are_two_months(project):
    doc = page(project / "reports" / "entities" / "H001.html")
    charts = doc.xpath('//section[@id="booking_by_hospital"]//figure[@class="chart"]//svg')
    assert len(charts) == 1
    # the five series (four channels and the subtotal), each a line through its two months
    lines = charts[0].xpath(".//polyline")
    assert len(lines) == 5 and all(len(line.get("points").split()) == 2 for line in lines)
    legend = doc.xpath('string(//section[@id="booking_by_hospital"]//figcaption)')
    assert "12320在线预约" in legend and "小计" in legend
    english = page(project / "reports" / "entities" / "en" / "H001.html")
    drawn = english.xpath('//section[@id="booking_by_hospital"]//figure//svg')[0]
    assert lxml.html.tostring(drawn) == lxml.html.tostring(charts[0])  # one picture for both languages


def test_a_chart_puts_each_month_where_its_value_is_and_leaves_a_missing_month_out():
    """H001's subtotal, 196,143 in April 2021 (booking table, line 53), drawn with a month that
    has no value between two that have: the line breaks there, no dot is drawn at 0."""
    from metroanalysis.publish.entity_charts import PLOT, draw

    svg, width = draw(["2021-04", "2021-05", "2021-06"], [(196143.0, None, 98071.5)])
    doc = lxml.html.fromstring(str(svg))
    dots = [(float(c.get("cx")), float(c.get("cy"))) for c in doc.xpath("//circle")]
    assert len(dots) == 2 and doc.xpath("//polyline") == []  # two runs of one point: no line joins them
    bottom = PLOT[3]
    labels = {t.text_content(): float(t.get("y")) for t in doc.xpath("//text") if t.get("text-anchor") == "end"}
    top_tick = min(labels, key=labels.get)  # the highest label on the page
    assert top_tick == "200k" and labels["0"] > labels["200k"]  # round steps from 0 up past the largest
    (x1, y1), (x2, y2) = dots
    assert x1 < x2 and abs((bottom - y2) * 2 - (bottom - y1)) < 0.2  # half the value, half the height
    assert width == 326


def test_the_charts_across_months_are_written_without_a_plotting_library():
    """Adding a month changes every chart across months (issue 26): they are written from the
    numbers, so a few hundred over ten years cost what writing their text costs, not a drawing each."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from metroanalysis.publish.entity_charts import draw\n"
        "svg, width = draw(['2021-04', '2021-05'], [(1.0, 2.0)])\n"
        "print(svg.startswith('<svg'), 'matplotlib' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["True", "False"], done.stderr[-2000:]


def test_an_area_page_shows_its_coverage_and_not_reported_uploads_say_so(project):
    doc = page(project / "reports" / "entities" / "A08.html")  # 江宁区
    assert doc.xpath("string(//h1)") == "江宁区"
    coverage = section_rows(doc, "remote_coverage")
    assert set(coverage) == {"2021年4月", "2021年5月"}
    # April: 江宁区 is connected to all four platforms (none of the lines 386-392 lists it as not connected)
    assert coverage["2021年4月"][:4] == ["✓", "✓", "✓", "✓"]
    hospital = page(project / "reports" / "entities" / "H036.html")  # 江苏省中医院: 未反馈/83 on line 560
    uploads = section_rows(hospital, "upload_by_hospital")
    assert uploads["2021年4月"][0] == "未反馈" and uploads["2021年4月"][-1] == "560"


def test_pages_show_printed_names_and_the_registrys_aliases(project):
    doc = page(project / "reports" / "entities" / "H009.html")  # 东南大学附属中大医院
    names = doc.xpath('//section[@id="names"]//td/text()')
    assert "南大学附属中大医院" in names  # printed so in the booking table, an alias in aliases.csv


# ---------------------------------------------------------------------------------------------
# One quality page for all months


def test_the_quality_page_lists_every_non_ok_check_of_every_month_newest_first(project):
    quality = load_all_months(root=project).quality
    not_ok = quality[quality["status"] != "ok"]
    assert set(not_ok["month"]) == set(MONTHS)
    doc = page(project / "reports" / "quality" / "index.html")
    rows = doc.xpath("//h2[1]/following-sibling::table[1]/tbody/tr")
    assert len(rows) == len(not_ok)
    months = [r.xpath("string(th)").strip() for r in rows]
    assert months == sorted(months, key=lambda m: m != "2021年5月")  # May first, then April
    shown = {
        (r.xpath("string(th)").strip(), r.xpath("string(td[3])").strip(), r.xpath("string(td[4])").strip())
        for r in rows
    }
    for r in not_ok.itertuples():
        label = f"2021年{int(r.month[-2:])}月"
        assert (label, "" if pd.isna(r.printed) else r.printed, "" if pd.isna(r.computed) else r.computed) in shown
    # the real bulletin's one mismatch: kiosk payments 合计 printed 336807013.30 on line 1191
    text = doc.text_content()
    assert "336807013.30" in text and "data/raw/2021-04/bulletin.txt · 第 1191 行" in text


def test_the_quality_page_lists_every_missing_value_with_its_line(project):
    doc = page(project / "reports" / "quality" / "index.html")
    rows = doc.xpath('//h2[@id="missing"]/following-sibling::table[1]/tbody/tr')
    april = [r for r in rows if r.xpath("string(th)").strip() == "2021年4月"]
    not_reported = [r for r in april if "未反馈" in r.xpath("string(td[4])")]
    assert len(not_reported) == 14  # 14 hospitals printed 未反馈 in April's upload table
    assert any("第 560 行" in r.xpath("string(td[5])") for r in not_reported)  # 江苏省中医院


def test_the_quality_page_lists_the_printed_zeros_read_as_not_reported(project):
    doc = page(project / "reports" / "quality" / "index.html")
    rows = doc.xpath('//h2[@id="missing"]/following-sibling::table[1]/tbody/tr')
    april = [r for r in rows if r.xpath("string(th)").strip() == "2021年4月"]
    zeros = [r for r in april if "按规则视为未报告" in r.xpath("string(td[4])")]
    # 14 kiosk units × 4 values (terminals, no transaction), 秦淮区's 0 hypertension and diabetes
    # records (lines 491, 492), 南京脑科医院's 0 discharges (line 694)
    assert len(zeros) == 56 + 2 + 1
    brain = [r for r in zeros if r.xpath("string(td[2])").strip() == "南京脑科医院"]
    assert len(brain) == 1 and "第 694 行" in brain[0].xpath("string(td[5])")
    assert "出院信息上传人次" in brain[0].xpath("string(td[3])")
    assert "脑科医院" in brain[0].xpath("string(td[3])").split("discharge_records", 1)[1]  # the reason
    qinhuai = [r.xpath("string(td[5])") for r in zeros if r.xpath("string(td[2])").strip() == "秦淮区"]
    assert sorted("第 491 行" in w or "第 492 行" in w for w in qinhuai) == [True, True]
    english = page(project / "reports" / "quality" / "en" / "index.html")
    shown = english.xpath('//h2[@id="missing"]/following-sibling::table[1]/tbody/tr')
    assert sum("read as not reported" in r.xpath("string(td[4])") for r in shown) >= 59


def test_the_months_index_links_the_pages_across_months(project):
    index = (project / "reports" / "index.html").read_text(encoding="utf-8")
    assert 'href="entities/index.html"' in index and 'href="quality/index.html"' in index


# ---------------------------------------------------------------------------------------------
# Downloads


def test_each_month_publishes_its_csvs_data_package_and_workbook(project):
    for month in MONTHS:
        data = project / "reports" / month / "data"
        package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
        for resource in package["resources"]:
            assert (data / resource["path"]).read_bytes() == (
                project / "data" / "processed" / month / resource["path"]
            ).read_bytes()
        assert (data / f"bulletin-{month}.xlsx").is_file()
        index = (project / "reports" / month / "index.html").read_text(encoding="utf-8")
        assert f'href="data/bulletin-{month}.xlsx"' in index and 'href="data/booking_by_hospital.csv"' in index
        english = (project / "reports" / month / "en" / "index.html").read_text(encoding="utf-8")
        assert 'href="../data/booking_by_hospital.csv"' in english


def test_pages_are_rebuilt_only_when_their_data_changed(project):
    reports = project / "reports"
    processed = project / "data" / "processed"
    assert publish_workbook(processed / "2021-04", reports) is False
    publish_data(processed / "2021-04", reports / "2021-04" / "data")  # the CSVs again: the workbook stays
    assert (reports / "2021-04" / "data" / "bulletin-2021-04.xlsx").is_file()
    assert publish_workbook(processed / "2021-04", reports) is False
    assert write_entity_pages(processed / "all", reports, LANGS) is False
    assert write_quality_page(processed / "all", reports, LANGS) is False
    assert write_entity_pages(processed / "all", reports, ("zh",)) is False  # English kept, not dropped


def test_export_writes_the_workbook_on_its_own(project, tmp_path):
    assert (
        main(["export", "--month", "2021-04", "--format", "xlsx", "--output", str(tmp_path), "--root", str(project)])
        == 0
    )
    book = load_workbook(tmp_path / "bulletin-2021-04.xlsx")
    names = [c.value for c in book["booking_by_hospital"][2]]
    subtotal = [
        row[names.index("subtotal")] for row in book["booking_by_hospital"].iter_rows(min_row=3, values_only=True)
    ]
    assert sum(subtotal) == 427194  # 合计 小计, bulletin line 338


def test_a_table_names_the_file_and_columns_it_comes_from():
    zh = source_line("booking_by_hospital.csv: hospital, subtotal").data
    link = '<a href="data/booking_by_hospital.csv">booking_by_hospital.csv</a>'
    assert zh == f'<p class="ma-source">{link}: hospital, subtotal</p>'
    assert 'href="../data/kiosk_usage.csv"' in source_line("kiosk_usage.csv: unit", data_href="../data/").data
    with pytest.raises(ValueError):
        source_line("../../secret.csv: x")


# ---------------------------------------------------------------------------------------------
# Links from disk, after reports/ is copied elsewhere


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value and not value.startswith("data:"):
                self.targets.append(value)


def broken_links(folder: Path) -> tuple[int, list[str]]:
    count, broken = 0, []
    for html in folder.rglob("*.html"):
        parser = Links()
        parser.feed(html.read_text(encoding="utf-8"))
        for target in parser.targets:
            url = urlsplit(target)
            assert not url.scheme and not url.netloc, f"{html}: links outside: {target}"
            if url.path:
                count += 1
                if not (html.parent / unquote(url.path)).exists():
                    broken.append(f"{html.relative_to(folder)} → {target}")
    return count, broken


def test_links_resolve_after_reports_is_copied_elsewhere(project, tmp_path):
    copy = shutil.copytree(project / "reports", tmp_path / "shared-drive" / "reports")
    count, broken = broken_links(copy)
    assert count > 1000 and broken == []


def test_no_page_runs_a_script_and_each_keeps_the_csp(project):
    for html in [
        *(project / "reports" / "entities").rglob("*.html"),
        *(project / "reports" / "quality").rglob("*.html"),
    ]:
        text = html.read_text(encoding="utf-8")
        assert "<script" not in text.lower() and "Content-Security-Policy" in text, html


@pytest.mark.slow
def test_a_run_links_every_report_to_its_data_and_the_links_survive_a_copy(project, tmp_path):
    """A real run with a small notebook showing a table with its source, in both languages."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell(
        'month = None\nroot = None\nprocessed_dir = None\nreports_dir = None\nlang = "zh"'
    )
    parameters.metadata["tags"] = ["parameters"]
    english = nbformat.v4.new_markdown_cell("# Bookings")
    english.metadata["tags"] = ["en"]
    notebook.cells = [
        parameters,
        nbformat.v4.new_markdown_cell("# 预约"),
        english,
        nbformat.v4.new_code_cell(
            "from metroanalysis import notebook as nb\n"
            "m = nb.setup(month, root, processed_dir, reports_dir, lang)\n"
            'nb.table(m.booking_by_hospital.head(3), {"hospital": "医院", "subtotal": "小计"},'
            ' source="booking_by_hospital.csv: hospital, subtotal")'
        ),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    root = shutil.copytree(project, tmp_path / "project", ignore=shutil.ignore_patterns("reports"))
    (root / "notebooks").mkdir()
    nbformat.write(notebook, root / "notebooks" / "01-bookings.ipynb")
    assert main(["run", "--all", "--lang", "zh,en", "-j", "2", "--root", str(root)]) == 0
    for month in MONTHS:
        zh = (root / "reports" / month / "01-bookings.html").read_text(encoding="utf-8")
        assert f'href="data/bulletin-{month}.xlsx"' in zh and 'href="data/booking_by_hospital.csv"' in zh
        en = (root / "reports" / month / "en" / "01-bookings.html").read_text(encoding="utf-8")
        assert f'href="../data/bulletin-{month}.xlsx"' in en and 'href="../data/booking_by_hospital.csv"' in en
    entity = (root / "reports" / "entities" / "H001.html").read_text(encoding="utf-8")
    assert 'href="../2021-04/index.html"' in entity  # back to the month's reports
    copy = shutil.copytree(root / "reports", tmp_path / "elsewhere")
    count, broken = broken_links(copy)
    assert count > 1000 and broken == []


def test_pages_built_in_chinese_alone_link_no_english_page(project, tmp_path):
    reports = shutil.copytree(project / "reports", tmp_path / "reports")
    shutil.rmtree(reports / "entities")
    shutil.rmtree(reports / "quality")
    processed = project / "data" / "processed" / "all"
    assert write_entity_pages(processed, reports, ("zh",)) and write_quality_page(processed, reports, ("zh",))
    assert not (reports / "entities" / "en").exists() and 'href="en/' not in (
        reports / "entities" / "H001.html"
    ).read_text(encoding="utf-8")
    count, broken = broken_links(reports)
    assert count > 500 and broken == []


def test_pages_across_months_say_what_they_were_made_from(project):
    sha = load_month("2021-04", root=project).package["sources"][0]["sha256"]
    for html in ("entities/H001.html", "entities/en/index.html", "quality/index.html"):
        assert f"bulletin.txt sha256:{sha[:12]}" in (project / "reports" / html).read_text(encoding="utf-8"), html


def test_the_quality_page_redone_works_out_only_the_months_whose_tables_changed(project, tmp_path, monkeypatch):
    """Each month's zeros read as not reported are kept by the month's clean tables (issue 26):
    redoing the page scans no month again, and the page is the one a scan of every month writes."""
    import metroanalysis.analysis.quality as rules

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1620000000")
    processed, reports = project / "data" / "processed", tmp_path / "reports"
    shutil.copytree(project / "reports", reports)
    shutil.rmtree(reports / ".state", ignore_errors=True)
    assert write_quality_page(processed / "all", reports, LANGS, force=True) is True  # every month scanned
    scanned = {
        lang: (reports / "quality" / sub / "index.html").read_bytes() for lang, sub in (("zh", ""), ("en", "en"))
    }
    calls = []
    original = rules.not_reported_zeros
    monkeypatch.setattr(rules, "not_reported_zeros", lambda *a, **k: calls.append(1) or original(*a, **k))
    assert write_quality_page(processed / "all", reports, LANGS, force=True) is True
    assert calls == []
    for lang, sub in (("zh", ""), ("en", "en")):
        assert (reports / "quality" / sub / "index.html").read_bytes() == scanned[lang]
    assert scanned["zh"].decode("utf-8").count("按规则视为未报告") >= 59  # the zeros are on the page


def test_entity_pages_change_when_the_code_that_draws_or_fills_them_changes(project, monkeypatch):
    """A page's key holds every module that makes it: the charts' and the rows' modules too, not
    only entity_pages.py (a change to how charts are drawn must redo the pages)."""
    from metroanalysis.build import keys as build
    from metroanalysis.publish import entity_pages

    seen: list[str] = []
    original = build.files_digest
    monkeypatch.setattr(
        build, "files_digest", lambda files, base: seen.extend(Path(f).name for f in files) or original(files, base)
    )
    entity_pages.page_key(project / "data" / "processed" / "all", project / "reports", LANGS)
    assert {"entity_pages.py", "entity_data.py", "entity_charts.py", "entity.html.j2"} <= set(seen)


def test_a_long_history_keeps_older_months_on_year_pages_redone_only_when_their_year_changed(
    project, tmp_path, monkeypatch
):
    """Issue 26: an entity's page shows the latest months' rows (here the latest one, in place of
    twelve), and every month's rows are on its year's page; a rebuild for another reason than a
    year's data works out and writes none of that year's pages again."""
    from metroanalysis.publish import entity_pages, site

    monkeypatch.setattr(entity_pages, "RECENT_MONTHS", 1)
    reports = tmp_path / "reports"
    shutil.copytree(project / "reports", reports)
    all_months = project / "data" / "processed" / "all"
    assert write_entity_pages(all_months, reports, LANGS, force=True, root=project) is True
    entity = page(reports / "entities" / "H001.html")
    assert set(section_rows(entity, "booking_by_hospital")) == {"2021年5月"}
    assert entity.xpath('//a[@href="H001-2021.html"]')
    year = section_rows(page(reports / "entities" / "H001-2021.html"), "booking_by_hospital")
    assert set(year) == {"2021年4月", "2021年5月"}
    # 南京鼓楼医院 in April, lines 53-59: 64543 online, 11649 phone, 40045 in clinic, 79906 third party, 196143
    assert year["2021年4月"] == ["64,543", "11,649", "40,045", "79,906", "196,143", "53"]
    english = section_rows(page(reports / "entities" / "en" / "H001-2021.html"), "booking_by_hospital")
    assert set(english) == {"April 2021", "May 2021"}

    rendered: list[str] = []
    original = site.render
    monkeypatch.setattr(
        site, "render", lambda name, lang, **v: rendered.append(v.get("year")) or original(name, lang, **v)
    )
    record = reports / "entities" / ".build.json"
    stale_page_key(record)
    assert write_entity_pages(all_months, reports, LANGS, root=project) is True  # the entity pages: yes
    assert rendered and "2021" not in rendered  # the year pages: none
    (reports / "entities" / "H001-2021.html").unlink()  # a year page gone is written again
    stale_page_key(record)
    rendered.clear()
    assert write_entity_pages(all_months, reports, LANGS, root=project) is True
    assert "2021" in rendered and (reports / "entities" / "H001-2021.html").is_file()


def test_a_month_added_in_a_later_year_redoes_no_page_of_the_years_before(project, tmp_path, monkeypatch):
    """Issue 26: January 2022 arrives; the 2021 pages (entity and quality) are not worked out
    again. The registry's names were part of each year's key with the newest month's date, so
    each new month redid every year's pages: ten years of them."""
    from metroanalysis.publish import entity_pages, site

    monkeypatch.setattr(entity_pages, "RECENT_MONTHS", 1)
    root = tmp_path / "project"
    shutil.copytree(project, root, ignore=shutil.ignore_patterns(".locks"))
    reports, all_months = root / "reports", root / "data" / "processed" / "all"
    assert write_entity_pages(all_months, reports, LANGS, force=True, root=root) is True
    assert write_quality_page(all_months, reports, LANGS, force=True, root=root) is True
    synth = ["synth", "--from", "2021-04", "--month", "2022-01", "--seed", "2", "--into-raw", "--root", str(root)]
    assert main(synth) == 0 and main(["clean", "--all", "--root", str(root)]) == 0
    rendered: list[str] = []
    original = site.render
    monkeypatch.setattr(
        site, "render", lambda name, lang, **v: rendered.append(v.get("year")) or original(name, lang, **v)
    )
    assert write_entity_pages(all_months, reports, LANGS, root=root) is True
    assert write_quality_page(all_months, reports, LANGS, root=root) is True
    assert "2022" in rendered and "2021" not in rendered
    assert (reports / "entities" / "H001-2022.html").is_file() and (reports / "quality" / "2022.html").is_file()


def test_the_pages_across_months_read_the_stacked_tables_once(project, tmp_path, monkeypatch):
    """Both pages built by a run share one read of data/processed/all (at 120 months a read is
    a third of a second of the run's background work)."""
    from metroanalysis.clean import pipeline
    from metroanalysis.paths import find_project
    from metroanalysis.run import runner

    root = tmp_path / "project"
    shutil.copytree(project, root, ignore=shutil.ignore_patterns(".locks"))
    for folder in ("entities", "quality"):
        (root / "reports" / folder / ".build.json").unlink()  # both pages to be built again
    reads: list[str] = []
    original = pipeline.read_month_folder
    monkeypatch.setattr(pipeline, "read_month_folder", lambda m, *a, **k: reads.append(m) or original(m, *a, **k))
    with runner.pages_across_months(find_project(root), root / "reports", LANGS, [], []) as across:
        pass
    assert across.ok and reads == ["all"]
    assert json.loads((root / "reports" / "quality" / ".build.json").read_text(encoding="utf-8"))["key"]
    assert json.loads((root / "reports" / "entities" / ".build.json").read_text(encoding="utf-8"))["key"]


def stale_page_key(record: Path) -> None:
    """The pages' record made to hold another key (as a new month or a template change would),
    each year's key left as it is."""
    kept = json.loads(record.read_text(encoding="utf-8"))
    record.write_text(json.dumps({**kept, "key": "another"}), encoding="utf-8")


def test_a_long_history_lists_older_months_checks_on_the_quality_pages_of_their_years(project, tmp_path, monkeypatch):
    """Issue 26: the quality page lists the latest months (here the latest one) and links every
    month to where its checks are listed; each year's page lists that year's, and is not worked
    out again when only the page's key changed."""
    from metroanalysis.publish import entity_pages, site

    monkeypatch.setattr(entity_pages, "RECENT_MONTHS", 1)
    reports = tmp_path / "reports"
    shutil.copytree(project / "reports", reports)
    all_months = project / "data" / "processed" / "all"
    assert write_quality_page(all_months, reports, LANGS, force=True, root=project) is True
    index = page(reports / "quality" / "index.html")
    listed = {r.xpath("string(th)").strip() for r in index.xpath("//table[1]/tbody/tr")}
    assert listed == {"2021年5月"}
    assert index.xpath('//p[@class="orders"]/a[@href="2021.html#m2021-04"]')
    year = page(reports / "quality" / "2021.html")
    # the real bulletin's one mismatch: kiosk payments 合计 printed 336807013.30 on line 1191
    assert "336807013.30" in year.text_content() and "第 1191 行" in year.text_content()
    assert {r.xpath("string(th)").strip() for r in year.xpath("//table[1]/tbody/tr")} == {"2021年4月", "2021年5月"}
    assert (reports / "quality" / "en" / "2021.html").is_file()

    rendered: list[str] = []
    original = site.render
    monkeypatch.setattr(
        site, "render", lambda name, lang, **v: rendered.append(v.get("year")) or original(name, lang, **v)
    )
    stale_page_key(reports / "quality" / ".build.json")
    assert write_quality_page(all_months, reports, LANGS, root=project) is True
    assert rendered == [None, None]  # the index in both languages, no year page
    # a year page redone later scans no month again: the scans the index did not need are kept
    import metroanalysis.analysis.quality as rules

    scans: list[int] = []
    original_scan = rules.not_reported_zeros
    monkeypatch.setattr(rules, "not_reported_zeros", lambda *a, **k: scans.append(1) or original_scan(*a, **k))
    (reports / "quality" / "2021.html").unlink()
    stale_page_key(reports / "quality" / ".build.json")
    assert write_quality_page(all_months, reports, LANGS, root=project) is True
    assert (reports / "quality" / "2021.html").is_file() and scans == []
