"""docs/MODELS.md (and the README's Python example): every code block runs as it is, on the example data.

The Python blocks share one namespace (a later block uses what an earlier one
defined, as a reader would run them); the shell block runs in a fresh folder
that sees the repository's ``data/`` folder, with this interpreter as
``python``. A block that raises, or a command that exits non-zero, fails the test.
"""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "MODELS.md"
_FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def _blocks(language: str) -> list[str]:
    return [body for lang, body in _FENCE.findall(DOC.read_text()) if lang == language]


def test_the_page_has_a_block_per_model_family() -> None:
    text = DOC.read_text()
    for family in ("CFA with missing data", "Measurement invariance across groups",
                   "SEM with indirect effects", "Sampling weights", "Clusters",
                   "Longitudinal CFA", "Second-order growth", "Parallel-process growth",
                   "Quadratic growth", "Time-varying covariates", "Piecewise growth",
                   "Autocorrelated residuals"):  # fmt: skip
        heading = f"### {family}\n"
        assert heading in text, family
        section = text.split(heading, 1)[1].split("\n### ", 1)[0]
        assert "```python" in section, family
    assert set(re.findall(r"^```(\w*)", text, re.M)) <= {"python", "bash", ""}


def test_every_python_block_runs(capsys) -> None:
    namespace: dict[str, object] = {"__name__": "models_doc"}
    blocks = _blocks("python")
    assert len(blocks) >= 15
    with warnings.catch_warnings():  # the page's set-up block switches warnings off, as users do
        for number, block in enumerate(blocks, start=1):
            try:
                exec(compile(block, f"MODELS.md python block {number}", "exec"), namespace)  # noqa: S102
            except Exception as error:  # pragma: no cover - the message is the point
                pytest.fail(f"python block {number} of docs/MODELS.md failed: {error!r}\n{block}")
    out = capsys.readouterr().out
    assert "Model Test User Model:" in out and "model syntax, line 1" in out


def test_the_shell_block_runs(tmp_path) -> None:
    (block,) = _blocks("bash")
    (tmp_path / "data").symlink_to(ROOT / "data")
    script = block.replace("python -m ilb_eval", f'"{sys.executable}" -m ilb_eval')
    run = subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, capture_output=True,
                         text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Model Test User Model:" in run.stdout
    assert (tmp_path / "resilience.json").is_file()


def test_the_readme_python_example_runs(capsys) -> None:
    text = (ROOT / "README.md").read_text()
    section = text.split("## In Python", 1)[1].split("\n## ", 1)[0]
    (block,) = [body for lang, body in _FENCE.findall(section) if lang == "python"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(block, "README.md, In Python", "exec"), {"__name__": "readme"})  # noqa: S102
    out = capsys.readouterr().out
    assert "Model Test User Model:" in out and "growth(model, data = dat" in out
