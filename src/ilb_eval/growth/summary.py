"""A lavaan-like summary of a growth-model fit, as text and as HTML.

The summary only collects the pieces (header lines, fit measures, parameter
blocks, warnings) from a :class:`~ilb_eval.growth.results.GrowthResults`;
:meth:`Summary.as_text` and :meth:`Summary.as_html` render the same pieces.
Numbers are rounded here only. Standard errors that could not be computed
are shown as ``NA``, never as numbers; the fixed moments of the covariates
are not listed (as in lavaan's summary), they are in ``params``.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from ilb_eval.growth.results import GrowthResults

__all__ = ["Summary"]

_WIDTH = 62
_BLOCKS = (
    ("Latent Variables", "=~"),
    ("Regressions", "~"),
    ("Covariances", "~~cov"),
    ("Intercepts", "~1"),
    ("Variances", "~~var"),
)
_COLUMNS = ("Estimate", "Std.Err", "z-value", "P(>|z|)", "Std.all")


def _num(value: float, digits: int = 3) -> str:
    if value is None or not math.isfinite(float(value)):
        return "NA"
    return f"{float(value):.{digits}f}"


@dataclass(frozen=True)
class _Line:
    label: str
    value: str


class Summary:
    """Summary of a fit: ``as_text()``, ``as_html()``, ``str()``, notebook display.

    Parameters
    ----------
    results
        The fitted model.
    """

    def __init__(self, results: GrowthResults) -> None:
        self._results = results

    # ------------------------------------------------------------ pieces
    def _header(self) -> list[_Line]:
        res = self._results
        spec = res.spec
        status = (
            f"ended normally after {res.iterations} iterations"
            if res.converged
            else f"did NOT converge ({res.iterations} iterations)"
        )
        lines = [
            _Line("Estimator", spec.estimator),
            _Line(
                "Standard errors",
                "Robust (sandwich)" if spec.estimator == "MLR" else "Observed information",
            ),
            _Line("Missing data", "FIML"),
            _Line("Optimization", status),
            _Line("Number of model parameters", str(int(res.fit["npar"]))),
            _Line("Number of observations", str(res.ntotal)),
            _Line("Number of missing patterns", " / ".join(str(n) for n in res.n_patterns)),
        ]
        for reason, count in res.n_dropped.items():
            lines.append(_Line(f"Rows dropped ({reason.replace('_', ' ')})", str(count)))
        return lines

    def _fit_sections(self) -> list[tuple[str, list[_Line]]]:
        fit = self._results.fit
        scaled = "chisq_scaled" in fit  # MLR: lavaan's scaled test next to the ML one
        test = [
            _Line("Test statistic", _num(fit["chisq"])),
            _Line("Degrees of freedom", str(int(fit["df"]))),
            _Line("P-value (Chi-square)", _num(fit["pvalue"])),
        ]
        baseline = [
            _Line("Comparative Fit Index (CFI)", _num(fit["cfi"])),
            _Line("Tucker-Lewis Index (TLI)", _num(fit["tli"])),
        ]
        rmsea = [_Line("RMSEA", _num(fit["rmsea"]))]
        if scaled:
            test += [
                _Line("Scaled test statistic (Yuan-Bentler, Mplus)", _num(fit["chisq_scaled"])),
                _Line("Scaling correction factor", _num(fit["chisq_scaling_factor"])),
                _Line("P-value (scaled)", _num(fit["pvalue_scaled"])),
            ]
            baseline += [
                _Line("Scaled CFI", _num(fit["cfi_scaled"])),
                _Line("Scaled TLI", _num(fit["tli_scaled"])),
            ]
            rmsea += [_Line("Scaled RMSEA", _num(fit["rmsea_scaled"]))]
        return [
            ("Model Test User Model", test),
            ("User Model versus Baseline Model", baseline),
            (
                "Loglikelihood and Information Criteria",
                [
                    _Line("Loglikelihood user model (H0)", _num(fit["logl"])),
                    _Line("Loglikelihood unrestricted model (H1)", _num(fit["unrestricted_logl"])),
                    _Line("Akaike (AIC)", _num(fit["aic"])),
                    _Line("Bayesian (BIC)", _num(fit["bic"])),
                ],
            ),
            (
                "Root Mean Square Error of Approximation",
                [
                    *rmsea,
                    _Line("90 Percent confidence interval - lower", _num(fit["rmsea_ci_lower"])),
                    _Line("90 Percent confidence interval - upper", _num(fit["rmsea_ci_upper"])),
                ],
            ),
            ("Standardized Root Mean Square Residual", [_Line("SRMR", _num(fit["srmr"]))]),
        ]

    def _param_blocks(self) -> list[tuple[str, str, list[tuple[str, list[str] | None]]]]:
        """Per group and block: rows of (label, [est, se, z, p, std_all]); None = heading."""
        res = self._results
        table = res.params
        covariates = set(res.spec.covariates)
        table = table[~table["lhs"].isin(covariates)]
        out: list[tuple[str, str, list[tuple[str, list[str] | None]]]] = []
        for g, label in enumerate(res.group_labels, start=1):
            part = table[table["group"] == g]
            group_title = f"Group {g} [{label}]" if label else ""
            for title, key in _BLOCKS:
                rows = _block_rows(part, key)
                if rows:
                    out.append((group_title, title, rows))
        return out

    # ------------------------------------------------------------ renderers
    def as_text(self) -> str:
        """The summary as plain text, laid out like lavaan's ``summary()``."""
        res = self._results
        parts = [f"ilb_eval {_model_name(res)}", ""]
        parts += [f"  {line.label:<44}{line.value:>16}" for line in self._header()]
        for title, lines in self._fit_sections():
            parts += ["", f"{title}:", ""]
            parts += [f"  {line.label:<44}{line.value:>16}" for line in lines]
        parts += [
            "",
            "Parameter Estimates:",
            "",
            f"  {'Standard errors':<30}{'Observed information':>30}",
        ]
        head = "".join(f"{c:>9}" for c in _COLUMNS)
        current = ""
        for group_title, title, rows in self._param_blocks():
            if group_title != current:
                parts += ["", f"{group_title}:"]
                current = group_title
            parts += ["", f"{title}:", f"{'':<20}{head}"]
            for name, values in rows:
                if values is None:
                    parts.append(f"  {name}")
                    continue
                parts.append(f"    {name:<16}" + "".join(f"{v:>9}" for v in values))
        if res.warnings:
            parts += ["", "Warnings:"]
            parts += [f"  [{w.code}] {w.message}" for w in res.warnings]
        return "\n".join(parts) + "\n"

    def as_html(self) -> str:
        """The summary as an HTML fragment (tables, no scripts or styles)."""
        res = self._results
        esc = html.escape
        out = [f"<div class='ilb-growth-summary'><h4>ilb_eval {esc(_model_name(res))}</h4>"]

        def kv_table(lines: list[_Line]) -> str:
            body = "".join(
                f"<tr><td>{esc(line.label)}</td><td style='text-align:right'>{esc(line.value)}</td></tr>"
                for line in lines
            )
            return f"<table>{body}</table>"

        out.append(kv_table(self._header()))
        for title, lines in self._fit_sections():
            out.append(f"<h5>{esc(title)}</h5>{kv_table(lines)}")
        head = "".join(f"<th>{esc(c)}</th>" for c in _COLUMNS)
        current = ""
        for group_title, title, rows in self._param_blocks():
            if group_title != current:
                out.append(f"<h4>{esc(group_title)}</h4>")
                current = group_title
            body = []
            for name, values in rows:
                if values is None:
                    body.append(
                        f"<tr><th colspan='6' style='text-align:left'>{esc(name)}</th></tr>"
                    )
                    continue
                cells = "".join(f"<td style='text-align:right'>{esc(v)}</td>" for v in values)
                body.append(f"<tr><td>{esc(name)}</td>{cells}</tr>")
            out.append(
                f"<h5>{esc(title)}</h5><table><tr><th></th>{head}</tr>{''.join(body)}</table>"
            )
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


