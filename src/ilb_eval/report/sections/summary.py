"""Summary: the samples in one line each and the key findings, each derived from a result that exists.

A finding is stated only for an analysis that was estimated: where the iLB
effects of a study could not be estimated the summary says so and why
(never "no significant difference"), and the family of the multiple-testing
correction is the dimensions that were estimated.
"""

from __future__ import annotations

import numpy as np

from ilb_eval.analysis.gaps import gap_text
from ilb_eval.analysis.pipeline import StudyResults
from ilb_eval.formatting import format_count, format_percent
from ilb_eval.report.context import ReportContext, quote
from ilb_eval.report.phrases import joined, samples, wave_list
from ilb_eval.report.sections.growth import effect_sentence, estimated_effects, trends
from ilb_eval.report.text import describe_correlation

__all__ = ["KEY", "build"]

KEY = "summary"


def build(ctx: ReportContext) -> None:
    """The summary section."""
    sec = ctx.section(ctx.t("Zusammenfassung", "Summary"))
    lang = ctx.lang
    sec.paragraph(_lead(ctx), "lead")
    sec.bullets([_sample_line(ctx, s) for s in ctx.studies.values()])
    findings: list[str] = []
    for s in ctx.studies.values():
        findings += _effect_findings(ctx, s)
        findings += _weighted_findings(ctx, s)
        c = s.correlations
        if len(c) and c["r"].notna().any():
            top = c.loc[c["r"].idxmax()]
            findings.append(f"{s.study.name}: " + describe_correlation(
                ctx.label(s, str(top["x"])), quote(ctx.label(s, str(top["y"])), lang), float(top["r"]),
                float(top["pvalue"]), int(top["n"]), lang=lang, rule=ctx.rule))
        share = s.reuse.get("share")
        if s.study.has_control_group and isinstance(share, float) and np.isfinite(share):
            findings.append(ctx.t(f"{format_percent(share, 0, lang)} der iLB-Teilnehmenden "
                                  f"({s.study.name}) würden die iLB erneut nutzen.",
                                  f"{format_percent(share, 0, lang)} of iLB participants "
                                  f"({s.study.name}) would use iLB again."))
    if findings:
        sec.bullets(findings)
    estimated = [s for s in ctx.studies.values() if s.study.has_control_group and len(estimated_effects(s))]
    if estimated:
        adjusted = ctx.t(f"Signifikanz nach {ctx.adjust}-Korrektur über alle geschätzten Kompetenzfacetten (p ≤ ,05).",
                         f"Significance after {ctx.adjust} correction over all estimated competence dimensions "
                         "(p ≤ .05).")
        names = list(dict.fromkeys(c.label[lang] for st in estimated for c in st.study.covariates))
        if names:
            design = ctx.t(f" Die iLB-Teilnahme wurde nicht zufällig zugewiesen (quasi-experimentelles Design): "
                           f"Unterschiede sind Zusammenhänge unter Kontrolle von {joined(names, lang)}, keine "
                           "sicheren Kausaleffekte.",
                           f" iLB participation was not randomised (quasi-experimental design): differences are "
                           f"associations controlling for {joined(names, lang)}, not proven causal effects.")
        else:
            design = ctx.t(" Die iLB-Teilnahme wurde nicht zufällig zugewiesen (quasi-experimentelles Design): "
                           "Unterschiede sind Zusammenhänge ohne Kontrollvariablen, keine sicheren Kausaleffekte.",
                           " iLB participation was not randomised (quasi-experimental design): differences are "
                           "associations without control variables, not proven causal effects.")
        sec.paragraph(adjusted + design, "note")


def _lead(ctx: ReportContext) -> str:
    """Which waves of which samples the report analyses, from the study definitions."""
    lang = ctx.lang
    studies = [s.study for s in ctx.studies.values()]
    names = [s.name for s in studies]
    if len({s.wave_names for s in studies}) == 1:
        return ctx.t(f"Der Bericht wertet die Befragungswellen {wave_list(studies[0], lang)} "
                     f"{samples(names, lang)} aus. Die wichtigsten Ergebnisse:",
                     f"The report analyses the survey waves {wave_list(studies[0], lang)} "
                     f"{samples(names, lang)}. Key results:")
    waves = "; ".join(f"{s.name}: {wave_list(s, lang)}" for s in studies)
    return ctx.t(f"Der Bericht wertet die Befragungswellen {samples(names, lang)} aus ({waves}). "
                 "Die wichtigsten Ergebnisse:",
                 f"The report analyses the survey waves {samples(names, lang)} ({waves}). Key results:")


