"""The months after a given one, for tests that build a batch of generated months, and a
project of two cleaned months (imported by test modules as `from months import months_after`,
as `bulletin_formats` is)."""

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def two_cleaned_months(root: Path) -> Path:
    """A project at `root`: the shipped April and a May generated from it (seed 1), cleaned and
    stacked by `clean --all`."""
    from metroanalysis.cli import main

    shutil.copytree(REPO / "data" / "raw" / "2021-04", root / "data" / "raw" / "2021-04")
    shutil.copytree(REPO / "data" / "reference", root / "data" / "reference")
    synth = ["synth", "--from", "2021-04", "--month", "2021-05", "--seed", "1", "--into-raw", "--root", str(root)]
    assert main(synth) == 0
    assert main(["clean", "--all", "--root", str(root)]) == 0
    return root


def months_after(first: str, n: int) -> list[str]:
    """The `n` months after `first` ("2021-04", 3 → ["2021-05", "2021-06", "2021-07"])."""
    year, month = (int(x) for x in first.split("-"))
    out = []
    for _ in range(n):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        out.append(f"{year}-{month:02d}")
    return out