def _model_name(res: GrowthResults) -> str:
    spec = res.spec
    kind = "conditional" if spec.covariates else "unconditional"
    groups = f", {len(res.group_labels)} groups ({spec.group})" if spec.group else ""
    basis = ", latent basis" if spec.free_time_scores else ""
    return f"latent growth curve model ({kind}{basis}{groups})"


def _name(text: str, row: pd.Series) -> str:
    return f"{text} ({row['label']})" if row["label"] else text


def _values(row: pd.Series) -> list[str]:
    if row["free"] > 0:
        inference = [_num(row["se"]), _num(row["z"]), _num(row["pvalue"])]
    else:
        inference = ["", "", ""]
    return [_num(row["est"]), *inference, _num(row["std_all"])]


def _block_rows(part: pd.DataFrame, key: str) -> list[tuple[str, list[str] | None]]:
    rows: list[tuple[str, list[str] | None]] = []
    if key in ("=~", "~"):
        sub = part[part["op"] == key]
        for lhs in pd.unique(sub["lhs"]):
            rows.append((f"{lhs} {key}", None))
            for _, row in sub[sub["lhs"] == lhs].iterrows():
                rows.append((_name(str(row["rhs"]), row), _values(row)))
    elif key == "~~cov":
        sub = part[(part["op"] == "~~") & (part["lhs"] != part["rhs"])]
        for lhs in pd.unique(sub["lhs"]):
            rows.append((f".{lhs} ~~", None))
            for _, row in sub[sub["lhs"] == lhs].iterrows():
                rows.append((_name(f".{row['rhs']}", row), _values(row)))
    elif key == "~1":
        for _, row in part[part["op"] == "~1"].iterrows():
            rows.append((_name(f".{row['lhs']}", row), _values(row)))
    else:
        sub = part[(part["op"] == "~~") & (part["lhs"] == part["rhs"])]
        for _, row in sub.iterrows():
            rows.append((_name(f".{row['lhs']}", row), _values(row)))
    return rows
