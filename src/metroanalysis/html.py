"""The index pages a reviewer opens first: `reports/index.html` (every month, newest first) and
`reports/MONTH/index.html` (the month's reports, each with its one-line finding).

Plain Chinese pages, UTF-8, inline CSS, no script, nothing fetched from the network. Every
text that comes from a notebook or a bulletin (titles, findings, entity names, error messages)
goes through `html.escape`: bulletins are untrusted input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

LANG = "zh"  # ISO 639-1, as nbconvert requires; browsers take it as Simplified Chinese

# The page may load nothing from anywhere and run no script (not even one smuggled in through an
# entity name in a table): inline CSS and embedded images only.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"

# Fonts a Chinese reader's machine already has (macOS, Windows, Linux, Android); nothing downloaded.
FONT_STACK = (
    '-apple-system, BlinkMacSystemFont, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", '
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Segoe UI", '
    "Helvetica, Arial, sans-serif"
)

CSS = f"""
:root {{ color-scheme: light; }}
body {{ font-family: {FONT_STACK}; margin: 0; background: #f6f7f9; color: #1f2328; line-height: 1.7; }}
main {{ max-width: 880px; margin: 0 auto; padding: 32px 24px 48px; }}
h1 {{ font-size: 26px; margin: 0 0 4px; }}
.sub {{ color: #59636e; margin: 0 0 24px; font-size: 14px; }}
nav.crumbs {{ font-size: 14px; margin-bottom: 16px; }}
a {{ color: #0b57d0; text-decoration: none; }}
a:hover {{ text-decoration: underline; }}
ol.reports, ul.months {{ list-style: none; padding: 0; margin: 0; }}
ol.reports li, ul.months li {{ background: #fff; border: 1px solid #d8dee4; border-radius: 8px;
  padding: 14px 18px; margin-bottom: 12px; }}
.title {{ font-size: 18px; font-weight: 600; }}
.num {{ color: #59636e; font-variant-numeric: tabular-nums; margin-right: 6px; }}
.finding {{ margin: 6px 0 0; }}
.meta {{ color: #59636e; font-size: 13px; margin-top: 6px; }}
.failed {{ border-left: 4px solid #cf222e !important; }}
.warn {{ color: #cf222e; }}
footer {{ color: #59636e; font-size: 12px; margin-top: 32px; }}
"""


@dataclass
class ReportEntry:
    """One report of a month as the month's index shows it."""

    name: str  # "01-channel-shares"
    title: str  # from the notebook's first heading
    finding: str | None  # the notebook's one-line finding, None if it gave none
    html: bool  # a good HTML report exists
    failed: bool = False  # the latest run of this notebook failed
    error: str | None = None  # the failure's last line
    built: str | None = None  # when the HTML was made, "YYYY-MM-DD HH:MM"


@dataclass
class MonthEntry:
    month: str
    reports: int
    failed: int
    titles: list[str] = field(default_factory=list)


def month_label(month: str) -> str:
    """ "2021-04" → "2021年4月"."""
    year, mon = month.split("-")
    return f"{year}年{int(mon)}月"


def page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{LANG}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def month_index(month: str, entries: list[ReportEntry], generated: str) -> str:
    label = month_label(month)
    items = []
    for e in entries:
        number, _, _ = e.name.partition("-")
        title = f'<span class="num">{escape(number)}</span>{escape(e.title)}'
        if e.html:
            title = f'<a class="title" href="{escape(e.name)}.html">{title}</a>'
        else:
            title = f'<span class="title">{title}</span>'
        finding = (
            f'<p class="finding">{escape(e.finding)}</p>'
            if e.finding and e.html
            else '<p class="finding meta">（该报告没有给出一句话结论）</p>'
            if e.html
            else ""
        )
        notes = []
        if e.failed:
            what = "本次运行失败" + (f"：{escape(e.error)}" if e.error else "")
            keep = "；下面链接的是上次成功生成的报告" if e.html else "；没有可用的报告"
            notes.append(f'<span class="warn">{what}{keep}</span>')
            notes.append(f'<a href="{escape(e.name)}.ipynb">查看出错的运行记录（.ipynb）</a>')
        elif e.built:
            notes.append(f"生成于 {escape(e.built)}")
        meta = f'<div class="meta">{" · ".join(notes)}</div>' if notes else ""
        cls = ' class="failed"' if e.failed else ""
        items.append(f"<li{cls}>{title}{finding}{meta}</li>")
    listing = f'<ol class="reports">\n{chr(10).join(items)}\n</ol>' if items else "<p>本月还没有报告。</p>"
    body = (
        '<nav class="crumbs"><a href="../index.html">← 全部月份</a></nav>\n'
        f"<h1>{escape(label)} 分析报告</h1>\n"
        f'<p class="sub">南京卫生信息月报 · {escape(label)} · 共 {sum(e.html for e in entries)} 份报告。'
        "点击标题打开报告；每份报告下是从数据得出的一句话结论。</p>\n"
        f"{listing}\n<footer>本页生成于 {escape(generated)}。</footer>"
    )
    return page(f"{label} 分析报告 · 南京卫生信息月报", body)


def root_index(months: list[MonthEntry], generated: str) -> str:
    items = []
    for m in sorted(months, key=lambda m: m.month, reverse=True):
        label = month_label(m.month)
        fail = f' · <span class="warn">{m.failed} 份运行失败</span>' if m.failed else ""
        cls = ' class="failed"' if m.failed else ""
        items.append(
            f'<li{cls}><a class="title" href="{escape(m.month)}/index.html">{escape(label)}</a>'
            f'<div class="meta">{m.reports} 份报告{fail}</div>'
            + (f'<p class="finding">{escape("；".join(m.titles))}</p>' if m.titles else "")
            + "</li>"
        )
    listing = f'<ul class="months">\n{chr(10).join(items)}\n</ul>' if items else "<p>还没有任何月份的报告。</p>"
    body = (
        "<h1>南京卫生信息月报 · 分析报告</h1>\n"
        '<p class="sub">按月份排列，最新的在前。点击月份查看当月各份报告及其一句话结论。</p>\n'
        f"{listing}\n<footer>本页生成于 {escape(generated)}。</footer>"
    )
    return page("南京卫生信息月报 · 分析报告", body)
