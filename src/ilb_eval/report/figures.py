"""Figures of the report: one function per figure, tidy DataFrames in, ``Figure`` out.

Every function

* takes tidy DataFrames (the expected columns are listed in its docstring),
* returns a :class:`matplotlib.figure.Figure` built without pyplot (no
  global figure registry, never ``plt.show()``) inside a local
  ``matplotlib.rc_context`` (global rcParams are never changed),
* uses the Okabe-Ito colour-blind-safe palette with fixed colours per group
  (:data:`GROUP_COLORS`: iLB always blue, control always orange) and per
  sample (:data:`SAMPLE_COLORS`); the groups ``"ilb"`` and ``"control"``
  are always named by :data:`GROUP_LABELS` (a study's ``labels`` name the
  covariate ``ilb``, not the group), other codes by ``labels``,
* formats tick labels and annotations through :mod:`ilb_eval.formatting`
  (explicit formatters, never the process locale), German by default,
* draws aggregates only (means, shares, counts, model-implied curves), never
  individual persons,
* applies the minimum cell size rule: a value resting on fewer than
  ``min_cell_size`` persons is not drawn, a "•" marks its place and a note
  under the figure says how many values were left out.

Examples
--------
>>> import pandas as pd
>>> data = pd.DataFrame({"wave": ["t1", "t1", "t3", "t3"], "group": ["ilb", "control"] * 2,
...                      "n": [377, 1360, 210, 655]})
>>> fig = wave_response(data)
>>> fig.axes[0].get_ylabel()
'Befragte Personen (Anzahl)'
"""

from __future__ import annotations

import textwrap
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, MultipleLocator

from ilb_eval.formatting import (
    SUPPRESSED,
    Lang,
    format_bounded,
    format_count,
    format_number,
    format_percent,
    format_r,
)
from ilb_eval.privacy import CellRule
from ilb_eval.report.phrases import INVARIANCE_WORDS
from ilb_eval.report.tables import label_for, suppression_note
from ilb_eval.stats.correlation import correlation_band

__all__ = [
    "GROUP_COLORS",
    "GROUP_LABELS",
    "OKABE_ITO",
    "SAMPLE_COLORS",
    "attrition_flow",
    "benefit_agreement",
    "correlation_figure",
    "forest_plot",
    "interview_categories",
    "invariance_grid",
    "satisfaction",
    "trajectories",
    "wave_response",
]

Labels = Mapping[str, Mapping[str, str]]

#: The Okabe-Ito palette (Okabe & Ito 2008), safe for the common colour-vision deficiencies.
OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000",
}
#: Fixed group colours in every figure.
GROUP_COLORS: dict[str, str] = {"ilb": OKABE_ITO["blue"], "control": OKABE_ITO["orange"]}
#: Fixed sample colours (figures comparing EAP and ZP).
SAMPLE_COLORS: dict[str, str] = {"EAP": OKABE_ITO["green"], "ZP": OKABE_ITO["purple"]}
_FALLBACK = (OKABE_ITO["sky_blue"], OKABE_ITO["vermillion"], OKABE_ITO["yellow"],
             OKABE_ITO["black"])
#: Default group labels (a caller's labels take precedence).
GROUP_LABELS: dict[str, dict[str, str]] = {
    "ilb": {"de": "iLB", "en": "iLB"},
    "control": {"de": "Kontrollgruppe", "en": "Control group"},
    "total": {"de": "Alle Befragten", "en": "All respondents"},
}
_GREY = "#6b6b6b"
_LIGHT = "#d9d9d9"
_WIDTH = 6.3  # inches; the report's text column is 6.5 in

_STYLE: dict[str, Any] = {
    "font.family": ["DejaVu Sans"],
    "font.size": 8.5,
    "axes.titlesize": 9,
    "axes.titleweight": "bold",
    "axes.labelsize": 8.5,
    "axes.labelcolor": "#1a1a1a",
    "axes.edgecolor": "#4d4d4d",
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.formatter.use_locale": False,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "figure.constrained_layout.h_pad": 0.04,
    "figure.constrained_layout.w_pad": 0.04,
    "lines.linewidth": 1.6,
    "patch.linewidth": 0,
}

