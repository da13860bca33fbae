"""The generator's rewrite of the bulletin's prose: the 12320 hotline paragraphs, one paragraph
per remote-medicine platform (and the areas joining it), and the running totals in the
footnotes."""

from __future__ import annotations

import re
from decimal import Decimal

from metroanalysis.parse.tables.hotline import CATEGORIES as HOTLINE_CATEGORIES
from metroanalysis.parse.tables.remote import PLATFORMS, VOLUMES
from metroanalysis.reference import AREAS
from metroanalysis.synth.layout import Context, Spans

# The clean tables' vocabulary (printed label → schema id) is the parsers' own: the generator
# re-derives the printed layout independently, but names things as the clean tables do.
ALL_JOINED = "，各区均已对接"  # what replaces 未对接的… once no area is left (no digits: not a figure)


def cumulative(lines: list[str], ctx: Context, nm: int) -> list[str]:
    """The running totals in the footnotes: last month's plus this month's (or back again)."""
    rows = []
    bookings = ctx.truth.totals.get(("booking_by_hospital", "subtotal"))
    out = []
    for ln in lines:
        m = re.search(r"截([止至])(\d{1,2})月底，?总预约挂号量为(\d+)次", ln)
        if m and bookings is not None:
            n = max(int(m[3]) + ctx.months_ahead * int(bookings), int(bookings))
            ln = ln[: m.start(3)] + str(n) + ln[m.end(3) :]
            rows.append(("bookings_to_date", "总预约挂号量", f"{n}次", n, "次", f"{m[2]}月底"))
        m = re.search(r"截([止至])(\d{1,2})月底，?区及医院累计校验入库数据(\d+(?:\.\d+)?)亿条", ln)
        if m:
            printed = Decimal(m[3])
            per_month = (Decimal(ctx.upload_volume_total) / 100_000_000).quantize(Decimal("0.01"))
            n = max(printed + ctx.months_ahead * per_month, per_month).quantize(Decimal("0.01"))
            ln = ln[: m.start(3)] + f"{n}" + ln[m.end(3) :]
            rows.append(
                (
                    "records_verified_to_date",
                    "区及医院累计校验入库数据",
                    f"{n}亿条",
                    int(n * 100_000_000),
                    "条",
                    f"{m[2]}月底",
                )
            )
        out.append(ln)
    cols = ["measure", "measure_zh", "printed", "value", "unit", "as_of"]
    order = {"bookings_to_date": 0, "records_verified_to_date": 1}
    rows.sort(key=lambda r: order[r[0]])
    ctx.truth.tables["cumulative_totals"] = [dict(zip(cols, r, strict=True)) for r in rows]
    return out


# ---------------------------------------------------------------- 12320 热线 (prose)


_ITEM = r"(?P<label>[^，、。：:；\d][^，、。：:；]*?)(?P<value>\d+)(?P<unit>个|通|件|人次|次)"


def do_hotline(body: list[str], ctx: Context) -> list[str]:
    """The calls paragraph first (its total is Nanjing's line in the province paragraph)."""
    out = [hotline_calls(ln, ctx) if re.search(r"共受理咨询电话\d+", ln) else ln for ln in body]
    return [hotline_province(ln, ctx) if re.search(r"全省12320共接听电话\d+", ln) else ln for ln in out]


def hotline_calls(ln: str, ctx: Context) -> str:
    sp = Spans(ln)
    tm = sp.find(r"共受理(咨询电话)(\d+)(个|通|人次|次)")
    items = []
    for m in re.finditer(_ITEM, ln[tm.end() :]):
        m = re.compile(_ITEM).match(ln, tm.end() + m.start())
        sp.claimed.append(m.span())
        clause_start = max(ln.rfind(c, 0, m.start()) for c in "，,；;。")
        in_total = ln[clause_start + 1 :].startswith("其中")
        label = re.sub(r"^(其中|受理)+", "", m["label"].strip())
        items.append([m, label, int(m["value"]), in_total])
    for it in items:
        m, label, value, in_total = it
        if HOTLINE_CATEGORIES.get(label) == "phone_bookings" and ctx.booking_phone_total is not None:
            it[2] = ctx.booking_phone_total  # the booking table's 电话预约 合计
        else:
            it[2] = ctx.vary.count(value)
        sp.edit(*m.span("value"), str(it[2]))
    total = sum(it[2] for it in items if it[3])
    sp.edit(*tm.span(2), str(total))
    while sp.find(r"(\d{4}年)?\d{1,2}月"):  # dates are not figures
        pass
    if sp.leftover_numbers() != ["12320"]:
        raise ValueError(f"hotline paragraph has figures the generator does not know: {sp.leftover_numbers()}")
    records = [{"category": "total", "label": tm[1], "calls": total, "unit": tm[3], "in_total": False}]
    for m, label, value, in_total in items:
        records.append(
            {
                "category": HOTLINE_CATEGORIES.get(label),
                "label": label,
                "calls": value,
                "unit": m["unit"],
                "in_total": in_total,
            }
        )
    ctx.truth.tables["hotline_calls"] = records
    ctx.hotline_total = total
    return sp.result()


