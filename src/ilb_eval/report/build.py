"""Turn :class:`~ilb_eval.analysis.AnalysisResults` into the report: document, figures, tables.

:func:`build_report` returns a :class:`ReportContent`: the
:class:`~ilb_eval.report.document.Report` (title page, contents, one section
per analysis with figures, tables and a short plain-language reading, methods,
warnings and model status, provenance) plus every figure and table under a
file name, so the run folder can hold them as PNG/SVG and CSV/Markdown/LaTeX.

Every number passes through :mod:`ilb_eval.formatting`; every count, share,
mean, correlation and model passes the minimum cell size rule (suppressed
values show ``•`` and a note). German by default, English with ``lang="en"``.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ilb_eval import __version__
from ilb_eval.analysis.conditions import MODE_LABELS, PREDICTORS
from ilb_eval.analysis.models import group_floor
from ilb_eval.analysis.pipeline import AnalysisResults, StudyResults, study_labels
from ilb_eval.formatting import (
    MISSING,
    SUPPRESSED,
    Lang,
    format_bounded,
    format_count,
    format_interval,
    format_number,
    format_p,
    format_percent,
    format_r,
)
from ilb_eval.privacy import DEFAULT_MIN_CELL_SIZE, CellRule
from ilb_eval.report import figures as F
from ilb_eval.report.document import Report, Section
from ilb_eval.report.problems import problem_text
from ilb_eval.report.tables import (
    FormattedTable,
    fit_table,
    format_fit_table,
    format_growth_table,
    growth_table,
    suppression_note,
)
from ilb_eval.report.text import (
    Effect,
    describe_correlation,
    describe_growth_effect,
    describe_trend,
)
from ilb_eval.stats import adjust_pvalues

__all__ = ["ReportContent", "build_report"]


@dataclass
class ReportContent:
    """The report and its parts.

    Attributes
    ----------
    report:
        The document (render with ``report.to_pdf_bytes()``).
    figures:
        ``{name: Figure}`` (name without extension).
    tables:
        ``{name: (raw DataFrame, FormattedTable)}``: raw numbers for CSV, the
        formatted table for Markdown and LaTeX.
    """

    report: Report
    figures: dict[str, Figure] = field(default_factory=dict)
    tables: dict[str, tuple[pd.DataFrame, FormattedTable]] = field(default_factory=dict)


_W: dict[str, dict[str, str]] = {
    "de": {
        "title": "Wirkung der individuellen Lernbegleitung (iLB)",
        "subtitle": "Auswertung der Längsschnittbefragung: Kompetenzentwicklung, Zufriedenheit und Nutzen",
        "study": "iLB-Begleitforschung",
        "notice": ("Alle Zahlen beruhen auf mindestens {k} Personen (Mindestzellgröße); kleinere "
                   "Zellen sind mit {mark} unterdrückt. Der Bericht enthält keine Personenkennungen."),
        "synthetic": ("Datengrundlage: die mit dem Paket ausgelieferte synthetische Beispielstudie "
                      "(simuliert, an den veröffentlichten Kennzahlen kalibriert) – keine echten Befragungsdaten."),
        "summary": "Zusammenfassung",
        "sample": "Stichprobe und Rücklauf",
        "reliability": "Reliabilität der Skalen",
        "eap": "Kompetenzentwicklung: iLB und Kontrollgruppe (EAP)",
        "zp": "Kompetenzentwicklung im Zertifikatsprogramm (ZP)",
        "corr": "Führung, Lernkultur und zeitliche Rahmenbedingungen",
        "feedback": "Zufriedenheit, Nutzen und erneute Nutzung",
        "conditions": "Durchführungsart und zeitliche Bedingungen",
        "methods": "Methoden",
        "status": "Warnungen und Modellstatus",
        "sensitivity": "Anhang: Sensitivitätsanalysen",
        "provenance": "Provenienz",
        "ilb": "iLB", "control": "Kontrollgruppe", "total": "Gesamt",
        "persons": "Personen", "female": "Anteil weiblich", "degree": "Anteil mit Studium",
        "german": "Anteil deutsche Staatsangehörigkeit", "age40": "Anteil 40 Jahre und älter",
        "program": "Anteil Spezialisierungsprogramm", "mean_age": "Durchschnittsalter (Jahre)",
        "characteristic": "Merkmal", "dimension": "Kompetenzfacette", "wave": "Welle",
        "records": "Datensätze",
    },
    "en": {
        "title": "Effects of individual learning support (iLB)",
        "subtitle": "Analysis of the longitudinal survey: competence development, satisfaction and benefit",
        "study": "iLB accompanying research",
        "notice": ("Every number rests on at least {k} persons (minimum cell size); smaller cells are "
                   "suppressed and marked {mark}. The report contains no person identifiers."),
        "synthetic": ("Data: the synthetic example study shipped with the package (simulated, "
                      "calibrated to the published figures) – not real survey data."),
        "summary": "Summary",
        "sample": "Sample and response",
        "reliability": "Reliability of the scales",
        "eap": "Competence development: iLB and control group (EAP)",
        "zp": "Competence development in the certificate programme (ZP)",
        "corr": "Leadership, learning culture and time conditions",
        "feedback": "Satisfaction, benefit and reuse",
        "conditions": "Delivery mode and time conditions",
        "methods": "Methods",
        "status": "Warnings and model status",
        "sensitivity": "Appendix: sensitivity analyses",
        "provenance": "Provenance",
        "ilb": "iLB", "control": "Control group", "total": "Total",
        "persons": "Persons", "female": "Share female", "degree": "Share with a degree",
        "german": "Share German citizens", "age40": "Share aged 40 and over",
        "program": "Share specialisation programme", "mean_age": "Mean age (years)",
        "characteristic": "Characteristic", "dimension": "Competence dimension", "wave": "Wave",
        "records": "Records",
    },
}

#: English names of the coded interview categories of the example study (German is the source).
_INTERVIEW_EN = {
    "Selbstständigkeit": "Autonomy", "Motivation": "Motivation",
    "Umgang mit schwierigen Situationen": "Dealing with difficult situations",
    "Arbeitspensum": "Workload", "Reflexion des eigenen Handelns": "Reflection on one's own actions",
    "Selbstvertrauen": "Self-confidence", "Arbeitsorganisation": "Work organisation",
    "Inhalte des Programms": "Programme contents", "Bewältigung des Programms": "Coping with the programme",
    "Auffangen kritischer Haltungen zum ZP": "Absorbing critical attitudes towards the ZP",
    "Beratungskompetenz": "Counselling competence",
}

_SHORT_PREDICTORS = {
    "mode_online": {"de": "Online", "en": "Online"},
    "mode_hybrid": {"de": "Hybrid", "en": "Hybrid"},
    "release_time": {"de": "Freistellung", "en": "Release"},
    "session_10min": {"de": "Termindauer", "en": "Session"},
    "duration_months": {"de": "Gesamtdauer", "en": "Duration"},
}

#: Report names and descriptions of the engine's model variants
#: (:data:`ilb_eval.growth.variants.VARIANTS`); other variants print under their engine name.
_VARIANT_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "as specified": {"de": ("wie spezifiziert", "das konditionale Modell des Hauptteils"),
                     "en": ("as specified", "the conditional model of the main text")},
    "equal residual variances": {"de": ("gleiche Residualvarianzen", "eine Residualvarianz für alle Wellen"),
                                 "en": ("equal residual variances", "one residual variance for all waves")},
    "fixed slope (no slope variance)": {
        "de": ("feste Veränderung", "Varianz von s und Kovarianz mit i auf 0 fixiert"),
        "en": ("fixed slope", "variance of s and its covariance with i fixed at 0")},
    "latent basis (estimated time scores)": {
        "de": ("latente Basis", "Zeitwerte der mittleren Wellen geschätzt, erster und letzter fest"),
        "en": ("latent basis", "time scores of the middle waves estimated, first and last fixed")},
}

#: Short explanations of engine warning codes in the variant table.
_CODE_TEXTS = {
    "LOCAL_OPTIMUM": ("zusätzliche Startwerte führten zu abweichenden Lösungen, die Likelihood hat mehrere Maxima "
                      "oder das Modell ist empirisch nicht identifiziert",
                      "extra starting values led to differing solutions, the likelihood has several maxima or "
                      "the model is empirically not identified"),
    "NEG_LV_VARIANCE": ("negative geschätzte Varianz eines Wachstumsfaktors",
                        "negative estimated variance of a growth factor"),
    "NEG_OV_VARIANCE": ("negative geschätzte Residualvarianz einer Welle",
                        "negative estimated residual variance of a wave"),
    "NOT_FITTED": ("Variante nicht schätzbar, z. B. nicht identifiziert",
                   "variant not estimable, e.g. not identified"),
    "NOT_CONVERGED": ("Schätzung nicht konvergiert", "estimation did not converge"),
}

#: Warning code every variant of a conditional model shares (persons with a missing covariate left out).
_SHARED_CODE = "ROWS_DROPPED"

_ADJUST = {"holm": {"de": "Holm", "en": "Holm"}, "bh": {"de": "Benjamini-Hochberg", "en": "Benjamini-Hochberg"}}


def _t(lang: Lang, de: str, en: str) -> str:
    return de if lang == "de" else en


def _quote(text: str, lang: Lang) -> str:
    return f"„{text}“" if lang == "de" else f"“{text}”"


def _wrapped(labels: Mapping[str, Mapping[str, str]], width: int = 30) -> dict[str, dict[str, str]]:
    """Labels broken into lines of at most ``width`` characters (for long figure tick labels)."""
    return {k: {lang: textwrap.fill(text, width) for lang, text in v.items()} for k, v in labels.items()}


class _Builder:
    def __init__(self, results: AnalysisResults, lang: Lang, provenance: Mapping[str, Any] | None) -> None:
        self.res = results
        self.lang = lang
        self.w = _W[lang]
        self.rule: CellRule = results.rule
        self.prov = dict(provenance or {})
        self.mark = SUPPRESSED[lang]
        self.adjust = _ADJUST[results.settings.adjust][lang]
        self.content: ReportContent | None = None
        self.suppressed_any = False

    # ------------------------------------------------------------------ helpers
    def labels(self, s: StudyResults) -> dict[str, Mapping[str, str]]:
        return dict(study_labels(s.study))

    def label(self, s: StudyResults, code: str) -> str:
        entry = self.labels(s).get(code)
        return (entry.get(self.lang) or entry.get("de") or code) if entry else code

    def fig(self, section: Section, name: str, figure: Figure, caption: str, note: str | None = None) -> None:
        assert self.content is not None
        self.content.figures[name] = figure
        section.figure(figure, caption, note)

    def table(self, section: Section, name: str, raw: pd.DataFrame, table: FormattedTable) -> None:
        assert self.content is not None
        self.content.tables[name] = (raw, table)
        table.add_to(section)

    def simple(self, frame: pd.DataFrame, caption: str, note: str | None = None, *,
               suppressed: bool = False, align: tuple[str, ...] | None = None) -> FormattedTable:
        notes = [note] if note else []
        if suppressed or self.rule.lowered:
            notes.append(suppression_note(self.rule, self.lang))
            self.suppressed_any = self.suppressed_any or suppressed
        return FormattedTable(frame=frame.reset_index(drop=True), caption=caption,
                              note=" ".join(notes) or None, lang=self.lang,
                              align=align or ("left",) + ("right",) * (frame.shape[1] - 1))

    def count(self, n: float | int | None) -> tuple[str, bool]:
        if n is None or (isinstance(n, float) and math.isnan(n)):
            return MISSING, False
        if not self.rule.allows(n):
            return self.mark, True
        return format_count(n, self.lang), False

    def share(self, value: float, n: float | int | None = None) -> tuple[str, bool]:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return (self.mark, True) if n is not None else (MISSING, False)
        return format_percent(value, 0, self.lang), False

    # ------------------------------------------------------------------ sections
    def build(self) -> ReportContent:
        lang = self.lang
        names = ", ".join(self.res.studies)
        notice = self.w["notice"].format(k=format_count(self.rule.min_cell_size, lang), mark=self.mark)
        if self.rule.lowered:
            notice += " " + suppression_note(self.rule, lang).split(". ", 1)[-1]
        if self.prov.get("synthetic"):
            notice += " " + self.w["synthetic"]
        report = Report(title=self.w["title"], subtitle=self.w["subtitle"], study=self.w["study"],
                        sample=names, lang=lang, notice=notice)
        self.content = ReportContent(report)
        self.summary(report.add_section(self.w["summary"]))
        self.sample(report.add_section(self.w["sample"]))
        self.reliability(report.add_section(self.w["reliability"]))
        for name, s in self.res.studies.items():
            if s.study.has_control_group:
                self.eap(report.add_section(self.w["eap"] if name == "EAP" else
                                            _t(lang, f"Kompetenzentwicklung ({name})",
                                               f"Competence development ({name})")), s)
            else:
                self.zp(report.add_section(self.w["zp"] if name == "ZP" else
                                           _t(lang, f"Kompetenzentwicklung ({name})",
                                              f"Competence development ({name})")), s)
        self.correlations(report.add_section(self.w["corr"]))
        self.feedback(report.add_section(self.w["feedback"]))
        self.conditions(report.add_section(self.w["conditions"]))
        self.methods(report.add_section(self.w["methods"]))
        self.status(report.add_section(self.w["status"]))
        if self._has_sensitivity():
            self.sensitivity(report.add_section(self.w["sensitivity"]))
        self.provenance(report.add_section(self.w["provenance"], numbered=False))
        return self.content

    # ..................................................................
    def _effect_sentence(self, s: StudyResults, dim: str) -> str | None:
        e = s.effects
        rows = {f: e[(e["dimension"] == dim) & (e["factor"] == f)] for f in ("i", "s")}
        if any(r.empty or not np.isfinite(r["estimate"].iloc[0]) for r in rows.values()):
            return None
        effects = {f: Effect(float(r["estimate"].iloc[0]), float(r["se"].iloc[0]),
                             float(r["p_adjusted"].iloc[0]), int(r["n"].iloc[0])) for f, r in rows.items()}
        return describe_growth_effect(self.label(s, dim), intercept=effects["i"], slope=effects["s"],
                                      lang=self.lang, rule=self.rule)

    def summary(self, sec: Section) -> None:
        lang = self.lang
        items = []
        for name, s in self.res.studies.items():
            persons, _ = self.count(s.persons)
            records, _ = self.count(sum(s.records_per_wave.values()))
            if s.study.has_control_group:
                ilb, _ = self.count(s.ilb_persons)
                items.append(_t(lang, f"{name}: {records} Datensätze von {persons} Personen über "
                                      f"{len(s.records_per_wave)} Wellen; {ilb} Personen nutzten die iLB.",
                                f"{name}: {records} records from {persons} persons over "
                                f"{len(s.records_per_wave)} waves; {ilb} persons used iLB."))
            else:
                items.append(_t(lang, f"{name}: {records} Datensätze von {persons} Personen; alle nutzten die iLB "
                                      "(keine Kontrollgruppe).",
                                f"{name}: {records} records from {persons} persons; all used iLB (no control group)."))
        sec.paragraph(_t(lang, "Der Bericht wertet die Befragungswellen t1, t3 und t4 beider Stichproben aus. "
                               "Die wichtigsten Ergebnisse:",
                         "The report analyses the survey waves t1, t3 and t4 of both samples. Key results:"),
                      "lead")
        sec.bullets(items)
        findings = []
        for s in self.res.studies.values():
            if s.study.has_control_group and len(s.effects):
                sig = s.effects[(s.effects["factor"] == "s") & (s.effects["p_adjusted"] <= 0.05)]
                for dim in sig["dimension"]:
                    sentence = self._effect_sentence(s, dim)
                    if sentence:
                        findings.append(sentence)
                if sig.empty:
                    findings.append(_t(lang, "In keiner Kompetenzfacette unterscheidet sich die Entwicklung "
                                             f"der iLB-Teilnehmenden nach {self.adjust}-Korrektur signifikant "
                                             "von der Kontrollgruppe.",
                                       "In no competence dimension does the development of iLB participants "
                                       f"differ significantly from the control group after {self.adjust} correction."))
            c = s.correlations
            if len(c) and c["r"].notna().any():
                top = c.loc[c["r"].idxmax()]
                findings.append(f"{s.study.name}: " + describe_correlation(
                    self.label(s, str(top["x"])), _quote(self.label(s, str(top["y"])), lang), float(top["r"]),
                    float(top["pvalue"]), int(top["n"]), lang=lang, rule=self.rule))
            if isinstance(s.reuse.get("share"), float) and np.isfinite(s.reuse["share"]) and s.study.has_control_group:
                findings.append(_t(lang, f"{format_percent(s.reuse['share'], 0, lang)} der iLB-Teilnehmenden "
                                         f"({s.study.name}) würden die iLB erneut nutzen.",
                                   f"{format_percent(s.reuse['share'], 0, lang)} of iLB participants "
                                   f"({s.study.name}) would use iLB again."))
        if findings:
            sec.bullets(findings)
        sec.paragraph(_t(lang, f"Signifikanz nach {self.adjust}-Korrektur über alle Kompetenzfacetten (p ≤ ,05). "
                               "Die iLB-Teilnahme wurde nicht zufällig zugewiesen (quasi-experimentelles Design): "
                               "Unterschiede sind Zusammenhänge unter Kontrolle von Alter, Geschlecht, Programm "
                               "und Bildung, keine sicheren Kausaleffekte.",
                         f"Significance after {self.adjust} correction over all competence dimensions (p ≤ .05). "
                         "iLB participation was not randomised (quasi-experimental design): differences are "
                         "associations controlling for age, gender, programme and education, not proven causal effects."),
                      "note")

    def sample(self, sec: Section) -> None:
        lang = self.lang
        sec.paragraph(_t(lang, "Gezählt werden Personen nach der Verknüpfung der Wellen über den selbst "
                               "generierten Code. Die Wellen heißen t1, t3 und t4 (t2 war ein geplanter "
                               "Zeitpunkt ohne Befragung).",
                         "Persons are counted after linking the waves through the self-generated code. The "
                         "waves are called t1, t3 and t4 (t2 was a planned point without a survey)."))
        for name, s in self.res.studies.items():
            sec.heading(f"{name}: {_t(lang, 'Rücklauf', 'Response')}")
            labels = {"ilb": {"de": "iLB", "en": "iLB"}} if not s.study.has_control_group else None
            fig = F.wave_response(s.response, lang=lang, labels=labels, rule=self.rule)
            self.fig(sec, f"{name.lower()}_response", fig,
                     _t(lang, f"Befragte Personen je Welle und Gruppe ({name})",
                        f"Persons surveyed per wave and group ({name})"))
            fig = F.attrition_flow(s.attrition, lang=lang, rule=self.rule)
            self.fig(sec, f"{name.lower()}_attrition", fig,
                     _t(lang, f"Verbleib zwischen den Wellen ({name})", f"Attrition between waves ({name})"),
                     _t(lang, "Weiter dabei: in beiden Wellen befragt; ausgeschieden: nur in der früheren; "
                              "neu hinzugekommen: nur in der späteren Welle.",
                        "Retained: surveyed in both waves; dropped out: only in the earlier; joined: only in "
                        "the later wave."))
            self.demographics_table(sec, s)
            ilb_share = s.ilb_persons / s.persons if s.persons else float("nan")
            if s.study.has_control_group:
                sec.paragraph(_t(lang, f"Von {format_count(s.persons, lang)} Personen nutzten "
                                       f"{format_count(s.ilb_persons, lang)} ({format_percent(ilb_share, 0, lang)}) "
                                       "die iLB. Beide Gruppen sind sich in Geschlecht, Bildung und Alter ähnlich.",
                                 f"Of {format_count(s.persons, lang)} persons, {format_count(s.ilb_persons, lang)} "
                                 f"({format_percent(ilb_share, 0, lang)}) used iLB. Both groups are similar in "
                                 "gender, education and age."))

    def demographics_table(self, sec: Section, s: StudyResults) -> None:
        lang = self.lang
        d = s.demographics
        groups = [g for g in ("ilb", "control", "total") if g in set(d["group"])]
        rows, suppressed = [], False
        order = ["persons", "female", "degree", "german", "age40", "program", "mean_age"]
        for ch in order:
            part = d[d["characteristic"] == ch]
            if part.empty:
                continue
            label = self.w[ch]
            if ch == "program" and s.study.name != "EAP" and "program" not in s.study.covariate_names:
                continue
            cells = [label]
            for g in groups:
                hit = part[part["group"] == g]
                if hit.empty:
                    cells.append(MISSING)
                    continue
                value, n = float(hit["value"].iloc[0]), int(hit["n"].iloc[0])
                if ch == "persons":
                    text, sup = self.count(n)
                elif ch == "mean_age":
                    sup = not np.isfinite(value)
                    text = self.mark if sup else format_number(value, 1, lang)
                else:
                    text, sup = self.share(value, n)
                suppressed |= sup
                cells.append(text)
            rows.append(cells)
        frame = pd.DataFrame(rows, columns=[self.w["characteristic"], *[self.w[g] for g in groups]])
        table = self.simple(frame, _t(lang, f"Stichprobe ({s.study.name})", f"Sample ({s.study.name})"),
                            _t(lang, "Anteile bezogen auf Personen mit gültiger Angabe.",
                               "Shares of persons with a valid answer."), suppressed=suppressed)
        self.table(sec, f"{s.study.name.lower()}_sample", d, table)

    def reliability(self, sec: Section) -> None:
        lang = self.lang
        sec.paragraph(_t(lang, "Cronbachs α (mit 95 %-Konfidenzintervall nach Feldt) und McDonalds ω je Skala und "
                               "Welle, berechnet über die Personen mit vollständigen Itemantworten.",
                         "Cronbach's α (with Feldt 95% confidence interval) and McDonald's ω per scale and wave, "
                         "computed over persons with complete item answers."))
        for name, s in self.res.studies.items():
            r = s.reliability
            r = r[r["scale"].isin([sc.name for sc in s.study.competence_scales])]
            waves = list(dict.fromkeys(r["wave"]))
            rows, suppressed = [], False
            for scale, part in r.groupby("scale", sort=False):
                cells = [self.label(s, str(scale)), str(int(part["k"].iloc[0]))]
                for wave in waves:
                    hit = part[part["wave"] == wave]
                    if hit.empty:
                        cells.append(MISSING)
                        continue
                    h = hit.iloc[0]
                    if not self.rule.allows(h["n"]):
                        suppressed = True
                        cells.append(self.mark)
                        continue
                    cells.append(f"{format_bounded(h['alpha'], 2, lang)} "
                                 f"{format_interval(h['alpha_ci_lower'], h['alpha_ci_upper'], 2, lang, bounded=True)}"
                                 f" / {format_bounded(h['omega'], 2, lang)}")
                rows.append(cells)
            frame = pd.DataFrame(rows, columns=[self.w["dimension"], "k", *waves])
            n_text = ", ".join(f"{w}: {format_count(int(r.loc[r['wave'] == w, 'n'].min()), lang)}–"
                               f"{format_count(int(r.loc[r['wave'] == w, 'n'].max()), lang)}" for w in waves)
            table = self.simple(frame, _t(lang, f"Reliabilität der Kompetenzskalen ({name})",
                                          f"Reliability of the competence scales ({name})"),
                                _t(lang, "Zellen: α [95 %-KI] / ω je Welle. k = Anzahl Items. Personen mit vollständigen "
                                         f"Antworten je Welle: {n_text}.",
                                   "Cells: α [95% CI] / ω per wave. k = number of items. Persons with complete "
                                   f"answers per wave: {n_text}."),
                                suppressed=suppressed)
            self.table(sec, f"{name.lower()}_reliability", s.reliability, table)
        low = [(n, row) for n, s in self.res.studies.items() for row in s.reliability.itertuples()
               if self.rule.allows(row.n) and row.alpha < 0.7]
        sec.paragraph(_t(lang, "Alle Skalen erreichen in allen Wellen α ≥ ,70." if not low else
                         f"{format_count(len(low), lang)} Kombinationen aus Skala und Welle liegen unter α = ,70; "
                         "ihre Ergebnisse sind vorsichtig zu lesen.",
                         "All scales reach α ≥ .70 at all waves." if not low else
                         f"{format_count(len(low), lang)} combinations of scale and wave have α below .70; read "
                         "their results with care."))

    # ..................................................................
    def eap(self, sec: Section, s: StudyResults) -> None:
        lang, name = self.lang, s.study.name
        labels = self.labels(s)
        controls = ", ".join(self.label(s, c) for c in s.study.covariate_names)
        sec.paragraph(_t(lang, "Für jede Kompetenzfacette wurde ein lineares latentes Wachstumskurvenmodell "
                               "geschätzt: Ausgangsniveau (i, bei t1) und Veränderung (s, je Zeiteinheit) jeder "
                               f"Person. Im konditionalen Modell sagen die iLB-Teilnahme und die Kontrollvariablen "
                               f"({controls}) i und s vorher; der Koeffizient der iLB-Teilnahme ist der Unterschied "
                               "zur Kontrollgruppe bei gleichen Kontrollvariablen.",
                         "For each competence dimension a linear latent growth curve model was fitted: each "
                         "person's intercept (i, at t1) and slope (s, per time unit). In the conditional model, "
                         f"iLB participation and the controls ({controls}) predict i and s; the coefficient of iLB "
                         "participation is the difference from the control group at equal controls."))
        sec.heading(_t(lang, "Effekte der iLB auf Ausgangsniveau und Veränderung",
                       "Effects of iLB on intercept and slope"))
        e = s.effects
        rows, suppressed = [], False
        factor_names = {"i": _t(lang, "Ausgangsniveau (i)", "Intercept (i)"), "s": _t(lang, "Veränderung (s)", "Slope (s)")}
        for dim in dict.fromkeys(e["dimension"]):
            for factor in ("i", "s"):
                cells = [self.label(s, dim) if factor == "i" else "", factor_names[factor]]
                hit = e[(e["dimension"] == dim) & (e["factor"] == factor)].iloc[0]
                if not np.isfinite(hit["estimate"]):
                    cells += [_t(lang, "Modell fehlgeschlagen", "model failed") if hit["status"] == "failed"
                              else _t(lang, "nicht geschätzt", "not fitted"), "", "", "", ""]
                elif not self.rule.allows(hit["n"]):
                    suppressed = True
                    cells += [self.mark] * 5
                else:
                    cells += [format_number(hit["estimate"], 3, lang), format_number(hit["se"], 3, lang),
                              format_interval(hit["ci_lower"], hit["ci_upper"], 3, lang),
                              format_p(hit["pvalue"], lang, prefix=False),
                              format_p(hit["p_adjusted"], lang, prefix=False)]
                rows.append(cells)
        adj = self.adjust
        ci = _t(lang, "95 %-KI", "95% CI")
        columns = [self.w["dimension"], _t(lang, "Faktor", "Factor"), "b", "SE", ci, "p", f"p ({adj})"]
        frame = pd.DataFrame(rows, columns=columns)
        n_model = int(e["n"].dropna().max()) if e["n"].notna().any() else 0
        table = self.simple(frame, _t(lang, f"Unterschied iLB − Kontrollgruppe in Ausgangsniveau (i) und "
                                            f"Veränderung (s) ({name})",
                                      f"Difference iLB − control group in intercept (i) and slope (s) ({name})"),
                            _t(lang, f"b = unstandardisierter Koeffizient der iLB-Teilnahme im konditionalen Modell "
                                     f"(Kontrollvariablen: {controls}); s in Skalenpunkten pro Zeiteinheit "
                                     f"(Zeitwerte t1 = 0, t3 = 2, t4 = 3). p ({adj}) = für {format_count(int(e['pvalue'].notna().sum()), lang)} "
                                     f"Tests adjustiert. N bis {format_count(n_model, lang)}.",
                               f"b = unstandardised coefficient of iLB participation in the conditional model "
                               f"(controls: {controls}); s in scale points per time unit (time scores t1 = 0, t3 = 2, "
                               f"t4 = 3). p ({adj}) = adjusted over {format_count(int(e['pvalue'].notna().sum()), lang)} "
                               f"tests. N up to {format_count(n_model, lang)}."), suppressed=suppressed)
        table.align = ("left", "left", "right", "right", "right", "right", "right")
        self.table(sec, f"{name.lower()}_ilb_effects", e, table)
        forest = e.rename(columns={"p_adjusted": "p_holm"})
        fig = F.forest_plot(forest, lang=lang, labels=labels, rule=self.rule)
        if self.res.settings.adjust != "holm" and fig.legends:
            fig.legends[0].texts[0].set_text(_t(lang, "signifikant nach Benjamini-Hochberg (p ≤ ,05)",
                                                "significant after Benjamini-Hochberg (p ≤ .05)"))
        self.fig(sec, f"{name.lower()}_forest", fig,
                 _t(lang, f"Effekte der iLB-Teilnahme auf Ausgangsniveau und Veränderung ({name})",
                    f"Effects of iLB participation on intercept and slope ({name})"),
                 _t(lang, "Punkte: Schätzung mit 95 %-Konfidenzintervall; gefüllt: signifikant nach "
                          f"{adj}-Korrektur.", f"Points: estimate with 95% confidence interval; filled: "
                          f"significant after {adj} correction."))
        sentences = [x for x in (self._effect_sentence(s, d) for d in dict.fromkeys(e["dimension"])) if x]
        if sentences:
            sec.heading(_t(lang, "Lesart", "Reading"), level=3)
            sec.bullets(sentences)
            sec.paragraph(_t(lang, f"p-Werte in diesen Sätzen: {adj}-adjustiert.",
                             f"p-values in these sentences: {adj}-adjusted."), "note")

        sec.page_break()
        sec.heading(_t(lang, "Verläufe der iLB- und der Kontrollgruppe", "Trajectories of the iLB and control groups"))
        implied = pd.concat([m.implied for m in s.models.values() if len(m.implied)], ignore_index=True) \
            if any(len(m.implied) for m in s.models.values()) else None
        observed = pd.concat([m.observed for m in s.models.values() if len(m.observed)], ignore_index=True)
        waves = dict(zip(s.study.wave_names, s.study.time_scores, strict=True))
        if implied is not None:
            fig = F.trajectories(implied, observed, waves=waves, lang=lang, labels=labels, rule=self.rule, ncols=3)
            self.fig(sec, f"{name.lower()}_trajectories", fig,
                     _t(lang, f"Modellimplizierte Verläufe je Kompetenzfacette: iLB und Kontrollgruppe ({name})",
                        f"Model-implied trajectories per competence dimension: iLB and control group ({name})"),
                     _t(lang, "Mehrgruppenmodell ohne Kovariaten (freie Mittelwerte je Gruppe).",
                        "Multi-group model without covariates (free means per group)."))
        sec.page_break()
        sec.heading(_t(lang, "Mehrgruppenvergleich: Likelihood-Quotienten-Tests",
                       "Multi-group comparison: likelihood-ratio tests"))
        lr = s.lr_tests
        rows = []
        for dim in dict.fromkeys(lr["dimension"]):
            cells = [self.label(s, dim)]
            for test in ("intercepts", "slopes"):
                hit = lr[(lr["dimension"] == dim) & (lr["test"] == test)].iloc[0]
                if hit["status"] != "ok":
                    cells += [str(hit["status"]), ""]
                    continue
                cells += [f"{format_number(hit['chisq'], 2, lang)} ({format_count(hit['df'], lang)})",
                          format_p(hit["pvalue"], lang, prefix=False)]
            rows.append(cells)
        chi = "χ² (df)"
        frame = pd.DataFrame(rows, columns=[self.w["dimension"], f"i: {chi}", "p", f"s: {chi}", "p "])
        table = self.simple(frame, _t(lang, f"Tests gleicher Mittelwerte von Ausgangsniveau und Veränderung in "
                                            f"iLB- und Kontrollgruppe ({name})",
                                      f"Tests of equal intercept and slope means in the iLB and control group ({name})"),
                            _t(lang, "i: Test gleicher Mittelwerte des Ausgangsniveaus; s: gleicher Mittelwerte der "
                                     "Veränderung. Chi-Quadrat-Differenztest des restringierten gegen das freie "
                                     "Mehrgruppenmodell (ohne Kovariaten, unadjustiert).",
                               "i: test of equal intercept means; s: of equal slope means. Chi-square difference "
                               "test of the restricted against the free multi-group model (no covariates, unadjusted)."))
        self.table(sec, f"{name.lower()}_lr_tests", lr, table)
        sec.heading(_t(lang, "Parameter und Modellgüte der konditionalen Modelle",
                       "Parameters and fit of the conditional models"))
        self.growth_tables(sec, s, "conditional")

    def growth_tables(self, sec: Section, s: StudyResults, kind: str) -> None:
        lang, name = self.lang, s.study.name
        params, fits, n = {}, {}, {}
        failed = []
        for dim, m in s.models.items():
            rec = m.records.get(kind)
            if rec is not None and rec.ok:
                params[dim] = rec.results.params
                fits[dim] = dict(rec.results.fit)
                n[dim] = rec.n
            elif rec is not None:
                failed.append(f"{self.label(s, dim)}: {rec.status} ({rec.reason})")
        labels = self.labels(s)
        labels["ilb"] = {"de": "iLB-Teilnahme", "en": "iLB participation"}
        if params:
            raw = growth_table(params)
            caption = _t(lang, f"Parameterschätzungen der Wachstumskurvenmodelle ({name})",
                         f"Parameter estimates of the growth curve models ({name})")
            table = format_growth_table(raw, labels=labels, lang=lang, rule=self.rule, n=n, caption=caption)
            assert self.content is not None
            self.content.tables[f"{name.lower()}_growth_parameters"] = (raw, table)
            raw_fit = fit_table(fits)
            fit = format_fit_table(raw_fit, labels=labels, lang=lang, rule=self.rule,
                                   caption=_t(lang, f"Modellgüte der Wachstumskurvenmodelle ({name})",
                                              f"Fit of the growth curve models ({name})"))
            self.table(sec, f"{name.lower()}_growth_fit", raw_fit, fit)
            for dim in params:
                part = format_growth_table(raw[raw["outcome"] == dim], labels=labels, lang=lang, rule=self.rule,
                                           n=n, caption=f"{caption}: {self.label(s, dim)}")
                part.add_to(sec)
        if failed:
            sec.paragraph(_t(lang, "Nicht geschätzt bzw. nicht berichtet: ", "Not estimated or not reported: ")
                          + "; ".join(failed) + ".")

    def zp(self, sec: Section, s: StudyResults) -> None:
        lang, name = self.lang, s.study.name
        labels = self.labels(s)
        sec.paragraph(_t(lang, f"Im {name} nutzten alle Befragten die iLB; es gibt keine Kontrollgruppe, Effekte der "
                               "iLB lassen sich daher nicht isolieren. Berichtet wird das unkonditionale "
                               "Wachstumskurvenmodell je Kompetenzfacette: mittleres Ausgangsniveau und mittlere "
                               "Veränderung.",
                         f"In the {name} all respondents used iLB; there is no control group, so effects of iLB "
                         "cannot be isolated. Reported is the unconditional growth curve model per competence "
                         "dimension: mean intercept and mean slope."))
        rows, sentences, raw_rows = [], [], []
        for dim, m in s.models.items():
            rec = m.records.get("unconditional")
            cells = [self.label(s, dim)]
            if rec is None or not rec.ok:
                cells += [_t(lang, "Modell fehlgeschlagen", "model failed"), "", "", "", ""]
                rows.append(cells)
                continue
            p = rec.results.params
            i = p[(p["lhs"] == "i") & (p["op"] == "~1")].iloc[0]
            sl = p[(p["lhs"] == "s") & (p["op"] == "~1")].iloc[0]
            raw_rows += [{"dimension": dim, "factor": f, "est": float(r["est"]), "se": float(r["se"]),
                          "pvalue": float(r["pvalue"]), "ci_lower": float(r["ci_lower"]),
                          "ci_upper": float(r["ci_upper"]), "n": rec.n} for f, r in (("i", i), ("s", sl))]
            if not self.rule.allows(rec.n):
                rows.append(cells + [self.mark] * 5)
                continue
            cells += [format_number(i["est"], 2, lang),
                      f"{format_number(sl['est'], 3, lang)} {format_interval(sl['ci_lower'], sl['ci_upper'], 3, lang)}",
                      format_p(sl["pvalue"], lang, prefix=False), "", format_count(rec.n, lang)]
            rows.append(cells)
            sentences.append(describe_trend(self.label(s, dim), Effect(float(sl["est"]), float(sl["se"]),
                                                                       float(sl["pvalue"]), rec.n),
                                            lang=lang, rule=self.rule))
        adjust_column: dict[str, float] = {}
        raw = pd.DataFrame(raw_rows)
        if len(raw):
            raw["p_adjusted"] = np.nan
            mask = raw["factor"] == "s"
            raw.loc[mask, "p_adjusted"] = adjust_pvalues(raw.loc[mask, "pvalue"].to_numpy(float),
                                                         self.res.settings.adjust)
            adjust_column = {r.dimension: r.p_adjusted for r in raw[mask].itertuples()}
        for cells in rows:
            dim = next((d for d in s.models if self.label(s, d) == cells[0]), None)
            if adjust_column and dim in adjust_column and cells[4] == "":
                cells[4] = format_p(adjust_column[dim], lang, prefix=False)
        ci = _t(lang, "95 %-KI", "95% CI")
        frame = pd.DataFrame(rows, columns=[self.w["dimension"], "i", f"s [{ci}]", "p", f"p ({self.adjust})", "N"])
        table = self.simple(frame, _t(lang, f"Mittleres Ausgangsniveau und mittlere Veränderung ({name})",
                                      f"Mean intercept and mean slope ({name})"),
                            _t(lang, "i = mittleres Ausgangsniveau (t1), s = mittlere Veränderung in Skalenpunkten pro "
                                     "Zeiteinheit. Unkonditionales lineares Wachstumskurvenmodell (FIML).",
                               "i = mean intercept (t1), s = mean slope in scale points per time unit. Unconditional "
                               "linear growth curve model (FIML)."),
                            suppressed=any(self.mark in c for c in rows))
        self.table(sec, f"{name.lower()}_growth_means", raw, table)
        implied = [m.implied for m in s.models.values() if len(m.implied)]
        if implied:
            observed = pd.concat([m.observed for m in s.models.values() if len(m.observed)], ignore_index=True)
            waves = dict(zip(s.study.wave_names, s.study.time_scores, strict=True))
            glabels = dict(labels)
            fig = F.trajectories(pd.concat(implied, ignore_index=True), observed, waves=waves, lang=lang,
                                 labels=glabels, rule=self.rule, ncols=3)
            self.fig(sec, f"{name.lower()}_trajectories", fig,
                     _t(lang, f"Modellimplizierte Verläufe je Kompetenzfacette ({name}, alle iLB-Teilnehmende)",
                        f"Model-implied trajectories per competence dimension ({name}, all iLB participants)"))
        if sentences:
            sec.heading(_t(lang, "Lesart", "Reading"), level=3)
            sec.bullets(sentences)
            sec.paragraph(_t(lang, "p-Werte in diesen Sätzen: unadjustiert; die Tabelle zeigt zusätzlich die "
                                   f"{self.adjust}-adjustierten.", "p-values in these sentences: unadjusted; the table "
                                   f"also shows the {self.adjust}-adjusted ones."), "note")
        sec.page_break()
        sec.heading(_t(lang, "Parameter und Modellgüte", "Parameters and fit"))
        self.growth_tables(sec, s, "unconditional")

    # ..................................................................
    def correlations(self, sec: Section) -> None:
        lang = self.lang
        method = self.res.settings.correlation
        method_name = {"pearson": "Pearson", "spearman": "Spearman"}[method]
        for name, s in self.res.studies.items():
            c = s.correlations
            if not len(c):
                continue
            wave = str(c["wave"].iloc[0])
            labels = self.labels(s)
            x_label = self.label(s, str(c["x"].iloc[0]))
            if len(self.res.studies) > 1:
                sec.heading(name)
            sec.paragraph(_t(lang, f"Zusammenhang der {x_label} mit Lernkultur und zeitlichen Rahmenbedingungen bei "
                                   f"den iLB-Teilnehmenden ({name}, {wave}): Korrelation nach {method_name}, "
                                   "zweiseitig, paarweise vollständige Angaben.",
                             f"Association of {x_label.lower()} with learning culture and time conditions among iLB "
                             f"participants ({name}, {wave}): {method_name} correlation, two-sided, pairwise complete "
                             "answers."))
            fig = F.correlation_figure(c, lang=lang, labels=_wrapped(labels, 44), rule=self.rule, title=x_label)
            if method == "spearman":
                fig.axes[0].set_xlabel(_t(lang, "Korrelation ρ (Spearman, 95 %-KI)", "Correlation ρ (Spearman, 95% CI)"))
            self.fig(sec, f"{name.lower()}_correlations", fig,
                     _t(lang, f"Korrelationen der {x_label} ({name}, {wave})",
                        f"Correlations of {x_label.lower()} ({name}, {wave})"))
            rows, suppressed = [], False
            for r in c.itertuples():
                item = self.label(s, str(r.y))
                if r.suppressed or not np.isfinite(r.r):
                    suppressed = suppressed or bool(r.suppressed)
                    rows.append([item, self.mark, self.mark, self.mark, self.count(r.n)[0], ""])
                    continue
                rows.append([item, format_r(r.r, r.pvalue, lang),
                             format_interval(r.ci_lower, r.ci_upper, 2, lang, bounded=True),
                             format_p(r.pvalue, lang, prefix=False), format_count(r.n, lang),
                             r.band_de if lang == "de" else r.band_en])
            frame = pd.DataFrame(rows, columns=[_t(lang, "Item", "Item"), "r", _t(lang, "95 %-KI", "95% CI"), "p",
                                                "n", _t(lang, "Stärke", "Strength")])
            table = self.simple(frame, _t(lang, f"Korrelationen mit der {x_label} ({name}, {wave})",
                                          f"Correlations with {x_label.lower()} ({name}, {wave})"),
                                _t(lang, f"Korrelation nach {method_name}; ** p ≤ ,01; * p ≤ ,05 (2-seitig). "
                                         "Stärke: |r| < ,3 gering, < ,5 mittel, < ,7 hoch, sonst sehr hoch.",
                                   f"{method_name} correlation; ** p ≤ .01; * p ≤ .05 (two-sided). Strength: |r| < .3 "
                                   "low, < .5 medium, < .7 high, otherwise very high."),
                                suppressed=suppressed, align=("left", "right", "right", "right", "right", "left"))
            self.table(sec, f"{name.lower()}_correlations", c, table)
            sentences = [describe_correlation(x_label, _quote(self.label(s, str(r.y)), lang), float(r.r), float(r.pvalue),
                                              int(r.n), lang=lang, rule=self.rule)
                         for r in c.itertuples() if np.isfinite(r.r)]
            if sentences:
                sec.bullets(sentences)
        if not len(sec.blocks):
            sec.paragraph(_t(lang, "Keine Korrelationsdaten in den Befragungen.", "No correlation data in the surveys."))

    def feedback(self, sec: Section) -> None:
        lang = self.lang
        studies = self.res.studies
        sec.paragraph(_t(lang, "Antworten der iLB-Teilnehmenden zu t3 und t4. Für Zufriedenheit, "
                               "Verbesserungswünsche und erneute Nutzung zählt je Person die letzte gültige Antwort.",
                         "Answers of iLB participants at t3 and t4. For satisfaction, improvement wishes and reuse "
                         "each person's last valid answer counts."))
        for name, s in studies.items():
            sat = s.satisfaction
            if not len(sat):
                continue
            if len(sec.blocks) > 1:
                sec.page_break()
            sec.heading(_t(lang, f"Zufriedenheit mit Aspekten der iLB ({name})",
                           f"Satisfaction with aspects of iLB ({name})"))
            data = sat.assign(aspect=sat[f"label_{lang}"])
            fig = F.satisfaction(data, lang=lang, rule=self.rule)
            self.fig(sec, f"{name.lower()}_satisfaction", fig,
                     _t(lang, f"Zufriedenheit und Verbesserungswünsche ({name})",
                        f"Satisfaction and wishes for improvement ({name})"))
            best = sat.dropna(subset=["mean"]).sort_values("mean", ascending=False)
            wish = sat.dropna(subset=["share_improve"]).sort_values("share_improve", ascending=False)
            if len(best) and len(wish):
                top, low, w0 = best.iloc[0], best.iloc[-1], wish.iloc[0]
                sec.paragraph(_t(lang, f"Am besten bewertet: {top['label_de']} (M = {format_number(top['mean'], 1, lang)}); "
                                       f"am schwächsten: {low['label_de']} (M = {format_number(low['mean'], 1, lang)}). "
                                       f"Den häufigsten Verbesserungswunsch gibt es bei {w0['label_de']} "
                                       f"({format_percent(w0['share_improve'], 0, lang)}).",
                                 f"Rated best: {top['label_en']} (M = {format_number(top['mean'], 1, lang)}); "
                                 f"weakest: {low['label_en']} (M = {format_number(low['mean'], 1, lang)}). "
                                 f"Improvement is wished most often for {w0['label_en'].lower()} "
                                 f"({format_percent(w0['share_improve'], 0, lang)})."))
            self.content.tables[f"{name.lower()}_satisfaction"] = (sat, self._sat_table(sat, name))
        ben = pd.concat([s.benefit for s in studies.values() if len(s.benefit)], ignore_index=True) \
            if any(len(s.benefit) for s in studies.values()) else pd.DataFrame()
        if len(ben):
            sec.page_break()
            sec.heading(_t(lang, "Nutzen der iLB", "Benefit of iLB"))
            data = ben.assign(aspect=ben[f"label_{lang}"].map(lambda t: textwrap.fill(t, 34)))
            fig = F.benefit_agreement(data, lang=lang, rule=self.rule)
            self.fig(sec, "benefit", fig, _t(lang, "Zustimmung zu Nutzenaussagen zu t3 und t4 (EAP und ZP)",
                                              "Agreement with benefit statements at t3 and t4 (EAP and ZP)"),
                     _t(lang, "Zustimmung = „trifft eher zu“ oder „trifft voll zu“ (4 oder 5 auf 1–5).",
                        "Agreement = 'rather agree' or 'fully agree' (4 or 5 on 1–5)."))
            acc = pd.concat([s.acceleration for s in studies.values() if len(s.acceleration)], ignore_index=True)
            if len(acc):
                rows, suppressed = [], False
                for (sample, wave), part in acc.groupby(["sample", "wave"], sort=False):
                    cells = [sample, wave]
                    for code in ("1", "2", "3"):
                        hit = part[part["category"] == code]
                        text, sup = self.share(float(hit["share"].iloc[0]) if len(hit) else float("nan"), 1)
                        suppressed |= sup
                        cells.append(text)
                    cells.append(self.count(int(part["n"].iloc[0]))[0])
                    rows.append(cells)
                cats = acc.drop_duplicates("category").set_index("category")[f"label_{lang}"]
                frame = pd.DataFrame(rows, columns=[_t(lang, "Stichprobe", "Sample"), self.w["wave"],
                                                    *[cats.get(c, c) for c in ("1", "2", "3")], "n"])
                table = self.simple(frame, _t(lang, "Einfluss der iLB auf die Dauer des Programms",
                                              "Effect of iLB on the duration of the programme"),
                                    _t(lang, "„Die iLB hat das Programm …“; Anteile der Antwortenden.",
                                       "'iLB made the programme …'; shares of respondents."), suppressed=suppressed)
                self.table(sec, "acceleration", acc, table)
            self.content.tables["benefit"] = (ben, self._benefit_table(ben))
        reuse_rows = []
        for name, s in studies.items():
            share = s.reuse.get("share")
            if s.reuse.get("n"):
                text, _ = self.share(share if isinstance(share, float) else float("nan"), s.reuse.get("n"))
                reuse_rows.append(_t(lang, f"{name}: {text} der iLB-Teilnehmenden würden die iLB erneut nutzen "
                                           f"(n = {self.count(s.reuse['n'])[0]}).",
                                     f"{name}: {text} of iLB participants would use iLB again "
                                     f"(n = {self.count(s.reuse['n'])[0]})."))
        if reuse_rows:
            sec.heading(_t(lang, "Erneute Nutzung", "Reuse"))
            sec.bullets(reuse_rows)
        inter = self.res.interviews
        if len(inter):
            sec.page_break()
            sec.heading(_t(lang, "Qualitative Interviews", "Qualitative interviews"))
            data = inter.copy()
            if lang == "en":
                data["category"] = data["category"].map(lambda c: _INTERVIEW_EN.get(c, c))
            fig = F.interview_categories(data, lang=lang, rule=self.rule)
            self.fig(sec, "interview_categories", fig,
                     _t(lang, "Codierte Nennungen von Veränderungen durch die iLB in den Interviews",
                        "Coded mentions of changes through iLB in the interviews"),
                     _t(lang, "Inhaltsanalyse nach Mayring; Kategorien mit weniger Nennungen als die "
                              "Mindestzellgröße sind unterdrückt.",
                        "Content analysis after Mayring; categories with fewer mentions than the minimum cell "
                        "size are suppressed."))

    def _sat_table(self, sat: pd.DataFrame, name: str) -> FormattedTable:
        lang = self.lang
        rows, suppressed = [], False
        for r in sat.itertuples():
            if not np.isfinite(r.mean):
                suppressed = True
                mean = ci = self.mark
            else:
                mean = format_number(r.mean, 2, lang)
                ci = format_interval(r.ci_lower, r.ci_upper, 2, lang)
            share, sup = self.share(r.share_improve, r.n_improve)
            suppressed |= sup
            rows.append([getattr(r, f"label_{lang}"), mean, ci, self.count(r.n)[0], share, self.count(r.n_improve)[0]])
        frame = pd.DataFrame(rows, columns=[_t(lang, "Aspekt", "Aspect"), "M", _t(lang, "95 %-KI", "95% CI"), "n",
                                            _t(lang, "Verbesserungswunsch", "Wish for improvement"), "n "])
        return self.simple(frame, _t(lang, f"Zufriedenheit mit Aspekten der iLB ({name})",
                                     f"Satisfaction with aspects of iLB ({name})"),
                           _t(lang, "1 = sehr unzufrieden bis 5 = sehr zufrieden.", "1 = very dissatisfied to 5 = very satisfied."),
                           suppressed=suppressed)

    def _benefit_table(self, ben: pd.DataFrame) -> FormattedTable:
        lang = self.lang
        rows, suppressed = [], False
        for r in ben.itertuples():
            share, sup = self.share(r.share, r.n)
            suppressed |= sup
            rows.append([getattr(r, f"label_{lang}"), r.sample, r.wave, share, self.count(r.n)[0]])
        frame = pd.DataFrame(rows, columns=[_t(lang, "Aussage", "Statement"), _t(lang, "Stichprobe", "Sample"),
                                            self.w["wave"], _t(lang, "Zustimmung", "Agreement"), "n"])
        return self.simple(frame, _t(lang, "Zustimmung zu Nutzenaussagen", "Agreement with benefit statements"),
                           suppressed=suppressed, align=("left", "left", "left", "right", "right"))

    def conditions(self, sec: Section) -> None:
        lang = self.lang
        floor = group_floor(self.rule)
        sec.paragraph(_t(lang, "Unter den iLB-Teilnehmenden: Durchführungsart (online, in Präsenz, hybrid) und "
                               "zeitliche Bedingungen (Freistellung, Dauer der Termine, Gesamtdauer) als Prädiktoren "
                               "von Ausgangsniveau und Veränderung in einem Wachstumskurvenmodell je Kompetenzfacette. "
                               f"Modellgruppen brauchen mindestens {format_count(floor, lang)} Personen.",
                         "Among iLB participants: delivery mode (online, in person, hybrid) and time conditions "
                         "(release time, session length, overall duration) as predictors of intercept and slope in a "
                         "growth curve model per competence dimension. Model groups need at least "
                         f"{format_count(floor, lang)} persons."))
        for name, s in self.res.studies.items():
            sec.heading(name)
            c = s.conditions
            rows, suppressed = [], False
            for r in c.itertuples():
                if r.variable == "mode":
                    label = _t(lang, "Durchführungsart: ", "Delivery mode: ") + MODE_LABELS[int(r.category)][lang]
                    n_text, sup1 = self.count(r.n)
                    share, sup2 = self.share(r.share, r.n)
                    suppressed |= sup1 or sup2
                    rows.append([label, n_text, share, ""])
                else:
                    label = {"release_time": _t(lang, "Freistellung (1–5)", "Release time (1–5)"),
                             "session_minutes": _t(lang, "Dauer der Termine (Minuten)", "Session length (minutes)"),
                             "duration_months": _t(lang, "Gesamtdauer der iLB (Monate)",
                                                   "Overall duration of iLB (months)")}[r.variable]
                    if not np.isfinite(r.mean):
                        suppressed = True
                        rows.append([label, self.count(r.n)[0], "", self.mark])
                    else:
                        rows.append([label, format_count(r.n, lang), "",
                                     f"{format_number(r.mean, 1, lang)} ({format_number(r.sd, 1, lang)})"])
            frame = pd.DataFrame(rows, columns=[_t(lang, "Merkmal", "Characteristic"), "n", _t(lang, "Anteil", "Share"),
                                                "M (SD)"])
            table = self.simple(frame, _t(lang, f"Durchführungsart und zeitliche Bedingungen der iLB ({name})",
                                          f"Delivery mode and time conditions of iLB ({name})"),
                                _t(lang, "Je Person die letzte gültige Angabe.", "Each person's last valid answer."),
                                suppressed=suppressed)
            self.table(sec, f"{name.lower()}_conditions", c, table)
            eff = s.condition_effects
            slope = eff[eff["factor"] == "s"]
            if not len(slope):
                reasons = {r.reason for r in s.condition_records if r.reason}
                sec.paragraph(_t(lang, "Keine Modelle geschätzt", "No models estimated") +
                              (f": {'; '.join(sorted(reasons))}." if reasons else "."))
                continue
            predictors = list(dict.fromkeys(slope["predictor"]))
            rows = []
            for dim in dict.fromkeys(slope["dimension"]):
                cells = [self.label(s, dim)]
                for pred in predictors:
                    hit = slope[(slope["dimension"] == dim) & (slope["predictor"] == pred)]
                    if hit.empty:
                        cells.append(MISSING)
                        continue
                    h = hit.iloc[0]
                    if not self.rule.allows(h["n"]):
                        cells.append(self.mark)
                        continue
                    star = "*" if h["p_adjusted"] <= 0.05 else ""
                    cells.append(format_number(h["estimate"], 3, lang) + star)
                rows.append(cells)
            frame = pd.DataFrame(rows, columns=[self.w["dimension"], *[_SHORT_PREDICTORS[p][lang] for p in predictors]])
            legend = "; ".join(f"{_SHORT_PREDICTORS[p][lang]} = {PREDICTORS[p][lang]}" for p in predictors)
            n_max = int(slope["n"].max())
            table = self.simple(frame, _t(lang, f"Effekte von Durchführungsart und zeitlichen Bedingungen auf die "
                                                f"Veränderung (s) ({name})",
                                          f"Effects of delivery mode and time conditions on the slope (s) ({name})"),
                                legend + ". " + _t(lang, f"Unstandardisierte Koeffizienten; * p ≤ ,05 nach {self.adjust}-Korrektur über "
                                         f"alle {format_count(len(slope), lang)} Steigungseffekte. Zeitbedingungen am "
                                         f"Mittelwert zentriert. N bis {format_count(n_max, lang)} iLB-Teilnehmende.",
                                   f"Unstandardised coefficients; * p ≤ .05 after {self.adjust} correction over all "
                                   f"{format_count(len(slope), lang)} slope effects. Time conditions centred at the "
                                   f"mean. N up to {format_count(n_max, lang)} iLB participants."))
            self.table(sec, f"{name.lower()}_condition_effects", eff, table)
            sig = slope[slope["p_adjusted"] <= 0.05]
            mode_sig = sig[sig["predictor"].str.startswith("mode_")]
            time_sig = sig[~sig["predictor"].str.startswith("mode_")]
            parts = [_t(lang, "Die Durchführungsart hängt nach Korrektur in keiner Facette signifikant mit der "
                              "Veränderung zusammen." if mode_sig.empty else
                              f"Die Durchführungsart hängt in {format_count(len(mode_sig), lang)} Fällen signifikant "
                              "mit der Veränderung zusammen.",
                        "After correction, delivery mode is not significantly related to the slope in any dimension."
                        if mode_sig.empty else f"Delivery mode is significantly related to the slope in "
                        f"{format_count(len(mode_sig), lang)} cases.")]
            for r in time_sig.itertuples():
                parts.append(_t(lang, f"{PREDICTORS[r.predictor]['de']} geht bei {self.label(s, r.dimension)} mit "
                                      f"{'stärkerer' if r.estimate > 0 else 'schwächerer'} Veränderung einher "
                                      f"(b = {format_number(r.estimate, 3, lang)}, {format_p(r.p_adjusted, lang)} "
                                      f"{self.adjust}).",
                                f"{PREDICTORS[r.predictor]['en']} goes with a {'stronger' if r.estimate > 0 else 'weaker'} "
                                f"slope in {self.label(s, r.dimension)} (b = {format_number(r.estimate, 3, lang)}, "
                                f"{format_p(r.p_adjusted, lang)} {self.adjust})."))
            if time_sig.empty:
                parts.append(_t(lang, "Auch die zeitlichen Bedingungen zeigen nach Korrektur keinen signifikanten "
                                      "Zusammenhang; unkorrigiert positive Tendenzen sind in der Tabelle ablesbar.",
                                "The time conditions show no significant relation after correction either; "
                                "uncorrected positive tendencies can be read from the table."))
            sec.paragraph(" ".join(parts))

    # ..................................................................
    def methods(self, sec: Section) -> None:
        lang = self.lang
        versions = self.prov.get("versions", {})
        soft = ", ".join(f"{k} {v}" for k, v in sorted(versions.items())) if versions else f"ilb_eval {__version__}"
        k = format_count(self.rule.min_cell_size, lang)
        floor = format_count(group_floor(self.rule), lang)
        lowered = ""
        if self.rule.lowered:
            lowered = _t(lang, f" Die Mindestzellgröße wurde von {DEFAULT_MIN_CELL_SIZE} auf {k} gesenkt.",
                         f" The minimum cell size was lowered from {DEFAULT_MIN_CELL_SIZE} to {k}.")
        items = [
            _t(lang, "Modelle: lineare latente Wachstumskurvenmodelle mit drei Messzeitpunkten (Zeitwerte t1 = 0, "
                     "t3 = 2, t4 = 3), Faktorladungen des Ausgangsniveaus 1, der Veränderung die Zeitwerte; "
                     "Residualvarianzen je Welle frei.",
               "Models: linear latent growth curve models with three time points (time scores t1 = 0, t3 = 2, "
               "t4 = 3), intercept loadings 1, slope loadings the time scores; residual variances free per wave."),
            _t(lang, "Schätzer: Maximum Likelihood (ML) mit Standardfehlern aus der beobachteten Informationsmatrix; "
                     "eigene Implementierung in ilb_eval, geprüft gegen lavaan.",
               "Estimator: maximum likelihood (ML) with standard errors from the observed information matrix; "
               "ilb_eval's own implementation, tested against lavaan."),
            _t(lang, "Fehlende Werte: Full Information Maximum Likelihood (FIML) – alle Personen mit mindestens einer "
                     "Welle gehen ein (Annahme: fehlend zufällig, MAR); Personen mit fehlender Kovariate werden in "
                     "konditionalen Modellen ausgeschlossen (Anzahl im Modellstatus).",
               "Missing data: full information maximum likelihood (FIML) – every person with at least one wave "
               "enters (assumption: missing at random, MAR); persons with a missing covariate are left out of "
               "conditional models (counts in the model status)."),
            _t(lang, f"Mehrfachtests: {self.adjust}-Korrektur über die Familie aller Kompetenzfacetten und beider "
                     "Faktoren (i, s); unadjustierte p-Werte werden daneben berichtet.",
               f"Multiple testing: {self.adjust} correction over the family of all competence dimensions and both "
               "factors (i, s); unadjusted p-values are reported alongside."),
            _t(lang, "Mehrgruppenvergleich: Likelihood-Quotienten-Tests (Chi-Quadrat-Differenz) gleicher Mittelwerte "
                     "von i und s in iLB- und Kontrollgruppe.",
               "Multi-group comparison: likelihood-ratio (chi-square difference) tests of equal means of i and s "
               "in the iLB and control group."),
            _t(lang, "Modellimplizierte Verläufe: Mittelwert je Gruppe über die Zeitachse von t1 bis t4 mit "
                     "punktweisem 95 %-Wald-Band aus dem geschätzten Modell (Delta-Methode; exakt, weil der "
                     "Mittelwert linear in den Schätzungen ist).",
               "Model-implied trajectories: mean per group over the time axis from t1 to t4 with a pointwise "
               "95% Wald band from the fitted model (delta method; exact, as the mean is linear in the "
               "estimates)."),
            _t(lang, f"Korrelationen: {self.res.settings.correlation.capitalize()}, zweiseitig, paarweise n, 95 %-"
                     "Intervall über Fishers z; verbale Stärke wie im Studienkapitel.",
               f"Correlations: {self.res.settings.correlation.capitalize()}, two-sided, pairwise n, 95% interval via "
               "Fisher's z; verbal strength as in the study chapter."),
            _t(lang, f"Datenschutz: Jede Zahl beruht auf mindestens {k} Personen (Anteile: Zähler, Komplement und "
                     f"Basis); Modellgruppen auf mindestens {floor}. Kleinere Zellen sind mit {self.mark} "
                     f"unterdrückt. Keine Personenkennungen oder Freitexte im Bericht.{lowered}",
               f"Privacy: every number rests on at least {k} persons (shares: numerator, complement and base); "
               f"model groups on at least {floor}. Smaller cells are suppressed and marked {self.mark}. No person "
               f"identifiers or free text in the report.{lowered}"),
            _t(lang, f"Software: {soft}.", f"Software: {soft}."),
        ]
        if self._has_sensitivity():
            items.insert(-3, _t(
                lang, "Sensitivitätsanalysen (Anhang): das konditionale Modell jeder Kompetenzfacette mit robusten "
                      "Standardfehlern (MLR, Yuan-Bentler-skalierter Test) und in Modellvarianten (z. B. gleiche "
                      "Residualvarianzen, feste Veränderung, latente Basis).",
                "Sensitivity analyses (appendix): the conditional model of each competence dimension with robust "
                "standard errors (MLR, Yuan-Bentler scaled test) and as model variants (e.g. equal residual "
                "variances, fixed slope, latent basis)."))
        sec.bullets(items)

    def _has_sensitivity(self) -> bool:
        return any(len(s.sensitivity_estimators) or len(s.sensitivity_variants) for s in self.res.studies.values())

    def status(self, sec: Section) -> None:
        lang = self.lang
        kinds = {"conditional": _t(lang, "konditional", "conditional"),
                 "multigroup": _t(lang, "Mehrgruppen", "multi-group"),
                 "equal_intercepts": _t(lang, "gleiche i-Mittel", "equal i means"),
                 "equal_slopes": _t(lang, "gleiche s-Mittel", "equal s means"),
                 "unconditional": _t(lang, "unkonditional", "unconditional"),
                 "conditions": _t(lang, "Bedingungen (iLB)", "conditions (iLB)")}
        status_words = {"ok": "ok", "failed": _t(lang, "fehlgeschlagen", "failed"),
                        "not_converged": _t(lang, "nicht konvergiert", "not converged"),
                        "skipped": _t(lang, "nicht geschätzt", "not fitted")}
        records = self.res.records
        counts = pd.Series([r.status for r in records]).value_counts()
        sec.paragraph(_t(lang, f"{format_count(len(records), lang)} Modelle; "
                         + ", ".join(f"{status_words.get(k, k)}: {format_count(v, lang)}" for k, v in counts.items())
                         + ". Ein fehlgeschlagenes Modell hält den Lauf nicht an; es wird hier mit Grund aufgeführt.",
                         f"{format_count(len(records), lang)} models; "
                         + ", ".join(f"{status_words.get(k, k)}: {format_count(v, lang)}" for k, v in counts.items())
                         + ". A failed model never stops the run; it is listed here with its reason."))
        raw = pd.DataFrame([r.to_dict() for r in records])
        rows = []
        for (sample, kind), group in raw.groupby(["sample", "kind"], sort=False):
            codes: dict[str, int] = {}
            for warnings in group["warnings"]:
                for code in sorted({w.split(":", 1)[0] for w in warnings}):
                    codes[code] = codes.get(code, 0) + 1
            status_counts = group["status"].value_counts()
            rows.append([sample, kinds.get(kind, kind),
                         f"{format_count(int(status_counts.get('ok', 0)), lang)}/{format_count(len(group), lang)}",
                         "; ".join(f"{c} ({format_count(n, lang)})" for c, n in sorted(codes.items())) or MISSING])
        frame = pd.DataFrame(rows, columns=[_t(lang, "Stichprobe", "Sample"), _t(lang, "Modell", "Model"),
                                            _t(lang, "ok/alle", "ok/all"),
                                            _t(lang, "Warnungen (Anzahl Modelle)", "Warnings (number of models)")])
        table = self.simple(frame, _t(lang, "Status der Modelle", "Status of the models"),
                            _t(lang, "Je Modellart ein Modell pro Kompetenzfacette; Status jedes einzelnen Modells in "
                                     "manifest.json und tables/model_status.csv. Warnungscodes: ROWS_DROPPED = Personen "
                                     "mit fehlender Kovariate ausgeschlossen; NEG_LV_VARIANCE = negative geschätzte "
                                     "Varianz eines Wachstumsfaktors (Heywood-Fall, meist Varianz der Veränderung nahe 0); "
                                     "NEG_OV_VARIANCE = negative geschätzte Residualvarianz einer Welle.",
                               "One model per competence dimension and model kind; the status of every single model "
                               "is in manifest.json and tables/model_status.csv. Warning codes: ROWS_DROPPED = persons "
                               "with a missing covariate left out; NEG_LV_VARIANCE = negative estimated variance of a "
                               "growth factor (Heywood case, usually a slope variance near 0); NEG_OV_VARIANCE = "
                               "negative estimated residual variance of a wave."),
                            align=("left", "left", "right", "left"))
        self.table(sec, "model_status", raw, table)
        bad = [r for r in records if r.status != "ok"]
        if bad:
            sec.heading(_t(lang, "Nicht berichtete Modelle", "Models not reported"), level=3)
            sec.bullets([f"{r.sample}, {self.label(self.res.studies[r.sample], r.dimension)}, "
                         f"{kinds.get(r.kind, r.kind)}: {status_words.get(r.status, r.status)} – {r.reason}"
                         for r in bad])
        notes, untranslated = self._data_notes()
        if notes:
            sec.heading(_t(lang, "Hinweise der Datenprüfung", "Notes from the data checks"), level=3)
            sec.bullets(notes)
            if untranslated:
                sec.paragraph("Meldungen ohne deutsche Fassung sind englisch (wie die Kommandozeile).", "note")

    def _data_notes(self) -> tuple[list[str], bool]:
        """One bullet per study, problem code and text, with its files (German: and the affected rows)."""
        lang = self.lang
        notes: dict[str, list[str]] = {}
        rows: dict[str, int] = {}
        untranslated = False
        for n, s in self.res.studies.items():
            if not s.problem_records:  # results without records: the English lines
                for problem in s.problems:
                    message, _, file = problem.rpartition(" (")
                    key = f"{n}: {message}" if file.endswith(")") else f"{n}: {problem}"
                    notes.setdefault(key, [])
                    if file.endswith(")"):
                        notes[key].append(file[:-1])
                    untranslated = untranslated or lang == "de"
                continue
            for p in s.problem_records:
                text, translated = problem_text(str(p["code"]), str(p["message"]), lang)
                untranslated = untranslated or not translated
                if lang == "de" and translated and p.get("column"):
                    text += f" (Spalte „{p['column']}“)"
                key = f"{n}: {p['code']}: {text}"
                files = notes.setdefault(key, [])
                if p.get("file") and p["file"] not in files:
                    files.append(str(p["file"]))
                if lang == "de" and translated and p.get("rows"):
                    rows[key] = rows.get(key, 0) + int(p["rows"])
        out = []
        for key, files in notes.items():
            parts = [", ".join(files)] if files else []
            if key in rows:
                parts.append(f"betroffene Zeilen: {self.count(rows[key])[0]}")
            out.append(key + (f" ({'; '.join(parts)})" if parts else ""))
        return out, untranslated

    def _status_text(self, status: str) -> str:
        return {"failed": _t(self.lang, "Modell fehlgeschlagen", "model failed"),
                "not_converged": _t(self.lang, "nicht konvergiert", "not converged")}.get(
                    status, _t(self.lang, "nicht geschätzt", "not fitted"))

    def _time_scores(self, text: object) -> str:
        try:
            values = [float(v) for v in str(text).split(",")]
        except ValueError:
            return MISSING
        return "; ".join(format_number(v, 0 if v.is_integer() else 2, self.lang) for v in values)

    def sensitivity(self, sec: Section) -> None:
        lang = self.lang
        sec.paragraph(_t(lang, "Wie stabil ist der Effekt der iLB-Teilnahme auf die Veränderung (s)? Das konditionale "
                               "Modell jeder Kompetenzfacette (iLB-Teilnahme und Kontrollvariablen sagen i und s "
                               "vorher) wird mit robusten Standardfehlern (MLR) und in Modellvarianten neu geschätzt. "
                               "p-Werte hier unadjustiert.",
                         "How stable is the effect of iLB participation on the slope (s)? The conditional model of "
                         "each competence dimension (iLB participation and the controls predict i and s) is "
                         "re-estimated with robust standard errors (MLR) and as model variants. p-values here "
                         "unadjusted."))
        for s in self.res.studies.values():
            est, var = s.sensitivity_estimators, s.sensitivity_variants
            if not len(est) and not len(var):
                continue
            if len(est):
                self._estimator_table(sec, s, est)
            if len(var):
                self._variant_table(sec, s, var)

    def _estimator_table(self, sec: Section, s: StudyResults, est: pd.DataFrame) -> None:
        lang, name = self.lang, s.study.name
        sec.heading(_t(lang, f"Robuste Standardfehler (MLR) ({name})", f"Robust standard errors (MLR) ({name})"))
        rows, suppressed = [], False
        for r in est.itertuples():
            cells = [self.label(s, str(r.dimension))]
            if r.status not in ("ok", "not_converged") or not np.isfinite(r.estimate_ml):
                rows.append(cells + [self._status_text(str(r.status))] + [""] * 5)
                continue
            if not self.rule.allows(r.n):
                suppressed = True
                rows.append(cells + [self.mark] * 6)
                continue
            cells += [format_number(r.estimate_ml, 3, lang), format_number(r.se_ml, 3, lang)]
            if r.converged_mlr:
                cells += [format_number(r.se_mlr, 3, lang), format_p(r.pvalue_ml, lang, prefix=False),
                          format_p(r.pvalue_mlr, lang, prefix=False)]
            else:
                cells += [self._status_text("not_converged"), format_p(r.pvalue_ml, lang, prefix=False), MISSING]
            cells.append(format_count(r.n, lang))
            rows.append(cells)
        frame = pd.DataFrame(rows, columns=[self.w["dimension"], "b", "SE (ML)", "SE (MLR)", "p (ML)", "p (MLR)", "N"])
        factors = est.loc[est["status"] == "ok", "chisq_scaling_factor"].astype(float)
        factors = factors[np.isfinite(factors)]
        scaling = ""
        if len(factors):
            scaling = _t(lang, f" Skalierungsfaktor des χ²-Tests (Yuan-Bentler) zwischen "
                               f"{format_number(factors.min(), 2, lang)} und {format_number(factors.max(), 2, lang)}.",
                         f" Scaling factor of the χ² test (Yuan-Bentler) between "
                         f"{format_number(factors.min(), 2, lang)} and {format_number(factors.max(), 2, lang)}.")
        table = self.simple(frame, _t(lang, f"Effekt der iLB-Teilnahme auf die Veränderung (s) unter ML und MLR ({name})",
                                      f"Effect of iLB participation on the slope (s) under ML and MLR ({name})"),
                            _t(lang, "b = unstandardisierter Koeffizient im konditionalen Modell (unter ML und MLR "
                                     "gleich). SE (ML): aus der beobachteten Informationsmatrix; SE (MLR): robust "
                                     "(Huber-White-Sandwich). p zweiseitig, unadjustiert." + scaling,
                               "b = unstandardised coefficient in the conditional model (the same under ML and MLR). "
                               "SE (ML): from the observed information matrix; SE (MLR): robust (Huber-White "
                               "sandwich). p two-sided, unadjusted." + scaling),
                            suppressed=suppressed)
        self.table(sec, f"{name.lower()}_sensitivity_mlr", est, table)

    def _variant_table(self, sec: Section, s: StudyResults, var: pd.DataFrame) -> None:
        """One row per dimension: b of iLB on s under each variant (A, B, …) and ΔBIC against the first."""
        lang, name = self.lang, s.study.name
        sec.heading(_t(lang, f"Modellvarianten ({name})", f"Model variants ({name})"))
        names = [str(v) for v in dict.fromkeys(var["variant"].dropna())] if "variant" in var else []
        letters = {v: chr(ord("A") + k) for k, v in enumerate(names)}
        flags: list[str] = []
        rows, suppressed = [], False
        for dim, part in var.groupby("dimension", sort=False):
            label = self.label(s, str(dim))
            first = part.iloc[0]
            if first["status"] != "ok":
                rows.append([label, self._status_text(str(first["status"]))] + [""] * (2 * len(names) - 1))
                continue
            if not self.rule.allows(first["n"]):
                suppressed = True
                rows.append([label] + [self.mark] * (2 * len(names) - 1) + [""])
                continue
            by_name = {str(r["variant"]): r for r in part.to_dict(orient="records")}
            reference = by_name.get(names[0], {})
            effects, deltas = [], []
            for k, v in enumerate(names):
                r = by_name.get(v)
                value = np.nan if r is None else float(r.get("s~ilb", np.nan))
                fitted = r is not None and bool(r.get("converged")) and np.isfinite(value)
                codes = [] if r is None else [c.strip() for c in str(r.get("warnings") or "").split(",")
                                              if c.strip() and c.strip() != _SHARED_CODE]
                if r is not None and not fitted and not codes:
                    codes = ["NOT_CONVERGED" if np.isfinite(value) else "NOT_FITTED"]
                mark = "†" if codes else ""
                if codes:
                    flags.append(f"{label} ({letters[v]}): {', '.join(codes)}")
                effects.append((format_number(value, 3, lang) if fitted else MISSING) + mark)
                if k:
                    ok_ref = bool(reference.get("converged")) and np.isfinite(float(reference.get("bic", np.nan)))
                    delta = float(r["bic"]) - float(reference["bic"]) if fitted and ok_ref else np.nan
                    deltas.append(format_number(delta, 1, lang, sign=True))
            rows.append([label, format_count(first["n"], lang), *effects, *deltas])
        columns = [self.w["dimension"], "N", *[f"b ({letters[v]})" for v in names],
                   *[f"ΔBIC ({letters[v]})" for v in names[1:]]]
        frame = pd.DataFrame(rows, columns=columns)
        legend = []
        for v in names:
            known = _VARIANT_LABELS.get(v, {}).get(lang)
            legend.append(f"{letters[v]} = {known[0]}: {known[1]}" if known else f"{letters[v]} = {v}")
        seen = sorted({c.strip() for f in flags for c in f.rsplit(": ", 1)[1].split(",")})
        codes = "; ".join(f"{c} = {_CODE_TEXTS[c][0 if lang == 'de' else 1]}" for c in seen if c in _CODE_TEXTS)
        ref = letters[names[0]] if names else "A"
        note = _t(lang, "Konditionales Modell je Kompetenzfacette, jede Variante mit einer Änderung: "
                        + "; ".join(legend) + f". b = Koeffizient der iLB-Teilnahme auf die Veränderung (s); "
                        f"ΔBIC = BIC der Variante minus BIC von {ref} (negativ: Variante passt nach BIC besser). "
                        + (f"† Warnung der Schätzung: {'; '.join(flags)}. " + (f"Codes: {codes}. " if codes else "")
                           if flags else "")
                        + f"{_SHARED_CODE} (Personen mit fehlender Kovariate ausgeschlossen) betrifft alle Varianten "
                        "gleich und ist nicht aufgeführt. Alle Kennwerte je Variante in der CSV-Tabelle.",
                  "Conditional model per competence dimension, each variant with one change: "
                  + "; ".join(legend) + f". b = coefficient of iLB participation on the slope (s); "
                  f"ΔBIC = BIC of the variant minus BIC of {ref} (negative: the variant fits better by BIC). "
                  + (f"† Estimation warning: {'; '.join(flags)}. " + (f"Codes: {codes}. " if codes else "")
                     if flags else "")
                  + f"{_SHARED_CODE} (persons with a missing covariate left out) applies to all variants alike "
                  "and is not listed. All measures per variant in the CSV table.")
        table = self.simple(frame, _t(lang, f"Effekt der iLB-Teilnahme auf die Veränderung (s) in Modellvarianten ({name})",
                                      f"Effect of iLB participation on the slope (s) in model variants ({name})"),
                            note, suppressed=suppressed)
        self.table(sec, f"{name.lower()}_sensitivity_variants", var, table)

    def provenance(self, sec: Section) -> None:
        lang = self.lang
        settings = self.res.settings
        items = [
            _t(lang, f"Software: ilb_eval {__version__}", f"Software: ilb_eval {__version__}"),
            _t(lang, f"Einstellungen: Stichproben {', '.join(settings.studies)}; Mindestzellgröße "
                     f"{format_count(self.rule.min_cell_size, lang)}; Mehrfachtest-Korrektur {self.adjust}; "
                     f"Korrelation {settings.correlation}; Seed {settings.seed}; Sprache {lang}",
               f"Settings: samples {', '.join(settings.studies)}; minimum cell size "
               f"{format_count(self.rule.min_cell_size, lang)}; multiple-testing correction {self.adjust}; "
               f"correlation {settings.correlation}; seed {settings.seed}; language {lang}"),
        ]
        study = self.prov.get("study", {})
        if study.get("sha256"):
            items.append(_t(lang, f"Studiendefinition und Tabellenschemata: SHA-256 {study['sha256'][:16]}…",
                            f"Study definition and table schemas: SHA-256 {study['sha256'][:16]}…"))
        sec.bullets(items)
        inputs = self.prov.get("inputs", [])
        if inputs:
            frame = pd.DataFrame([[i["name"], format_count(i["bytes"], lang), i["sha256"][:16] + "…"] for i in inputs],
                                 columns=[_t(lang, "Datei", "File"), "Bytes", "SHA-256"])
            table = self.simple(frame, _t(lang, "Eingabedateien", "Input files"),
                                _t(lang, "Vollständige Prüfsummen, Versionen und Modellstatus in manifest.json.",
                                   "Full checksums, versions and model status in manifest.json."),
                                align=("left", "right", "left"))
            table.add_to(sec)


def build_report(results: AnalysisResults, *, lang: Lang = "de",
                 provenance: Mapping[str, Any] | None = None) -> ReportContent:
    """Build the report from the analysis results.

    Parameters
    ----------
    results:
        Output of :func:`ilb_eval.analysis.run_analysis`.
    lang:
        ``"de"`` (default) or ``"en"``.
    provenance:
        Optional manifest-like record (``inputs`` with name/bytes/sha256,
        ``study`` with ``sha256``, ``versions``, ``synthetic``) for the
        methods and provenance sections.

    Returns
    -------
    ReportContent
    """
    if lang not in ("de", "en"):
        raise ValueError(f"lang must be 'de' or 'en', got {lang!r}")
    return _Builder(results, lang, provenance).build()
