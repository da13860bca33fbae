"""Plausible bulletins for other months, in the printed layout of a real one: for tests and demos.

`generate(source_text, source_month, month, seed)` rewrites a real bulletin's TEXT (never code
constants): titles and month references in the statistics part name the new month, every figure
is varied within ±factor (seeded, deterministic), every subtotal, 合计 and cross-table identity is
recomputed so the bulletin stays consistent, hospitals can be added and dropped (序号 renumbered),
and districts can join a remote platform. It returns the new text and a `Truth`: the generator's
own numbers, per table and per entity, in the clean tables' vocabulary, so a test can check that
cleaning the text gives them back exactly.

The generator reads the layout itself (TAB-prefixed cells one per line, a blank line ending a row,
vertical labels, prose paragraphs); it does not use the parser, so a round trip tests the parser.
A figure it cannot place stops it with a ValueError: it never prints a number it does not own.

The file it writes says it is synthetic on its first line, before 统计数据, where the parser
never looks. `metroanalysis synth` writes to stdout or --out, and into data/raw/ only with
--into-raw, never over a real bulletin.
"""

from __future__ import annotations

import calendar
import random
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from metroanalysis.parse.tables import PRINTED
from metroanalysis.parse.tables import TABLES as DECLARED
from metroanalysis.parse.tables.remote import PLATFORMS
from metroanalysis.parse.tables.spec import Printed
from metroanalysis.read.text import SYNTHETIC_MARK as MARK
from metroanalysis.reference import AREAS
from metroanalysis.synth.grids import (
    declared_grid,
    do_booking,
    do_channel,
    do_kiosk,
    do_upload_district,
    do_upload_hospital,
)
from metroanalysis.synth.layout import Context, Truth, Vary
from metroanalysis.synth.prose import cumulative, do_hotline, do_remote

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_START = re.compile(r"^\s*统计数据\s*$")
_END = re.compile(r"^\s*简\s*讯\s*$")

# Printed section titles (non-TAB lines): the ones the parser finds its tables by.
TITLES = [(p.key, p.title) for p in PRINTED]


def after(order: list[str], key: str, first: str) -> list[str]:
    """`order` with `key` moved to just after `first`."""
    rest = [k for k in order if k != key]
    at = rest.index(first) + 1
    return [*rest[:at], key, *rest[at:]]


# Processing order: printed order, except that the hotline paragraph quotes the booking
# table's phone total, so it is done after the booking tables.
ORDER = after([key for key, _ in TITLES], "hotline", first="channel")


