"""Leadership, learning culture and time conditions: correlations among iLB users."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ilb_eval.formatting import format_count, format_interval, format_p, format_r
from ilb_eval.report import figures as F
from ilb_eval.report.context import ReportContext, quote, wrapped
from ilb_eval.report.text import describe_correlation

__all__ = ["KEY", "build"]

KEY = "correlations"


def build(ctx: ReportContext) -> None:
    """Figure, table and readings of the correlations per study (no section when no study has them)."""
    studies = {name: s for name, s in ctx.studies.items() if len(s.correlations)}
    if not studies:
        return
    sec = ctx.section(ctx.t("Führung, Lernkultur und zeitliche Rahmenbedingungen",
                            "Leadership, learning culture and time conditions"))
    lang = ctx.lang
    method = ctx.results.settings.correlation
    method_name = {"pearson": "Pearson", "spearman": "Spearman"}[method]
    for name, s in studies.items():
        c = s.correlations
        wave = str(c["wave"].iloc[0])
        labels = ctx.labels(s)
        x_label = ctx.label(s, str(c["x"].iloc[0]))
        if len(studies) > 1:
            sec.heading(name)
        gap = s.gap("feedback")
        if gap is not None:
            ctx.gap(sec, gap, only="feedback")
            continue
        if not c["r"].notna().any():
            sec.paragraph(ctx.t(f"Korrelationen der {x_label} ({name}, {wave}) nicht berichtet: jede beruht auf "
                                f"weniger als {format_count(ctx.rule.min_cell_size, lang)} Personen.",
                                f"Correlations of {x_label.lower()} ({name}, {wave}) not reported: each rests on "
                                f"fewer than {format_count(ctx.rule.min_cell_size, lang)} persons."))
            continue
        block = s.study.item_blocks.get("manager_support")
        users = block is None or block.users_only
        sec.paragraph(ctx.t(f"Zusammenhang der {x_label} mit Lernkultur und zeitlichen Rahmenbedingungen bei "
                            f"{'den iLB-Teilnehmenden' if users else 'allen Befragten'} ({name}, {wave}): "
                            f"Korrelation nach {method_name}, zweiseitig, paarweise vollständige Angaben.",
                            f"Association of {x_label.lower()} with learning culture and time conditions among "
                            f"{'iLB participants' if users else 'all respondents'} ({name}, {wave}): {method_name} "
                            "correlation, two-sided, pairwise complete answers."))
        fig = F.correlation_figure(c, lang=lang, labels=wrapped(labels, 44), rule=ctx.rule, title=x_label)
        if method == "spearman":
            fig.axes[0].set_xlabel(ctx.t("Korrelation ρ (Spearman, 95 %-KI)", "Correlation ρ (Spearman, 95% CI)"))
        ctx.figure(sec, f"{name.lower()}_correlations", fig,
                   ctx.t(f"Korrelationen der {x_label} ({name}, {wave})",
                         f"Correlations of {x_label.lower()} ({name}, {wave})"))
        rows, suppressed = [], False
        for r in c.itertuples():
            item = ctx.label(s, str(r.y))
            if r.suppressed or not np.isfinite(r.r):
                suppressed = suppressed or bool(r.suppressed)
                rows.append([item, ctx.mark, ctx.mark, ctx.mark, ctx.count(r.n)[0], ""])
                continue
            rows.append([item, format_r(r.r, r.pvalue, lang),
                         format_interval(r.ci_lower, r.ci_upper, 2, lang, bounded=True),
                         format_p(r.pvalue, lang, prefix=False), format_count(r.n, lang),
                         r.band_de if lang == "de" else r.band_en])
        frame = pd.DataFrame(rows, columns=[ctx.t("Item", "Item"), "r", ctx.t("95 %-KI", "95% CI"), "p",
                                            "n", ctx.t("Stärke", "Strength")])
        table = ctx.simple(frame, ctx.t(f"Korrelationen mit der {x_label} ({name}, {wave})",
                                        f"Correlations with {x_label.lower()} ({name}, {wave})"),
                           ctx.t(f"Korrelation nach {method_name}; ** p ≤ ,01; * p ≤ ,05 (2-seitig). "
                                 "Stärke: |r| < ,3 gering, < ,5 mittel, < ,7 hoch, sonst sehr hoch.",
                                 f"{method_name} correlation; ** p ≤ .01; * p ≤ .05 (two-sided). Strength: |r| < .3 "
                                 "low, < .5 medium, < .7 high, otherwise very high."),
                           suppressed=suppressed, align=("left", "right", "right", "right", "right", "left"))
        ctx.table(sec, f"{name.lower()}_correlations", c, table)
        sentences = [describe_correlation(x_label, quote(ctx.label(s, str(r.y)), lang), float(r.r), float(r.pvalue),
                                          int(r.n), lang=lang, rule=ctx.rule)
                     for r in c.itertuples() if np.isfinite(r.r)]
        if sentences:
            sec.bullets(sentences)