_WORDS: dict[str, dict[str, str]] = {
    "de": {
        "wave": "Befragungswelle", "persons": "Befragte Personen (Anzahl)",
        "persons_short": "Personen (Anzahl)",
        "retained": "weiter dabei", "dropped": "ausgeschieden", "joined": "neu hinzugekommen",
        "satisfaction": "Zufriedenheit\n(1 = sehr unzufrieden, 5 = sehr zufrieden)",
        "satisfaction_note": "Punkte: Mittelwert mit 95 %-Konfidenzintervall.",
        "improve": "Verbesserungswunsch\n(Anteil in %)",
        "agree": "Zustimmung (Anteil in %)",
        "mentions": "Nennungen (Anzahl)",
        "time": "Die Wellen sind nach ihrem Zeitwert angeordnet ({scores}).",
        "score": "Mittelwert (Skala 1–5)",
        "implied": "Linie, Band: modellimplizierter Mittelwert (95 %-KI)",
        "observed": "Kreis: beobachteter Mittelwert (95 %-KI)",
        "n_note": "Zahlen unten: beobachtete n je Welle.",
        "intercept": "Ausgangsniveau (i)", "slope": "Veränderung (s)",
        "effect_i": "Unterschied iLB − Kontrolle\n(Skalenpunkte, 95 %-KI)",
        "effect_s": "Unterschied iLB − Kontrolle\n(Skalenpunkte pro Zeiteinheit, 95 %-KI)",
        "sig": "signifikant nach Holm (p ≤ {alpha})", "ns": "nicht signifikant",
        "scale_mean": "Punkt: Skalenmittelwert", "second_order": "Raute: latentes Konstrukt (2. Ordnung)",
        "not_scalar": "† nicht skalar invariant über die Wellen: keine Schätzung zweiter Ordnung; der Unterschied "
                      "in der Veränderung des Skalenmittelwerts kann eine Antwortverschiebung enthalten.",
        "r": "Korrelation r (Pearson, 95 %-KI)",
        "stars": ("** p ≤ ,01; * p ≤ ,05 (2-seitig). Grenzen der Stärke: |r| < ,3 gering, "
                  "< ,5 mittel, < ,7 hoch, sonst sehr hoch."),
        "band": "Stärke",
        "suppressed_values": ("{mark} Nicht dargestellt: {count} {noun} mit weniger als {k} Personen oder "
                              "ergänzend unterdrückt."),
        "value": "Wert", "values": "Werte",
    },
    "en": {
        "wave": "Survey wave", "persons": "Persons surveyed (count)",
        "persons_short": "Persons (count)",
        "retained": "retained", "dropped": "dropped out", "joined": "joined",
        "satisfaction": "Satisfaction\n(1 = very dissatisfied, 5 = very satisfied)",
        "satisfaction_note": "Points: mean with 95% confidence interval.",
        "improve": "Wish for improvement\n(share in %)",
        "agree": "Agreement (share in %)",
        "mentions": "Mentions (count)",
        "time": "Waves are spaced by their time score ({scores}).",
        "score": "Mean (scale 1–5)",
        "implied": "line, band: model-implied mean (95% CI)",
        "observed": "circle: observed mean (95% CI)",
        "n_note": "Numbers at the bottom: observed n per wave.",
        "intercept": "Intercept (i)", "slope": "Slope (s)",
        "effect_i": "Difference iLB − control\n(scale points, 95% CI)",
        "effect_s": "Difference iLB − control\n(scale points per time unit, 95% CI)",
        "sig": "significant after Holm (p ≤ {alpha})", "ns": "not significant",
        "scale_mean": "point: scale mean", "second_order": "diamond: latent construct (2nd order)",
        "not_scalar": "† not scalar invariant across the waves: no second-order estimate; the difference in the "
                      "change of the scale mean may contain a response shift.",
        "r": "Correlation r (Pearson, 95% CI)",
        "stars": ("** p ≤ .01; * p ≤ .05 (two-sided). Strength: |r| < .3 low, < .5 medium, "
                  "< .7 high, otherwise very high."),
        "band": "strength",
        "suppressed_values": "{mark} Not shown: {count} {noun} based on fewer than {k} persons or suppressed alongside.",
        "value": "value", "values": "values",
    },
}


# --------------------------------------------------------------------------- helpers

def _require(data: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"{what}: the data lack the columns {missing}; expected {list(columns)}")


def _group_color(group: str, order: Sequence[str]) -> str:
    if group in GROUP_COLORS:
        return GROUP_COLORS[group]
    if group in SAMPLE_COLORS:
        return SAMPLE_COLORS[group]
    others = [g for g in order if g not in GROUP_COLORS and g not in SAMPLE_COLORS]
    return _FALLBACK[others.index(group) % len(_FALLBACK)]


def _group_label(group: str, labels: Labels | None, lang: Lang) -> str:
    # the group "ilb" is not the covariate "ilb" a study's labels name: defaults first
    if group in GROUP_LABELS:
        return label_for(GROUP_LABELS, group, lang)
    return label_for(labels, group, lang)


def _new_figure(height: float, width: float = _WIDTH) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _number_axis(axis: Any, decimals: int, lang: Lang) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v, decimals, lang)))


def _count_axis(axis: Any, lang: Lang) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _: format_count(v, lang)))


def _percent_axis(axis: Any, lang: Lang) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _: format_percent(v, 0, lang)))


def _finish(fig: Figure, suppressed: int, rule: CellRule, lang: Lang,
            extra: Sequence[str] = ()) -> Figure:
    """Add the note line(s) under the figure: extra remarks and the suppression note."""
    words = _WORDS[lang]
    lines = [line for line in extra if line]
    if suppressed:
        noun = words["value"] if suppressed == 1 else words["values"]
        lines.append(words["suppressed_values"].format(
            mark=SUPPRESSED[lang], count=format_count(suppressed, lang), noun=noun,
            k=format_count(rule.min_cell_size, lang)))
        if rule.lowered:
            lines.append(suppression_note(rule, lang).split(". ", 1)[-1])
    if lines:
        height = fig.get_size_inches()[1]
        share = min(0.3, (0.16 * len(lines) + 0.06) / height)
        engine = fig.get_layout_engine()
        x0, _, width, _ = engine.get()["rect"]
        engine.set(rect=(x0, share, width, 1 - share))
        fig.text(0.005, 0.01, "\n".join(lines), ha="left", va="bottom", fontsize=7,
                 color=_GREY, linespacing=1.35)
    return fig


def _order(values: pd.Series, preferred: Sequence[str] = ()) -> list[str]:
    seen = list(dict.fromkeys(str(v) for v in values))
    first = [v for v in preferred if v in seen]
    return first + [v for v in seen if v not in first]


def _share_allowed(rule: CellRule, share: float, n: float) -> bool:
    if not (np.isfinite(share) and np.isfinite(n)):
        return False
    base = int(round(n))
    return rule.share(int(round(share * base)), base) is not None


# --------------------------------------------------------------------------- figure 2: response

