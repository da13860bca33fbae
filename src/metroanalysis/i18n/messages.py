"""What quality.csv says about each check and each repair, in both languages.

Each message is written once, in Chinese with placeholders, in `MESSAGES` (the source text);
its English is in the catalog beside this module, `messages.en.yml` (gettext's habit, as in the
notebooks: the Chinese text is the key; a message with no entry there is written in Chinese).
`said` fills both with the check's own figures when a month is cleaned: quality.csv's
`message` (English, the same words for the same figures: machine-stable) and `message_zh`
(what the Chinese pages show). Field, table and rule names ({column}, {table}, {names}) are ids,
the same in both languages.

Light on purpose (no pandas): the reading of the raw file uses it too.
"""

from __future__ import annotations

from pathlib import Path

from metroanalysis import i18n

MESSAGES = {
    # the bulletin's arithmetic (checks.py)
    "printed_total_equals_sum": "原文合计（{column}）与 {n} 行之和比较",
    "subtotal_equals_channels": "小计与 12320在线、电话、诊间、第三方四个渠道之和比较",
    "categories_compose_total": "共受理总数与“其中”之后列出的 {n} 个类别之和比较",
    "hotline_phone_bookings_equal_booking_table": "热线段落中的电话预约数与预约表印出的电话预约合计比较",
    "province_nanjing_equals_hotline_total": "全省段落中南京的受理量与热线总数比较",
    "covered_plus_not_connected_is_all_areas": "原文的覆盖区数与 {areas} 个区减去列为未接入的 {uncovered} 个区比较",
    "breakdown_within_institutions": "“其中”之后列出的各类机构之和与累计接入机构数比较",
    "rate_equals_ratio": "印出的 {column} 与 {num} ÷ {den} 比较（在印刷精度之内，即末位的半个单位）",
    "table_present": "本月公报没有印出 {table} 表",
    "entity_in_registry": (
        "第 {line} 行的名称“{name}”不在登记表中（data/reference 的 entities.csv 或 aliases.csv）："
        "保留原名，没有 entity_id"
    ),
    "entity_resembles": (
        "第 {line} 行的名称“{name}”不在登记表中，与登记的“{like}”（{like_id}）相似"
        "（同一前缀，院区或分院不同？）：保留原名，没有 entity_id，请核对"
    ),
    # damage in the raw file, read back (reading.py, bulletin.py)
    "decoded_gb18030": "第 {first} 行按 GB18030 读取，文件其余部分按 UTF-8 读取（混合编码）",
    "decoded_gb18030_lines": "第 {first}–{last} 行按 GB18030 读取，文件其余部分按 UTF-8 读取（混合编码）",
    "eof_mark_removed": "删除了文件末尾的 DOS 文件结束符（Ctrl-Z）",
    "bom_removed": "删除了文件中间粘贴进来的字节顺序标记（BOM，不显示）",
    "invisible_char_removed": "删除了零宽字符（不显示）",
    "soft_line_break": "第 {line} 行中的 {n} 个软换行（Word 的 Shift+Enter、U+2028 等）按行尾读取",
    "space_in_number": "删除了数字中分隔千位的空格",
    "stray_spaces": "删除了单元格和数字周围多余的空格",
    "cells_split": "一行中印了 {n} 个单元格，按 TAB 拆开",
    "cell_rewrapped": "第 {line} 行接续第 {previous} 行的单元格文字",
    "line_rewrapped": "第 {line} 行接续第 {previous} 行的段落",
    "tables_reordered": "各表的印刷顺序与通常不同（{names}）：每张表按自己的标题读取",
    # the bulletin's layout changed, and was read (bulletin.py, tables/): each is a warning
    "title_reworded": "第 {line} 行的标题“{title}”与通常的措辞不同，按其关键词读作 {table} 表",
    "table_continued": "{table} 表在第 {line} 行以“续表”接续，重复印出的 {n} 行表头不计",
    "footnote_reworded": "第 {line} 行的脚注“{text}”措辞不同，按关键词和单位读作 {measure}",
    "footnote_recognised": "第 {line} 行印有带数字的脚注，但认不出它是 {measure}：该数未读取（原文有印出，并非缺失）",
    "new_channel": "{table} 表第 {line} 行的表头多了一列“{name}”：小计等于已知渠道加上它，按新渠道读取（保留原名）",
    "columns_reordered": "{table} 表第 {line} 行表头的列序与通常不同：每列按表头的含义读取",
    "empty_trailing_cells": "{table} 表有 {n} 行末尾多一个空单元格（表头该列也为空），不计",
}
CATALOG = i18n.catalog_path(Path(__file__).resolve(), "en")  # messages.en.yml


def said(key: str, **values) -> dict[str, str]:
    """`MESSAGES[key]` filled with `values`: {"message": its English, "message_zh": the Chinese}."""
    template = MESSAGES[key]
    english = i18n.Translator("en", i18n.read_catalog(CATALOG))
    return {"message": english(template, **values), "message_zh": template.format(**values)}