def hotline_province(ln: str, ctx: Context) -> str:
    sp = Spans(ln)
    tm = sp.find(r"全省12320共接听电话(\d+)(人次|个|次)")
    colon = max(ln.find("："), ln.find(":"))
    records = []
    for m in re.finditer(_ITEM, ln[colon + 1 :]):
        a, b = (x + colon + 1 for x in m.span("value"))
        city = m["label"].strip()
        value = ctx.hotline_total if city in ("南京", "南京市") else ctx.vary.count(int(m["value"]))
        sp.claimed.append((a, b))
        sp.edit(a, b, str(value))
        records.append({"city": city, "calls": value, "unit": m["unit"]})
    total = sum(r["calls"] for r in records)
    sp.edit(*tm.span(1), str(total))
    while sp.find(r"(\d{4}年)?\d{1,2}月"):
        pass
    left = [x for x in sp.leftover_numbers() if x != "12320"]
    if left or not records:
        raise ValueError(f"province paragraph has figures the generator does not know: {left}")
    ctx.truth.tables["hotline_province"] = records
    ctx.truth.totals[("hotline_province", "calls")] = total
    return sp.result()


# ---------------------------------------------------------------- 远程医疗 (prose, one paragraph per platform)


def do_remote(body: list[str], ctx: Context) -> list[str]:
    out, tables = [], {k: [] for k in ("platforms", "volumes", "breakdown", "uploaders", "coverage")}
    for ln in body:
        m = re.match(r"^(南京市远程\S{1,8}?(平台|系统))", ln.strip())
        if m:
            ln = remote_paragraph(ln, m[1], tables, ctx)
        elif re.search(r"\d", ln):
            raise ValueError(f"remote section: figures outside a platform paragraph: {ln[:40]}")
        out.append(ln)
    pending = [(p, a) for p, a in ctx.joins if (p, a) not in ctx.truth.joined]
    if pending:
        raise ValueError(f"join_platform: not printed as not connected: {pending}")
    ctx.truth.tables["remote_platforms"] = tables["platforms"]
    ctx.truth.tables["remote_volumes"] = tables["volumes"]
    ctx.truth.tables["remote_institutions"] = tables["breakdown"]
    ctx.truth.tables["remote_top_uploaders"] = tables["uploaders"]
    ctx.truth.tables["remote_coverage"] = tables["coverage"]
    return out


