"""APA-style tables for latent growth models, and writers to CSV, Markdown and LaTeX.

Two steps, so that raw numbers and printed text never mix:

1. :func:`growth_table` and :func:`fit_table` collect the rows a report shows
   from engine output (parameter tables in lavaan vocabulary, fit dicts with
   lavaan names) into a *raw* DataFrame of numbers. :func:`to_csv` writes it
   with full precision.
2. :func:`format_growth_table` and :func:`format_fit_table` turn a raw table
   into a :class:`FormattedTable` of text cells, through
   :mod:`ilb_eval.formatting` (German or English), applying the minimum cell
   size rule: a cell resting on fewer than ``min_cell_size`` persons shows
   ``•`` and the note says why. :meth:`FormattedTable.to_markdown`,
   :meth:`~FormattedTable.to_latex` and :meth:`~FormattedTable.add_to` (a
   report section) render it.

Labels (German and English) come from the caller, usually from the study
definition: ``{code: {"de": ..., "en": ...}}`` for outcomes, covariates,
groups and (optionally) observed variables; unknown codes print as they are.

Examples
--------
>>> import pandas as pd
>>> params = pd.DataFrame({
...     "lhs": ["i", "s", "i", "s", "i", "s", "i", "y1", "y3", "y4"],
...     "op": ["~1", "~1", "~", "~", "~~", "~~", "~~", "~~", "~~", "~~"],
...     "rhs": ["", "", "ilb", "ilb", "i", "s", "s", "y1", "y3", "y4"],
...     "group": 1, "est": [3.6, 0.043, -0.2, 0.094, 0.196, 0.0034, -0.0037, 0.10, 0.07, 0.10],
...     "se": 0.01, "z": 5.0, "pvalue": 0.004, "ci_lower": 0.0, "ci_upper": 1.0, "std_all": 0.5})
>>> raw = growth_table({"belastbarkeit": params})
>>> raw.loc[raw["term"] == "effect", ["factor", "covariate", "est"]].to_numpy().tolist()
[['i', 'ilb', -0.2], ['s', 'ilb', 0.094]]
>>> table = format_growth_table(raw, labels={"belastbarkeit": {"de": "Belastbarkeit", "en": "Resilience"},
...                                          "ilb": {"de": "iLB-Teilnahme", "en": "iLB use"}},
...                             n={"belastbarkeit": 1737})
>>> table.frame.iloc[-1].tolist()
['iLB-Teilnahme', '0,094', '0,010', ',004', '[0,000; 1,000]', ',50']
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from ilb_eval.formatting import (
    MISSING,
    SUPPRESSED,
    Lang,
    format_bounded,
    format_count,
    format_interval,
    format_number,
    format_p,
)
from ilb_eval.privacy import CellRule

if TYPE_CHECKING:  # pragma: no cover
    from ilb_eval.report.document import Section

__all__ = [
    "FIT_COLUMNS",
    "GROWTH_COLUMNS",
    "FormattedTable",
    "fit_table",
    "format_fit_table",
    "format_growth_table",
    "growth_table",
    "label_for",
    "suppression_note",
    "to_csv",
]

Labels = Mapping[str, Mapping[str, str]]

#: Columns of the raw table :func:`growth_table` returns.
GROWTH_COLUMNS: tuple[str, ...] = (
    "outcome", "group", "group_label", "block", "term", "factor", "covariate", "variable",
    "lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all",
)
#: Columns of the raw table :func:`fit_table` returns.
FIT_COLUMNS: tuple[str, ...] = (
    "outcome", "npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower",
    "rmsea_ci_upper", "srmr", "ntotal",
)
_FACTORS = ("i", "s")
_BLOCKS = ("means", "variances", "effects_i", "effects_s")

_WORDS: dict[str, dict[str, str]] = {
    "de": {
        "parameter": "Parameter", "b": "b", "se": "SE", "p": "p", "ci": "95 %-KI", "beta": "β",
        "means": "Mittelwerte", "variances": "Varianzen und Kovarianz",
        "effects_i": "Effekte auf das Ausgangsniveau (i)",
        "effects_s": "Effekte auf die Veränderung (s)",
        "mean_i": "Ausgangsniveau (i)", "mean_s": "Veränderung (s)",
        "var_i": "Varianz i", "var_s": "Varianz s", "cov_is": "Kovarianz i, s",
        "resid": "Residualvarianz {name}",
        "model": "Modell", "chisq": "χ²", "df": "df", "cfi": "CFI", "tli": "TLI",
        "rmsea": "RMSEA [90 %-KI]", "srmr": "SRMR", "n": "N",
        "growth_caption": "Latente Wachstumskurvenmodelle: Parameterschätzungen",
        "fit_caption": "Latente Wachstumskurvenmodelle: Modellgüte",
        "growth_note": ("b = unstandardisierte Schätzung, SE = Standardfehler, KI = "
                        "Konfidenzintervall, β = vollständig standardisierter Koeffizient. "
                        "Schätzung mit Full Information Maximum Likelihood (FIML)."),
        "intercepts": ("Mit Kovariaten sind die Mittelwerte von i und s Achsenabschnitte "
                       "(erwartete Werte, wenn alle Kovariaten 0 sind)."),
        "fit_note": ("χ² = Chi-Quadrat-Test der Modellanpassung, CFI = Comparative Fit Index, "
                     "TLI = Tucker-Lewis-Index, RMSEA = Root Mean Square Error of "
                     "Approximation, SRMR = Standardized Root Mean Square Residual."),
        "suppressed": ("{mark} = unterdrückt: beruht auf weniger als {k} Personen "
                       "(Mindestzellgröße) oder ließe eine solche Zahl zurückrechnen."),
        "lowered": " Die Mindestzellgröße wurde von {default} auf {k} gesenkt.",
    },
    "en": {
        "parameter": "Parameter", "b": "b", "se": "SE", "p": "p", "ci": "95% CI", "beta": "β",
        "means": "Means", "variances": "Variances and covariance",
        "effects_i": "Effects on the intercept (i)", "effects_s": "Effects on the slope (s)",
        "mean_i": "Intercept (i)", "mean_s": "Slope (s)",
        "var_i": "Variance i", "var_s": "Variance s", "cov_is": "Covariance i, s",
        "resid": "Residual variance {name}",
        "model": "Model", "chisq": "χ²", "df": "df", "cfi": "CFI", "tli": "TLI",
        "rmsea": "RMSEA [90% CI]", "srmr": "SRMR", "n": "N",
        "growth_caption": "Latent growth curve models: parameter estimates",
        "fit_caption": "Latent growth curve models: model fit",
        "growth_note": ("b = unstandardised estimate, SE = standard error, CI = confidence "
                        "interval, β = fully standardised coefficient. Full information "
                        "maximum likelihood (FIML) estimation."),
        "intercepts": ("With covariates, the means of i and s are intercepts (expected values "
                       "when all covariates are 0)."),
        "fit_note": ("χ² = chi-square test of model fit, CFI = comparative fit index, "
                     "TLI = Tucker-Lewis index, RMSEA = root mean square error of "
                     "approximation, SRMR = standardised root mean square residual."),
        "suppressed": ("{mark} = suppressed: based on fewer than {k} persons (minimum cell size) or would let "
                       "such a number be recovered."),
        "lowered": " The minimum cell size was lowered from {default} to {k}.",
    },
}


def label_for(labels: Labels | None, code: str, lang: Lang = "de") -> str:
    """The label of ``code`` in ``lang`` (falls back to German, then to the code).

    >>> label_for({"ilb": {"de": "iLB-Teilnahme", "en": "iLB use"}}, "ilb", "en"), label_for(None, "x")
    ('iLB use', 'x')
    """
    if labels and code in labels:
        entry = labels[code]
        return entry.get(lang) or entry.get("de") or code
    return code


def suppression_note(rule: CellRule, lang: Lang = "de") -> str:
    """The note that explains the suppression mark (and a lowered threshold).

    >>> suppression_note(CellRule(10))
    '• = unterdrückt: beruht auf weniger als 10 Personen (Mindestzellgröße) oder ließe eine solche Zahl zurückrechnen.'
    >>> suppression_note(CellRule(7), "en")
    '• = suppressed: based on fewer than 7 persons (minimum cell size) or would let such a number be recovered. The minimum cell size was lowered from 10 to 7.'
    """
    from ilb_eval.privacy import DEFAULT_MIN_CELL_SIZE

    words = _WORDS[lang]
    text = words["suppressed"].format(mark=SUPPRESSED[lang], k=format_count(rule.min_cell_size, lang))
    if rule.lowered:
        text += words["lowered"].format(default=format_count(DEFAULT_MIN_CELL_SIZE, lang),
                                        k=format_count(rule.min_cell_size, lang))
    return text


# --------------------------------------------------------------------------- raw tables

def _normalise_params(params: pd.DataFrame) -> pd.DataFrame:
    frame = params.rename(columns=lambda c: str(c).replace(".", "_"))
    missing = [c for c in ("lhs", "op", "rhs", "est") if c not in frame.columns]
    if missing:
        raise ValueError(f"parameter table lacks columns {missing}; expected lavaan vocabulary "
                         "(lhs, op, rhs, group, est, se, z, pvalue, ci_lower, ci_upper, std_all)")
    frame = frame.copy()
    for column in ("se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"):
        if column not in frame.columns:
            frame[column] = math.nan
    if "group" not in frame.columns:
        frame["group"] = 1
    if "group_label" not in frame.columns:
        frame["group_label"] = ""
    frame["rhs"] = frame["rhs"].fillna("").astype(str)
    frame["group_label"] = frame["group_label"].fillna("").astype(str)
    return frame


def growth_table(models: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Collect the reported rows of one growth model per outcome into a raw table.

    Parameters
    ----------
    models:
        ``{outcome: parameter table}``; each table in lavaan vocabulary
        (``lhs, op, rhs, group, est, se, z, pvalue, ci_lower, ci_upper,
        std_all``; dotted lavaan names such as ``ci.lower`` are accepted; an
        optional ``group_label``). Latent factors are ``i`` and ``s``.

    Returns
    -------
    DataFrame
        Columns :data:`GROWTH_COLUMNS`, in report order per outcome and group:
        ``block`` is ``means`` (``i~1``, ``s~1``), ``variances`` (``i~~i``,
        ``s~~s``, ``i~~s``, then residual variances ``y~~y`` of the observed
        outcomes), ``effects_i`` / ``effects_s`` (``i~x``, ``s~x``). ``term``
        is ``mean``, ``variance``, ``covariance``, ``residual`` or ``effect``;
        ``factor``, ``covariate`` and ``variable`` name what the row is about.
        Numbers are as estimated (never rounded).
    """
    rows: list[dict[str, Any]] = []
    for outcome, params in models.items():
        frame = _normalise_params(params)
        covariates = list(dict.fromkeys(
            frame.loc[(frame["op"] == "~") & frame["lhs"].isin(_FACTORS), "rhs"]))
        indicators = list(dict.fromkeys(frame.loc[frame["op"] == "=~", "rhs"]))
        if not indicators:
            indicators = list(dict.fromkeys(frame.loc[
                (frame["op"] == "~~") & (frame["lhs"] == frame["rhs"])
                & ~frame["lhs"].isin(_FACTORS) & ~frame["lhs"].isin(covariates), "lhs"]))
        for group, part in frame.groupby("group", sort=True):
            group_label = str(part["group_label"].iloc[0])

            def pick(lhs: str, op: str, rhs: str, part: pd.DataFrame = part) -> pd.Series | None:
                hit = part[(part["lhs"] == lhs) & (part["op"] == op) & (part["rhs"] == rhs)]
                return None if hit.empty else hit.iloc[0]

            wanted: list[tuple[str, str, str, str, str, str, str]] = [
                ("means", "mean", "i", "", "", "i", "~1"),
                ("means", "mean", "s", "", "", "s", "~1"),
                ("variances", "variance", "i", "", "", "i", "~~i"),
                ("variances", "variance", "s", "", "", "s", "~~s"),
                ("variances", "covariance", "i", "", "", "i", "~~s"),
            ]
            wanted += [("variances", "residual", "", "", y, y, f"~~{y}") for y in indicators]
            for factor in _FACTORS:
                wanted += [(f"effects_{factor}", "effect", factor, x, "", factor, f"~{x}")
                           for x in covariates]
            for block, term, factor, covariate, variable, lhs, rest in wanted:
                op = "~~" if rest.startswith("~~") else "~1" if rest == "~1" else "~"
                rhs = "" if op == "~1" else rest[len(op):]
                row = pick(lhs, op, rhs)
                if row is None:
                    continue
                rows.append({
                    "outcome": outcome, "group": group, "group_label": group_label,
                    "block": block, "term": term, "factor": factor, "covariate": covariate,
                    "variable": variable, "lhs": lhs, "op": op, "rhs": rhs,
                    **{c: float(row[c]) for c in ("est", "se", "z", "pvalue", "ci_lower",
                                                  "ci_upper", "std_all")},
                })
    return pd.DataFrame(rows, columns=list(GROWTH_COLUMNS))