def wave_response(data: pd.DataFrame, *, lang: Lang = "de", labels: Labels | None = None,
                  rule: CellRule | None = None) -> Figure:
    """Persons per wave and group (the "Rücklauf" of figure 2).

    Parameters
    ----------
    data:
        Columns ``wave`` (e.g. "t1"), ``group`` (code, e.g. "ilb", "control";
        colours are fixed for these two), ``n`` (persons).
    lang, labels, rule:
        Language, labels for group codes, minimum cell size rule.

    Returns
    -------
    Figure
        Grouped bars per wave with the n printed above each bar.
    """
    _require(data, ("wave", "group", "n"), "wave_response")
    rule = rule or CellRule()
    words = _WORDS[lang]
    waves = _order(data["wave"])
    groups = _order(data["group"], list(GROUP_COLORS))
    suppressed = 0
    with matplotlib.rc_context(_STYLE):
        fig = _new_figure(2.9)
        ax = fig.add_subplot()
        width = 0.8 / len(groups)
        top = float(data["n"].max()) if len(data) else 1.0
        for k, group in enumerate(groups):
            color = _group_color(group, groups)
            for j, wave in enumerate(waves):
                hit = data[(data["wave"].astype(str) == wave) & (data["group"].astype(str) == group)]
                if hit.empty:
                    continue
                n = float(hit["n"].iloc[0])
                x = j - 0.4 + width * (k + 0.5)
                if not rule.allows(n):
                    suppressed += 1
                    ax.text(x, top * 0.01, SUPPRESSED[lang], ha="center", va="bottom", color=_GREY)
                    continue
                ax.bar(x, n, width * 0.92, color=color,
                       label=_group_label(group, labels, lang) if j == 0 else None)
                ax.text(x, n + top * 0.015, format_count(n, lang), ha="center", va="bottom",
                        fontsize=7)
        ax.set_xticks(range(len(waves)), waves)
        ax.set_xlabel(words["wave"])
        ax.set_ylabel(words["persons"])
        ax.set_ylim(0, top * 1.12)
        _count_axis(ax.yaxis, lang)
        ax.legend(loc="upper right")
        return _finish(fig, suppressed, rule, lang)


# --------------------------------------------------------------------------- attrition

def attrition_flow(data: pd.DataFrame, *, lang: Lang = "de", labels: Labels | None = None,
                   rule: CellRule | None = None) -> Figure:
    """Attrition between waves: persons retained, dropped out and newly joined.

    Parameters
    ----------
    data:
        Columns ``from_wave``, ``to_wave``, ``status`` (``"retained"``,
        ``"dropped"`` or ``"joined"``), ``n`` (persons); optional ``group``
        (one panel per group).

    Returns
    -------
    Figure
        One stacked horizontal bar per transition ("t1 → t3"), segments
        labelled with their n.
    """
    _require(data, ("from_wave", "to_wave", "status", "n"), "attrition_flow")
    rule = rule or CellRule()
    words = _WORDS[lang]
    statuses = ("retained", "dropped", "joined")
    colors = {"retained": OKABE_ITO["blue"], "dropped": _LIGHT, "joined": OKABE_ITO["sky_blue"]}
    frame = data.copy()
    if "group" not in frame.columns:
        frame["group"] = ""
    groups = _order(frame["group"], list(GROUP_COLORS))
    transitions = list(dict.fromkeys(zip(frame["from_wave"].astype(str),
                                         frame["to_wave"].astype(str), strict=True)))
    suppressed = 0
    with matplotlib.rc_context(_STYLE):
        fig = _new_figure(0.75 + 0.55 * len(transitions) * len(groups) + 0.35 * len(groups))
        axes = fig.subplots(len(groups), 1, sharex=True, squeeze=False)[:, 0]
        top = frame.groupby(["group", "from_wave", "to_wave"])["n"].sum().max()
        for ax, group in zip(axes, groups, strict=True):
            part = frame[frame["group"] == group]
            for row, (a, b) in enumerate(transitions):
                left = 0.0
                for status in statuses:
                    hit = part[(part["from_wave"].astype(str) == a) & (part["to_wave"].astype(str) == b)
                               & (part["status"] == status)]
                    if hit.empty:
                        continue
                    n = float(hit["n"].iloc[0])
                    if not rule.allows(n):
                        suppressed += 1
                        ax.text(left + top * 0.01, row, SUPPRESSED[lang], va="center", color=_GREY)
                        continue
                    ax.barh(row, n, left=left, height=0.6, color=colors[status],
                            label=words[status] if row == 0 else None)
                    ax.text(left + n / 2, row, format_count(n, lang), ha="center", va="center",
                            fontsize=7, color="white" if status == "retained" else "#1a1a1a")
                    left += n
            ax.set_yticks(range(len(transitions)), [f"{a} → {b}" for a, b in transitions])
            ax.invert_yaxis()
            if group:
                ax.set_title(_group_label(group, labels, lang), loc="left")
            _count_axis(ax.xaxis, lang)
        axes[-1].set_xlabel(words["persons_short"])
        handles = [Patch(color=colors[s], label=words[s]) for s in statuses]
        fig.legend(handles=handles, loc="outside upper center", ncols=3)
        return _finish(fig, suppressed, rule, lang)


# --------------------------------------------------------------------------- figure 3: satisfaction

