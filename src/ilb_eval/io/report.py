"""The validation report: every problem of every wave file of a study.

>>> from ilb_eval.exceptions import Problem
>>> report = ValidationReport(study="EAP", data_dir=Path("data"), files=(), study_problems=(
...     Problem("UNEXPECTED_FILE", "not declared by the study", file="eap_t5.csv", severity="warning"),))
>>> report.ok, len(report.warnings)
(True, 1)
>>> print(report.as_text())  # doctest: +NORMALIZE_WHITESPACE
Study EAP - data folder: data
  Study-wide:
    warning [UNEXPECTED_FILE] eap_t5.csv: not declared by the study.
Result: 0 errors, 1 warning, 0 notes - the data can be analysed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ilb_eval.exceptions import Problem
from ilb_eval.io.dialect import Dialect
from ilb_eval.io.table import WaveTable

__all__ = ["FileReport", "ValidationReport"]

_ORDER = ("error", "warning", "note")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass(frozen=True, eq=False)
class FileReport:
    """What validation found for one declared wave file.

    Attributes
    ----------
    wave, file:
        Wave name and file name.
    exists:
        Whether the file was found.
    dialect:
        The settings it was read with (``None`` if it could not be read).
    n_rows:
        Data rows in the file (``None`` if unreadable).
    n_columns:
        Columns in the file's header.
    n_declared_found:
        Declared columns present in the file, of ``n_declared``.
    sha256:
        SHA-256 of the file.
    problems:
        All problems of this file, errors first.
    table:
        The loaded :class:`WaveTable` when the file has no error, else ``None``.
    """

    wave: str
    file: str
    exists: bool
    dialect: Dialect | None
    n_rows: int | None
    n_columns: int | None
    n_declared_found: int
    n_declared: int
    sha256: str | None
    problems: tuple[Problem, ...]
    table: WaveTable | None

    @property
    def ok(self) -> bool:
        """No error-level problem in this file."""
        return not any(p.severity == "error" for p in self.problems)


@dataclass(frozen=True, eq=False)
class ValidationReport:
    """All problems of a study's wave files, plus study-wide ones.

    Attributes
    ----------
    study:
        Study name.
    data_dir:
        The folder that was checked.
    files:
        One :class:`FileReport` per declared wave, in wave order.
    study_problems:
        Study-wide problems (schema drift between table schemas, files the
        study does not declare).
    """

    study: str
    data_dir: Path
    files: tuple[FileReport, ...]
    study_problems: tuple[Problem, ...]

    @property
    def problems(self) -> tuple[Problem, ...]:
        """All problems: the study-wide ones followed by those of every file."""
        return self.study_problems + tuple(p for f in self.files for p in f.problems)

    def _by(self, severity: str) -> list[Problem]:
        return [p for p in self.problems if p.severity == severity]

    @property
    def errors(self) -> list[Problem]:
        """Problems that make the data unusable."""
        return self._by("error")

    @property
    def warnings(self) -> list[Problem]:
        """Problems to check that do not stop the analysis."""
        return self._by("warning")

    @property
    def notes(self) -> list[Problem]:
        """Information only."""
        return self._by("note")

    @property
    def ok(self) -> bool:
        """True when the data can be analysed (no error-level problem)."""
        return not self.errors

    @property
    def tables(self) -> dict[str, WaveTable]:
        """The loaded tables of the files without errors, by wave."""
        return {f.wave: f.table for f in self.files if f.table is not None}

    def as_text(self) -> str:
        """A readable report: per file format, rows, columns, problems by severity; one line per problem."""
        lines = [f"Study {self.study} - data folder: {self.data_dir}"]
        if self.study_problems:
            lines.append("  Study-wide:")
            lines += _problem_lines(self.study_problems)
        for f in self.files:
            lines.append(f"  {f.file} (wave {f.wave})")
            if not f.exists:
                lines.append("    not found")
            else:
                if f.dialect is not None:
                    lines.append(f"    format: {f.dialect.describe()}")
                if f.n_rows is not None:
                    lines.append(
                        f"    {_plural(f.n_rows, 'data row')}, {_plural(f.n_columns or 0, 'column')} "
                        f"({f.n_declared_found} of {f.n_declared} declared columns found)"
                    )
            if f.problems:
                lines += _problem_lines(f.problems)
            else:
                lines.append("    no problems")
        n_err, n_warn, n_note = len(self.errors), len(self.warnings), len(self.notes)
        verdict = "the data can be analysed." if self.ok else "the data cannot be analysed until the errors are fixed."
        lines.append(
            f"Result: {_plural(n_err, 'error')}, {_plural(n_warn, 'warning')}, {_plural(n_note, 'note')} - {verdict}"
        )
        return "\n".join(lines)


def _problem_lines(problems: tuple[Problem, ...]) -> list[str]:
    ordered = sorted(problems, key=lambda p: _ORDER.index(p.severity))
    return [f"    {p.severity} {p.one_line()}" for p in ordered]
