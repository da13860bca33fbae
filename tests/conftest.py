"""Shared fixtures: the real bulletin, its parse, and throw-away projects built from its bytes.

Shared by several test files (only add here, never remove).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from metroanalysis.bulletin import ParsedBulletin, parse_bulletin
from metroanalysis.reading import read_bulletin

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MONTH = "2021-04"
RAW_BULLETIN = PROJECT_ROOT / "data" / "raw" / MONTH / "bulletin.txt"


@pytest.fixture(scope="session")
def raw_bytes() -> bytes:
    """The committed raw bulletin, byte for byte (never written to)."""
    return RAW_BULLETIN.read_bytes()


@pytest.fixture(scope="session")
def raw_lines(raw_bytes) -> list[str]:
    """The raw bulletin's lines; raw_lines[n - 1] is line n as the parser numbers it."""
    return raw_bytes.decode("utf-8").split("\n")


@pytest.fixture(scope="session")
def parsed() -> ParsedBulletin:
    """The real bulletin parsed once per session (treat as read-only)."""
    return parse_bulletin(read_bulletin(RAW_BULLETIN), MONTH)


@pytest.fixture
def make_project(tmp_path) -> Callable[..., Path]:
    """make_project(data, month="2021-04") → a project root in tmp_path whose
    data/raw/MONTH/bulletin.txt holds `data` (bytes or str, written as UTF-8)."""

    def make(data: bytes | str, month: str = MONTH, root: Path | None = None) -> Path:
        root = root or tmp_path / "project"
        folder = root / "data" / "raw" / month
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "bulletin.txt").write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return root

    return make


@pytest.fixture
def project_copy(tmp_path, raw_bytes) -> Path:
    """A fresh project in tmp_path holding only the real bulletin under data/raw/2021-04."""
    root = tmp_path / "copy"
    (root / "data" / "raw" / MONTH).mkdir(parents=True)
    shutil.copyfile(RAW_BULLETIN, root / "data" / "raw" / MONTH / "bulletin.txt")
    return root
