"""Summary: the samples in one line each and the key findings."""

from __future__ import annotations

import numpy as np

from ilb_eval.formatting import format_percent
from ilb_eval.report.context import ReportContext, quote
from ilb_eval.report.sections.growth import effect_sentence
from ilb_eval.report.text import describe_correlation

__all__ = ["KEY", "build"]

KEY = "summary"


def build(ctx: ReportContext) -> None:
    """The summary section."""
    sec = ctx.section(ctx.t("Zusammenfassung", "Summary"))
    items = []
    for name, s in ctx.studies.items():
        persons, _ = ctx.count(s.persons)
        records, _ = ctx.count(sum(s.records_per_wave.values()))
        if s.study.has_control_group:
            ilb, _ = ctx.count(s.ilb_persons)
            items.append(ctx.t(f"{name}: {records} Datensätze von {persons} Personen über "
                               f"{len(s.records_per_wave)} Wellen; {ilb} Personen nutzten die iLB.",
                               f"{name}: {records} records from {persons} persons over "
                               f"{len(s.records_per_wave)} waves; {ilb} persons used iLB."))
        else:
            items.append(ctx.t(f"{name}: {records} Datensätze von {persons} Personen; alle nutzten die iLB "
                               "(keine Kontrollgruppe).",
                               f"{name}: {records} records from {persons} persons; all used iLB (no control group)."))
    sec.paragraph(ctx.t("Der Bericht wertet die Befragungswellen t1, t3 und t4 beider Stichproben aus. "
                        "Die wichtigsten Ergebnisse:",
                        "The report analyses the survey waves t1, t3 and t4 of both samples. Key results:"),
                  "lead")
    sec.bullets(items)
    findings = []
    lang = ctx.lang
    for s in ctx.studies.values():
        if s.study.has_control_group and len(s.effects):
            sig = s.effects[(s.effects["factor"] == "s") & (s.effects["p_adjusted"] <= 0.05)]
            for dim in sig["dimension"]:
                sentence = effect_sentence(ctx, s, dim)
                if sentence:
                    findings.append(sentence)
            if sig.empty:
                findings.append(ctx.t("In keiner Kompetenzfacette unterscheidet sich die Entwicklung "
                                      f"der iLB-Teilnehmenden nach {ctx.adjust}-Korrektur signifikant "
                                      "von der Kontrollgruppe.",
                                      "In no competence dimension does the development of iLB participants "
                                      f"differ significantly from the control group after {ctx.adjust} correction."))
        c = s.correlations
        if len(c) and c["r"].notna().any():
            top = c.loc[c["r"].idxmax()]
            findings.append(f"{s.study.name}: " + describe_correlation(
                ctx.label(s, str(top["x"])), quote(ctx.label(s, str(top["y"])), lang), float(top["r"]),
                float(top["pvalue"]), int(top["n"]), lang=lang, rule=ctx.rule))
        if isinstance(s.reuse.get("share"), float) and np.isfinite(s.reuse["share"]) and s.study.has_control_group:
            findings.append(ctx.t(f"{format_percent(s.reuse['share'], 0, lang)} der iLB-Teilnehmenden "
                                  f"({s.study.name}) würden die iLB erneut nutzen.",
                                  f"{format_percent(s.reuse['share'], 0, lang)} of iLB participants "
                                  f"({s.study.name}) would use iLB again."))
    if findings:
        sec.bullets(findings)
    sec.paragraph(ctx.t(f"Signifikanz nach {ctx.adjust}-Korrektur über alle Kompetenzfacetten (p ≤ ,05). "
                        "Die iLB-Teilnahme wurde nicht zufällig zugewiesen (quasi-experimentelles Design): "
                        "Unterschiede sind Zusammenhänge unter Kontrolle von Alter, Geschlecht, Programm "
                        "und Bildung, keine sicheren Kausaleffekte.",
                        f"Significance after {ctx.adjust} correction over all competence dimensions (p ≤ .05). "
                        "iLB participation was not randomised (quasi-experimental design): differences are "
                        "associations controlling for age, gender, programme and education, not proven causal "
                        "effects."),
                  "note")
