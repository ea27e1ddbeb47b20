"""Measurement invariance: does a scale measure the same across waves and groups? (issue 15)

One section for all studies with invariance results: what is tested and why
(response shift), the decision rule, a compact figure (highest level held
per scale and comparison), and per study one table with a row per scale,
comparison and level (scaled χ², df, robust CFI and RMSEA, their changes,
the scaled likelihood-ratio test, the decision). Notes say where a ladder
could not be run or stopped early; partial invariance names the freed items.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ilb_eval.analysis.pipeline import StudyResults
from ilb_eval.formatting import MISSING, format_bounded, format_count, format_number, format_p
from ilb_eval.invariance.decision import CONFIGURAL_CFI, CONFIGURAL_RMSEA, DELTA_CFI, DELTA_RMSEA
from ilb_eval.invariance.ladder import InvarianceResult, max_freed_items
from ilb_eval.report import figures as F
from ilb_eval.report.context import ReportContext
from ilb_eval.report.document import Section
from ilb_eval.report.phrases import INVARIANCE_WORDS
from ilb_eval.stats import adjust_pvalues

__all__ = ["KEY", "build", "caveat_note", "held_text", "method_text", "not_scalar", "present",
           "second_order_effects"]

KEY = "invariance"

def present(ctx: ReportContext) -> bool:
    """Whether any study has invariance results (the section and its methods entry appear only then)."""
    return any(getattr(s, "invariance", None) is not None and s.invariance.ladders for s in ctx.studies.values())


def not_scalar(s: StudyResults) -> set[str]:
    """Competence scales of a study that are not (partially) scalar invariant across waves.

    Their scale-mean growth results carry the report's caveat (†); empty
    when the study has no invariance results.
    """
    inv = getattr(s, "invariance", None)
    if inv is None:
        return set()
    competence = {scale.name for scale in s.study.competence_scales}
    return {x.scale for x in inv.ladders if x.across == "waves" and not x.scalar and x.scale in competence}


def second_order_effects(s: StudyResults, adjust: str) -> pd.DataFrame:
    """Second-order growth rows of a study for the forest plot, p adjusted over their own family.

    Columns ``dimension``, ``factor``, ``estimate``, ``ci_lower``,
    ``ci_upper``, ``pvalue``, ``p_adjusted`` (``adjust``: ``holm`` or
    ``bh``), ``n``; empty without second-order results.
    """
    columns = ["dimension", "factor", "estimate", "ci_lower", "ci_upper", "pvalue", "p_adjusted", "n"]
    inv = getattr(s, "invariance", None)
    table = inv.growth_table() if inv is not None else pd.DataFrame()
    if not len(table):
        return pd.DataFrame(columns=columns)
    table = table.loc[table["status"] == "ok"].rename(columns={"scale": "dimension"}).reset_index(drop=True)
    table["p_adjusted"] = adjust_pvalues(table["pvalue"].to_numpy(float), adjust) if len(table) else []
    return table.loc[:, columns]


def caveat_note(ctx: ReportContext, s: StudyResults) -> str:
    """The note under a table whose dimensions carry † (empty when none does)."""
    if not not_scalar(s):
        return ""
    return ctx.t(" † nicht skalar invariant über die Wellen (Abschnitt „Messinvarianz“): die Veränderung des "
                 "Skalenmittelwerts kann eine Antwortverschiebung enthalten.",
                 " † not scalar invariant across the waves (section 'Measurement invariance'): the change of the "
                 "scale mean may contain a response shift.")


def held_text(ctx: ReportContext, ladder: InvarianceResult) -> str:
    """The level a ladder reached, with the freed items (``skalar (partiell: be_2 t4)``)."""
    words = INVARIANCE_WORDS[ctx.lang]
    text = words[ladder.held]
    if ladder.freed:
        freed = ", ".join(f"{item} {where}" if where != "groups" else item for item, where in ladder.freed)
        text += ctx.t(f" (partiell: {freed})", f" (partial: {freed})")
    return text


def _groups(ctx: ReportContext) -> bool:
    """Whether a reported study has a control group (then the ladder also runs across iLB and control)."""
    return any(s.study.has_control_group for s in ctx.studies.values())


def method_text(ctx: ReportContext) -> str:
    """The methods entry: models, indices, decision rule, partial search, second-order growth."""
    groups = _groups(ctx)
    return ctx.t(
        "Messinvarianz: je Skala ein Faktor je Welle (Residuen desselben Items über die Wellen korreliert; "
        "Markeritem mit Ladung 1, Faktormittelwert der ersten Welle 0), geschätzt mit FIML und MLR; Stufen "
        "konfigural, metrisch (gleiche Ladungen), skalar (gleiche Intercepts), strikt (gleiche "
        "Residualvarianzen)"
        + (", zwischen iLB- und Kontrollgruppe zur ersten Welle ebenso (Mehrgruppenmodell). " if groups else ". ")
        +
        f"Konfigural gilt bei robustem CFI ≥ {format_bounded(CONFIGURAL_CFI, 2, 'de')} und RMSEA ≤ "
        f"{format_bounded(CONFIGURAL_RMSEA, 2, 'de')}; eine weitere Stufe gilt nicht, wenn der robuste CFI um "
        f"{format_bounded(DELTA_CFI, 3, 'de')} oder mehr sinkt und zugleich der robuste RMSEA um "
        f"{format_bounded(DELTA_RMSEA, 3, 'de')} oder mehr steigt (Chen 2007). Der skalierte "
        "Likelihood-Quotienten-Test (Satorra-Bentler 2001) wird berichtet, entscheidet aber nicht (bei großen "
        "Stichproben zu empfindlich). Hält skalare Invarianz nicht, werden Intercepts einzeln nach der größten "
        "Score-Statistik freigegeben, bis die Stufe gilt; mindestens zwei Items bleiben gleich. Für Skalen mit "
        "(partieller) skalarer Invarianz: Wachstumsmodell zweiter Ordnung auf dem latenten Konstrukt, "
        "umgerechnet auf die Metrik des Skalenmittelwerts.",
        "Measurement invariance: per scale one factor per wave (residuals of the same item correlated across "
        "waves; marker item with loading 1, factor mean of the first wave 0), estimated by FIML with MLR; "
        "levels configural, metric (equal loadings), scalar (equal intercepts), strict (equal residual "
        "variances)"
        + (", likewise between the iLB and the control group at the first wave (multi-group model). " if groups
           else ". ")
        +
        f"Configural holds with robust CFI ≥ {format_bounded(CONFIGURAL_CFI, 2, 'en')} and RMSEA ≤ "
        f"{format_bounded(CONFIGURAL_RMSEA, 2, 'en')}; a further level does not hold when the robust CFI drops "
        f"by {format_bounded(DELTA_CFI, 3, 'en')} or more and the robust RMSEA rises by "
        f"{format_bounded(DELTA_RMSEA, 3, 'en')} or more (Chen 2007). The scaled likelihood-ratio test "
        "(Satorra-Bentler 2001) is reported but does not decide (too sensitive in large samples). Where scalar "
        "invariance fails, intercepts are freed one at a time by the largest score statistic until the level "
        "holds; at least two items stay equal. For scales with (partial) scalar invariance: second-order growth "
        "of the latent construct, converted to the metric of the scale mean.")


def build(ctx: ReportContext) -> None:
    """The section (only when a study has invariance results)."""
    if not present(ctx):
        return
    sec = ctx.section(ctx.t("Messinvarianz", "Measurement invariance"))
    ilb = any(s.study.has_ilb_use for s in ctx.studies.values())
    groups = _groups(ctx)
    sec.paragraph(ctx.t(
        ("Misst eine Skala nach der iLB dasselbe wie vorher? Wer nach einer Lernbegleitung" if ilb else
         "Misst eine Skala in späteren Wellen dasselbe wie zu Beginn? Wer nach einer Weiterbildung")
        + " die eigenen Kompetenzen an einem neuen Maßstab misst, kann Items anders beantworten, ohne dass sich "
        "die Kompetenz geändert hat (Antwortverschiebung, „response shift“). Geprüft wird daher für jede Skala, "
        "ob ihre Items über die Wellen"
        + (" – und zwischen iLB- und Kontrollgruppe zu Beginn –" if groups else "")
        + " dasselbe messen: gleiches Muster (konfigural), gleiche Ladungen (metrisch), gleiche Intercepts "
        "(skalar), gleiche Residualvarianzen (strikt). Erst bei (partieller) skalarer Invarianz über die Wellen "
        "lässt sich eine Veränderung des Skalenmittelwerts als Veränderung der Kompetenz lesen.",
        ("Does a scale measure the same after iLB as before? People who judge their competences against a new "
         "standard after learning support" if ilb else
         "Does a scale measure the same in later waves as at the start? People who judge their competences "
         "against a new standard after training")
        + " can answer items differently without any change in competence (response shift). For every scale it "
        "is therefore tested whether its items measure the same across the waves"
        + (" – and between the iLB and the control group at the start" if groups else "")
        + ": the same pattern (configural), equal loadings (metric), equal intercepts (scalar), equal residual "
        "variances (strict). Only with (partial) scalar invariance across the waves can a change of the scale "
        "mean be read as a change in competence."))
    sec.paragraph(ctx.t(
        "Entscheidung: Eine Stufe gilt nicht, wenn der robuste CFI gegenüber der vorigen Stufe um "
        f"{format_bounded(DELTA_CFI, 3, 'de')} oder mehr sinkt und zugleich der robuste RMSEA um "
        f"{format_bounded(DELTA_RMSEA, 3, 'de')} oder mehr steigt (Chen 2007); der skalierte χ²-Differenztest "
        "wird berichtet, entscheidet aber nicht. Einzelheiten im Methodenabschnitt.",
        f"Decision: a level does not hold when the robust CFI drops by {format_bounded(DELTA_CFI, 3, 'en')} or "
        f"more and the robust RMSEA rises by {format_bounded(DELTA_RMSEA, 3, 'en')} or more from the level "
        "before (Chen 2007); the scaled χ² difference test is reported but does not decide. Details in the "
        "methods section."), "note")
    grid = _grid_data(ctx)
    if len(grid):
        fig = F.invariance_grid(grid, lang=ctx.lang, labels=_labels(ctx), rule=ctx.rule)
        ctx.figure(sec, "invariance", fig,
                   ctx.t("Höchste gehaltene Invarianzstufe je Skala", "Highest invariance level held per scale"),
                   ctx.t("Wellen: Längsschnitt über alle Wellen der Skala; "
                         + ("iLB/Kontrolle: Mehrgruppenmodell zur ersten Welle. " if groups else "")
                         + "Grau: keine Stufe gilt oder nicht geprüft (siehe Hinweise).",
                         "Waves: longitudinal over all waves of the scale; "
                         + ("iLB/control: multi-group model at the first wave. " if groups else "")
                         + "Grey: no level holds or not tested (see the notes)."))
    for s in ctx.studies.values():
        inv = getattr(s, "invariance", None)
        if inv is None or not inv.ladders:
            continue
        _study(ctx, sec, s)


def _labels(ctx: ReportContext) -> dict:
    labels: dict = {}
    for s in ctx.studies.values():
        labels.update(ctx.labels(s))
    return labels


def _grid_data(ctx: ReportContext) -> pd.DataFrame:
    rows = []
    for name, s in ctx.studies.items():
        inv = getattr(s, "invariance", None)
        for ladder in (inv.ladders if inv is not None else ()):
            n = ladder.n
            rows.append({"sample": name, "scale": ladder.scale, "across": ladder.across, "held": ladder.held,
                         "partial": bool(ladder.freed), "n": float(n) if n is not None else np.nan})
    return pd.DataFrame(rows, columns=["sample", "scale", "across", "held", "partial", "n"])


def _delta(value: float, lang: str) -> str:
    """A change of CFI or RMSEA with its sign and without the leading zero (``−,004``)."""
    if value is None or not math.isfinite(value):
        return MISSING
    text = format_number(value, 3, lang, sign=True)  # type: ignore[arg-type]
    return text.replace("+0", "+").replace("−0", "−").replace("+,000", ",000").replace("+.000", ".000")


def _level_name(ctx: ReportContext, row) -> str:
    words = INVARIANCE_WORDS[ctx.lang]
    text = words[row.level]
    if row.partial:
        text += ctx.t(", partiell", ", partial")
    return text


def _study(ctx: ReportContext, sec: Section, s: StudyResults) -> None:
    lang, name = ctx.lang, s.study.name
    inv = s.invariance
    words = INVARIANCE_WORDS[lang]
    sec.heading(ctx.t(f"Invarianzprüfung ({name})", f"Invariance tests ({name})"))
    waves = [x for x in inv.ladders if x.across == "waves"]
    scalar = [x for x in waves if x.scalar]
    sentence = ctx.t(
        f"{format_count(len(scalar), lang)} von {format_count(len(waves), lang)} Skalen sind über die Wellen "
        "(partiell) skalar invariant.",
        f"{format_count(len(scalar), lang)} of {format_count(len(waves), lang)} scales are (partially) scalar "
        "invariant across the waves.")
    short = [x for x in waves if not x.scalar]
    if short:
        sentence += " " + ctx.t("Nicht skalar invariant: ", "Not scalar invariant: ") + "; ".join(
            f"{ctx.label(s, x.scale)} ({held_text(ctx, x)})" for x in short) + ". " + ctx.t(
            "Veränderungen ihrer Skalenmittelwerte sind mit Vorsicht zu lesen (†).",
            "Changes of their scale means are to be read with caution (†).")
    partial = [x for x in inv.ladders if x.freed]
    if partial:
        sentence += " " + ctx.t("Partiell invariant (freigegebene Intercepts): ",
                                "Partially invariant (freed intercepts): ") + "; ".join(
            f"{ctx.label(s, x.scale)}, {words[x.across]}: {held_text(ctx, x)}" for x in partial) + "."
    sec.paragraph(sentence)
    rows, raw_rows, bold, indent, suppressed = [], [], [], [], False
    for ladder in inv.ladders:
        bold.append(len(rows))
        rows.append([f"{ctx.label(s, ladder.scale)}: {words[ladder.across]}"] + [""] * 7)
        first = True
        for row in ladder.rows:
            if row.status == "not_tested" and not first:
                continue
            first = False
            raw_rows.append({"scale": ladder.scale, "across": ladder.across, **row.record()})
            indent.append(len(rows))
            cells = [_level_name(ctx, row)]
            if row.status in ("failed", "not_tested") or row.n is None:
                reason = (ctx.t("Modell fehlgeschlagen", "model failed") if row.status == "failed"
                          else ctx.t("nicht geprüft", "not tested"))
                rows.append(cells + [""] * 6 + [reason])
                continue
            if not ctx.rule.allows(row.n):
                suppressed = True
                rows.append(cells + [ctx.mark] * 7)
                continue
            c = row.comparison
            decision = words.get(row.decision, row.decision)
            if row.status == "not_converged":
                decision = ctx.t("nicht konvergiert", "not converged")
            if row.index == "scaled":
                decision += " ‡"
            rows.append(cells + [f"{format_number(row.chisq_scaled, 1, lang)} ({format_count(row.df, lang)})",
                                 format_bounded(row.cfi, 3, lang), format_bounded(row.rmsea, 3, lang),
                                 _delta(c.delta_cfi, lang) if c else "", _delta(c.delta_rmsea, lang) if c else "",
                                 format_p(c.pvalue, lang, prefix=False) if c else "", decision])
    columns = [ctx.t("Skala: Vergleich, Stufe", "Scale: comparison, level"),
               "χ² (df)", "CFI", "RMSEA", "ΔCFI", "ΔRMSEA", "p (LRT)", ctx.t("Entscheidung", "Decision")]
    frame = pd.DataFrame(rows, columns=columns)
    table = ctx.simple(frame, ctx.t(f"Invarianzstufen je Skala ({name})", f"Invariance levels per scale ({name})"),
                       ctx.t("χ² (df): Yuan-Bentler-skalierter Modelltest (MLR); CFI, RMSEA: robuste Indizes; "
                             "Δ: gegenüber der vorigen Stufe (partiell skalar: gegenüber metrisch); p (LRT): "
                             "skalierter χ²-Differenztest (Satorra-Bentler 2001). Wellen: alle Wellen der Skala"
                             + ("; iLB/Kontrolle: erste Welle" if s.study.has_control_group else "")
                             + ". Stufen nach der ersten nicht gehaltenen werden nicht "
                             "geprüft; partiell: mit den oben genannten freigegebenen Intercepts. ‡ skalierte statt "
                             "robuster Indizes. Alle Werte in der CSV-Tabelle, dazu die lavaan-Syntax jedes "
                             "Modells in results.json.",
                             "χ² (df): Yuan-Bentler scaled model test (MLR); CFI, RMSEA: robust indices; Δ: "
                             "against the level before (partial scalar: against metric); p (LRT): scaled χ² "
                             "difference test (Satorra-Bentler 2001). Waves: all waves of the scale"
                             + ("; iLB/control: first wave" if s.study.has_control_group else "")
                             + ". Levels after the first that does not hold are not tested; partial: with "
                             "the freed intercepts named above. ‡ scaled instead of robust indices. All values in the "
                             "CSV table, the lavaan syntax of every model in results.json."),
                       suppressed=suppressed, align=("left",) + ("right",) * 6 + ("left",))
    table.bold_rows, table.indent_rows = tuple(bold), tuple(indent)
    ctx.table(sec, f"{name.lower()}_invariance", pd.DataFrame(raw_rows), table)
    notes = _notes(ctx, s)
    if notes:
        sec.heading(ctx.t("Hinweise", "Notes"), level=3)
        sec.bullets(notes)


def _notes(ctx: ReportContext, s: StudyResults) -> list[str]:
    """The notes of ladders that could not run fully or stopped (the engine's English text, as the CLI)."""
    out = []
    words = INVARIANCE_WORDS[ctx.lang]
    for ladder in s.invariance.ladders:
        interesting = [n for n in ladder.notes if not n.startswith("Full scalar invariance does not hold; partial")]
        if interesting:
            out.append(f"{ctx.label(s, ladder.scale)} ({words[ladder.across]}): " + " ".join(interesting))
    if out and ctx.lang == "de":
        out.append("Hinweise der Schätzung ohne deutsche Fassung sind englisch (wie die Kommandozeile).")
    items = [x.spec.n_items for x in s.invariance.ladders if x.spec.n_items > 2]
    if items:
        most = format_count(max(max_freed_items(n) for n in items), ctx.lang)
        out.append(ctx.t(f"Die partielle Suche gibt höchstens {most} Items je Skala frei (alle bis auf zwei).",
                         f"The partial search frees at most {most} items per scale (all but two)."))
    return out