def remote_paragraph(ln: str, name: str, tables: dict[str, list[dict]], ctx: Context) -> str:
    platform = next((v for k, v in PLATFORMS.items() if k in name), None)
    if platform is None:
        raise ValueError(f"unknown remote platform {name}")
    lead = len(ln) - len(ln.lstrip())
    sp = Spans(ln)
    sp.claimed.append((lead, lead + len(name)))
    row = {
        "platform": platform,
        "platform_zh": name,
        "institutions_connected": None,
        "districts_covered": None,
        "districts_not_connected": None,
        "cities_connected": None,
        "status": None,
    }
    inst = sp.find(r"累计接入(\d+)家医疗机构")
    if m := sp.find(r"(?:联通|连通)(?P<names>[^，。]*?)(\d+)个城市"):
        row["cities_connected"] = int(m[2])  # the cities are named: the count stays
    cov = sp.find(r"覆盖(?:市内)?(\d+)个(?:辖)?区")
    # 未对接的有/是 A、B、C: only the area names belong to the list.
    nc_names, nc_span = [], None
    if m := re.search(r"未对接的(?:有|是|为)", ln):
        end = m.end()
        for part in re.finditer(r"[^、，,。；和]+", ln[m.end() :]):
            if part.group().strip() not in AREAS:
                break
            nc_names.append(part.group().strip())
            end = m.end() + part.end()
        nc_span = (m.start(), end)
        sp.claimed.append(nc_span)
    # Breakdown after 其中, in printed order.
    breakdown = []
    pattern = r"(?:其中，?|[，；、])(?P<cat>[^，；、。\d]{2,20}?)(?P<n>\d+)家(?P<tail>医疗机构)?"
    while m := sp.find(pattern):
        category = re.sub(r"^(其中|以及|南京市内|接入)+", "", m["cat"]) + (m["tail"] or "")
        breakdown.append((m, category, int(m["n"])))
    volumes = []
    for pat, measure, period, label in VOLUMES:
        if m := sp.find(pat):
            volumes.append((m, measure, period, label))
    up = sp.find(r"前三的分别是(?P<list>[^。]*)")
    while sp.find(r"(\d{4}年)?\d{1,2}月(份|底)?"):
        pass
    left = sp.leftover_numbers()
    if left:
        raise ValueError(f"{name}: a figure the generator does not know: {left[0]}")

    # New figures.
    bd_new = [ctx.vary.count(n) for _, _, n in breakdown]
    for (m, category, _), n in zip(breakdown, bd_new, strict=True):
        sp.edit(*m.span("n"), str(n))
        tables["breakdown"].append({"platform": platform, "category_zh": category, "institutions": n})
    if inst:
        src_inst = int(inst[1])
        if breakdown and sum(n for *_, n in breakdown) == src_inst:
            new_inst = sum(bd_new)  # the breakdown lists every kind: it composes the total
        else:
            new_inst = max(ctx.vary.count(src_inst), sum(bd_new))
        sp.edit(*inst.span(1), str(new_inst))
        row["institutions_connected"] = new_inst
    joining = [a for p, a in ctx.joins if p == platform]
    for area in joining:
        if area not in nc_names:
            raise ValueError(f"join_platform: {area} is not printed as not connected to {name}")
        ctx.truth.joined.append((platform, area))
    remaining = [a for a in nc_names if a not in joining]
    if cov:
        covered = int(cov[1]) + len(joining)
        sp.edit(*cov.span(1), str(covered))
        row["districts_covered"] = covered
    if nc_span:
        a, b = nc_span
        if remaining:
            verb = "是" if len(remaining) == 1 else "有"
            sp.edit(a, b, f"未对接的{verb}" + "、".join(remaining))
            row["districts_not_connected"] = "、".join(remaining)
        else:
            # No area left: drop the clause (and its comma); a sentence ending there says so.
            a = a - 1 if ln[a - 1] in "，," else a
            follows = ln[b : b + 1]
            sp.edit(a, b, "" if follows in "，,；" else ALL_JOINED)
        for area in AREAS:
            tables["coverage"].append({"platform": platform, "area": area, "connected": area not in remaining})
    for m, measure, period, label in volumes:
        n = ctx.vary.count(int(m[1]))
        sp.edit(*m.span(1), str(n))
        tables["volumes"].append(
            {"platform": platform, "measure": measure, "measure_zh": label, "value": n, "unit": m[2], "period": period}
        )
    if up:
        base = up.start("list")
        parts, pos = [], 0
        for text in re.split(r"([，、,])", up["list"]):
            if text in "，、," and text:
                pos += len(text)
                continue
            it = re.fullmatch(r"(?P<name>.*?\D)(?P<n>\d+)(?P<unit>份|例|次)", text.strip())
            if not it:
                raise ValueError(f"{name}: top uploader {text!r} is not a name and a count")
            parts.append((base + pos, base + pos + len(text), it["name"], ctx.vary.count(int(it["n"])), it["unit"]))
            pos += len(text)
        ranked = sorted(parts, key=lambda p: -p[3])  # the top three stay in descending order
        for (a, b, *_), (_, _, who, n, unit) in zip(parts, ranked, strict=True):
            sp.edit(a, b, f"{who}{n}{unit}")
        for rank, (_, _, who, n, unit) in enumerate(ranked, start=1):
            tables["uploaders"].append(
                {"platform": platform, "rank": rank, "uploader": who, "records": n, "unit": unit}
            )
    if row["institutions_connected"] is None:
        row["status"] = ln.strip()[len(name) :].strip("，。 ")
    tables["platforms"].append(row)
    return sp.result()