def satisfaction(data: pd.DataFrame, *, lang: Lang = "de", rule: CellRule | None = None) -> Figure:
    """Satisfaction with aspects of iLB (mean, 95 % CI) and share wishing improvement (figure 3).

    Parameters
    ----------
    data:
        One row per aspect, in the order to show (top to bottom): ``aspect``
        (label text), ``mean``, ``ci_lower``, ``ci_upper`` (1–5 scale), ``n``
        (persons behind the mean), ``share_improve`` (0–1) and ``n_improve``
        (persons who answered the improvement question).

    Returns
    -------
    Figure
        Left panel: means with intervals on the 1–5 scale; right panel: bars
        of the share wishing improvement, labelled in %.
    """
    _require(data, ("aspect", "mean", "ci_lower", "ci_upper", "n", "share_improve", "n_improve"),
             "satisfaction")
    rule = rule or CellRule()
    words = _WORDS[lang]
    rows = len(data)
    suppressed = 0
    with matplotlib.rc_context(_STYLE):
        fig = _new_figure(0.9 + 0.32 * rows)
        left, right = fig.subplots(1, 2, sharey=True, width_ratios=(1.5, 1))
        color = GROUP_COLORS["ilb"]
        for y, (_, r) in enumerate(data.iterrows()):
            if rule.allows(r["n"]) and np.isfinite(r["mean"]):
                left.errorbar(r["mean"], y, xerr=[[r["mean"] - r["ci_lower"]], [r["ci_upper"] - r["mean"]]],
                              fmt="o", color=color, ms=4.5, elinewidth=1.1, capsize=2)
                left.text(r["ci_upper"] + 0.06, y, format_number(r["mean"], 1, lang),
                          va="center", fontsize=7)
            else:
                suppressed += 1
                left.text(1.05, y, SUPPRESSED[lang], va="center", color=_GREY)
            if _share_allowed(rule, r["share_improve"], r["n_improve"]):
                right.barh(y, r["share_improve"], height=0.62, color=OKABE_ITO["vermillion"])
                right.text(r["share_improve"] + 0.01, y, format_percent(r["share_improve"], 0, lang),
                           va="center", fontsize=7)
            else:
                suppressed += 1
                right.text(0.01, y, SUPPRESSED[lang], va="center", color=_GREY)
        left.set_yticks(range(rows), list(data["aspect"].astype(str)))
        left.invert_yaxis()
        left.set_xlim(1, 5.4)
        left.xaxis.set_major_locator(FixedLocator([1, 2, 3, 4, 5]))
        _number_axis(left.xaxis, 0, lang)
        left.set_xlabel(words["satisfaction"])
        left.grid(axis="x", color=_LIGHT, lw=0.5)
        left.set_axisbelow(True)
        shares = data["share_improve"].to_numpy(float)
        share_max = float(np.nanmax(shares)) if np.isfinite(shares).any() else 1.0
        right.set_xlim(0, min(1.0, max(0.2, share_max * 1.25)))
        right.xaxis.set_major_locator(MultipleLocator(0.2 if share_max > 0.4 else 0.1))
        _percent_axis(right.xaxis, lang)
        right.set_xlabel(words["improve"])
        right.tick_params(axis="y", length=0)
        return _finish(fig, suppressed, rule, lang, [words["satisfaction_note"]])


# --------------------------------------------------------------------------- figure 4: benefit

def benefit_agreement(data: pd.DataFrame, *, lang: Lang = "de", labels: Labels | None = None,
                      rule: CellRule | None = None) -> Figure:
    """Agreement with benefit statements at t3 and t4, EAP vs ZP (figure 4).

    Parameters
    ----------
    data:
        Columns ``aspect`` (label text), ``sample`` ("EAP", "ZP"), ``wave``
        ("t3", "t4"), ``share`` (0–1, share agreeing) and ``n`` (persons
        answering).

    Returns
    -------
    Figure
        One panel per wave; per aspect one bar per sample, labelled in %.
    """
    _require(data, ("aspect", "sample", "wave", "share", "n"), "benefit_agreement")
    rule = rule or CellRule()
    words = _WORDS[lang]
    aspects = _order(data["aspect"])
    waves = _order(data["wave"])
    samples = _order(data["sample"], list(SAMPLE_COLORS))
    suppressed = 0
    height = 0.8 / len(samples)
    with matplotlib.rc_context(_STYLE):
        fig = _new_figure(1.1 + 0.42 * len(aspects) * max(1, len(samples) / 2))
        axes = fig.subplots(1, len(waves), sharey=True, sharex=True, squeeze=False)[0]
        for ax, wave in zip(axes, waves, strict=True):
            for k, sample in enumerate(samples):
                for y, aspect in enumerate(aspects):
                    hit = data[(data["wave"] == wave) & (data["sample"] == sample)
                               & (data["aspect"] == aspect)]
                    if hit.empty:
                        continue
                    share, n = float(hit["share"].iloc[0]), float(hit["n"].iloc[0])
                    pos = y - 0.4 + height * (k + 0.5)
                    if not _share_allowed(rule, share, n):
                        suppressed += 1
                        ax.text(0.01, pos, SUPPRESSED[lang], va="center", color=_GREY)
                        continue
                    ax.barh(pos, share, height=height * 0.9, color=_group_color(sample, samples))
                    ax.text(share + 0.012, pos, format_percent(share, 0, lang), va="center",
                            fontsize=6.8)
            ax.set_title(wave)
            ax.set_xlim(0, 1)
            ax.xaxis.set_major_locator(MultipleLocator(0.25))
            _percent_axis(ax.xaxis, lang)
            ax.set_xlabel(words["agree"])
            ax.grid(axis="x", color=_LIGHT, lw=0.5)
            ax.set_axisbelow(True)
        axes[0].set_yticks(range(len(aspects)), aspects)
        axes[0].invert_yaxis()
        handles = [Patch(color=_group_color(s, samples), label=_group_label(s, labels, lang))
                   for s in samples]
        fig.legend(handles=handles, loc="outside upper center", ncols=len(samples))
        return _finish(fig, suppressed, rule, lang)


