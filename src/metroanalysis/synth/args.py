"""`metroanalysis synth`'s arguments, apart from the generator: building the command line must
not import pandas and the table parsers, or every command (a nothing-changed rerun among them)
would pay for them at start-up. The generator itself is imported when synth runs."""

from __future__ import annotations

import argparse

FORMATS = ("txt", "html", "docx")


def add_synth_parser(subparsers) -> argparse.ArgumentParser:
    """`metroanalysis synth …` on the main command's subparsers; dispatch with args.handler(args)."""
    help_text = "write a synthetic bulletin for another month (tests and demos; marked as such)"
    p = subparsers.add_parser("synth", help=help_text, description=help_text)
    p.add_argument("--from", dest="source", required=True, help="YYYY-MM: the bulletin under data/raw/ to start from")
    p.add_argument("--month", required=True, help="YYYY-MM: the month to write")
    p.add_argument("--seed", required=True, type=int, help="seed: the same seed writes the same file")
    p.add_argument("--factor", type=float, default=0.2, help="figures vary within ±FACTOR (default 0.2)")
    p.add_argument("--add-hospital", action="append", default=[], metavar="NAME", help="a new hospital (repeatable)")
    p.add_argument("--drop-hospital", action="append", default=[], metavar="NAME", help="drop a hospital (repeatable)")
    p.add_argument(
        "--join", action="append", default=[], metavar="PLATFORM:AREA", help="an area joins a platform, e.g. lab:鼓楼区"
    )
    p.add_argument("--root", help="project folder holding data/raw/ (default: found from the current folder)")
    p.add_argument(
        "--format", choices=FORMATS, default="txt", help="text (default), a saved web page (html) or a Word file (docx)"
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument("--out", help="write here instead of stdout (not under data/raw/ unless --into-raw)")
    where.add_argument(
        "--into-raw", action="store_true", help="write data/raw/MONTH/bulletin.EXT (never over a real bulletin)"
    )
    p.set_defaults(handler=run_synth)
    return p


def run_synth(args) -> int:
    from metroanalysis.synth.generate import synth_main

    return synth_main(args)
