"""Input checks before weighting: every problem of the data at once, each with its fix.

Row numbers are spreadsheet rows (header = row 1): the frame's index when it
is named ``"row"`` (as the io layer and the ``balance`` command deliver it),
otherwise the position in the frame plus 2.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ilb_eval.exceptions import InputError, Problem
from ilb_eval.privacy import DEFAULT_MIN_CELL_SIZE

__all__ = ["check_weighting_input", "no_overlap_problem", "row_numbers"]

#: Distinct unexpected treatment values shown in a message.
_SHOWN_VALUES = 5


def row_numbers(data: pd.DataFrame, mask: np.ndarray) -> tuple[int, ...]:
    """Spreadsheet row numbers of the rows where ``mask`` is true.

    >>> frame = pd.DataFrame({"x": [1, 2, 3]})
    >>> row_numbers(frame, np.array([False, True, True]))
    (3, 4)
    """
    mask = np.asarray(mask, dtype=bool)
    if data.index.name == "row":
        return tuple(int(r) for r in np.asarray(data.index)[mask])
    return tuple(int(i) + 2 for i in np.flatnonzero(mask))


def _shown(value: object) -> str:
    """A treatment value as a message shows it: numbers without a trailing .0, text quoted."""
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "":
        return "(empty)"
    return repr(f"{number:g}") if np.isfinite(number) else repr(str(value))


def _missing_columns(data: pd.DataFrame, treatment: str, covariates: Sequence[str], file: str | None) -> list[Problem]:
    problems = []
    for name, role in [(treatment, "treatment"), *[(c, "covariate") for c in covariates]]:
        if name not in data.columns:
            problems.append(Problem(
                code="NO_COLUMN", message=f"the {role} column is not in the data", file=file, column=name,
                fix="check the spelling of the column name (it must match the header exactly)",
            ))
    if treatment in covariates:
        problems.append(Problem(
            code="TREATMENT_AS_COVARIATE", message="the treatment column is also given as a covariate",
            file=file, column=treatment, fix="leave the treatment column out of the covariates",
        ))
    return problems


def _treatment_problems(
    data: pd.DataFrame, treatment: str, file: str | None, min_group_size: int
) -> tuple[list[Problem], np.ndarray | None]:
    raw = data[treatment]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isin(values, (0.0, 1.0))
    if bad.any():
        shown = list(dict.fromkeys(_shown(v) for v in raw[bad]))[:_SHOWN_VALUES]
        found = ", ".join(shown)
        return [Problem(
            code="BAD_TREATMENT", message="the treatment column must hold 0 (control) or 1 (treated) in every row",
            file=file, column=treatment, rows=row_numbers(data, bad), expected="0 or 1", found=found,
            fix="recode the column to 0 = control and 1 = treated, and remove rows whose group is unknown",
        )], None
    treated = values == 1.0
    problems = []
    for flag, group in ((True, "treated (1)"), (False, "control (0)")):
        count = int((treated == flag).sum())
        if count == 0:
            problems.append(Problem(
                code="ONE_GROUP", message=f"there is no {group} row: weighting needs both groups",
                file=file, column=treatment,
                fix="check that the treatment column is the right one and that both groups are in the file",
            ))
        elif count < min_group_size:
            problems.append(Problem(
                code="SMALL_GROUP", message=f"the {group} group is too small to weight and to report",
                file=file, column=treatment, expected=f"at least {min_group_size} rows per group",
                found=f"{count} rows",
                fix="weight a larger sample (each group needs at least the minimum cell size and more "
                "persons than covariates)",
            ))
    return problems, (treated if not problems else None)


def _covariate_problems(
    data: pd.DataFrame, covariates: Sequence[str], treated: np.ndarray | None, file: str | None
) -> list[Problem]:
    problems = []
    for name in covariates:
        raw = data[name]
        values = pd.to_numeric(raw, errors="coerce")
        text = values.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
        if text.any():
            problems.append(Problem(
                code="NON_NUMERIC_COVARIATE", message="the covariate holds values that are not numbers",
                file=file, column=name, rows=row_numbers(data, text.to_numpy()), expected="numbers",
                fix="code categories as 0/1 indicator columns (one per category but one) and write numbers only",
            ))
            continue
        missing = values.isna().to_numpy()
        if missing.any():
            problems.append(Problem(
                code="MISSING_COVARIATE", message="the covariate has missing values",
                file=file, column=name, rows=row_numbers(data, missing), expected="a value in every row",
                found=f"{int(missing.sum())} empty cells",
                fix="fill in or remove these rows, or leave the covariate out: weights need every covariate of every person",
            ))
            continue
        if treated is None:
            continue
        x = values.to_numpy(dtype=float)
        for flag, group in ((True, "treated"), (False, "control")):
            in_group = x[treated == flag]
            if in_group.size and np.ptp(in_group) == 0:
                problems.append(Problem(
                    code="CONSTANT_COVARIATE", message=f"the covariate has the same value in every {group} row, so it cannot be balanced",
                    file=file, column=name, found=f"{in_group[0]:g} in all {in_group.size} {group} rows",
                    fix="leave the covariate out (or restrict the analysis to persons who share that value)",
                ))
    return problems


def check_weighting_input(
    data: pd.DataFrame,
    treatment: str,
    covariates: Sequence[str],
    *,
    file: str | None = None,
    min_cell_size: int = DEFAULT_MIN_CELL_SIZE,
) -> np.ndarray:
    """Check the data for weighting; returns the treated indicator (bool) or raises.

    Each group needs at least ``min_cell_size`` rows (the disclosure rule: group
    means and balance statistics are reported) and more rows than covariates
    plus one (the propensity model).

    Raises
    ------
    InputError
        With one :class:`~ilb_eval.exceptions.Problem` per problem found:
        ``NO_COLUMN``, ``TREATMENT_AS_COVARIATE``, ``BAD_TREATMENT``,
        ``ONE_GROUP``, ``SMALL_GROUP``, ``NON_NUMERIC_COVARIATE``, ``MISSING_COVARIATE``,
        ``CONSTANT_COVARIATE``, ``NO_COVARIATES``.

    Examples
    --------
    >>> frame = pd.DataFrame({"t": [1, 0, 2], "x": [1.0, None, 3.0]})
    >>> try:
    ...     check_weighting_input(frame, "t", ["x"], file="data.csv")
    ... except InputError as error:
    ...     print("\\n".join(error.lines))
    [BAD_TREATMENT] data.csv, column 't', row 4 (1 in all): the treatment column must hold 0 (control) or 1 (treated) in every row (expected 0 or 1; found '2'). Fix: recode the column to 0 = control and 1 = treated, and remove rows whose group is unknown.
    [MISSING_COVARIATE] data.csv, column 'x', row 3 (1 in all): the covariate has missing values (expected a value in every row; found 1 empty cells). Fix: fill in or remove these rows, or leave the covariate out: weights need every covariate of every person.
    """
    problems = []
    if not covariates:
        problems.append(Problem(
            code="NO_COVARIATES", message="no covariates were given", file=file,
            fix="name the covariates measured before treatment that predict it (e.g. demographics and baseline scores)",
        ))
    problems += _missing_columns(data, treatment, covariates, file)
    if problems:
        raise InputError(problems)
    min_group_size = max(int(min_cell_size), len(covariates) + 2)
    treatment_problems, treated = _treatment_problems(data, treatment, file, min_group_size)
    problems = treatment_problems + _covariate_problems(data, covariates, treated, file)
    if problems:
        raise InputError(problems)
    assert treated is not None
    return treated


def no_overlap_problem(
    data: pd.DataFrame, treatment: str, covariates: Sequence[str], treated: np.ndarray, file: str | None
) -> Problem:
    """The ``NO_OVERLAP`` problem, naming the covariates that separate the groups on their own.

    Examples
    --------
    >>> frame = pd.DataFrame({"t": [1, 1, 0, 0], "age": [50, 60, 20, 30], "x": [0, 1, 0, 1]})
    >>> no_overlap_problem(frame, "t", ["age", "x"], np.array([True, True, False, False]), None).column
    'age'
    """
    separating = []
    for name in covariates:
        x = data[name].to_numpy(dtype=float)
        low, high = x[treated], x[~treated]
        if low.min() > high.max() or low.max() < high.min():
            separating.append(name)
    if separating:
        where = separating[0] if len(separating) == 1 else None
        what = (f"the covariate{'s' if len(separating) > 1 else ''} "
                + ", ".join(repr(s) for s in separating)
                + " separate" + ("s" if len(separating) == 1 else "") + " the groups completely")
    else:
        where = None
        what = "the covariates together predict the group of some persons perfectly"
    return Problem(
        code="NO_OVERLAP",
        message=f"the treated and control groups do not overlap: {what}, so no weights can make them comparable",
        file=file, column=where,
        fix="leave out or coarsen the separating covariates, or restrict the data to persons comparable "
        "on them (common support)",
    )