# --------------------------------------------------------------------------- figure 5: interviews

def interview_categories(data: pd.DataFrame, *, lang: Lang = "de", labels: Labels | None = None,
                         rule: CellRule | None = None) -> Figure:
    """Coded mentions of changes through iLB in the interviews, per sample (figure 5).

    Parameters
    ----------
    data:
        Columns ``category`` (label text), ``sample`` ("EAP", "ZP") and
        ``mentions`` (count of coded mentions). Counts below the minimum cell
        size are suppressed like any other count.

    Returns
    -------
    Figure
        One panel per sample, categories sorted by mentions.
    """
    _require(data, ("category", "sample", "mentions"), "interview_categories")
    rule = rule or CellRule()
    words = _WORDS[lang]
    samples = _order(data["sample"], list(SAMPLE_COLORS))
    suppressed = 0
    most = max((int((data["sample"] == s).sum()) for s in samples), default=1)
    with matplotlib.rc_context(_STYLE):
        fig = _new_figure(0.9 + 0.26 * most)
        axes = fig.subplots(1, len(samples), squeeze=False, sharex=True)[0]
        top = float(data["mentions"].max()) if len(data) else 1.0
        for ax, sample in zip(axes, samples, strict=True):
            part = data[data["sample"] == sample].sort_values("mentions", ascending=False,
                                                               kind="stable")
            for y, (_, r) in enumerate(part.iterrows()):
                if not rule.allows(r["mentions"]):
                    suppressed += 1
                    ax.text(top * 0.01, y, SUPPRESSED[lang], va="center", color=_GREY)
                    continue
                ax.barh(y, r["mentions"], height=0.65, color=_group_color(sample, samples))
                ax.text(r["mentions"] + top * 0.015, y, format_count(r["mentions"], lang),
                        va="center", fontsize=7)
            ax.set_yticks(range(len(part)), list(part["category"].astype(str)))
            ax.set_ylim(most - 0.5, -0.5)
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
            ax.set_title(_group_label(sample, labels, lang), loc="left")
            ax.set_xlim(0, top * 1.15)
            _count_axis(ax.xaxis, lang)
            ax.set_xlabel(words["mentions"])
        return _finish(fig, suppressed, rule, lang)


# --------------------------------------------------------------------------- figures 6 and 7

def trajectories(
    implied: pd.DataFrame,
    observed: pd.DataFrame | None = None,
    *,
    waves: Mapping[str, float],
    lang: Lang = "de",
    labels: Labels | None = None,
    rule: CellRule | None = None,
    ncols: int = 3,
    ylabel: str | None = None,
    ylim: tuple[float, float] | None = None,
) -> Figure:
    """Model-implied trajectories per group over the real time axis (figures 6 and 7).

    Parameters
    ----------
    implied:
        Columns ``dimension`` (scale code), ``group`` (e.g. "ilb", "control";
        a single group for ZP), ``time`` (time score), ``estimate``,
        ``ci_lower``, ``ci_upper`` (95 % band of the model-implied mean) and
        ``n`` (persons in the model group).
    observed:
        Optional observed means: ``dimension``, ``group``, ``wave``, ``mean``,
        ``ci_lower``, ``ci_upper``, ``n`` (persons with a score at that wave).
    waves:
        Wave name -> time score, e.g. ``{"t1": 0, "t3": 2, "t4": 3}``: the x
        axis is spaced by the time scores and labelled with the wave names.
    labels:
        Labels for dimensions and groups.
    ncols:
        Panels per row (one panel per dimension).
    ylabel, ylim:
        Y axis label (default: self-rating 1–5) and limits (default: shared,
        from the data).

    Returns
    -------
    Figure
        Small multiples: bands and lines for the implied means, markers with
        intervals for observed means (slightly offset per group) and their n
        along the bottom of each panel.
    """
    _require(implied, ("dimension", "group", "time", "estimate", "ci_lower", "ci_upper", "n"),
             "trajectories (implied)")
    if observed is not None:
        _require(observed, ("dimension", "group", "wave", "mean", "ci_lower", "ci_upper", "n"),
                 "trajectories (observed)")
    rule = rule or CellRule()
    words = _WORDS[lang]
    dims = _order(implied["dimension"])
    groups = _order(implied["group"], list(GROUP_COLORS))
    times = [float(t) for t in waves.values()]
    span = max(times) - min(times) or 1.0
    offsets = {g: (k - (len(groups) - 1) / 2) * 0.045 * span for k, g in enumerate(groups)}
    nrows = int(np.ceil(len(dims) / ncols))
    cols = min(ncols, len(dims))
    suppressed = 0
    if ylim is None:
        values = [implied["ci_lower"], implied["ci_upper"]]
        if observed is not None:
            values += [observed["ci_lower"], observed["ci_upper"]]
        low = float(np.nanmin(pd.concat(values))) if len(implied) else 1.0
        high = float(np.nanmax(pd.concat(values))) if len(implied) else 5.0
        pad = (high - low) * 0.08 or 0.1
        ylim = (low - pad - (high - low) * 0.22 * len(groups) * (observed is not None), high + pad)
    with matplotlib.rc_context(_STYLE):
        fig = _new_figure(0.9 + 2.0 * nrows + (0.35 if cols == 1 else 0),
                          width=_WIDTH if cols > 1 else 4.3)
        axes = fig.subplots(nrows, cols, squeeze=False, sharex=True, sharey=True)
        for index in range(nrows * cols):
            ax = axes.flat[index]
            if index >= len(dims):
                ax.set_axis_off()
                continue
            dim = dims[index]
            # long names (e.g. "Integration in Strukturen und Prozesse") wrap instead of being cut
            title = textwrap.fill(label_for(labels, dim, lang), width=24 if cols > 1 else 60)
            ax.set_title(title, loc="left", fontsize=8.5)
            for k, group in enumerate(groups):
                color = _group_color(group, groups)
                part = implied[(implied["dimension"] == dim) & (implied["group"] == group)]
                part = part.sort_values("time")
                if not part.empty:
                    if rule.allows(part["n"].min()):
                        ax.fill_between(part["time"], part["ci_lower"], part["ci_upper"],
                                        color=color, alpha=0.18, lw=0)
                        ax.plot(part["time"], part["estimate"], color=color)
                    else:
                        suppressed += 1
                if observed is None:
                    continue
                obs = observed[(observed["dimension"] == dim) & (observed["group"] == group)]
                for _, r in obs.iterrows():
                    x = float(waves[str(r["wave"])])
                    text_y = 0.03 + 0.075 * (len(groups) - 1 - k)
                    if not rule.allows(r["n"]):
                        suppressed += 1
                        ax.text(x, text_y, SUPPRESSED[lang], transform=ax.get_xaxis_transform(),
                                ha="center", fontsize=6.5, color=_GREY)
                        continue
                    ax.errorbar(x + offsets[group], r["mean"],
                                yerr=[[r["mean"] - r["ci_lower"]], [r["ci_upper"] - r["mean"]]],
                                fmt="o", ms=3.2, color=color, mfc="white", mew=1.0,
                                elinewidth=0.9, capsize=1.5)
                    ax.text(x, text_y, format_count(r["n"], lang),
                            transform=ax.get_xaxis_transform(), ha="center", fontsize=6.3,
                            color=color)
            ax.set_xticks(list(waves.values()), list(waves.keys()))
            if index >= len(dims) - cols:
                ax.xaxis.set_tick_params(labelbottom=True)
                ax.set_xlabel(words["wave"])
            ax.set_xlim(min(times) - 0.25 * span / 2, max(times) + 0.25 * span / 2)
            ax.set_ylim(*ylim)
            _number_axis(ax.yaxis, 1, lang)
            ax.grid(axis="y", color=_LIGHT, lw=0.5)
            ax.set_axisbelow(True)
        handles = [Line2D([], [], color=_group_color(g, groups), lw=1.6,
                          label=_group_label(g, labels, lang)) for g in groups]
        handles.append(Patch(facecolor=_GREY, alpha=0.25, label=words["implied"]))
        if observed is not None:
            handles.append(Line2D([], [], color=_GREY, marker="o", mfc="white", ls="",
                                  label=words["observed"]))
        fig.legend(handles=handles, loc="outside upper center", ncols=2 if cols > 1 else 1)
        if nrows > 1:
            fig.supylabel(ylabel or words["score"], fontsize=8.5)
        else:
            axes[0, 0].set_ylabel(ylabel or words["score"])
        scores = ", ".join(f"{w} = {format_number(t, 0 if float(t).is_integer() else 1, lang)}"
                           for w, t in waves.items())
        extra = [words["time"].format(scores=scores)]
        if observed is not None:
            extra.append(words["n_note"])
        return _finish(fig, suppressed, rule, lang, extra)


