"""The deliberate bugs of issue 24 as mutants: each is made in the tree, its modules' tests run
(`-m "not slow"`), and the file put back. Every one must be CAUGHT; a SURVIVED line is a test
missing. Run from the project: `.venv/bin/python tests/mutants.py [words of a mutant's name]`
(about 2 minutes for all). Not collected by pytest (no test_ prefix): it edits the sources."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
S = "src/metroanalysis/"
MUTANTS = {
    "verify ignores a missing report output": (
        S + "run/verify.py",
        """                if not target.is_file():
                    found.problems.append(f"{shown(project, target)}: missing")""",
        """                if not target.is_file():
                    pass""",
    ),
    "verify ignores a CSV listed but missing": (
        S + "run/verify.py",
        """            found.problems.append(f"{shown(project, file)}: missing (listed in {shown(project, path)})")""",
        """            pass""",
    ),
    "verify skips the published-copy check": (
        S + "run/verify.py",
        """    folder = out_root / month / provenance.DATA_FOLDER
    if not folder.is_dir():""",
        """    folder = out_root / month / provenance.DATA_FOLDER
    if True:""",
    ),
    "earlier month's tables do not make a report stale": (
        S + "build/keys.py",
        """for m in months if m <= month}""",
        """for m in months if m == month}""",
    ),
    "package versions dropped from the report key": (
        S + "build/keys.py",
        """"versions": digest({"versions": versions(REPORT_PACKAGES), "format": FORMAT}),""",
        """"versions": digest({"format": FORMAT}),""",
    ),
    "printed total looked up by column name alone": (
        S + "analysis/totals.py",
        """match = printed_totals[(printed_totals["table"] == table) & (printed_totals["column"] == column)]""",
        """match = printed_totals[printed_totals["column"] == column]""",
    ),
    "thousands separators in wrong places (1,23 -> 123)": (
        S + "read/text.py",
        r"""_GROUPED = re.compile(r"(?<![\d.,，])\d{1,3}(?:[,，]\d{3})+(?!\d)")""",
        r"""_GROUPED = re.compile(r"(?<![\d.,，])\d{1,3}(?:[,，]\d{2,3})+(?!\d)")""",
    ),
    "breakdown exceeding its total called partial": (
        S + "clean/checks.py",
        '''        if int(row["difference"]) > 0:
            row["status"] = "partial"''',
        '''        if int(row["difference"]) != 0:
            row["status"] = "partial"''',
    ),
    "a rate's 合计 added up like a count": (
        S + "clean/checks.py",
        """    return col is None or col.summed""",
        """    return True""",
    ),
    "a rate checked with a whole unit of slack": (
        S + "clean/checks.py",
        '    status = "ok" if abs(diff) <= half_unit(rate) else "mismatch"',
        '    status = "ok" if abs(diff) <= 1 else "mismatch"',
    ),
    "a reworded title read without a warning": (
        S + "parse/bulletin.py",
        """        if not exact:
            repairs.append(""",
        """        if False:
            repairs.append(""",
    ),
}
TESTS = {
    "verify.py": ["tests/test_provenance.py"],
    "keys.py": ["tests/test_staleness.py", "tests/test_provenance.py", "tests/test_incremental.py"],
    "totals.py": ["tests/test_analysis_stats_totals.py"],
    "text.py": ["tests/test_bad_input.py", "tests/test_damage.py", "tests/test_facts.py"],
    "checks.py": [
        "tests/test_checks.py",
        "tests/test_analysis_quality.py",
        "tests/test_tables_remote.py",
        "tests/test_table_satisfaction.py",
    ],
    "bulletin.py": ["tests/test_table_variants.py", "tests/test_bad_input.py"],
}
only = sys.argv[1:]
for name, (path, old, new) in MUTANTS.items():
    if only and not any(o in name for o in only):
        continue
    file = ROOT / path
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, name
    file.write_text(text.replace(old, new), encoding="utf-8")
    try:
        tests = TESTS[Path(path).name]
        command = [sys.executable, "-m", "pytest", "-n0", "-q", "-x", "-m", "not slow", "-p", "no:cacheprovider"]
        done = subprocess.run([*command, *tests], cwd=ROOT, capture_output=True, text=True, check=False)
        failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED")]
        verdict = "CAUGHT by " + failed[0].split(" - ")[0].removeprefix("FAILED ") if failed else "SURVIVED"
        print(f"{name}: {verdict}", flush=True)
    finally:
        file.write_text(text, encoding="utf-8")
