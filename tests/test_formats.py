"""Bulletins as received (issue 12): the April bulletin as a saved web page and as a Word file
cleans to the very tables of the text, every number keeps a place a reviewer can follow, the
site's chrome gives no number, and bad files are refused in one line, with nothing written.

The web-page and Word versions are built from the committed text (tests/bulletin_formats.py).
"""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

import docx
import lxml.html
import pandas as pd
import pytest
from bulletin_formats import (
    CHROME_NUMBERS,
    LOGIN_PAGE,
    PAGES,
    WORDS,
    broken_cell,
    document_from_text,
    page,
    short_row,
    word,
)
from conftest import MONTH, RAW_BULLETIN

from metroanalysis.clean import store
from metroanalysis.clean.pipeline import clean_month
from metroanalysis.cli import main
from metroanalysis.parse.located import LOCATION_COLUMNS, read_source
from metroanalysis.paths import Project
from metroanalysis.synth.formats import to_docx, to_html

TEXT = RAW_BULLETIN.read_text(encoding="utf-8")
FACTS_IN_APRIL = 787  # every number of the statistics part (tests/test_facts.py counts them by hand)
QUICK_PAGES = ("utf8", "gb18030")  # the rest of PAGES (and of WORDS) run in the slow suite
QUICK_WORDS = ("docx",)


def project_with(root: Path, name: str, data: bytes) -> Project:
    folder = root / "data" / "raw" / MONTH
    folder.mkdir(parents=True)
    (folder / name).write_bytes(data)
    return Project(root)


def cleaned(root: Path, name: str, data: bytes) -> dict[str, pd.DataFrame]:
    """Every output table, as written to disk and read back."""
    project = project_with(root, name, data)
    clean_month(project, MONTH)
    return {t: store.read_table(project.processed_month(MONTH), t) for t in store.OUTPUT_TABLES}


@pytest.fixture(scope="module")
def from_text(tmp_path_factory) -> dict[str, pd.DataFrame]:
    return cleaned(tmp_path_factory.mktemp("text"), "bulletin.txt", RAW_BULLETIN.read_bytes())


def without_places(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=[c for c in ("source_line", *LOCATION_COLUMNS) if c in df.columns])


def assert_same_tables(got: dict[str, pd.DataFrame], want: dict[str, pd.DataFrame]) -> None:
    for table in store.OUTPUT_TABLES:
        pd.testing.assert_frame_equal(without_places(got[table]), without_places(want[table]), obj=table)


def variants(names, quick, slow_marks=(pytest.mark.slow,)):
    return [pytest.param(n, marks=() if n in quick else slow_marks) for n in names]


@pytest.mark.parametrize("style", variants(PAGES, QUICK_PAGES))
def test_a_saved_web_page_cleans_to_the_tables_of_the_text(style, from_text, tmp_path):
    got = cleaned(tmp_path, "bulletin.html", page(TEXT, style))
    assert_same_tables(got, from_text)
    assert len(got["facts"]) == FACTS_IN_APRIL


@pytest.mark.parametrize("style", variants(WORDS, QUICK_WORDS))
def test_a_word_file_cleans_to_the_tables_of_the_text(style, from_text, tmp_path):
    got = cleaned(tmp_path, "bulletin.docx", word(TEXT, style))
    assert_same_tables(got, from_text)
    assert len(got["facts"]) == FACTS_IN_APRIL


def test_the_pages_really_carry_the_awkward_markup():
    """The styles above are what they claim: merges, wrappers, spaces and charsets."""
    utf8, gb = page(TEXT, "utf8"), page(TEXT, "gb18030")
    assert b'<meta charset="utf-8">' in utf8
    assert b"charset=gb2312" in gb
    with pytest.raises(UnicodeDecodeError):
        gb.decode("utf-8")
    html = gb.decode("gb18030")
    assert '<td rowspan="37" align="center"><p align="center" style="margin:0"><span' in html
    assert "医<br>疗<br>单<br>位" in html and "各<br>区" in html
    assert 'rowspan="2"' in html and 'colspan="3"' in html and "&nbsp;196143\u3000" in html
    assert "　　2021年4月，\r\n    南京12320卫生热线" in html  # indented, wrapped in the source, CRLF
    assert "医<br>" not in page(TEXT, "utf8-declared-gbk").decode("utf-8")