def generate(
    source_text: str,
    source_month: str,
    month: str,
    seed: int,
    factor: float = 0.2,
    add_hospitals: Sequence[str] = (),
    drop_hospitals: Sequence[str] = (),
    join_platform: Mapping[str, Sequence[str] | str] | Sequence[tuple[str, str]] = (),
) -> tuple[str, Truth]:
    """A bulletin for `month` rewritten from `source_text` (the bulletin of `source_month`).

    add_hospitals: names of new hospitals, added to the booking, upload (医院) and kiosk (医疗单位)
      tables with figures drawn from an existing hospital's; dropped_hospitals: names removed from
      every hospital table that prints them exactly (one printed nowhere is an error);
      join_platform: {platform: [areas]} or [(platform, area)]: each area leaves the platform's
      not-connected list and its covered count grows by one. A platform is named by id
      (consultation, ecg, lab, imaging) or by its Chinese key (会诊, 心电, 临检, 影像).
    """
    sy, sm = parse_month(source_month)
    ny, nm = parse_month(month)
    if not 0 <= factor < 1:
        raise ValueError(f"factor {factor} must be in [0, 1)")
    add = [h.strip() for h in add_hospitals]
    if len(set(add)) != len(add) or any(not h for h in add):
        raise ValueError("add_hospitals: names must be distinct and non-empty")
    rng = random.Random(f"metroanalysis-synth|{source_month}|{month}|{seed}|{factor}")
    truth = Truth(source_month, month, seed, factor)
    ctx = Context(
        vary=Vary(rng, factor),
        rng=rng,
        truth=truth,
        months_ahead=(ny * 12 + nm) - (sy * 12 + sm),
        days=calendar.monthrange(ny, nm)[1],
        source_days=calendar.monthrange(sy, sm)[1],
        add=add,
        drop={h.strip() for h in drop_hospitals},
        joins=normalise_joins(join_platform),
    )

    text = source_text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    lines = [ln for ln in lines if not ln.startswith(MARK)]  # a synthetic source: one mark only
    start = next((i for i, ln in enumerate(lines) if _START.match(ln)), None)
    if start is None:
        raise ValueError("source has no 统计数据 heading")
    end = next((i for i in range(start, len(lines)) if _END.match(lines[i])), len(lines))
    stats = lines[start:end]

    # Sections: title index → (key, body) in printed order, each title recognised as the
    # cleaner recognises it (every declared table, reworded titles too).
    from metroanalysis.parse.bulletin import names_table, title_like

    found: list[tuple[int, str]] = []
    declared: dict[str, Printed] = {}
    for i, ln in enumerate(stats):
        spec = names_table(ln)
        if spec is not None:
            found.append((i, spec.key))
            declared[spec.key] = spec
        elif title_like(ln):
            raise ValueError(f"line {start + i + 1}: an unknown table, no module declares it: {ln.strip()}")
    keys = [k for _, k in found]
    if len(set(keys)) != len(keys):
        raise ValueError(f"a section title is printed twice: {keys}")
    bodies = {}
    for n, (i, key) in enumerate(found):
        stop = found[n + 1][0] if n + 1 < len(found) else len(stats)
        bodies[key] = (i, stats[i + 1 : stop])

    handlers = {
        "booking": do_booking,
        "channel": do_channel,
        "hotline": do_hotline,
        "remote": do_remote,
        "upload_district": do_upload_district,
        "upload_hospital": do_upload_hospital,
        "kiosk": do_kiosk,
    }
    order = [*ORDER, *(k for k in bodies if k not in ORDER)]
    new_bodies = {key: handler_for(declared[key], handlers)(bodies[key][1], ctx) for key in order if key in bodies}
    unknown_drop = ctx.drop - ctx.dropped_seen
    if unknown_drop:
        raise ValueError(f"drop_hospitals: not printed in any hospital table: {sorted(unknown_drop)}")

    out_stats = stats[: found[0][0]] if found else list(stats)
    for i, key in found:
        out_stats.append(stats[i])
        out_stats.extend(new_bodies[key])
    out_stats = [rewrite_months(ln, (sy, sm), (ny, nm)) for ln in out_stats]
    out_stats = cumulative(out_stats, ctx, nm)

    head = lines[:start]
    # no space between a figure and Chinese text: the reader removes such spaces as damage
    mark = f"{MARK}（由{source_month}公报改写为{month}，种子{seed}，浮动±{factor}）"
    out = [mark, *head, *out_stats, *lines[end:]]
    return "\n".join(out), truth


def handler_for(spec: Printed, handlers: dict):
    """The generator of a block: its own, or for a table declared as a grid (its columns) the
    generic one; any other says in one line that synth cannot write it."""
    if spec.key in handlers:
        return handlers[spec.key]
    table = DECLARED.get(spec.tables[0])
    if table is None or not table.columns or len(spec.tables) != 1:
        raise ValueError(
            f"synth cannot write table {spec.tables[0]}: it is not declared as a grid (Table.columns)"
            " and synth.py has no generator for it"
        )
    return lambda body, ctx: declared_grid(table, body, ctx)


def parse_month(month: str) -> tuple[int, int]:
    m = _MONTH.match(month or "")
    if not m:
        raise ValueError(f"month {month!r}: expected YYYY-MM")
    return int(m[1]), int(m[2])


def normalise_joins(joins) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    if isinstance(joins, Mapping):
        for platform, areas in joins.items():
            for area in [areas] if isinstance(areas, str) else areas:
                pairs.append((platform, area))
    else:
        pairs = [(p, a) for p, a in joins]
    out = []
    for platform, area in pairs:
        pid = PLATFORMS.get(platform, platform)
        if pid not in PLATFORMS.values():
            pid = next((v for k, v in PLATFORMS.items() if k in platform), None)
        if pid is None:
            raise ValueError(f"join_platform: unknown platform {platform!r}")
        if area not in AREAS:
            raise ValueError(f"join_platform: {area!r} is not one of the areas {AREAS}")
        out.append((pid, area))
    return out


