"""The command line: exit codes and one-line messages."""

from __future__ import annotations

import pytest
from conftest import MONTH

from metroanalysis.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["clean"],
        ["clean", "--month", MONTH, "--all"],
        ["clean", "--month"],
        ["frobnicate"],
        ["clean", "--month", MONTH, "--bogus"],
    ],
)
def test_bad_arguments_exit_2_with_one_line(argv, project_copy, capsys):
    code, _out, err = run(capsys, *argv, "--root", str(project_copy)) if argv[:1] == ["clean"] else run(capsys, *argv)
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


def test_clean_all_and_rerun(project_copy, capsys):
    code, _out, err = run(capsys, "clean", "--all", "--root", str(project_copy))
    assert code == 0, err
    assert (project_copy / "data" / "processed" / MONTH / "datapackage.json").is_file()
    # An up-to-date month is not cleaned again, but --strict still reads its checks: the
    # bulletin's one mismatch (its kiosk payment 合计 is 0.01 yuan below its rows) fails it, in
    # one line saying where to read it (its warnings were printed when it was cleaned; -v again).
    code, _out, err = run(capsys, "clean", "--month", MONTH, "--root", str(project_copy), "--strict")
    assert code == 1
    assert err.splitlines() == [
        f"metroanalysis: error: {MONTH}: fails --strict: a mismatch or a missing table "
        f"(see data/processed/{MONTH}/quality.csv)"
    ]
    code, _out, err = run(capsys, "clean", "--month", MONTH, "--root", str(project_copy), "--strict", "-v")
    assert code == 1
    assert err.count("warning:") == 1 and "kiosk_usage.payment_amount_yuan" in err, err


def test_clean_all_with_one_bad_month_cleans_the_others(project_copy, raw_bytes, capsys):
    bad = project_copy / "data" / "raw" / "2021-05"
    bad.mkdir()
    (bad / "bulletin.txt").write_bytes(raw_bytes)  # titles say 2021年4月
    code, _out, err = run(capsys, "clean", "--all", "--root", str(project_copy))
    assert code == 2
    assert (project_copy / "data" / "processed" / MONTH / "datapackage.json").is_file()
    assert not (project_copy / "data" / "processed" / "2021-05").exists()
    errors = [ln for ln in err.splitlines() if ln.startswith("metroanalysis: error:")]
    assert len(errors) == 1 and "2021-05" in errors[0] and "bulletin.txt:38" in errors[0]


def test_an_output_folder_that_cannot_be_made_is_one_line_naming_it(project_copy, capsys):
    processed = project_copy / "data" / "processed"
    if processed.exists():
        import shutil

        shutil.rmtree(processed)
    processed.write_text("a file where the clean tables' folder belongs\n", encoding="utf-8")
    code, _out, err = run(capsys, "clean", "--all", "--root", str(project_copy))
    assert code == 1
    assert err.strip().splitlines() == [f"metroanalysis: error: Not a directory: {processed / '.locks'}"]


def test_all_with_no_months(tmp_path, capsys):
    (tmp_path / "data" / "raw").mkdir(parents=True)
    code, _out, err = run(capsys, "clean", "--all", "--root", str(tmp_path))
    assert code == 2 and "no month folders" in err


@pytest.mark.parametrize("command", ["run", "report"])
def test_no_notebooks_fails_before_any_month_is_cleaned(command, project_copy, tmp_path, capsys):
    empty = tmp_path / "no-notebooks"
    empty.mkdir()
    code, _out, err = run(capsys, command, "--all", "--notebooks", str(empty), "--root", str(project_copy))
    assert code == 2
    assert err.strip().splitlines() == [f"metroanalysis: error: no notebooks named NN-name.ipynb in {empty}"]
    assert not (project_copy / "data" / "processed" / MONTH).exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["--root", "{root}", "clean", "--month", MONTH],
        ["clean", "--month", MONTH, "--root", "{root}"],
        ["--root", "{root}", "--strict", "clean", "--all"],
        ["--force", "clean", "--all", "--root", "{root}"],
    ],
)
def test_shared_options_go_before_or_after_the_subcommand(argv, project_copy, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no project here: the run finds one only through --root
    code, out, err = run(capsys, *[a.format(root=project_copy) for a in argv])
    # --strict took effect: the shipped bulletin's payment 合计 is 0.01 yuan off its 49 rows (line 1191)
    assert code == (1 if "--strict" in argv else 0), err
    assert "cleaned into" in out or "up to date" in out


def test_a_shared_option_the_subcommand_does_not_take_is_one_line(project_copy, capsys):
    code, _out, err = run(capsys, "--strict", "synth", "--from", MONTH, "--month", "2021-05", "--seed", "1")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--strict" in err and "synth" in err


def test_the_command_line_is_built_without_pandas():
    """A nothing-changed rerun must start in well under half a second: building the parser
    (every subcommand, `synth` among them) imports neither pandas nor the table parsers."""
    import subprocess
    import sys

    code = (
        "import sys; from metroanalysis.cli import build_parser; build_parser(); "
        "heavy = ('pandas', 'numpy', 'metroanalysis.parse.tables', 'metroanalysis.synth.generate'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
