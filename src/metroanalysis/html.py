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
LANGS = ("zh", "en")

# Every word the index pages and the report frame print, in each language of the reports.
TEXT = {
    "zh": {
        "brand": "南京卫生信息月报",
        "all_months": "← 全部月份",
        "month_reports": "{label} 分析报告",
        "month_sub": "南京卫生信息月报 · {label} · 共 {n} 份报告。"
        "点击标题打开报告；每份报告下是从数据得出的一句话结论。",
        "no_finding": "（该报告没有给出一句话结论）",
        "failed": "本次运行失败",
        "keep_good": "；下面链接的是上次成功生成的报告",
        "no_good": "；没有可用的报告",
        "see_ipynb": "查看出错的运行记录（.ipynb）",
        "built": "生成于 {when}",
        "none_yet": "本月还没有报告。",
        "generated": "本页生成于 {when}。",
        "root_title": "南京卫生信息月报 · 分析报告",
        "root_sub": "按月份排列，最新的在前。点击月份查看当月各份报告及其一句话结论。",
        "n_reports": "{n} 份报告",
        "n_failed": "{n} 份运行失败",
        "no_months": "还没有任何月份的报告。",
        "other_lang": "English",
        "synthetic": "合成测试数据，非真实公报",
        "back": "← {label} 全部报告",
        "footer": "由 metroanalysis 根据 {label} 月报数据生成于 {when}。本页不含代码，可离线阅读。",
    },
    "en": {
        "brand": "Nanjing health-information bulletin",
        "all_months": "← All months",
        "month_reports": "Reports for {label}",
        "month_sub": "Nanjing health-information bulletin · {label} · {n} reports. Open a title to read the "
        "report; under each is its one-line finding, written from the data.",
        "no_finding": "(this report gives no one-line finding)",
        "failed": "The latest run failed",
        "keep_good": "; the link opens the last good report",
        "no_good": "; no report is available",
        "see_ipynb": "the failed run (.ipynb)",
        "built": "built {when}",
        "none_yet": "No reports for this month yet.",
        "generated": "Page generated {when}.",
        "root_title": "Nanjing health-information bulletin · reports",
        "root_sub": "Newest month first. Open a month for its reports and their one-line findings.",
        "n_reports": "{n} reports",
        "n_failed": "{n} failed",
        "no_months": "No reports yet.",
        "other_lang": "中文",
        "synthetic": "generated test data, not a real bulletin",
        "back": "← All reports for {label}",
        "footer": "Made by metroanalysis from the {label} bulletin on {when}. No code; readable offline.",
    },
}

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
.figures {{ margin: 8px 0 0; display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 14px; }}
.fig b {{ font-variant-numeric: tabular-nums; }}
"""


@dataclass
class ReportEntry:
    """One report of a month as the month's index shows it."""

    name: str  # "01-channel-shares"
    title: str  # from the notebook's title
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
    headlines: list[tuple[str, str]] = field(default_factory=list)  # (label, formatted value)
    english: bool = False  # an English index exists for the month
    synthetic: bool = False  # generated by `metroanalysis synth`: test data, not a real bulletin


def month_label(month: str, lang: str = "zh") -> str:
    """ "2021-04" → "2021年4月" (or "April 2021")."""
    year, mon = month.split("-")
    if lang == "en":
        import calendar

        return f"{calendar.month_name[int(mon)]} {year}"
    return f"{year}年{int(mon)}月"


def page(title: str, body: str, lang: str = LANG) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def report_item(e: ReportEntry, t: dict[str, str]) -> str:
    number, _, _ = e.name.partition("-")
    title = f'<span class="num">{escape(number)}</span>{escape(e.title)}'
    tag = f'<a class="title" href="{escape(e.name)}.html">' if e.html else '<span class="title">'
    title = f"{tag}{title}{'</a>' if e.html else '</span>'}"
    finding = ""
    if e.html:
        text = escape(e.finding) if e.finding else t["no_finding"]
        finding = f'<p class="finding{"" if e.finding else " meta"}">{text}</p>'
    notes = []
    if e.failed:
        what = t["failed"] + (f"：{escape(e.error)}" if e.error else "")
        notes.append(f'<span class="warn">{what}{t["keep_good"] if e.html else t["no_good"]}</span>')
        notes.append(f'<a href="{escape(e.name)}.ipynb">{t["see_ipynb"]}</a>')
    elif e.built:
        notes.append(t["built"].format(when=escape(e.built)))
    meta = f'<div class="meta">{" · ".join(notes)}</div>' if notes else ""
    cls = ' class="failed"' if e.failed else ""
    return f"<li{cls}>{title}{finding}{meta}</li>"


def month_index(month: str, entries: list[ReportEntry], generated: str, lang: str = LANG) -> str:
    t, label = TEXT[lang], month_label(month, lang)
    items = [report_item(e, t) for e in entries]
    listing = f'<ol class="reports">\n{chr(10).join(items)}\n</ol>' if items else f"<p>{t['none_yet']}</p>"
    up = "../index.html" if lang == LANG else "../../index.html"
    body = (
        f'<nav class="crumbs"><a href="{up}">{t["all_months"]}</a></nav>\n'
        f"<h1>{escape(t['month_reports'].format(label=label))}</h1>\n"
        f'<p class="sub">{escape(t["month_sub"].format(label=label, n=sum(e.html for e in entries)))}</p>\n'
        f"{listing}\n<footer>{escape(t['generated'].format(when=generated))}</footer>"
    )
    return page(f"{t['month_reports'].format(label=label)} · {t['brand']}", body, lang)


def root_index(months: list[MonthEntry], generated: str) -> str:
    t = TEXT[LANG]
    items = []
    for m in sorted(months, key=lambda m: m.month, reverse=True):
        fail = f' · <span class="warn">{t["n_failed"].format(n=m.failed)}</span>' if m.failed else ""
        english = f' · <a href="{escape(m.month)}/en/index.html">English</a>' if m.english else ""
        synthetic = f' · <span class="warn">{t["synthetic"]}</span>' if m.synthetic else ""
        figures = "".join(
            f'<span class="fig">{escape(label)} <b>{escape(value)}</b></span>' for label, value in m.headlines
        )
        cls = ' class="failed"' if m.failed else ""
        items.append(
            f"<li{cls}>"
            f'<a class="title" href="{escape(m.month)}/index.html">{escape(month_label(m.month))}</a>'
            f'<div class="meta">{t["n_reports"].format(n=m.reports)}{fail}{synthetic}{english}</div>'
            + (f'<p class="figures">{figures}</p>' if figures else "")
            + (f'<p class="finding meta">{escape("；".join(m.titles))}</p>' if m.titles else "")
            + "</li>"
        )
    listing = f'<ul class="months">\n{chr(10).join(items)}\n</ul>' if items else f"<p>{t['no_months']}</p>"
    body = (
        f"<h1>{t['root_title']}</h1>\n"
        f'<p class="sub">{t["root_sub"]}</p>\n'
        f"{listing}\n<footer>{escape(t['generated'].format(when=generated))}</footer>"
    )
    return page(t["root_title"], body)
