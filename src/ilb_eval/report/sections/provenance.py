"""Provenance (unnumbered, last): software, settings, study hashes and the input files."""

from __future__ import annotations

import pandas as pd

from ilb_eval import __version__
from ilb_eval.formatting import format_count
from ilb_eval.report.context import ReportContext

__all__ = ["KEY", "build"]

KEY = "provenance"


def build(ctx: ReportContext) -> None:
    """The provenance section."""
    sec = ctx.section(ctx.t("Provenienz", "Provenance"), numbered=False)
    lang = ctx.lang
    settings = ctx.results.settings
    k = format_count(ctx.rule.min_cell_size, lang)
    items = [
        f"Software: ilb_eval {__version__}",
        ctx.t(f"Einstellungen: Stichproben {', '.join(settings.studies)}; Mindestzellgröße "
              f"{k}; Mehrfachtest-Korrektur {ctx.adjust}; Korrelation {settings.correlation}; Seed {settings.seed}; "
              f"Sprache {lang}",
              f"Settings: samples {', '.join(settings.studies)}; minimum cell size "
              f"{k}; multiple-testing correction {ctx.adjust}; correlation {settings.correlation}; seed "
              f"{settings.seed}; language {lang}"),
    ]
    study = ctx.provenance.get("study", {})
    if study.get("sha256"):
        items.append(ctx.t(f"Studiendefinition und Tabellenschemata: SHA-256 {study['sha256'][:16]}…",
                           f"Study definition and table schemas: SHA-256 {study['sha256'][:16]}…"))
    sec.bullets(items)
    inputs = ctx.provenance.get("inputs", [])
    if inputs:
        frame = pd.DataFrame([[i["name"], format_count(i["bytes"], lang), i["sha256"][:16] + "…"] for i in inputs],
                             columns=[ctx.t("Datei", "File"), "Bytes", "SHA-256"])
        table = ctx.simple(frame, ctx.t("Eingabedateien", "Input files"),
                           ctx.t("Vollständige Prüfsummen, Versionen und Modellstatus in manifest.json.",
                                 "Full checksums, versions and model status in manifest.json."),
                           align=("left", "right", "left"))
        table.add_to(sec)