def test_the_word_file_marks_merges_as_word_does():
    data = word(TEXT, "docx")
    xml = docx.Document(io.BytesIO(data)).element.xml
    assert '<w:vMerge w:val="restart"/>' in xml and "<w:vMerge/>" in xml
    assert '<w:gridSpan w:val="2"/>' in xml and '<w:gridSpan w:val="3"/>' in xml
    assert word(TEXT, "docx") == data  # the same document writes the same bytes


def test_a_text_bulletin_has_no_table_places(from_text):
    facts = from_text["facts"]
    assert facts["source_line"].notna().all()
    assert facts[list(LOCATION_COLUMNS)].isna().all().all()


def grid_cell(table, row: int, col: int):
    """The <td> at 1-based (row, grid column) of an HTML table, merges counted as browsers do."""
    taken: set = set()
    for r, tr in enumerate(table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")):
        c = 0
        for td in tr.xpath("./td | ./th"):
            while (r, c) in taken:
                c += 1
            rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            taken.update((r + i, c + j) for i in range(rs) for j in range(cs))
            if (r + 1, c + 1) == (row, col):
                return td
            c += cs
    raise AssertionError(f"no cell at row {row}, column {col}")


@pytest.mark.parametrize("style", ["utf8", "gb18030"])
def test_every_number_of_a_web_page_has_a_place_a_reviewer_can_follow(style, tmp_path):
    data = page(TEXT, style)
    facts = cleaned(tmp_path, "bulletin.html", data)["facts"]
    assert len(facts) == FACTS_IN_APRIL and facts["source_line"].notna().all()
    text = data.decode(PAGES[style].encoding)
    lines = re.split(r"\r\n|\n", text)
    tables = lxml.html.document_fromstring(text).xpath("//table")
    in_cells = facts[facts["source_table"].notna()]
    assert len(in_cells) > 600  # the hotline, remote and footnote figures stand in prose
    for f in in_cells.itertuples():
        td = grid_cell(tables[f.source_table - 1], f.source_row, f.source_col)
        assert td.text_content().strip(" \u00a0\u3000\r\n") == f.printed, f
        assert td.sourceline == f.source_line
    if style == "utf8":  # one line per paragraph and per table row: the printed text is on its line
        for f in facts.itertuples():
            assert f.printed.removesuffix("亿条") in lines[f.source_line - 1], f


def test_every_number_of_a_word_file_has_a_place_a_reviewer_can_follow(tmp_path):
    data = word(TEXT, "docx")
    facts = cleaned(tmp_path, "bulletin.docx", data)["facts"]
    assert len(facts) == FACTS_IN_APRIL
    document = docx.Document(io.BytesIO(data))
    for f in facts.itertuples():
        if pd.notna(f.source_table):
            cell = document.tables[f.source_table - 1].cell(f.source_row - 1, f.source_col - 1)
            assert cell.text.strip("\u3000") == f.printed, f
        else:
            assert f.printed.removesuffix("亿条") in document.paragraphs[f.source_paragraph - 1].text, f
    assert facts["source_line"].isna().all()  # a Word file has no lines


def test_a_page_with_a_title_row_inside_the_table_reads_the_title_as_a_title():
    raw = read_source_bytes(page(TEXT, "gb18030"), ".html")
    titles = [ln.text for ln in raw.lines if ln.text.endswith("预约挂号服务统计表")]
    assert titles == ["2021年4月预约挂号服务统计表"]


def read_source_bytes(data: bytes, suffix: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"bulletin{suffix}"
        path.write_bytes(data)
        return read_source(path)


@pytest.mark.parametrize("style", ["utf8", "gb18030"])
def test_no_number_of_the_site_chrome_reaches_a_table_or_a_fact(style, from_text, tmp_path):
    data = page(TEXT, style)
    text = data.decode(PAGES[style].encoding)
    got = cleaned(tmp_path, "bulletin.html", data)
    for number in CHROME_NUMBERS:
        assert number in text  # the page really shows it
        for tables in (from_text, got):
            facts = tables["facts"]
            assert number not in set(facts["printed"]) and number not in set(facts["value"])
            for name, df in tables.items():
                if name in ("entities", "aliases"):
                    continue
                cells = df.astype("string").fillna("").to_numpy().ravel()
                assert not any(number in str(c) for c in cells), (number, name)


# ---- bad input: exit 2, one line naming the file and the place, nothing written --------------


def refused(root: Path, capsys) -> str:
    code = main(["clean", "--month", MONTH, "--root", str(root)])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("metroanalysis: error: "), err
    processed = root / "data" / "processed"
    assert not (processed / MONTH).exists()
    assert not list(processed.glob(f".{MONTH}*")) if processed.exists() else True
    return lines[0]


def document():
    return document_from_text(TEXT)


def test_a_web_page_cell_that_is_not_a_number_is_refused_with_its_table_row_and_column(tmp_path, capsys):
    broken = broken_cell(document(), "南京鼓楼医院", 6, "196l43")  # 小计 of row 1 of the booking table
    project_with(tmp_path, "bulletin.html", to_html(broken))
    line = refused(tmp_path, capsys)
    assert re.search(r"bulletin\.html:\d+ \(page table \d+, row 2, column 7\), table booking_by_hospital", line)
    assert "'196l43'" in line


def test_a_word_cell_that_is_not_a_number_is_refused_with_its_table_row_and_column(tmp_path, capsys):
    broken = broken_cell(document(), "江宁区", 3, "1385947９x")
    project_with(tmp_path, "bulletin.docx", to_docx(broken))
    line = refused(tmp_path, capsys)
    assert "bulletin.docx (Word table 3, row 3, column 4), table upload_by_district" in line


def test_a_web_page_row_cut_short_is_refused_with_its_place(tmp_path, capsys):
    project_with(tmp_path, "bulletin.html", to_html(short_row(document(), "南京市胸科医院")))
    line = refused(tmp_path, capsys)
    assert re.search(r"bulletin\.html:\d+ \(page table 1, row 14, column 1\), table booking_by_hospital", line)
    assert "row has 6 cells, expected 7" in line


def test_a_word_row_cut_short_is_refused_at_the_cell_left_empty(tmp_path, capsys):
    """A Word table keeps every column of its grid: the lost cell is an empty one."""
    project_with(tmp_path, "bulletin.docx", to_docx(short_row(document(), "南京市胸科医院")))
    line = refused(tmp_path, capsys)
    assert "bulletin.docx (Word table 1, row 14, column 7), table booking_by_hospital" in line
    assert "subtotal is not a whole number: ''" in line


def test_a_page_cut_off_in_its_last_table_is_refused_as_truncated(tmp_path, capsys):
    data = page(TEXT, "utf8")
    cut = data[: data.rindex("南京市胸科医院".encode())]  # the download stopped in the kiosk table
    project_with(tmp_path, "bulletin.html", cut)
    line = refused(tmp_path, capsys)
    assert re.search(r"bulletin\.html:\d+ \(page table \d+, row \d+, column \d+\)", line) and "truncated" in line


def test_a_saved_login_page_is_refused_as_holding_no_bulletin(tmp_path, capsys):
    project_with(tmp_path, "bulletin.html", LOGIN_PAGE)
    line = refused(tmp_path, capsys)
    assert "bulletin.html: the page holds no bulletin" in line


@pytest.mark.parametrize(
    ("name", "data", "advice"),
    [
        ("bulletin.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "save it as .docx"),
        ("bulletin.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "save it as .docx"),  # renamed
        ("bulletin.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "save the bulletin's web page as bulletin.html"),
        ("bulletin.docx", b"not a zip at all", "save it again as .docx"),
    ],
)
def test_a_file_that_cannot_be_read_says_what_to_do_instead(name, data, advice, tmp_path, capsys):
    project_with(tmp_path, name, data)
    line = refused(tmp_path, capsys)
    assert name in line and advice in line


def test_two_bulletins_in_one_month_folder_are_refused_naming_both(tmp_path, capsys):
    project_with(tmp_path, "bulletin.txt", RAW_BULLETIN.read_bytes())
    (tmp_path / "data" / "raw" / MONTH / "bulletin.html").write_bytes(page(TEXT, "utf8"))
    line = refused(tmp_path, capsys)
    assert "bulletin.html and bulletin.txt" in line


def test_two_bulletins_in_one_month_do_not_stop_the_other_months(tmp_path, capsys):
    project_with(tmp_path, "bulletin.docx", word(TEXT, "docx"))
    may = tmp_path / "data" / "raw" / "2021-05"
    may.mkdir()
    (may / "bulletin.txt").write_text("两份公报", encoding="utf-8")
    (may / "bulletin.docx").write_bytes(b"PK\x03\x04")
    assert main(["clean", "--all", "--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert [line for line in err if line.startswith("metroanalysis: error")] == [
        f"metroanalysis: error: {may}: two bulletins in one month folder (bulletin.docx and bulletin.txt):"
        " keep only the one as received"
    ]
    # the other month was cleaned: its one warning is the payment 合计 (no line in a Word file)
    assert [line for line in err if line.startswith("warning")] == [
        "warning: 2021-04: kiosk_usage.payment_amount_yuan (合计) printed 336807013.30, computed 336807013.31,"
        " difference -0.01 (printed_total_equals_sum)"
    ]
    assert (tmp_path / "data" / "processed" / MONTH / "facts.csv").is_file()
    assert not (tmp_path / "data" / "processed" / "2021-05").exists()


def test_a_month_folder_with_a_web_page_or_word_file_is_a_month(tmp_path):
    project = project_with(tmp_path, "bulletin.docx", word(TEXT, "docx"))
    (tmp_path / "data" / "raw" / "2021-05").mkdir()
    (tmp_path / "data" / "raw" / "2021-05" / "bulletin.htm").write_bytes(page(TEXT, "utf8"))
    (tmp_path / "data" / "raw" / "2021-06").mkdir()
    (tmp_path / "data" / "raw" / "2021-06" / "notes.txt").write_text("not a bulletin")
    assert project.months() == ["2021-04", "2021-05"]
    assert project.bulletin("2021-05").name == "bulletin.htm"


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["html", "docx"])
def test_synth_writes_a_month_as_a_web_page_or_word_file_that_cleans_like_its_text(kind, tmp_path, capsys):
    tables = {}
    for fmt in ("txt", kind):
        root = tmp_path / fmt
        project_with(root, "bulletin.txt", RAW_BULLETIN.read_bytes())
        args = ["synth", "--from", MONTH, "--month", "2021-05", "--seed", "7", "--root", str(root), "--into-raw"]
        assert main([*args, "--format", fmt]) == 0
        assert main(["clean", "--month", "2021-05", "--root", str(root)]) == 0
        folder = root / "data" / "processed" / "2021-05"
        tables[fmt] = {t: store.read_table(folder, t) for t in store.OUTPUT_TABLES}
        assert (root / "data" / "raw" / "2021-05" / f"bulletin.{fmt}").is_file()
        assert '"synthetic": true' in (folder / "datapackage.json").read_text(encoding="utf-8")
    capsys.readouterr()
    assert_same_tables(tables[kind], tables["txt"])
