"""Every notebook in notebooks/ is committed the way the runner and reviewers of diffs need it:
valid nbformat, no outputs or execution counts (what nbstripout in .pre-commit-config.yaml
enforces; this test catches a commit made without the hook), a name NN-name.ipynb, and exactly
one cell tagged `parameters` that defines month, root, processed_dir, reports_dir and lang."""

from __future__ import annotations

import ast
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from metroanalysis.run.report import NOTEBOOK

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"


def strip_hook() -> tuple[str, list[str]]:
    """The nbstripout hook of .pre-commit-config.yaml: its program and arguments (the project's
    nbstripout settings, written once there)."""
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hook = next(h for repo in config["repos"] for h in repo["hooks"] if h["id"] == "nbstripout")
    return hook["entry"], list(hook.get("args", []))


def strip_command(path: Path) -> str:
    """The exact command that strips `path` as the commit hook does, to show in a failure."""
    entry, args = strip_hook()
    return shlex.join([entry, *args, path.relative_to(REPO).as_posix()])


def strip(path: Path, *extra: str) -> subprocess.CompletedProcess:
    """nbstripout (from this environment, as the hook runs it) with the project's settings."""
    _, args = strip_hook()
    command = [sys.executable, "-m", "nbstripout", *args, *extra, str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


PARAMETERS = {"month", "root", "processed_dir", "reports_dir", "lang"}
# Cell metadata that only an executed or opened notebook carries (nbstripout drops it)
VOLATILE_CELL_METADATA = {"execution", "collapsed", "scrolled", "papermill", "ExecuteTime"}


def notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb")) if NOTEBOOKS.is_dir() else []


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_notebook_is_valid_and_stored_without_outputs(path):
    assert NOTEBOOK.match(path.name), f"{path.name}: name it NN-name.ipynb (two digits, a dash, a slug)"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    for i, cell in enumerate(nb.cells):
        where = f"{path.name} cell {i}"
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{where} has outputs: run `{strip_command(path)}` (or install pre-commit)"
            assert cell.execution_count is None, f"{where} has an execution count: run `{strip_command(path)}`"
        assert not VOLATILE_CELL_METADATA & set(cell.metadata), f"{where} carries execution metadata"
    assert "papermill" not in nb.metadata, f"{path.name} is an executed copy (papermill metadata)"
    assert "widgets" not in nb.metadata, f"{path.name} stores widget state"


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_notebook_has_one_parameters_cell_with_the_contract(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters', expected exactly 1"
    cell = tagged[0]
    assert cell.cell_type == "code"
    tree = ast.parse(cell.source)
    assigned = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            assigned[node.target.id] = node.value
    missing = PARAMETERS - set(assigned)
    assert not missing, f"{path.name}: the parameters cell does not define {sorted(missing)}"
    # defaults that run unchanged in JupyterLab: folders from the project, month the newest
    for name in ("month", "root", "processed_dir", "reports_dir"):
        value = assigned[name]
        assert isinstance(value, ast.Constant) and value.value is None, f"{path.name}: {name} should default to None"
    lang = assigned["lang"]
    assert isinstance(lang, ast.Constant) and lang.value == "zh", f"{path.name}: lang should default to 'zh'"


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_notebook_is_as_the_commit_hook_strips_it(path):
    done = strip(path, "--verify")  # changes nothing, says whether it would
    assert done.returncode == 0, f"{path.name} is not stripped: run `{strip_command(path)}` (or install pre-commit)"
    nb = nbformat.read(path, as_version=4)
    # what a kernel and JupyterLab write when the notebook runs, stored already
    assert nb.metadata.language_info == {"name": "python"}
    assert nb.metadata.kernelspec == kernelspec()


def test_the_commit_hooks_run_the_locked_tools_and_fetch_nothing():
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert set(hooks) == {"nbstripout", "ruff-check", "ruff-format"}
    for hook in hooks.values():
        assert hook["language"] == "system" and hook["entry"].startswith(".venv/bin/"), hook
    assert "--keep-id" in hooks["nbstripout"]["args"]


def kernelspec() -> dict:
    """The kernel spec JupyterLab writes into a notebook run on the locked ipykernel's kernel."""
    from ipykernel.kernelspec import get_kernel_dict

    spec = get_kernel_dict()
    return {"display_name": spec["display_name"], "language": spec["language"], "name": "python3"}


def git(folder: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(folder), *args]
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout


@pytest.mark.slow
def test_a_wording_edit_made_in_jupyterlab_and_stripped_is_a_one_line_diff(tmp_path):
    """Run the notebook (its kernel writes language_info, every code cell gets outputs and
    counts), change one sentence, save as JupyterLab does, strip with the project's settings:
    the diff is that sentence's line (cell ids kept, nothing the kernel wrote left)."""
    from nbclient import NotebookClient

    shutil.copytree(REPO / "data" / "raw" / "2021-04", tmp_path / "data" / "raw" / "2021-04")
    shutil.copytree(REPO / "data" / "reference", tmp_path / "data" / "reference")
    (tmp_path / "notebooks").mkdir()
    path = tmp_path / "notebooks" / "04-data-quality.ipynb"
    shutil.copyfile(NOTEBOOKS / path.name, path)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "notebooks")
    git(tmp_path, "commit", "-qm", "notebook")

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    assert any(c.get("outputs") for c in nb.cells) and nb.metadata.language_info.get("version")
    nb.metadata.kernelspec = kernelspec()  # JupyterLab writes the running kernel's spec
    cell = next(c for c in nb.cells if c.cell_type == "markdown" and "清洗月报时" in c.source)
    cell.source = cell.source.replace("清洗月报时", "每次清洗月报时", 1)
    nbformat.write(nb, path)  # as JupyterLab saves (nbformat, indent 1, keys sorted)
    assert strip(path).returncode == 0

    assert git(tmp_path, "diff", "--numstat").split("\t")[:2] == ["1", "1"]
    changed = [
        line
        for line in git(tmp_path, "diff", "-U0").splitlines()
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert len(changed) == 2 and "每次清洗月报时" in changed[1] and "每次" not in changed[0]