def persons(s: StudyResults, group: str) -> float:
    """The published number of persons of a group (``total`` for everyone; NaN when suppressed)."""
    d = s.demographics
    hit = d[(d["characteristic"] == "persons") & (d["group"] == group)]
    if hit.empty and group == "total" and not s.study.has_control_group:
        hit = d[d["characteristic"] == "persons"]
    return float(hit["value"].iloc[0]) if len(hit) else float("nan")


def _sample_line(ctx: ReportContext, s: StudyResults) -> str:
    name, lang = s.study.name, ctx.lang
    everyone, _ = ctx.count(persons(s, "total"))
    records, _ = ctx.count(s.records_analysed)
    waves = format_count(len(s.study.waves), lang)
    head = ctx.t(f"{name}: {records} Datensätze von {everyone} Personen über {waves} Wellen",
                 f"{name}: {records} records from {everyone} persons over {waves} waves")
    use = s.study.ilb_use
    if s.study.has_control_group:
        users, hidden = ctx.count(persons(s, "ilb"))
        if hidden:
            k = format_count(ctx.rule.min_cell_size, lang)
            return head + ctx.t(f"; iLB- und Kontrollgruppe werden nicht getrennt gezählt (eine Gruppe hat weniger "
                                f"als {k} Personen).", f"; the iLB and control groups are not counted apart (one "
                                f"group has fewer than {k} persons).")
        return head + ctx.t(f"; {users} Personen nutzten die iLB.", f"; {users} persons used iLB.")
    if use is not None and use.kind == "everyone":
        return head + ctx.t("; alle nutzten die iLB (keine Kontrollgruppe).", "; all used iLB (no control group).")
    return head + "."


def _trend_findings(ctx: ReportContext, s: StudyResults) -> list[str]:
    """The mean development of a study without control group, from the unconditional models estimated."""
    name, lang = s.study.name, ctx.lang
    slopes = trends(s, ctx.results.settings.adjust)
    slopes = slopes[(slopes["factor"] == "s") & slopes["n"].map(ctx.rule.allows)]
    if not len(slopes):
        return [ctx.t(f"{name}: Die Wachstumskurvenmodelle konnten nicht geschätzt werden (Gründe im Abschnitt "
                      "„Warnungen und Modellstatus“).", f"{name}: the growth curve models could not be estimated "
                      "(reasons in the section 'Warnings and model status').")]
    m = format_count(len(slopes), lang)
    significant = slopes[slopes["p_adjusted"] <= 0.05]
    up = [ctx.label(s, d) for d in significant.loc[significant["est"] > 0, "dimension"]]
    down = [ctx.label(s, d) for d in significant.loc[significant["est"] < 0, "dimension"]]
    if not up and not down:
        return [ctx.t(f"{name}: In keiner der {m} geschätzten Kompetenzfacetten ändert sich der Mittelwert nach "
                      f"{ctx.adjust}-Korrektur signifikant.",
                      f"{name}: in none of the {m} estimated competence dimensions does the mean change "
                      f"significantly after {ctx.adjust} correction.")]
    parts = []
    if up:
        parts.append(ctx.t(f"Zunahme in {joined(up, lang)}", f"an increase in {joined(up, lang)}"))
    if down:
        parts.append(ctx.t(f"Abnahme in {joined(down, lang)}", f"a decrease in {joined(down, lang)}"))
    return [ctx.t(f"{name}: Nach {ctx.adjust}-Korrektur signifikante mittlere Veränderung in "
                  f"{format_count(len(up) + len(down), lang)} von {m} Kompetenzfacetten: {'; '.join(parts)}.",
                  f"{name}: after {ctx.adjust} correction a significant mean change in "
                  f"{format_count(len(up) + len(down), lang)} of {m} competence dimensions: {'; '.join(parts)}.")]


