"""Benchmark of the report renderer: a 30-page document with 20 figures.

Builds a synthetic report (aggregates only, fixed seed): a methods section,
one section per competence dimension with a plain-language reading, the
growth-model table, the fit table and figures of every kind the report uses
(20 in all), then a provenance section; renders it to PDF twice and prints
the time to build the figures, the render time (median), the page count,
the file size and how figures were embedded (vector via svglib, or PNG).

Run: ``python benchmarks/bench_report_render.py [--repeat 3] [--out report.pdf] [--lang de]``
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from pypdf import PdfReader

from ilb_eval.report import figures as F
from ilb_eval.report.document import FIGURE_FORMAT, Report
from ilb_eval.report.tables import fit_table, format_fit_table, format_growth_table, growth_table
from ilb_eval.report.text import Effect, describe_growth_effect

DIMENSIONS = {
    "fachkompetenz": "Fachkompetenz", "reflexivitaet": "Reflexivität",
    "zielorientierung": "Zielorientiertes Handeln", "analysefaehigkeit": "Analysefähigkeit",
    "lernfaehigkeit": "Lernfähigkeit", "selbststaendigkeit": "Selbstständigkeit",
    "belastbarkeit": "Belastbarkeit", "gespraechsfuehrung": "Gesprächsführung",
    "integration": "Integration in Strukturen und Prozesse",
}
COVARIATES = {"ilb": "iLB-Teilnahme", "age40": "Alter 40 und älter", "female": "weiblich",
              "program": "Spezialisierungsprogramm", "degree": "Studium"}
WAVES = {"t1": 0.0, "t3": 2.0, "t4": 3.0}
LABELS = {k: {"de": v, "en": v} for k, v in {**DIMENSIONS, **COVARIATES}.items()}
FILLER = ("Die Schätzung nutzt alle vorliegenden Angaben (Full Information Maximum Likelihood); "
          "Personen, die nicht an allen Wellen teilgenommen haben, gehen mit ihren vorhandenen "
          "Werten ein. Ausgangsniveau und Veränderung werden durch die iLB-Teilnahme sowie Alter, "
          "Geschlecht, Programm und Bildungsabschluss erklärt. ")


def _params(rng: np.random.Generator) -> pd.DataFrame:
    rows = [("i", "~1", "", 3.6), ("s", "~1", "", 0.04), ("i", "~~", "i", 0.2),
            ("s", "~~", "s", 0.004), ("i", "~~", "s", -0.004)]
    rows += [(f"y_{w}", "~~", f"y_{w}", 0.1) for w in WAVES]
    rows += [(f, "~", x, rng.normal(0, 0.1 if f == "i" else 0.03)) for f in "is" for x in COVARIATES]
    frame = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "est"])
    frame["group"] = 1
    frame["se"] = np.abs(frame["est"]) * 0.3 + 0.01
    frame["z"] = frame["est"] / frame["se"]
    frame["pvalue"] = rng.uniform(0, 0.5, len(frame))
    frame["ci_lower"] = frame["est"] - 1.96 * frame["se"]
    frame["ci_upper"] = frame["est"] + 1.96 * frame["se"]
    frame["std_all"] = frame["est"] * 0.8
    return frame


def _trajectory_inputs(rng: np.random.Generator, dims: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    implied, observed = [], []
    for dim in dims:
        for group, (a, b, n) in {"ilb": (3.5, 0.08, 377), "control": (3.7, 0.03, 1360)}.items():
            a += rng.normal(0, 0.05)
            for t in np.linspace(0, 3, 13):
                e = a + b * t
                implied.append({"dimension": dim, "group": group, "time": t, "estimate": e,
                                "ci_lower": e - 0.05 - 0.01 * t, "ci_upper": e + 0.05 + 0.01 * t,
                                "n": n})
            for wave, t in WAVES.items():
                m = a + b * t + rng.normal(0, 0.03)
                observed.append({"dimension": dim, "group": group, "wave": wave, "mean": m,
                                 "ci_lower": m - 0.08, "ci_upper": m + 0.08,
                                 "n": int(n * (1 - 0.2 * t))})
    return pd.DataFrame(implied), pd.DataFrame(observed)


def build_figures(rng: np.random.Generator) -> list[tuple[str, Figure]]:
    """Twenty figures: the nine dimension trajectories plus every other kind."""
    dims = list(DIMENSIONS)
    implied, observed = _trajectory_inputs(rng, dims)
    figures: list[tuple[str, Figure]] = []
    for dim in dims:
        part = (implied[implied["dimension"] == dim], observed[observed["dimension"] == dim])
        figures.append((f"Verlauf: {DIMENSIONS[dim]}",
                        F.trajectories(*part, waves=WAVES, labels=LABELS, ncols=1)))
    figures.append(("Verläufe aller Facetten", F.trajectories(implied, observed, waves=WAVES,
                                                              labels=LABELS)))
    response = pd.DataFrame({"wave": ["t1", "t1", "t3", "t3", "t4", "t4"],
                             "group": ["ilb", "control"] * 3, "n": [377, 1360, 240, 690, 180, 520]})
    attrition = pd.DataFrame({"from_wave": ["t1"] * 3 + ["t3"] * 3, "to_wave": ["t3"] * 3 + ["t4"] * 3,
                              "status": ["retained", "dropped", "joined"] * 2,
                              "n": [610, 1127, 320, 520, 410, 180]})
    aspects = ["Dauer der Einzeltermine", "Zeitliche Freistellung", "Qualifikation der Lernbegleitung",
               "Spektrum der Inhalte", "Entlastung von Arbeitsaufgaben", "Individuelle Lernzeit"]
    means = rng.uniform(3.1, 4.5, len(aspects))
    satisfaction = pd.DataFrame({"aspect": aspects, "mean": means, "ci_lower": means - 0.1,
                                 "ci_upper": means + 0.1, "n": 200,
                                 "share_improve": rng.uniform(0.1, 0.5, len(aspects)),
                                 "n_improve": 190})
    benefit = pd.DataFrame([
        {"aspect": a, "sample": s, "wave": w, "share": rng.uniform(0.35, 0.75), "n": 240}
        for a in ("Beruflicher Nutzen", "Qualitative Verbesserung", "Transfer", "Beschleunigung")
        for s in ("EAP", "ZP") for w in ("t3", "t4")])
    interviews = pd.DataFrame({"category": ["Selbstständigkeit", "Motivation", "Schwierige Situationen",
                                            "Arbeitspensum", "Programminhalte", "Bewältigung"],
                               "sample": ["EAP"] * 4 + ["ZP"] * 2,
                               "mentions": [20, 20, 18, 17, 22, 19]})
    effects = pd.DataFrame([
        {"dimension": d, "factor": f, "estimate": e, "ci_lower": e - 0.08, "ci_upper": e + 0.08,
         "p_holm": rng.uniform(0, 0.2), "n": 1737}
        for d in dims for f, e in (("i", rng.normal(0, 0.15)), ("s", rng.normal(0.03, 0.03)))])
    r = rng.uniform(0.45, 0.8, 6)
    corr = pd.DataFrame({"y": aspects, "r": r, "ci_lower": r - 0.12, "ci_upper": r + 0.09,
                         "pvalue": 0.001, "n": 120})
    figures += [
        ("Rücklauf je Welle und Gruppe", F.wave_response(response)),
        ("Verbleib zwischen den Wellen", F.attrition_flow(attrition)),
        ("Zufriedenheit und Verbesserungswünsche", F.satisfaction(satisfaction)),
        ("Nutzen der iLB (t3, t4)", F.benefit_agreement(benefit)),
        ("Veränderungen laut Interviews", F.interview_categories(interviews)),
        ("Effekte der iLB-Teilnahme", F.forest_plot(effects, labels=LABELS)),
        ("Führungskraft und Rahmenbedingungen", F.correlation_figure(corr)),
    ]
    # three more trajectories (ZP-like single group) to reach twenty
    for dim in dims[:3]:
        part = implied[(implied["dimension"] == dim) & (implied["group"] == "ilb")]
        obs = observed[(observed["dimension"] == dim) & (observed["group"] == "ilb")]
        figures.append((f"ZP: {DIMENSIONS[dim]}", F.trajectories(part, obs, waves=WAVES,
                                                                 labels=LABELS, ncols=1)))
    return figures


def build_report(figures: list[tuple[str, Figure]], rng: np.random.Generator, lang: str) -> Report:
    report = Report(title="Wie wirkt die individuelle Lernbegleitung?",
                    subtitle="Benchmark-Bericht mit synthetischen Werten", study="iLB-Begleitforschung",
                    sample="EAP", lang=lang)
    methods = report.add_section("Methode")
    for _ in range(8):
        methods.paragraph(FILLER * 3)
    results = report.add_section("Ergebnisse je Kompetenzfacette")
    per_dimension = iter(figures[:9])
    for dim, label in DIMENSIONS.items():
        results.heading(label)
        results.paragraph(describe_growth_effect(
            label, intercept=Effect(rng.normal(0, 0.15), 0.05, rng.uniform(0, 0.2)),
            slope=Effect(rng.normal(0.03, 0.03), 0.01, rng.uniform(0, 0.2)), lang=lang))
        format_growth_table(growth_table({dim: _params(rng)}), labels=LABELS, lang=lang,
                            n={dim: 1737}).add_to(results)
        caption, fig = next(per_dimension)
        results.figure(fig, caption)
        results.page_break()
    fits = {d: {"chisq": rng.uniform(2, 12), "df": 6, "pvalue": rng.uniform(0.05, 0.9),
                "cfi": 0.99, "tli": 0.98, "rmsea": 0.02, "rmsea_ci_lower": 0.0,
                "rmsea_ci_upper": 0.04, "srmr": 0.01, "ntotal": 1737} for d in DIMENSIONS}
    overview = report.add_section("Überblick")
    format_fit_table(fit_table(fits), labels=LABELS, lang=lang).add_to(overview)
    for caption, fig in figures[9:]:
        overview.figure(fig, caption)
    provenance = report.add_section("Provenienz", numbered=False)
    provenance.paragraph(FILLER)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", help="also write the PDF here")
    parser.add_argument("--lang", choices=("de", "en"), default="de")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    rng = np.random.default_rng(20240501)
    start = time.perf_counter()
    figures = build_figures(rng)
    figure_seconds = time.perf_counter() - start
    report = build_report(figures, rng, args.lang)
    times, pdf = [], b""
    for _ in range(args.repeat):
        start = time.perf_counter()
        pdf = report.to_pdf_bytes()
        times.append(time.perf_counter() - start)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"figures built:      {len(figures)} in {figure_seconds:.2f} s")
    print(f"pages:              {pages}")
    print(f"figure embedding:   {FIGURE_FORMAT}")
    print(f"render time:        median {statistics.median(times):.2f} s "
          f"(min {min(times):.2f} s, {args.repeat} runs)")
    print(f"per page:           {statistics.median(times) / pages * 1000:.0f} ms")
    print(f"PDF size:           {len(pdf) / 1024:.0f} KiB")
    if args.out:
        with open(args.out, "wb") as handle:
            handle.write(pdf)
        print(f"written:            {args.out}")


if __name__ == "__main__":
    main()
