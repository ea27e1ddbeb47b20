"""Warnings and model status: every model's status, models not reported, notes of the data checks."""

from __future__ import annotations

import pandas as pd

from ilb_eval.analysis.gaps import gap_text
from ilb_eval.formatting import MISSING, format_count
from ilb_eval.report.context import ReportContext
from ilb_eval.report.problems import problem_text

__all__ = ["KEY", "build"]

KEY = "status"

#: Explanations of the engine's warning codes in the status table's note.
_CODE_TEXTS = {
    "ROWS_DROPPED": ("Personen mit fehlender Kovariate ausgeschlossen", "persons with a missing covariate left out"),
    "NEG_LV_VARIANCE": ("negative geschätzte Varianz eines Wachstumsfaktors (Heywood-Fall, meist Varianz der "
                        "Veränderung nahe 0)", "negative estimated variance of a growth factor (Heywood case, "
                        "usually a slope variance near 0)"),
    "NEG_OV_VARIANCE": ("negative geschätzte Residualvarianz einer Welle", "negative estimated residual variance "
                        "of a wave"),
}


def build(ctx: ReportContext) -> None:
    """Model counts, the status table, models not reported and the notes of the data checks."""
    sec = ctx.section(ctx.t("Warnungen und Modellstatus", "Warnings and model status"))
    for warning in ctx.results.warnings:
        ctx.warn(sec, warning)
    lang = ctx.lang
    kinds = {"conditional": ctx.t("konditional", "conditional"),
             "multigroup": ctx.t("Mehrgruppen", "multi-group"),
             "equal_intercepts": ctx.t("gleiche i-Mittel", "equal i means"),
             "equal_slopes": ctx.t("gleiche s-Mittel", "equal s means"),
             "unconditional": ctx.t("unkonditional", "unconditional"),
             "conditions": ctx.t("Bedingungen (iLB)", "conditions (iLB)")}
    status_words = {"ok": "ok", "failed": ctx.t("fehlgeschlagen", "failed"),
                    "not_converged": ctx.t("nicht konvergiert", "not converged"),
                    "skipped": ctx.t("nicht geschätzt", "not fitted")}
    records = ctx.results.records
    counts = pd.Series([r.status for r in records]).value_counts()
    sec.paragraph(ctx.t(f"{format_count(len(records), lang)} Modelle; "
                     + ", ".join(f"{status_words.get(k, k)}: {format_count(v, lang)}" for k, v in counts.items())
                     + ". Ein fehlgeschlagenes Modell hält den Lauf nicht an; es wird hier mit Grund aufgeführt.",
                     f"{format_count(len(records), lang)} models; "
                     + ", ".join(f"{status_words.get(k, k)}: {format_count(v, lang)}" for k, v in counts.items())
                     + ". A failed model never stops the run; it is listed here with its reason."))
    raw = pd.DataFrame([r.to_dict(ctx.rule) for r in records])
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
    frame = pd.DataFrame(rows, columns=[ctx.t("Stichprobe", "Sample"), ctx.t("Modell", "Model"),
                                        ctx.t("ok/alle", "ok/all"),
                                        ctx.t("Warnungen (Anzahl Modelle)", "Warnings (number of models)")])
    seen = sorted({w.split(":", 1)[0] for r in records for w in r.warnings})
    explained = "; ".join(f"{code} = {_CODE_TEXTS[code][0 if lang == 'de' else 1]}" for code in seen
                          if code in _CODE_TEXTS)
    table = ctx.simple(frame, ctx.t("Status der Modelle", "Status of the models"),
                       ctx.t("Je Modellart ein Modell pro Kompetenzfacette; Status jedes einzelnen Modells in "
                             "manifest.json und tables/model_status.csv."
                             + (f" Warnungscodes: {explained}." if explained else ""),
                             "One model per competence dimension and model kind; the status of every single model "
                             "is in manifest.json and tables/model_status.csv."
                             + (f" Warning codes: {explained}." if explained else "")),
                       align=("left", "left", "right", "left"))
    ctx.table(sec, "model_status", raw, table)
    gaps = ctx.results.gaps
    if gaps:
        sec.heading(ctx.t("Nicht durchgeführte Analysen", "Analyses not run"), level=3)
        sec.bullets([f"{g.study}: {gap_text(g, lang)}" for g in gaps])
    causes = {g.cause["en"]: g.cause[lang] for g in gaps}
    bad: dict[tuple[str, str, str, str], list[str]] = {}
    for r in records:
        if r.status != "ok":
            bad.setdefault((r.sample, r.kind, r.status, r.reason), []).append(
                ctx.label(ctx.results.studies[r.sample], r.dimension))
    if bad:
        sec.heading(ctx.t("Nicht berichtete Modelle", "Models not reported"), level=3)
        sec.bullets([f"{sample}, {kinds.get(kind, kind)} ({', '.join(dims)}): {status_words.get(status, status)}"
                     + (f" – {causes.get(reason, reason)}" if reason else "")
                     for (sample, kind, status, reason), dims in bad.items()])
    notes, untranslated = _data_notes(ctx)
    if notes:
        sec.heading(ctx.t("Hinweise der Datenprüfung", "Notes from the data checks"), level=3)
        sec.bullets(notes)
        if untranslated:
            sec.paragraph("Meldungen ohne deutsche Fassung sind englisch (wie die Kommandozeile).", "note")


def _data_notes(ctx: ReportContext) -> tuple[list[str], bool]:
    """One bullet per study, problem code and text, with its files (German: and the affected rows)."""
    lang = ctx.lang
    notes: dict[str, list[str]] = {}
    rows: dict[str, int] = {}
    untranslated = False
    for n, s in ctx.results.studies.items():
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
            parts.append(f"betroffene Zeilen: {ctx.count(rows[key])[0]}")
        out.append(key + (f" ({'; '.join(parts)})" if parts else ""))
    return out, untranslated