def _effect_findings(ctx: ReportContext, s: StudyResults) -> list[str]:
    """The iLB-effect findings of a study with control group (from the effects that were estimated);
    the mean development of a study without one."""
    if not s.study.has_control_group:
        return _trend_findings(ctx, s)
    name, lang = s.study.name, ctx.lang
    gap = s.gap("ilb_effects")
    if gap is not None:
        return [f"{name}: {gap_text(gap, lang)}"]
    estimated = estimated_effects(s)
    if not len(estimated):
        return [ctx.t(f"{name}: Die iLB-Effekte konnten nicht geschätzt werden; die Modelle schlugen fehl "
                      "(Gründe im Abschnitt „Warnungen und Modellstatus“).",
                      f"{name}: the iLB effects could not be estimated; the models failed (reasons in the "
                      "section 'Warnings and model status').")]
    slope = estimated[estimated["factor"] == "s"]
    significant = slope[slope["p_adjusted"] <= 0.05]
    findings = [f"{name}: {x}" for x in (effect_sentence(ctx, s, dim) for dim in significant["dimension"]) if x]
    missing = [ctx.label(s, d) for d in dict.fromkeys(s.effects["dimension"]) if d not in set(slope["dimension"])]
    if significant.empty:
        m = format_count(len(slope), lang)
        findings.append(ctx.t(f"In keiner der {m} geschätzten Kompetenzfacetten ({name}) unterscheidet sich die "
                              f"Entwicklung der iLB-Teilnehmenden nach {ctx.adjust}-Korrektur signifikant von der "
                              "Kontrollgruppe.",
                              f"In none of the {m} estimated competence dimensions ({name}) does the development "
                              f"of iLB participants differ significantly from the control group after {ctx.adjust} "
                              "correction."))
    if missing:
        findings.append(ctx.t(f"{name}: nicht geschätzt (Modell fehlgeschlagen): {joined(missing, lang)}.",
                              f"{name}: not estimated (model failed): {joined(missing, lang)}."))
    return findings


def _weighted_findings(ctx: ReportContext, s: StudyResults) -> list[str]:
    """Whether the weighted analysis (controls weighted to the iLB users) supports the slope findings.

    A significant slope effect of the main analysis (after the multiple-testing
    correction) *holds* when the weighted effect's 95 % interval excludes 0
    with the same sign; it is *not supported* when the interval contains 0.
    A weighted effect whose interval excludes 0 where the main analysis found
    none is named as well. Nothing is said where the iLB effects or the
    weighting could not be estimated (the sections say why).
    """
    w = s.weighting
    if not s.study.has_control_group or s.gap("ilb_effects") is not None or w is None or w.status != "ok":
        return []
    estimated = estimated_effects(s)
    effects = w.effects
    if not len(estimated) or not len(effects):
        return []
    lang, name = ctx.lang, s.study.name
    slope = estimated[estimated["factor"] == "s"]
    main = {d: float(e) for d, e, p in zip(slope["dimension"], slope["estimate"], slope["p_adjusted"], strict=True)
            if p <= 0.05}
    weighted = effects[(effects["kind"] == "weighted") & (effects["factor"] == "s") & effects["converged"].astype(bool)]
    weighted = weighted[weighted["dimension"].isin(set(slope["dimension"]))]
    excluding = {d: float(e) for d, e, lo, hi in zip(weighted["dimension"], weighted["estimate"],
                                                   weighted["ci_lower"], weighted["ci_upper"], strict=True)
                 if lo > 0 or hi < 0}
    holds = [ctx.label(s, d) for d in main if d in excluding and np.sign(excluding[d]) == np.sign(main[d])]
    lost = [ctx.label(s, d) for d in main if d not in excluding or np.sign(excluding[d]) != np.sign(main[d])]
    new = [ctx.label(s, d) for d in excluding if d not in main]
    head = ctx.t(f"{name}, mit auf die iLB-Teilnehmenden gewichteter Kontrollgruppe (Abschnitt „Selektion und "
                 "Gewichtung“, 95-%-KI unadjustiert)",
                 f"{name}, with the control group weighted to the iLB participants (section 'Selection and "
                 "weighting', 95 % CI unadjusted)")
    parts = []
    if holds:
        parts.append(ctx.t(f"der Unterschied in der Veränderung bleibt in {joined(holds, lang)} bestehen",
                           f"the difference in change remains in {joined(holds, lang)}"))
    if lost:
        parts.append(ctx.t(f"in {joined(lost, lang)} stützt die gewichtete Analyse den Unterschied in der "
                           "Veränderung nicht (das Intervall enthält 0): dort kann er auf der Auswahl der "
                           "Teilnehmenden beruhen",
                           f"in {joined(lost, lang)} the weighted analysis does not support the difference in "
                           "change (the interval contains 0): there it may stem from who took part"))
    if new:
        parts.append(ctx.t(f"gewichtet unterscheidet sich die Veränderung zusätzlich in {joined(new, lang)} "
                           "(ohne Gewichtung nicht signifikant)",
                           f"weighted, the change also differs in {joined(new, lang)} (not significant "
                           "unweighted)"))
    if not parts:
        parts.append(ctx.t(f"auch gewichtet in keiner der {format_count(len(weighted), lang)} Kompetenzfacetten ein "
                           "Unterschied in der Veränderung (jedes Intervall enthält 0)",
                           f"weighted, too, no difference in change in any of the "
                           f"{format_count(len(weighted), lang)} competence dimensions (every interval contains 0)"))
    return [f"{head}: {'; '.join(parts)}."]

