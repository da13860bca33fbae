"""Every notebook in notebooks/ is committed the way the runner and reviewers of diffs need it:
valid nbformat, no outputs or execution counts (what nbstripout in .pre-commit-config.yaml
enforces; this test catches a commit made without the hook), a name NN-name.ipynb, and exactly
one cell tagged `parameters` that defines month, root, processed_dir, reports_dir and lang."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from metroanalysis.report import NOTEBOOK

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
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
            assert cell.outputs == [], f"{where} has outputs: run `nbstripout {path}` (or install pre-commit)"
            assert cell.execution_count is None, f"{where} has an execution count: run nbstripout"
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
