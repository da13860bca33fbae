"""Adding a month stacks only it (issue 26): data/processed/all/ gets the new month's rows
appended to the files stacked before, and those files are byte for byte what stacking every
month again writes; a month changed or removed restacks them all."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from months import months_after

from metroanalysis.clean import pipeline, store
from metroanalysis.cli import main
from metroanalysis.paths import Project
from metroanalysis.synth.generate import as_format, generate

REPO = Path(__file__).resolve().parents[1]
SOURCE = (REPO / "data" / "raw" / "2021-04" / "bulletin.txt").read_text(encoding="utf-8")


def add_month(root: Path, seed: int, kind: str = "txt") -> str:
    month = months_after("2021-04", seed)[-1]
    text, _ = generate(SOURCE, "2021-04", month, seed)
    (root / "data" / "raw" / month).mkdir(parents=True)
    (root / "data" / "raw" / month / f"bulletin.{kind}").write_bytes(as_format(text, kind))
    return month


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(REPO / "data" / "raw" / "2021-04", root / "data" / "raw" / "2021-04")
    shutil.copytree(REPO / "data" / "reference", root / "data" / "reference")
    add_month(root, 1, "html")
    assert main(["clean", "--all", "--root", str(root)]) == 0
    return root


def stacked_files(root: Path) -> dict[str, bytes]:
    folder = root / "data" / "processed" / "all"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_an_added_month_is_appended_as_a_whole_restack_writes_it(project, monkeypatch):
    add_month(project, 2, "docx")
    read = []
    real = store.read_table
    monkeypatch.setattr(
        store, "read_table", lambda folder, *a, **k: read.append(Path(folder).name) or real(folder, *a, **k)
    )
    assert main(["clean", "--all", "--root", str(project)]) == 0
    assert set(read) == {"2021-06"}, "only the added month's tables are read"
    appended = stacked_files(project)
    shutil.rmtree(project / "data" / "processed" / "all")
    pipeline.stack_months(Project(project))
    assert stacked_files(project) == appended


def test_a_month_cleaned_again_restacks_every_month(project, monkeypatch):
    (project / "data" / "processed" / "2021-04" / "build.json").write_text("{}\n", encoding="utf-8")  # stale
    read = []
    real = store.read_table
    monkeypatch.setattr(
        store, "read_table", lambda folder, *a, **k: read.append(Path(folder).name) or real(folder, *a, **k)
    )
    assert main(["clean", "--all", "--root", str(project)]) == 0
    assert {"2021-04", "2021-05"} <= set(read)


def test_a_month_removed_from_raw_leaves_the_stacked_tables(project):
    shutil.rmtree(project / "data" / "raw" / "2021-05")
    assert main(["clean", "--all", "--root", str(project)]) == 0
    months = set(store.read_table(project / "data" / "processed" / "all", "quality", stacked=True)["month"])
    assert months == {"2021-04"}