# --------------------------------------------------------------------------- forest plot

def forest_plot(effects: pd.DataFrame, *, lang: Lang = "de", labels: Labels | None = None,
                rule: CellRule | None = None, alpha: float = 0.05, second_order: pd.DataFrame | None = None,
                caveat: Collection[str] = ()) -> Figure:
    """Effects of iLB on intercept and slope across dimensions, with Holm-adjusted significance.

    Parameters
    ----------
    effects:
        Columns ``dimension`` (code), ``factor`` ("i" or "s"), ``estimate``,
        ``ci_lower``, ``ci_upper``, ``p_holm`` (Holm-adjusted p-value) and
        ``n`` (persons in the model).
    alpha:
        Significance level for the filled markers.
    second_order:
        Optional sensitivity rows of the same columns (the effects in the
        second-order growth models of the latent construct,
        :mod:`ilb_eval.invariance`), drawn as diamonds below each point.
    caveat:
        Dimensions whose scale-mean effects carry the caveat † (not scalar
        invariant across the waves); the note under the figure explains it.

    Returns
    -------
    Figure
        Two panels (intercept, slope), one row per dimension, a zero line,
        filled markers where the Holm-adjusted p ≤ ``alpha``, open otherwise.

    Examples
    --------
    >>> e = pd.DataFrame({"dimension": ["be", "be"], "factor": ["i", "s"], "estimate": [0.1, 0.05],
    ...                   "ci_lower": [0.0, 0.01], "ci_upper": [0.2, 0.09], "p_holm": [0.2, 0.01], "n": [900, 900]})
    >>> fig = forest_plot(e, lang="en", second_order=e.assign(estimate=[0.12, 0.04]), caveat=["be"])
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()], len(fig.legends[0].get_texts())
    (['be †'], 4)
    """
    _require(effects, ("dimension", "factor", "estimate", "ci_lower", "ci_upper", "p_holm", "n"),
             "forest_plot")
    rule = rule or CellRule()
    words = _WORDS[lang]
    dims = _order(effects["dimension"])
    color = GROUP_COLORS["ilb"]
    offset = 0.17 if second_order is not None else 0.0
    suppressed = 0
    with matplotlib.rc_context(_STYLE):
        fig = _new_figure(1.2 + (0.42 if second_order is not None else 0.3) * len(dims))
        axes = fig.subplots(1, 2, sharey=True)
        for ax, factor in zip(axes, ("i", "s"), strict=True):
            part = effects[effects["factor"] == factor]
            for y, dim in enumerate(dims):
                hit = part[part["dimension"] == dim]
                if hit.empty:
                    continue
                r = hit.iloc[0]
                if not rule.allows(r["n"]):
                    suppressed += 1
                    ax.text(0, y, SUPPRESSED[lang], ha="center", va="center", color=_GREY)
                    continue
                significant = bool(r["p_holm"] <= alpha)
                ax.errorbar(r["estimate"], y - offset, xerr=[[r["estimate"] - r["ci_lower"]],
                                                             [r["ci_upper"] - r["estimate"]]],
                            fmt="o", ms=4.5, color=color, mfc=color if significant else "white",
                            mew=1.1, elinewidth=1.1, capsize=2)
                suppressed += _second_order_marker(ax, second_order, factor, dim, y + offset, rule, alpha, lang)
            ax.axvline(0, color=_GREY, lw=0.7, ls=(0, (3, 2)))
            ax.set_title(words["intercept"] if factor == "i" else words["slope"], loc="left")
            ax.set_xlabel(words["effect_i"] if factor == "i" else words["effect_s"])
            _number_axis(ax.xaxis, 2, lang)
            ax.grid(axis="x", color=_LIGHT, lw=0.5)
            ax.set_axisbelow(True)
            low, high = ax.get_xlim()
            bound = max(abs(low), abs(high))
            ax.set_xlim(-bound, bound)
        marked = set(caveat)
        axes[0].set_yticks(range(len(dims)), [label_for(labels, d, lang) + (" †" if d in marked else "")
                                              for d in dims])
        axes[0].set_ylim(len(dims) - 0.5, -0.5)
        axes[1].tick_params(axis="y", length=0)
        alpha_text = format_bounded(alpha, 2, lang)
        handles = [
            Line2D([], [], color=color, marker="o", ls="", label=words["sig"].format(alpha=alpha_text)),
            Line2D([], [], color=color, marker="o", mfc="white", ls="", label=words["ns"]),
        ]
        extra = []
        if second_order is not None:
            handles += [Line2D([], [], color=color, marker="o", ls="", label=words["scale_mean"]),
                        Line2D([], [], color=_SECOND_ORDER, marker="D", ms=4, ls="", label=words["second_order"])]
        if marked:
            extra.append(words["not_scalar"])
        fig.legend(handles=handles, loc="outside upper center", ncols=2)
        return _finish(fig, suppressed, rule, lang, extra)