def fit_table(fits: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """Collect fit measures (lavaan names, dots or underscores) per outcome.

    >>> fit_table({"y": {"chisq": 5.82, "df": 6, "rmsea.ci.lower": 0.0}})[["chisq", "rmsea_ci_lower"]].iloc[0].tolist()
    [5.82, 0.0]
    """
    rows = []
    for outcome, fit in fits.items():
        clean = {str(k).replace(".", "_"): v for k, v in fit.items()}
        rows.append({"outcome": outcome, **{c: float(clean.get(c, math.nan))
                                            for c in FIT_COLUMNS[1:]}})
    return pd.DataFrame(rows, columns=list(FIT_COLUMNS))


def to_csv(raw: pd.DataFrame) -> str:
    """A raw table as CSV text: ``,`` separator, ``.`` decimals, full precision, ``\\n`` line ends.

    Machine-readable on purpose (not the German display style).

    >>> to_csv(pd.DataFrame({"est": [1 / 3]}))
    'est\\n0.3333333333333333\\n'
    """
    buffer = io.StringIO()
    raw.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


# --------------------------------------------------------------------------- formatted tables

@dataclass
class FormattedTable:
    """A table of text cells with caption, note and row styles.

    ``bold_rows`` are block headings (an outcome or group), ``italic_rows``
    sub-blocks (means, variances, effects), ``indent_rows`` rows inside a
    block; positions are 0-based without the header.
    """

    frame: pd.DataFrame
    caption: str
    note: str | None = None
    bold_rows: tuple[int, ...] = ()
    indent_rows: tuple[int, ...] = ()
    align: tuple[str, ...] | None = None
    suppressed: int = 0
    lang: Lang = "de"
    italic_rows: tuple[int, ...] = ()

    def add_to(self, section: Section) -> Section:
        """Append the table to a report section."""
        return section.table(self.frame, self.caption, self.note, bold_rows=self.bold_rows,
                             indent_rows=self.indent_rows, italic_rows=self.italic_rows,
                             align=self.align)

    def _cells(self, escape: Any, bold: Any, italic: Any, indent: Any) -> list[list[str]]:
        rows = []
        for i, values in enumerate(self.frame.itertuples(index=False, name=None)):
            cells = [escape(str(v)) for v in values]
            if i in self.bold_rows:
                cells[0] = bold(cells[0])
            elif i in self.italic_rows:
                cells[0] = italic(cells[0])
            elif i in self.indent_rows:
                cells[0] = indent(cells[0])
            rows.append(cells)
        return rows

    def to_markdown(self) -> str:
        """GitHub-flavoured Markdown: caption, pipe table, note."""
        def esc(text: str) -> str:
            return text.replace("|", "\\|")

        header = [esc(str(c)) for c in self.frame.columns]
        aligns = self.align or ("left",) * len(header)
        marks = {"left": ":---", "right": "---:", "center": ":---:"}
        lines = [f"**{esc(self.caption)}**", "", "| " + " | ".join(header) + " |",
                 "|" + "|".join(marks[a] for a in aligns) + "|"]
        for cells in self._cells(esc, lambda t: f"**{t}**" if t else t,
                                 lambda t: f"*{t}*" if t else t, lambda t: "\u2003" + t):
            lines.append("| " + " | ".join(cells) + " |")
        if self.note:
            word = "Anmerkung." if self.lang == "de" else "Note."
            lines += ["", f"*{word}* {esc(self.note)}"]
        return "\n".join(lines) + "\n"

    def to_latex(self) -> str:
        """A LaTeX ``table`` with booktabs rules (needs ``\\usepackage{booktabs}``)."""
        header = [_latex(str(c)) for c in self.frame.columns]
        aligns = "".join({"left": "l", "right": "r", "center": "c"}[a]
                         for a in (self.align or ("left",) * len(header)))
        lines = ["\\begin{table}[htbp]", "\\centering", f"\\caption{{{_latex(self.caption)}}}",
                 f"\\begin{{tabular}}{{{aligns}}}", "\\toprule", " & ".join(header) + " \\\\",
                 "\\midrule"]
        for cells in self._cells(_latex, lambda t: f"\\textbf{{{t}}}",
                                 lambda t: f"\\textit{{{t}}}", lambda t: "\\hspace{1em}" + t):
            lines.append(" & ".join(cells) + " \\\\")
        lines += ["\\bottomrule", "\\end{tabular}"]
        if self.note:
            word = "Anmerkung." if self.lang == "de" else "Note."
            lines += ["\\par\\smallskip", f"{{\\footnotesize \\textit{{{word}}} {_latex(self.note)}\\par}}"]
        lines.append("\\end{table}")
        return "\n".join(lines) + "\n"


_LATEX_SPECIAL = {"\\": "\\textbackslash{}", "&": "\\&", "%": "\\%", "$": "\\$", "#": "\\#",
                  "_": "\\_", "{": "\\{", "}": "\\}", "~": "\\textasciitilde{}",
                  "^": "\\textasciicircum{}"}
_LATEX_UNICODE = {"−": "$-$", "–": "--", "≤": "$\\leq$", "≥": "$\\geq$", "\u202f": "\\,",
                  "•": "\\textbullet{}", "χ²": "$\\chi^2$", "β": "$\\beta$", "\u2003": "\\quad{}"}


def _latex(text: str) -> str:
    """Escape LaTeX specials and map the typographic characters the formatting layer uses.

    >>> _latex("95 %-KI [−0,12; 0,34] • χ²")
    '95 \\\\%-KI [$-$0,12; 0,34] \\\\textbullet{} $\\\\chi^2$'
    """
    out = "".join(_LATEX_SPECIAL.get(c, c) for c in text)
    for key, value in _LATEX_UNICODE.items():
        out = out.replace(key, value)
    return out


def _wave_of(name: str) -> str:
    match = re.search(r"(t\d+)$", name)
    return match.group(1) if match else name


def format_growth_table(
    raw: pd.DataFrame,
    *,
    labels: Labels | None = None,
    lang: Lang = "de",
    rule: CellRule | None = None,
    n: Mapping[str, int | Mapping[str, int]] | None = None,
    covariate_n: Mapping[str, int] | None = None,
    decimals: int = 3,
    caption: str | None = None,
    note: str | None = None,
) -> FormattedTable:
    """Format a raw growth table (from :func:`growth_table`) for print.

    Parameters
    ----------
    raw:
        Output of :func:`growth_table`.
    labels:
        ``{code: {"de": ..., "en": ...}}`` for outcomes, covariates, group
        labels and observed variables (a residual variance of ``x_t3`` without
        a label prints as "t3").
    lang:
        ``"de"`` or ``"en"``.
    rule:
        Minimum cell size rule (default 10).
    n:
        Persons per outcome model: ``{outcome: N}`` or, for multi-group
        models, ``{outcome: {group_label: N}}``. A model (group) below the
        rule is suppressed entirely. Missing entries are not checked.
    covariate_n:
        Persons in the smallest category of each (binary) covariate; an
        effect of a covariate below the rule is suppressed.
    decimals:
        Decimals of b, SE and the interval (β always has two).
    caption, note:
        Override the default caption; text added before the default note.

    Returns
    -------
    FormattedTable
        Columns Parameter, b, SE, p, 95 %-KI, β. One bold row per outcome (and
        per group in multi-group models), a plain row per block, indented
        parameter rows.
    """
    rule = rule or CellRule()
    words = _WORDS[lang]
    mark = SUPPRESSED[lang]
    columns = [words["parameter"], words["b"], words["se"], words["p"], words["ci"], words["beta"]]
    rows: list[list[str]] = []
    bold: list[int] = []
    italic: list[int] = []
    indent: list[int] = []
    suppressed = 0
    has_covariates = bool((raw["term"] == "effect").any())
    multi_group = raw.groupby("outcome")["group"].nunique().gt(1).any() if len(raw) else False

    def model_n(outcome: str, group_label: str) -> int | None:
        if not n or outcome not in n:
            return None
        value = n[outcome]
        if isinstance(value, Mapping):
            return value.get(group_label)
        return int(value)

    for outcome, part in raw.groupby("outcome", sort=False):
        bold.append(len(rows))
        rows.append([label_for(labels, str(outcome), lang)] + [""] * 5)
        for (_, group_label), gpart in part.groupby(["group", "group_label"], sort=False):
            if multi_group:
                bold.append(len(rows))
                rows.append([label_for(labels, str(group_label), lang)] + [""] * 5)
            size = model_n(str(outcome), str(group_label))
            model_ok = size is None or rule.allows(size)
            for block in _BLOCKS:
                bpart = gpart[gpart["block"] == block]
                if bpart.empty:
                    continue
                italic.append(len(rows))
                rows.append([words[block]] + [""] * 5)
                for _, r in bpart.iterrows():
                    if r["term"] == "mean":
                        name = words[f"mean_{r['factor']}"]
                    elif r["term"] == "variance":
                        name = words[f"var_{r['factor']}"]
                    elif r["term"] == "covariance":
                        name = words["cov_is"]
                    elif r["term"] == "residual":
                        variable = str(r["variable"])
                        shown = (label_for(labels, variable, lang) if labels and variable in labels
                                 else _wave_of(variable))
                        name = words["resid"].format(name=shown)
                    else:
                        name = label_for(labels, str(r["covariate"]), lang)
                    ok = model_ok and (r["term"] != "effect" or not covariate_n
                                       or str(r["covariate"]) not in covariate_n
                                       or rule.allows(covariate_n[str(r["covariate"])]))
                    indent.append(len(rows))
                    if not ok:
                        suppressed += 1
                        rows.append([name] + [mark] * 5)
                        continue
                    beta = (format_bounded(r["std_all"], 2, lang)
                            if r["term"] == "effect" else "")
                    rows.append([
                        name,
                        format_number(r["est"], decimals, lang),
                        format_number(r["se"], decimals, lang),
                        format_p(r["pvalue"], lang, prefix=False),
                        format_interval(r["ci_lower"], r["ci_upper"], decimals, lang),
                        beta,
                    ])
    notes = [note] if note else []
    notes.append(words["growth_note"])
    if has_covariates:
        notes.append(words["intercepts"])
    if suppressed or rule.lowered:
        notes.append(suppression_note(rule, lang))
    frame = pd.DataFrame(rows, columns=columns)
    return FormattedTable(
        frame=frame, caption=caption or words["growth_caption"], note=" ".join(notes),
        bold_rows=tuple(bold), indent_rows=tuple(indent), italic_rows=tuple(italic),
        align=("left", "right", "right", "right", "right", "right"),
        suppressed=suppressed, lang=lang,
    )


def format_fit_table(
    raw: pd.DataFrame,
    *,
    labels: Labels | None = None,
    lang: Lang = "de",
    rule: CellRule | None = None,
    caption: str | None = None,
    note: str | None = None,
) -> FormattedTable:
    """Format a raw fit table (from :func:`fit_table`): one row per outcome model.

    Columns: model, χ², df, p, CFI, TLI, RMSEA [90 % CI], SRMR, N. A model
    whose ``ntotal`` is below the rule is suppressed.

    >>> raw = fit_table({"y": {"chisq": 5.8208, "df": 6, "pvalue": 0.4436, "cfi": 1.0,
    ...                        "tli": 1.0004, "rmsea": 0.0, "rmsea_ci_lower": 0.0,
    ...                        "rmsea_ci_upper": 0.0307, "srmr": 0.0083, "ntotal": 1737}})
    >>> format_fit_table(raw).frame.iloc[0].tolist()
    ['y', '5,82', '6', ',444', '1,000', '1,000', ',000 [,000; ,031]', ',008', '1.737']
    """
    rule = rule or CellRule()
    words = _WORDS[lang]
    mark = SUPPRESSED[lang]
    columns = [words["model"], words["chisq"], words["df"], words["p"], words["cfi"],
               words["tli"], words["rmsea"], words["srmr"], words["n"]]
    rows = []
    suppressed = 0
    for _, r in raw.iterrows():
        name = label_for(labels, str(r["outcome"]), lang)
        if not rule.allows(r["ntotal"]) and not math.isnan(r["ntotal"]):
            suppressed += 1
            rows.append([name] + [mark] * 8)
            continue
        rmsea = format_bounded(r["rmsea"], 3, lang)
        if not (math.isnan(r["rmsea_ci_lower"]) and math.isnan(r["rmsea_ci_upper"])):
            rmsea += " " + format_interval(r["rmsea_ci_lower"], r["rmsea_ci_upper"], 3, lang,
                                           bounded=True)
        rows.append([
            name,
            format_number(r["chisq"], 2, lang),
            format_count(r["df"], lang),
            format_p(r["pvalue"], lang, prefix=False),
            format_bounded(r["cfi"], 3, lang),
            format_bounded(r["tli"], 3, lang),
            rmsea,
            format_bounded(r["srmr"], 3, lang),
            format_count(r["ntotal"], lang) if not math.isnan(r["ntotal"]) else MISSING,
        ])
    notes = [note] if note else []
    notes.append(words["fit_note"])
    if suppressed or rule.lowered:
        notes.append(suppression_note(rule, lang))
    return FormattedTable(
        frame=pd.DataFrame(rows, columns=columns), caption=caption or words["fit_caption"],
        note=" ".join(notes), align=("left",) + ("right",) * 8, suppressed=suppressed, lang=lang,
    )