def rewrite_months(line: str, source: tuple[int, int], new: tuple[int, int]) -> str:
    """2021年4月 → 2021年5月, and bare 4月 (4月份, 截止4月底, 4月，…) → 5月, in the statistics part."""
    (sy, sm), (ny, nm) = source, new

    def ym(m: re.Match) -> str:
        return f"{ny}年{nm}月" if (int(m[1]), int(m[2])) == (sy, sm) else m.group()

    def bare(m: re.Match) -> str:
        return f"{nm}月" if int(m[1]) == sm else m.group()

    line = re.sub(r"(\d{4})年(\d{1,2})月", ym, line)
    return re.sub(r"(?<![\d年])(\d{1,2})月(?![\d日])", bare, line)


# ---------------------------------------------------------------- command line


def is_synthetic(path: Path) -> bool:
    if path.suffix.lower() in (".html", ".htm", ".docx"):
        from metroanalysis.parse.located import read_source

        try:  # its first paragraph, as the parsers read it
            return read_source(path).lines[0].text.startswith(MARK)
        except Exception:  # unreadable or no bulletin at all: not one of ours
            return False
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as fh:
            return fh.readline().startswith(MARK)
    except OSError:
        return False


def as_format(text: str, kind: str) -> bytes:
    """The generated bulletin as a text file, a saved web page (with a site's chrome) or a Word file."""
    if kind == "txt":
        return text.encode("utf-8")
    from metroanalysis.synth.formats import document_from_text, to_docx, to_html

    document = document_from_text(text)
    return to_html(document) if kind == "html" else to_docx(document)


def synth_main(args) -> int:
    """Run `metroanalysis synth`; 0 when written, 2 on a bad request (one line on stderr)."""
    from metroanalysis.errors import UsageError
    from metroanalysis.paths import find_project

    try:
        for m in (args.source, args.month):
            if not _MONTH.match(m or ""):
                raise UsageError(f"{m!r}: expected YYYY-MM, e.g. 2021-04")
        project = find_project(args.root)
        source = project.raw / args.source / "bulletin.txt"
        if not source.is_file():
            raise UsageError(f"--from {args.source}: no {source}")
        joins = []
        for j in args.join:
            platform, sep, area = j.partition(":")
            if not sep:
                raise UsageError(f"--join {j!r}: expected PLATFORM:AREA, e.g. lab:鼓楼区")
            joins.append((platform, area))
        from metroanalysis.read.text import decode

        text, _ = decode(source.read_bytes(), str(source))
        try:
            out, _truth = generate(
                text,
                args.source,
                args.month,
                args.seed,
                args.factor,
                add_hospitals=args.add_hospital,
                drop_hospitals=args.drop_hospital,
                join_platform=joins,
            )
        except ValueError as err:
            raise UsageError(str(err)) from None
        raw = project.raw.resolve()
        kind = getattr(args, "format", "txt")
        stale: list[Path] = []
        if args.into_raw:
            from metroanalysis.paths import bulletin_files

            target = project.raw / args.month / f"bulletin.{kind}"
            for existing in bulletin_files(target.parent):
                if not is_synthetic(existing):
                    raise UsageError(f"{existing} is a real bulletin: refusing to overwrite it")
                stale.extend([existing] if existing != target else [])  # one bulletin per month folder
        elif args.out:
            target = Path(args.out)
            if target.resolve().is_relative_to(raw):
                raise UsageError(f"--out {args.out} is under {project.raw}: pass --into-raw to write there")
            if target.exists() and not is_synthetic(target):
                raise UsageError(f"--out {args.out} exists and is not a synthetic bulletin: refusing to overwrite it")
        elif kind == "docx":
            raise UsageError("--format docx writes a file: pass --out FILE or --into-raw")
        else:
            text = out if kind == "txt" else as_format(out, kind).decode("utf-8")
            sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))
            return 0
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(as_format(out, kind))
        for old in stale:
            old.unlink()
        print(f"{args.month}: synthetic bulletin written to {target}", file=sys.stderr)
        return 0
    except UsageError as err:
        print(f"metroanalysis: error: {err}", file=sys.stderr)
        return 2