#: Colour of the second-order (latent construct) markers in the forest plot.
_SECOND_ORDER = OKABE_ITO["vermillion"]


def _second_order_marker(ax: Any, rows: pd.DataFrame | None, factor: str, dim: str, y: float, rule: CellRule,
                         alpha: float, lang: Lang) -> int:
    """Draw one second-order estimate (a diamond); 1 when it is suppressed by the cell rule, else 0."""
    if rows is None:
        return 0
    hit = rows[(rows["factor"] == factor) & (rows["dimension"] == dim)]
    if hit.empty or not np.isfinite(hit.iloc[0]["estimate"]):
        return 0
    r = hit.iloc[0]
    if not rule.allows(r["n"]):
        ax.text(0, y, SUPPRESSED[lang], ha="center", va="center", color=_GREY, fontsize=6)
        return 1
    significant = bool(r["p_holm"] <= alpha)
    ax.errorbar(r["estimate"], y, xerr=[[r["estimate"] - r["ci_lower"]], [r["ci_upper"] - r["estimate"]]],
                fmt="D", ms=3.8, color=_SECOND_ORDER, mfc=_SECOND_ORDER if significant else "white", mew=1.0,
                elinewidth=1.0, capsize=1.5)
    return 0


# --------------------------------------------------------------------------- correlations

def correlation_figure(corr: pd.DataFrame, *, lang: Lang = "de", labels: Labels | None = None,
                       rule: CellRule | None = None, title: str | None = None) -> Figure:
    """A correlation table-figure: one row per item with r, its interval, r with stars, n and band.

    Parameters
    ----------
    corr:
        Output of :func:`ilb_eval.stats.correlation.correlate` or any frame
        with columns ``y`` (code or label of the item), ``r``, ``ci_lower``,
        ``ci_upper``, ``pvalue`` and ``n``.
    labels:
        Labels for the item codes in ``y``.
    title:
        Optional panel title, e.g. the variable all items are correlated with.

    Returns
    -------
    Figure
        Points with 95 % intervals on the r axis; to the right, in text
        columns, ``r`` with stars (``,75**``), n and the verbal band.
    """
    _require(corr, ("y", "r", "ci_lower", "ci_upper", "pvalue", "n"), "correlation_figure")
    rule = rule or CellRule()
    words = _WORDS[lang]
    rows = len(corr)
    suppressed = 0
    with matplotlib.rc_context(_STYLE):
        fig = _new_figure(1.0 + 0.3 * rows)
        ax, side = fig.subplots(1, 2, sharey=True, width_ratios=(3.2, 1))
        color = OKABE_ITO["blue"]
        columns = (0.04, 0.42, 0.72)  # r, n, band (in the side panel's 0..1 units)
        for y, (_, r) in enumerate(corr.iterrows()):
            if not rule.allows(r["n"]) or not np.isfinite(r["r"]):
                suppressed += 1
                side.text(columns[0], y, SUPPRESSED[lang], va="center", color=_GREY)
                continue
            ax.errorbar(r["r"], y, xerr=[[r["r"] - r["ci_lower"]], [r["ci_upper"] - r["r"]]],
                        fmt="o", ms=4.5, color=color, elinewidth=1.1, capsize=2)
            cells = (format_r(r["r"], r["pvalue"], lang), format_count(r["n"], lang),
                     correlation_band(r["r"], lang))
            for x, text in zip(columns, cells, strict=True):
                side.text(x, y, text, va="center", fontsize=7.5)
        for x, head in zip(columns, ("r", "n", words["band"]), strict=True):
            side.text(x, -1.0, head, va="center", fontsize=7.5, fontstyle="italic")
        side.set_xlim(0, 1)
        side.set_axis_off()
        ax.set_yticks(range(rows), [label_for(labels, str(v), lang) for v in corr["y"]])
        ax.set_ylim(rows - 0.5, -1.5)
        low = min(0.0, float(np.nanmin(corr["ci_lower"])) if rows else 0.0)
        ax.set_xlim(low - 0.02 if low < 0 else 0, 1)
        ax.axvline(0, color=_GREY, lw=0.6)
        for edge in (0.3, 0.5, 0.7):
            ax.axvline(edge, color=_LIGHT, lw=0.5, zorder=0)
        ax.xaxis.set_major_locator(FixedLocator([v for v in (-0.5, 0, 0.3, 0.5, 0.7, 1.0)
                                                 if v >= ax.get_xlim()[0]]))
        ax.xaxis.set_major_formatter(FuncFormatter(
            lambda v, _: format_number(v, 0, lang) if v == 0 else format_bounded(v, 1, lang)))
        ax.set_xlabel(words["r"])
        if title:
            ax.set_title(title, loc="left")
        return _finish(fig, suppressed, rule, lang, [words["stars"]])


