"""The package imports, and a month lock works, where `fcntl` does not exist (Windows): the
locks come from `filelock`, which picks the platform's own lock."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

WITHOUT_FCNTL = """
import sys
sys.modules["fcntl"] = None  # as on Windows: `import fcntl` raises ImportError
import importlib, pkgutil, warnings
import metroanalysis
warnings.simplefilter("ignore")  # filelock warns that only a soft lock is left on this platform
names = sorted(m.name for m in pkgutil.walk_packages(metroanalysis.__path__, "metroanalysis."))
for name in names:
    importlib.import_module(name)
from metroanalysis.build.locking import month_lock
with month_lock(__import__("pathlib").Path(sys.argv[1]), "2021-04") as holder:
    assert holder.read_text().strip().isdigit()
print(len(names), "modules")
"""


def test_every_module_imports_and_locks_without_fcntl(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", WITHOUT_FCNTL, str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    count = int(proc.stdout.split()[0])
    assert count >= 30  # every module of the package, cli and the report layer among them
