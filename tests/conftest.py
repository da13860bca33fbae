"""Shared fixtures: the real bulletin, its parse, and throw-away projects built from its bytes.

Shared by several test files (only add here, never remove).
"""

from __future__ import annotations

import shutil
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

from metroanalysis.parse.bulletin import ParsedBulletin, parse_bulletin
from metroanalysis.read.text import read_bulletin


def pytest_configure(config):
    """A suite started in the background (a non-interactive shell's `make test &`) inherits
    Ctrl-C ignored, and so would every command a test starts: the tests that send SIGINT mean a
    terminal's Ctrl-C, which reaches a command that has not asked to ignore it."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


# Property tests (Hypothesis): the gate draws the same examples on every run and machine and
# depends on no example database (`ci`, the default); `make fuzz` draws many new ones each time
# (`--hypothesis-profile=fuzz`), a failure it finds becoming a fixed test of its module.
settings.register_profile("ci", derandomize=True, database=None, max_examples=100, deadline=None)
settings.register_profile("fuzz", max_examples=3000, deadline=None)
settings.load_profile("ci")


def pytest_sessionfinish(session, exitstatus):
    """The kernel folder a test made in this process (`metroanalysis.run.kernels.kernel_folder`,
    for runs started in-process) goes with the session, even where the process then ends
    without its exit handlers (a pytest-xdist worker): the temp folder keeps nothing of ours."""
    import sys

    execute = sys.modules.get("metroanalysis.run.kernels")
    for folder in getattr(execute, "_OWN_FOLDER", []):
        shutil.rmtree(folder, ignore_errors=True)


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


@pytest.fixture(scope="session")
def built_project(tmp_path_factory, worker_id) -> Path:
    """One scratch project with the shipped month cleaned and every report built in Chinese
    and English (`metroanalysis run`), shared by every test that only reads what it made.

    Built once per run, not once per pytest-xdist worker: the first worker to need it builds it
    in the run's shared temporary folder while holding a lock, the others wait and reuse it (the
    pattern pytest-xdist documents; its `xdist_group` marks no longer group tests with pytest 9,
    which derives test ids without the group suffix xdist adds)."""
    from filelock import FileLock

    from metroanalysis.cli import main

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if worker_id != "master" else base
    root = shared / "built-project"
    with FileLock(str(shared / "built-project.lock")):
        if not (root / ".built").is_file():
            if root.exists():
                shutil.rmtree(root)  # a build that stopped half-way
            shutil.copytree(PROJECT_ROOT / "data" / "raw" / MONTH, root / "data" / "raw" / MONTH)
            shutil.copytree(PROJECT_ROOT / "data" / "reference", root / "data" / "reference")
            shutil.copytree(PROJECT_ROOT / "notebooks", root / "notebooks")
            assert main(["run", "--month", MONTH, "--root", str(root), "--lang", "zh,en"]) == 0
            (root / ".built").write_text("ok\n", encoding="utf-8")
    return root


def visible_text(page: str) -> str:
    """What a reader sees of an HTML page: no tags, no style or script, spaces folded."""
    import re

    body = re.sub(r"(?s)<(script|style)[^>]*>.*?</\1>", " ", page)
    body = re.sub(r"(?s)<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", body)


@pytest.fixture(scope="session")
def report_text(built_project) -> Callable[..., str]:
    """report_text("02-kiosk-revenue", lang="zh") → the visible text of that built report."""

    def read(name: str, lang: str = "zh") -> str:
        folder = built_project / "reports" / MONTH / ("" if lang == "zh" else lang)
        return visible_text((folder / f"{name}.html").read_text(encoding="utf-8"))

    return read


@pytest.fixture(scope="session")
def april(tmp_path_factory):
    """The shipped month cleaned into a scratch project (never into the repository) and loaded:
    `april.booking_by_hospital` etc. Read-only."""
    from metroanalysis import load_month

    root = tmp_path_factory.mktemp("april")
    shutil.copytree(PROJECT_ROOT / "data" / "raw" / MONTH, root / "data" / "raw" / MONTH)
    shutil.copytree(PROJECT_ROOT / "data" / "reference", root / "data" / "reference")
    return load_month(MONTH, root=root)