# --------------------------------------------------------------------------- measurement invariance

#: Invariance levels from none to strict, their words and the cell colours (light to dark blue).
_INVARIANCE_LEVELS = ("none", "configural", "metric", "scalar", "strict")
_INVARIANCE_EXTRA = {
    "de": {"partial": "* partiell (Intercepts einzelner Items freigegeben)",
           "title": "Höchste gehaltene Invarianzstufe"},
    "en": {"partial": "* partial (intercepts of single items freed)", "title": "Highest level of invariance held"},
}
_INVARIANCE_COLORS = {"none": "#f2f2f2", "configural": "#c6dbef", "metric": "#6baed6", "scalar": "#2171b5",
                      "strict": "#08306b"}


def invariance_grid(held: pd.DataFrame, *, lang: Lang = "de", labels: Labels | None = None,
                    rule: CellRule | None = None) -> Figure:
    """The highest invariance level each scale holds, per sample and comparison, as a grid of tiles.

    Parameters
    ----------
    held:
        One row per scale and comparison: ``sample``, ``scale`` (code),
        ``across`` (``"waves"`` or ``"groups"``), ``held`` (``none``,
        ``configural``, ``metric``, ``scalar``, ``strict``), ``partial``
        (bool: scalar or strict only with freed intercepts) and ``n``
        (persons in the models).
    labels:
        Labels of the scale codes.

    Returns
    -------
    Figure
        Rows = scales, columns = sample x comparison, tiles coloured from
        light (configural) to dark (strict), the level written in the tile
        (``*`` = partial), a grey tile where no level holds.

    Examples
    --------
    >>> data = pd.DataFrame({"sample": ["EAP", "EAP", "ZP"], "scale": ["be", "be", "be"],
    ...                      "across": ["waves", "groups", "waves"], "held": ["strict", "scalar", "metric"],
    ...                      "partial": [False, True, False], "n": [1700, 1290, 488]})
    >>> fig = invariance_grid(data, lang="en")
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['strict', 'scalar*', 'metric']
    """
    _require(held, ("sample", "scale", "across", "held", "partial", "n"), "invariance_grid")
    rule = rule or CellRule()
    words = {**INVARIANCE_WORDS[lang], **_INVARIANCE_EXTRA[lang]}
    columns = list(dict.fromkeys(zip(held["sample"], held["across"], strict=True)))
    scales = _order(held["scale"])
    suppressed = 0
    with matplotlib.rc_context(_STYLE):
        fig = _new_figure(1.1 + 0.27 * len(scales), width=min(_WIDTH, 2.6 + 1.15 * len(columns)))
        ax = fig.subplots()
        for x, (sample, across) in enumerate(columns):
            part = held[(held["sample"] == sample) & (held["across"] == across)]
            for y, scale in enumerate(scales):
                hit = part[part["scale"] == scale]
                if hit.empty:
                    continue
                r = hit.iloc[0]
                allowed = rule.allows(r["n"]) if np.isfinite(r["n"]) else True
                level = str(r["held"]) if allowed else "none"
                color = _INVARIANCE_COLORS.get(level, _INVARIANCE_COLORS["none"])
                ax.add_patch(Rectangle((x - 0.46, y - 0.42), 0.92, 0.84, facecolor=color, edgecolor="white"))
                if not allowed:
                    suppressed += 1
                    text = SUPPRESSED[lang]
                else:
                    text = words.get(level, level) + ("*" if bool(r["partial"]) else "")
                dark = level in ("scalar", "strict") and allowed
                ax.text(x, y, text, ha="center", va="center", fontsize=7,
                        color="white" if dark else "#1a1a1a")
        ax.set_xlim(-0.5, len(columns) - 0.5)
        ax.set_ylim(len(scales) - 0.5, -0.5)
        ax.set_xticks(range(len(columns)), [f"{sample}\n{words[across]}" for sample, across in columns])
        ax.xaxis.tick_top()
        ax.set_yticks(range(len(scales)), [label_for(labels, s, lang) for s in scales])
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title(words["title"], loc="left", pad=22)
        return _finish(fig, suppressed, rule, lang, [words["partial"]])
