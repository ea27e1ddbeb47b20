"""Reliability of the competence scales: Cronbach's α with interval and McDonald's ω per wave."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ilb_eval.formatting import MISSING, format_bounded, format_count, format_interval
from ilb_eval.report.context import ReportContext

__all__ = ["KEY", "build"]

KEY = "reliability"


def build(ctx: ReportContext) -> None:
    """The reliability section: one table per study and a reading of the low values."""
    sec = ctx.section(ctx.t("Reliabilität der Skalen", "Reliability of the scales"))
    lang = ctx.lang
    sec.paragraph(ctx.t("Cronbachs α (mit 95 %-Konfidenzintervall nach Feldt) und McDonalds ω je Skala und "
                        "Welle, berechnet über die Personen mit vollständigen Itemantworten.",
                        "Cronbach's α (with Feldt 95% confidence interval) and McDonald's ω per scale and wave, "
                        "computed over persons with complete item answers."))
    for name, s in ctx.studies.items():
        r = s.reliability
        r = r[r["scale"].isin([sc.name for sc in s.study.competence_scales])]
        waves = list(dict.fromkeys(r["wave"]))
        rows, suppressed = [], False
        for scale, part in r.groupby("scale", sort=False):
            cells = [ctx.label(s, str(scale)), str(int(part["k"].iloc[0]))]
            for wave in waves:
                hit = part[part["wave"] == wave]
                if hit.empty:
                    cells.append(MISSING)
                    continue
                h = hit.iloc[0]
                if not ctx.rule.allows(h["n"]):
                    suppressed = True
                    cells.append(ctx.mark)
                    continue
                cells.append(f"{format_bounded(h['alpha'], 2, lang)} "
                             f"{format_interval(h['alpha_ci_lower'], h['alpha_ci_upper'], 2, lang, bounded=True)}"
                             f" / {format_bounded(h['omega'], 2, lang)}")
            rows.append(cells)
        frame = pd.DataFrame(rows, columns=[ctx.words["dimension"], "k", *waves])
        n_text = ", ".join(f"{w}: {_range(ctx, r.loc[r['wave'] == w, 'n'])}" for w in waves)
        table = ctx.simple(frame, ctx.t(f"Reliabilität der Kompetenzskalen ({name})",
                                        f"Reliability of the competence scales ({name})"),
                           ctx.t("Zellen: α [95 %-KI] / ω je Welle. k = Anzahl Items. Personen mit vollständigen "
                                 f"Antworten je Welle: {n_text}.",
                                 "Cells: α [95% CI] / ω per wave. k = number of items. Persons with complete "
                                 f"answers per wave: {n_text}."),
                           suppressed=suppressed)
        ctx.table(sec, f"{name.lower()}_reliability", s.reliability, table)
    low = [(n, row) for n, s in ctx.studies.items() for row in s.reliability.itertuples()
           if row.scale in {sc.name for sc in s.study.competence_scales} and ctx.rule.allows(row.n)
           and row.alpha < 0.7]
    sec.paragraph(ctx.t("Alle Skalen erreichen in allen Wellen α ≥ ,70." if not low else
                        f"{format_count(len(low), lang)} Kombinationen aus Skala und Welle liegen unter α = ,70; "
                        "ihre Ergebnisse sind vorsichtig zu lesen.",
                        "All scales reach α ≥ .70 at all waves." if not low else
                        f"{format_count(len(low), lang)} combinations of scale and wave have α below .70; read "
                        "their results with care."))


def _range(ctx: ReportContext, n: pd.Series) -> str:
    """``1.201–1.220``: the smallest and largest published n (the mark where one is suppressed)."""
    low, high = n.min(skipna=False), n.max(skipna=False)
    if not (np.isfinite(low) and np.isfinite(high)):
        return ctx.mark
    return f"{format_count(low, ctx.lang)}–{format_count(high, ctx.lang)}"
