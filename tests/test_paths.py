"""Where a project's data lives: found from the working folder or --root, never from the install."""

from __future__ import annotations

import pytest

from metroanalysis.errors import UsageError
from metroanalysis.paths import MONTH, check_month, find_project


def test_nearest_folder_upward_with_data_raw(project_copy):
    deep = project_copy / "notebooks" / "drafts"
    deep.mkdir(parents=True)
    assert find_project(start=deep).root == project_copy.resolve()
    assert find_project(root=project_copy).root == project_copy.resolve()


def test_root_without_data_raw_is_refused(tmp_path):
    with pytest.raises(UsageError, match="no data/raw"):
        find_project(root=tmp_path)


def test_no_project_upward(tmp_path):
    with pytest.raises(UsageError, match="--root"):
        find_project(start=tmp_path)


@pytest.mark.parametrize("month", ["2021-04", "1999-12", "2030-01"])
def test_month_pattern_accepts(month):
    assert MONTH.fullmatch(month)


@pytest.mark.parametrize("month", ["2021-4", "2021-04\n", "２０２１-04", "2021_04", "2021-04-01", "", "2021-00"])
def test_month_pattern_refuses(month):
    assert not MONTH.fullmatch(month)


def test_check_month(project_copy):
    project = find_project(root=project_copy)
    assert check_month(project, "2021-04") == "2021-04"
    assert project.bulletin("2021-04") == project.raw / "2021-04" / "bulletin.txt"
    for bad in ["2021-05", "2021-4", "../2021-04", str(project.raw / "2021-04"), None]:
        with pytest.raises(UsageError):
            check_month(project, bad)


def test_months_lists_only_yyyy_mm_folders_with_a_bulletin(project_copy):
    raw = project_copy / "data" / "raw"
    (raw / "2021-05").mkdir()  # no bulletin.txt
    (raw / "notes").mkdir()
    (raw / "notes" / "bulletin.txt").write_text("x", encoding="utf-8")
    (raw / "2021-4").mkdir()
    (raw / "2021-4" / "bulletin.txt").write_text("x", encoding="utf-8")
    assert find_project(root=project_copy).months() == ["2021-04"]
