"""Every notebook runs top to bottom on a fresh clone, and is committed without outputs (DECISIONS 9).

Notebooks are executed with nbclient in a fresh kernel, in their own folder,
and fail the test on any error. Teaching notebooks must state learning goals
and carry solutions in cells tagged ``solution``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb"))
NOTEBOOKS = [p for p in NOTEBOOKS if ".ipynb_checkpoints" not in p.parts]
IDS = [str(p.relative_to(ROOT / "notebooks")) for p in NOTEBOOKS]
TEACHING = [p for p in NOTEBOOKS if p.parent.name == "teaching"]


def test_notebooks_exist():
    assert len(NOTEBOOKS) >= 9 and len(TEACHING) >= 5


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{path.name}: clear the outputs before committing "
                "(jupyter nbconvert --clear-output --inplace)"
            )


@pytest.mark.parametrize("path", TEACHING, ids=[p.name for p in TEACHING])
def test_teaching_notebook_has_goals_exercises_and_tagged_solutions(path):
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "Learning goals" in text and "Exercise" in text
    tags = [tag for c in nb.cells for tag in c.metadata.get("tags", [])]
    assert "solution" in tags and "parameters" in tags


#: Monte Carlo notebooks run in the suite with fewer replications (a cell injected after the cell tagged
#: ``parameters``, as papermill does): every cell still runs, in a fraction of the time.
SMOKE_REPS = 15


def with_smoke_parameters(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` with ``REPS = min(REPS, SMOKE_REPS)`` after its parameters cell, where that cell sets ``REPS``."""
    for index, cell in enumerate(nb.cells):
        if "parameters" in cell.metadata.get("tags", []) and "REPS =" in cell.source:
            injected = nbformat.v4.new_code_cell(f"REPS = min(REPS, {SMOKE_REPS})  # injected by tests/test_notebooks.py")
            nb.cells.insert(index + 1, injected)
            break
    return nb


def test_smoke_parameters_are_injected_only_where_reps_are_set():
    power = with_smoke_parameters(nbformat.read(ROOT / "notebooks" / "teaching" / "03_power.ipynb", as_version=4))
    tagged = [i for i, c in enumerate(power.cells) if "parameters" in c.metadata.get("tags", [])]
    assert power.cells[tagged[0] + 1].source.startswith(f"REPS = min(REPS, {SMOKE_REPS})")
    first = ROOT / "notebooks" / "teaching" / "01_growth_models_from_scratch.ipynb"
    assert len(with_smoke_parameters(nbformat.read(first, as_version=4)).cells) == len(
        nbformat.read(first, as_version=4).cells)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_runs_without_error(path):
    from nbclient import NotebookClient

    nb = with_smoke_parameters(nbformat.read(path, as_version=4))
    client = NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell
