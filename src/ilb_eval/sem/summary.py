"""A summary of a SEM fit laid out like lavaan's ``summary(fit, fit.measures = TRUE, standardized = TRUE)``.

:class:`Summary` collects the pieces from a
:class:`~ilb_eval.sem.results.SemResults` (header, model test, fit measures,
parameter blocks, warnings); :meth:`Summary.as_text` lays them out with
lavaan's column widths and :meth:`Summary.as_html` renders the same pieces as
HTML tables (notebooks show it). Numbers become text only through
:func:`ilb_eval.formatting.format_plain` (R's ``"%.3f"``; ``NA`` where a value
could not be computed, never a number).

The fit-measure blocks are tables of :class:`FitLine` entries
(:data:`FIT_BLOCKS`): a line is printed when the fit holds its measures, so a
measure added to ``SemResults.fit`` under lavaan's name appears with one
entry here. As in lavaan, an MLR fit (or one with sampling weights or
clusters) shows a second column with the scaled statistics, and robust
indices stand in the last column.

Differences from lavaan, on purpose: variable names and labels are never
abbreviated (lavaan cuts names to 14 and labels to 4 characters; here the
name column widens), the first line names ilb_eval and the optimiser, and
the fit's warnings are listed at the end.

Examples
--------
>>> from ilb_eval.datasets import load_example_growth_data
>>> from ilb_eval.sem import cfa
>>> res = cfa("f =~ t1 + t3 + t4", load_example_growth_data("belastbarkeit"))
>>> text = res.summary().as_text()
>>> print(text[text.index("Parameter Estimates"):].splitlines()[2])
  Standard errors                             Standard
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ilb_eval.formatting import format_plain
from ilb_eval.sem.fiml import moment_logl

if TYPE_CHECKING:
    from ilb_eval.sem.results import SemResults

__all__ = ["FIT_BLOCKS", "FitBlock", "FitLine", "ParamSection", "Summary", "Table"]

#: Columns of the parameter blocks (lavaan's names).
PARAM_COLUMNS: tuple[str, ...] = ("Estimate", "Std.Err", "z-value", "P(>|z|)", "Std.lv", "Std.all")
_PARAM_KEYS = ("est", "se", "z", "pvalue", "std_lv", "std_all")
#: Width of the name field of a parameter row (lavaan: 14), before the 3-character prefix.
_NAME_WIDTH = 14
#: Width of a constraint's text (lavaan: 41).
_CONSTRAINT_WIDTH = 41
#: Distance below which an estimate sits on its bound (lavaan: sqrt of machine epsilon).
_ON_BOUND = math.sqrt(np.finfo(float).eps)
#: The groups of parameter rows, in lavaan's order.
_SECTIONS = ("Latent Variables", "Regressions", "Covariances", "Intercepts", "Variances")


def _num(value: float | None) -> str:
    return format_plain(value, 3)


def _int(value: float | None) -> str:
    if value is None or not math.isfinite(float(value)):
        return "NA"
    number = float(value)
    return str(int(number)) if number.is_integer() else format_plain(number, 3)


@dataclass(frozen=True)
class FitLine:
    """One line of a fit-measure block: its label and the fit measures of its columns.

    ``standard`` fills the first column and ``scaled`` the second (printed
    only when the fit has a scaled test); ``robust`` stands in the last
    column there is, as lavaan places its robust indices. A line is printed
    when at least one of its measures is in the fit; a line without measures
    (a spacer, or the second half of a two-line label) is printed when
    ``shown_with`` is in the fit (``None``: always).

    Examples
    --------
    >>> FitLine("Comparative Fit Index (CFI)", "cfi", "cfi_scaled").keys
    ('cfi', 'cfi_scaled')
    """

    label: str
    standard: str | None = None
    scaled: str | None = None
    robust: str | None = None
    integer: bool = False
    shown_with: str | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        """The fit measures the line shows."""
        return tuple(k for k in (self.standard, self.scaled, self.robust) if k is not None)

    def shown(self, fit: Mapping[str, float]) -> bool:
        """Whether the line is printed for this fit."""
        if self.keys:
            return any(k in fit for k in self.keys)
        return self.shown_with is None or self.shown_with in fit

    def cells(self, fit: Mapping[str, float], scaled: bool) -> tuple[str, ...]:
        """The value cells: one column, or two when the fit has a scaled test."""
        fmt = _int if self.integer else _num

        def cell(key: str | None) -> str:
            return fmt(fit[key]) if key is not None and key in fit else ""

        if not scaled:
            return (cell(self.standard if self.standard is not None else self.robust),)
        return (cell(self.standard), cell(self.scaled if self.robust is None else self.robust))


@dataclass(frozen=True)
class FitBlock:
    """A titled block of fit-measure lines and lavaan's minimum column widths."""

    title: str
    lines: tuple[FitLine, ...]
    widths: tuple[int, int] = (43, 8)


_SCALING_NOTE = "    for the MLR correction"
_CLOSE = "P-value H_0: RMSEA <= 0.050"
_NOT_CLOSE = "P-value H_0: RMSEA >= 0.080"
_LOWER = "90 Percent confidence interval - lower"
_UPPER = "90 Percent confidence interval - upper"

#: The fit-measure blocks after the model test, in lavaan's order and wording.
FIT_BLOCKS: tuple[FitBlock, ...] = (
    FitBlock(
        "Model Test Baseline Model",
        (
            FitLine("Test statistic", "baseline_chisq", "baseline_chisq_scaled"),
            FitLine("Degrees of freedom", "baseline_df", "baseline_df_scaled", integer=True),
            FitLine("P-value", "baseline_pvalue", "baseline_pvalue_scaled"),
            FitLine("Scaling correction factor", robust="baseline_chisq_scaling_factor"),
        ),
        widths=(35, 16),
    ),
    FitBlock(
        "User Model versus Baseline Model",
        (
            FitLine("Comparative Fit Index (CFI)", "cfi", "cfi_scaled"),
            FitLine("Tucker-Lewis Index (TLI)", "tli", "tli_scaled"),
            FitLine("", shown_with="cfi_robust"),
            FitLine("Robust Comparative Fit Index (CFI)", robust="cfi_robust"),
            FitLine("Robust Tucker-Lewis Index (TLI)", robust="tli_robust"),
        ),
    ),
    FitBlock(
        "Loglikelihood and Information Criteria",
        (
            FitLine("Loglikelihood user model (H0)", "logl", "logl"),
            FitLine("Scaling correction factor", robust="scaling_factor_h0"),
            FitLine(_SCALING_NOTE, shown_with="scaling_factor_h0"),
            FitLine("Loglikelihood unrestricted model (H1)", "unrestricted_logl", "unrestricted_logl"),
            FitLine("Scaling correction factor", robust="scaling_factor_h1"),
            FitLine(_SCALING_NOTE, shown_with="scaling_factor_h1"),
            FitLine(""),
            FitLine("Akaike (AIC)", "aic", "aic"),
            FitLine("Bayesian (BIC)", "bic", "bic"),
            FitLine("Sample-size adjusted Bayesian (SABIC)", "bic2", "bic2"),
        ),
        widths=(39, 12),
    ),
    FitBlock(
        "Root Mean Square Error of Approximation",
        (
            FitLine("RMSEA", "rmsea", "rmsea_scaled"),
            FitLine(_LOWER, "rmsea_ci_lower", "rmsea_ci_lower_scaled"),
            FitLine(_UPPER, "rmsea_ci_upper", "rmsea_ci_upper_scaled"),
            FitLine(_CLOSE, "rmsea_pvalue", "rmsea_pvalue_scaled"),
            FitLine(_NOT_CLOSE, "rmsea_notclose_pvalue", "rmsea_notclose_pvalue_scaled"),
            FitLine("", shown_with="rmsea_robust"),
            FitLine("Robust RMSEA", robust="rmsea_robust"),
            FitLine(_LOWER, robust="rmsea_ci_lower_robust"),
            FitLine(_UPPER, robust="rmsea_ci_upper_robust"),
            FitLine("P-value H_0: Robust RMSEA <= 0.050", robust="rmsea_pvalue_robust"),
            FitLine("P-value H_0: Robust RMSEA >= 0.080", robust="rmsea_notclose_pvalue_robust"),
        ),
    ),
    FitBlock("Standardized Root Mean Square Residual", (FitLine("SRMR", "srmr", "srmr"),)),
)


@dataclass(frozen=True)
class Table:
    """A block of label/value lines: the label column left, the values right-aligned.

    ``widths`` are lavaan's minimum column widths (a column widens to its
    longest cell); ``title`` is printed above with a colon (``None``: no title).
    """

    title: str | None
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...]
    blank_after_title: bool = True
    footer: tuple[Table, ...] = ()


@dataclass(frozen=True)
class ParamRow:
    """One line of a parameter block: a heading (``visual =~``) or a parameter."""

    name: str
    prefix: str = ""
    label: str = ""
    cells: tuple[str, ...] = ()
    heading: bool = False


@dataclass(frozen=True)
class ParamSection:
    """One parameter block (``Latent Variables`` ...), with its group heading."""

    group: str | None
    title: str
    rows: tuple[ParamRow, ...]
    columns: tuple[str, ...] = PARAM_COLUMNS


def _table_lines(table: Table) -> list[str]:
    """A table in lavaan's layout: two spaces, the label column, one space between columns."""
    ncol = len(table.widths)
    widths = [
        max([table.widths[i], *(len(row[i]) for row in table.rows)]) for i in range(ncol)
    ]
    out = []
    for row in table.rows:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:],
                                                                         strict=True)]  # fmt: skip
        out.append(("  " + " ".join(cells)).rstrip())
    return out


def _group_statistics(res: SemResults) -> list[float]:
    """The chi-square statistic of each group: twice its h1 minus its model log-likelihood."""
    states = res.model.states(res.theta)
    if states is None or not res.converged:
        return [float("nan")] * len(res.saturated)
    out = []
    for sat, state, data in zip(res.saturated, states, res.model.data.groups, strict=True):
        logl = moment_logl(state.sigma, state.mean_coef, data.blocks, 0).logl
        out.append(max(2.0 * (sat.logl - logl), 0.0))
    return out


class Summary:
    """The lavaan-like summary of a fit: ``as_text()``, ``as_html()``, ``str()``, notebook display.

    Parameters
    ----------
    results
        The fitted model.
    """

    def __init__(self, results: SemResults) -> None:
        self._results = results

    # ------------------------------------------------------------ header
    @property
    def scaled(self) -> bool:
        """Whether the fit has a scaled test (MLR, sampling weights, clusters)."""
        return "chisq_scaled" in self._results.fit

    def title(self) -> str:
        """First line: version, and whether (and after how many iterations) the optimiser ended normally."""
        from ilb_eval import __version__

        res = self._results
        n = res.iterations
        its = "1 iteration" if n == 1 else f"{n} iterations"
        if res.converged:
            return f"ilb_eval {__version__} ended normally after {its}"
        return f"ilb_eval {__version__} did NOT end normally after {its}"

    def _optimisation(self) -> Table:
        res = self._results
        table = res.model.partable.table
        body = table[table["block"] > 0]
        constraints = res.model.partable.constraints
        free_rows = int((body["free"] > 0).sum())
        equal = free_rows - res.model.partable.n_free + sum(c.op == "==" for c in constraints)
        unequal = sum(c.op in ("<", ">") for c in constraints)
        rows = [
            ("Estimator", "ML"),
            ("Optimization method", "NEWTON"),
            ("Number of model parameters", str(free_rows)),
        ]
        if equal:
            rows.append(("Number of equality constraints", str(equal)))
        if unequal:
            rows.append(("Number of inequality constraints", str(unequal)))
        return Table(None, tuple(rows), (40, 11))

    def _observations(self) -> Table:
        res = self._results
        data = res.model.data
        options = res.options
        used = [g.n for g in data.groups]
        total = list(data.norig) if data.norig else used
        three = used != total
        rows: list[tuple[str, ...]] = []

        def row(label: str, value: str, third: str = "") -> None:
            rows.append((label, value, third) if three else (label, value))

        multi = len(data.groups) > 1
        if not multi:
            if three:
                row("", "Used", "Total")
            row("Number of observations", str(used[0]), str(total[0]))
        else:
            row("Number of observations per group:", *(("Used", "Total") if three else ("",)))
            for g, n, t in zip(data.groups, used, total, strict=True):
                row(f"  {g.label}", str(n), str(t))
        if options.cluster is not None:
            counts = [len(np.unique(g.clusters)) for g in data.groups if g.clusters is not None]
            if not multi:
                row(f"Number of clusters [{options.cluster}]", str(counts[0]))
            else:
                row(f"Number of clusters [{options.cluster}]:", "")
                for g, c in zip(data.groups, counts, strict=True):
                    row(f"  {g.label}", str(c))
        if not multi:
            row("Number of missing patterns", str(len(data.groups[0].patterns)))
        else:
            row("Number of missing patterns per group:", "")
            for g in data.groups:
                row(f"  {g.label}", str(len(g.patterns)))
        if options.sampling_weights is not None:
            row("Sampling weights variable", options.sampling_weights)
        return Table(None, tuple(rows), (43, 8, 11) if three else (43, 8))

    def _model_test(self) -> Table:
        fit = self._results.fit
        df = fit.get("df", float("nan"))
        has_p = math.isfinite(float(df)) and float(df) > 0
        if not self.scaled:
            rows = [("", ""), ("Test statistic", _num(fit.get("chisq"))),
                    ("Degrees of freedom", _int(df))]  # fmt: skip
            if has_p:
                rows.append(("P-value (Chi-square)", _num(fit.get("pvalue"))))
            widths: tuple[int, ...] = (43, 8)
        else:
            rows = [
                ("", "Standard", "Scaled"),
                ("Test Statistic", _num(fit.get("chisq")), _num(fit.get("chisq_scaled"))),
                ("Degrees of freedom", _int(df), _int(fit.get("df_scaled", df))),
            ]
            if has_p:
                rows += [
                    ("P-value (Chi-square)", _num(fit.get("pvalue")),
                     _num(fit.get("pvalue_scaled"))),
                    ("Scaling correction factor", "", _num(fit.get("chisq_scaling_factor"))),
                    ("  Yuan-Bentler correction (Mplus variant)", "", ""),
                ]  # fmt: skip
            options = self._results.options
            if options.cluster and options.estimator == "ML" and not options.sampling_weights:
                # lavaan's scaled test of a cluster fit with estimator ML uses the h1 information
                rows.append(("Observed information based on", "H1", ""))
            widths = (43, 8, 11)
        footer: tuple[Table, ...] = ()
        labels = self._results.group_labels
        if len(labels) > 1:
            stats = _group_statistics(self._results)
            factor = float(fit.get("chisq_scaling_factor", float("nan")))
            per_group = []
            for label, stat in zip(labels, stats, strict=True):
                cells = (_num(stat),) if not self.scaled else (_num(stat), _num(stat / factor))
                per_group.append((f"  {label}", *cells))
            footer = (Table("  Test statistic for each group", tuple(per_group), widths,
                            blank_after_title=False),)  # fmt: skip
        return Table("Model Test User Model", tuple(rows), widths, blank_after_title=False,
                     footer=footer)  # fmt: skip

    def _fit_blocks(self) -> list[Table]:
        fit = self._results.fit
        out = []
        for block in FIT_BLOCKS:
            lines = [line for line in block.lines if line.shown(fit)]
            # a spacer needs a printed line on both sides
            kept = [
                line
                for i, line in enumerate(lines)
                if line.keys or line.label or (0 < i < len(lines) - 1)
            ]
            if not any(line.keys for line in kept):
                continue
            rows = tuple((line.label, *line.cells(fit, self.scaled)) for line in kept)
            widths = block.widths + ((11,) if self.scaled else ())
            out.append(Table(block.title, rows, widths))
        return out

    def _estimates_header(self) -> Table:
        options = self._results.options
        if options.cluster is not None:
            rows = [("Standard errors", "Robust.cluster"), ("Information", "Observed")]
        elif options.robust or options.sampling_weights is not None:
            rows = [("Standard errors", "Sandwich"), ("Information bread", "Observed")]
        else:
            rows = [("Standard errors", "Standard"), ("Information", "Observed")]
        rows.append(("Observed information based on", "Hessian"))
        return Table("Parameter Estimates", tuple(rows), (38, 13))

    def tables(self) -> list[Table]:
        """The header and fit blocks, in lavaan's order (the first has no title)."""
        return [
            self._optimisation(),
            self._observations(),
            self._model_test(),
            *self._fit_blocks(),
            self._estimates_header(),
        ]

    # ------------------------------------------------------------ parameters
    def sections(self) -> list[ParamSection]:
        """The parameter blocks: per group Latent Variables ... Variances, then Defined Parameters."""
        res = self._results
        table = res.partable
        body = table[table["block"] > 0]
        dependent = set(body.loc[body["op"] == "~", "lhs"]) | set(body.loc[body["op"] == "=~", "rhs"])
        observed = set(res.model.partable.names.ov)
        labels = res.group_labels
        out: list[ParamSection] = []
        for g, label in enumerate(labels, start=1):
            part = body[(body["group"] == g) & (body["exo"] == 0)]
            group = f"Group {g} [{label}]" if len(labels) > 1 else None
            for title in _SECTIONS:
                rows = _section_rows(title, part, dependent, observed)
                if rows:
                    out.append(ParamSection(group, title, tuple(rows)))
        defined = table[table["op"] == ":="]
        if len(defined):
            rows = [ParamRow(str(r["lhs"]), cells=_cells(r)) for _, r in defined.iterrows()]
            out.append(ParamSection(None, "Defined Parameters", tuple(rows)))
        return out

    def constraints(self) -> list[tuple[str, str]]:
        """The ``==``, ``<``, ``>`` constraints as lavaan writes them, with their slack."""
        res = self._results
        constraints = res.model.partable.constraints
        if not constraints:
            return []
        values = res.model.space.values(res.model.reparam.free(res.theta))
        out = []
        for c in constraints:
            lhs, rhs = c.lhs.text, c.rhs.text
            if c.op == "<":
                text = f"{rhs} - ({lhs})"
            elif rhs == "0":
                text = f"{lhs} - 0"
            else:
                text = f"{lhs} - ({rhs})"
            slack = c.lhs.evaluate(values) - c.rhs.evaluate(values)
            out.append((text, _num(abs(slack) if res.converged else float("nan"))))
        return out

    # ------------------------------------------------------------ renderers
    def as_text(self) -> str:
        """The summary as plain text, laid out like lavaan's ``summary()``."""
        res = self._results
        parts = [self.title()]
        if not res.converged:
            parts.append("** WARNING ** Estimates below are most likely unreliable")
        for table in self.tables():
            parts.append("")
            if table.title is not None:
                parts.append(f"{table.title}:")
                if table.blank_after_title:
                    parts.append("")
            parts += _table_lines(table)
            for extra in table.footer:
                parts.append(f"{extra.title}:")
                parts += _table_lines(extra)
        parts += self._param_text()
        if res.warnings:
            parts += ["", "Warnings:"]
            parts += [f"  [{w.code}] {w.message}" for w in res.warnings]
        return "\n".join(parts) + "\n"

    def _param_text(self) -> list[str]:
        sections = self.sections()
        name_width = _name_width(sections)
        first = max(
            [17, *(len(_name_cell(r, name_width)) for s in sections for r in s.rows)]
        )
        parts: list[str] = []
        current: str | None = None
        for section in sections:
            if section.group is not None and section.group != current:
                parts += ["", "", f"{section.group}:"]
                current = section.group
            widths = [max([8, *(len(r.cells[i]) for r in section.rows if r.cells)])
                      for i in range(len(section.columns))]  # fmt: skip
            parts += ["", f"{section.title}:"]
            head = " ".join(f"{c:>8}".ljust(w) for c, w in zip(section.columns, widths,
                                                                 strict=True))  # fmt: skip
            parts.append(" " + "".ljust(first) + " " + head)
            for row in section.rows:
                cells = row.cells or ("",) * len(widths)
                values = " ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))
                line = " " + _name_cell(row, name_width).ljust(first) + " " + values
                parts.append(line.rstrip())
        constraints = self.constraints()
        if constraints:
            width = max([_CONSTRAINT_WIDTH, *(len(t) for t, _ in constraints)]) + 3
            parts += ["", "Constraints:", " " + "".ljust(width) + " " + f"{'|Slack|':>8}"]
            parts += [" " + f"   {t}".ljust(width) + " " + s.rjust(8) for t, s in constraints]
        return parts

    def as_html(self) -> str:
        """The summary as an HTML fragment (tables only: no scripts, no styles sheets)."""
        res = self._results
        esc = html.escape
        right = " style='text-align:right'"
        out = [f"<div class='ilb-sem-summary'><h4>{esc(self.title())}</h4>"]
        if not res.converged:
            out.append("<p><strong>Estimates below are most likely unreliable.</strong></p>")

        def table_html(table: Table) -> str:
            body = []
            for row in table.rows:
                label = row[0]
                indent = len(label) - len(label.lstrip(" "))
                style = f" style='padding-left:{indent / 2:g}em'" if indent else ""
                cells = "".join(f"<td{right}>{esc(c)}</td>" for c in row[1:])
                body.append(f"<tr><td{style}>{esc(label.strip())}</td>{cells}</tr>")
            title = f"<h5>{esc(table.title.strip())}</h5>" if table.title else ""
            return f"{title}<table>{''.join(body)}</table>"

        for table in self.tables():
            out.append(table_html(table))
            out.extend(table_html(extra) for extra in table.footer)
        head = "".join(f"<th{right}>{esc(c)}</th>" for c in PARAM_COLUMNS)
        current: str | None = None
        for section in self.sections():
            if section.group is not None and section.group != current:
                out.append(f"<h4>{esc(section.group)}</h4>")
                current = section.group
            body = []
            for row in section.rows:
                name = f"{row.prefix}{row.name}"
                if row.heading:
                    span = len(section.columns) + 2
                    body.append(f"<tr><th colspan='{span}' style='text-align:left'>"
                                f"{esc(name)}</th></tr>")  # fmt: skip
                    continue
                label = f"({esc(row.label)})" if row.label else ""
                cells = "".join(f"<td{right}>{esc(c)}</td>" for c in row.cells)
                body.append(f"<tr><td>{esc(name)}</td><td>{label}</td>{cells}</tr>")
            out.append(f"<h5>{esc(section.title)}</h5><table><tr><th></th><th></th>{head}</tr>"
                       f"{''.join(body)}</table>")  # fmt: skip
        constraints = self.constraints()
        if constraints:
            rows = "".join(f"<tr><td>{esc(t)}</td><td{right}>{esc(s)}</td></tr>"
                           for t, s in constraints)  # fmt: skip
            out.append(f"<h5>Constraints</h5><table><tr><th></th><th{right}>|Slack|</th></tr>"
                       f"{rows}</table>")  # fmt: skip
        if res.warnings:
            items = "".join(
                f"<li><code>{esc(w.code)}</code> {esc(w.message)}</li>" for w in res.warnings
            )
            out.append(f"<h5>Warnings</h5><ul>{items}</ul>")
        out.append("</div>")
        return "".join(out)

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return self.as_html()


# ---------------------------------------------------------------- parameter rows
def _cells(row: pd.Series) -> tuple[str, ...]:
    """Estimate ... Std.all of one row as lavaan prints them.

    A fixed parameter (standard error 0) shows no standard error, z or p; a
    standard error that could not be computed shows ``NA`` and no z or p.
    """
    values = [_num(row[k]) for k in _PARAM_KEYS]
    se = float(row["se"])
    if se == 0.0:
        values[1] = values[2] = values[3] = ""
    elif not math.isfinite(se):
        values[2] = values[3] = ""
    return tuple(values)


def _on_bound(row: pd.Series) -> str:
    """``lb``/``ub`` when a free estimate sits on its lower/upper bound (lavaan marks it so)."""
    if row["op"] == ":=" or int(row["free"]) == 0:
        return ""
    est = float(row["est"])
    if math.isfinite(float(row["lower"])) and abs(float(row["lower"]) - est) < _ON_BOUND:
        return "lb"
    if math.isfinite(float(row["upper"])) and abs(float(row["upper"]) - est) < _ON_BOUND:
        return "ub"
    return ""


def _param_row(name: str, prefix: str, row: pd.Series) -> ParamRow:
    cells = _cells(row)
    label = str(row["label"])
    bound = _on_bound(row)
    if bound:
        cells = (*cells[:3], "", *cells[4:])
        label = f"{label}+{bound}" if label else bound
    return ParamRow(name, prefix=prefix, label=label, cells=cells)


def _section_rows(
    title: str, part: pd.DataFrame, dependent: set[str], observed: set[str]
) -> list[ParamRow]:
    rows: list[ParamRow] = []
    if title in ("Latent Variables", "Regressions", "Covariances"):
        if title == "Latent Variables":
            sub = part[(part["op"] == "=~") & ~part["lhs"].isin(observed)]
        elif title == "Regressions":
            sub = part[part["op"] == "~"]
        else:
            sub = part[(part["op"] == "~~") & (part["lhs"] != part["rhs"])]
        previous = None
        for _, row in sub.iterrows():
            lhs, op, rhs = str(row["lhs"]), str(row["op"]), str(row["rhs"])
            residual = title == "Covariances"
            heading = f"{lhs} {op}"
            if heading != previous:
                dot = "." if residual and lhs in dependent else ""
                rows.append(ParamRow(heading, prefix=dot, heading=True))
                previous = heading
            prefix = "." if residual and rhs in dependent else ""
            rows.append(_param_row(rhs, prefix, row))
        return rows
    if title == "Intercepts":
        sub = part[part["op"] == "~1"]
    else:
        sub = part[(part["op"] == "~~") & (part["lhs"] == part["rhs"])]
    for _, row in sub.iterrows():
        lhs = str(row["lhs"])
        rows.append(_param_row(lhs, "." if lhs in dependent else "", row))
    return rows


def _label_text(row: ParamRow) -> str:
    return f" ({row.label})" if row.label else ""


def _name_width(sections: Sequence[ParamSection]) -> int:
    """lavaan's 14 characters, wider where a name and its label need more (never abbreviated)."""
    needed = [len(r.name) + len(_label_text(r)) for s in sections for r in s.rows if not r.heading]
    return max([_NAME_WIDTH, *needed])


def _name_cell(row: ParamRow, width: int) -> str:
    """The first column: the prefix in 3 characters, the name left, the label right-aligned."""
    if row.heading:
        return f"{row.prefix:>1}{row.name}"
    label = _label_text(row)
    return f"{row.prefix:>3}{row.name:<{width - len(label)}}{label}"
