"""The month's workbook: a sheet per table with typed numbers and Chinese headers, opened back
with openpyxl and checked against figures read off the bulletin."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from metroanalysis.publish.workbook import text_width, write_workbook


@pytest.fixture(scope="module")
def book(april, tmp_path_factory):
    path = write_workbook(april.folder, tmp_path_factory.mktemp("book") / "bulletin-2021-04.xlsx")
    return load_workbook(path)


def column(sheet, name):
    names = [c.value for c in sheet[2]]
    index = names.index(name)
    return [row[index] for row in sheet.iter_rows(min_row=3, values_only=True)]


def test_the_booking_sheets_subtotals_add_up_to_the_printed_total(book):
    sheet = book["booking_by_hospital"]
    assert sheet["A1"].value == "序号" and sheet.freeze_panes == "A3"
    subtotal = column(sheet, "subtotal")
    assert all(isinstance(v, int) for v in subtotal)
    assert sum(subtotal) == 427194  # 合计 小计, bulletin line 338
    assert len(subtotal) == 35
    cells = next(sheet.iter_rows(min_row=3, max_row=3))
    assert cells[[c.value for c in sheet[2]].index("subtotal")].number_format == "#,##0"


def test_money_is_stored_as_numbers_with_two_decimals(book):
    sheet = book["kiosk_usage"]
    payments = column(sheet, "payment_amount_yuan")
    assert all(isinstance(v, int | float) for v in payments)  # Excel keeps 0.00 as 0
    # 49 rows add to 336,807,013.31 (the printed 合计 on line 1191 says .30)
    assert round(sum(round(v * 100) for v in payments)) == 33680701331
    first = next(sheet.iter_rows(min_row=3, max_row=3))
    assert first[[c.value for c in sheet[2]].index("payment_amount_yuan")].number_format == "#,##0.00"


def test_not_reported_is_an_empty_cell_with_its_flag_beside_it(book):
    sheet = book["upload_by_hospital"]
    declared, reported = column(sheet, "declared_tables"), column(sheet, "declared_reported")
    not_reported = [d for d, r in zip(declared, reported, strict=True) if r is False]
    assert len(not_reported) == 14 and all(d is None for d in not_reported)  # 14 hospitals printed 未反馈


def test_the_first_sheet_says_what_each_sheet_is_and_where_it_came_from(book, april):
    summary = book.worksheets[0]
    assert summary.title == "说明"
    text = [str(c) for row in summary.iter_rows(values_only=True) for c in row if c is not None]
    assert "bulletin.txt" in text and april.package["sources"][0]["sha256"] in text
    assert set(book.sheetnames[1:]) >= {"booking_by_hospital", "kiosk_usage", "quality", "facts"}
    assert "booking_by_hospital.csv" in text


def test_quality_lists_what_is_not_ok_first(book):
    status = column(book["quality"], "status")
    first_ok = status.index("ok")
    assert first_ok > 0 and all(s != "ok" for s in status[:first_ok]) and set(status[first_ok:]) == {"ok"}


def test_widths_count_a_chinese_character_as_two():
    assert text_width("南京") == 4 and text_width("ab") == 2 and text_width(427194) == len("427,194")
