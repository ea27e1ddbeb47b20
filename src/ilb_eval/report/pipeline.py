"""``write_report``: the analysis, the report and all its parts in a new run folder.

The run folder (see :class:`~ilb_eval.report.runfolder.RunFolder`) is filled
under a temporary name and renamed only when complete; an existing run is
never overwritten; on any error nothing is left behind. It holds:

* ``report.pdf`` – the evaluation report (A4, fonts embedded);
* ``figures/<name>.png`` and ``figures/<name>.svg`` – every figure;
* ``tables/<name>.csv`` (raw numbers, full precision), ``.md`` and ``.tex``
  (formatted as in the report);
* ``results.json`` – key numbers (iLB effects, LR tests, correlations);
* ``manifest.json`` – input hashes, study hashes, versions, seed, settings,
  model status records and warnings (written last).

With ``SOURCE_DATE_EPOCH`` set, identical inputs, settings and seed give
byte-identical files (PDF included).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import matplotlib
from matplotlib.figure import Figure

from ilb_eval.analysis.pipeline import DEFAULT_SEED, AnalysisResults, run_analysis
from ilb_eval.formatting import Lang
from ilb_eval.privacy import CellRule
from ilb_eval.report.build import build_report
from ilb_eval.report.context import ReportContent, ReportWarning
from ilb_eval.report.runfolder import RunFolder
from ilb_eval.report.tables import to_csv
from ilb_eval.resources import example_dir
from ilb_eval.study import Study, load_study

__all__ = ["ReportRun", "figure_bytes", "key_results", "table_files", "write_report"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ReportRun:
    """The finished run: its folder, the analysis results and the time per step (seconds).

    ``warnings`` lists every warning of the run with the report section that
    shows it (:class:`~ilb_eval.report.context.ReportWarning`), in report order.
    """

    path: Path
    results: AnalysisResults
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: tuple[ReportWarning, ...] = ()

    @property
    def failed(self) -> bool:
        """Whether an analysis could not run or a model failed or did not converge (the CLI then exits 3)."""
        return bool(self.results.failed or self.results.gaps)


def figure_bytes(figure: Figure, fmt: Literal["png", "svg"]) -> bytes:
    """A figure as PNG (150 dpi) or SVG, byte-stable (no dates, fixed SVG ids)."""
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "ilb_eval", "svg.fonttype": "path"}):
        if fmt == "png":
            figure.savefig(buffer, format="png", dpi=150, metadata={"Software": None})
        else:
            figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def _json_table(frame: Any) -> list[dict[str, Any]]:
    return [] if frame is None or not len(frame) else frame.to_dict(orient="records")


def table_files(content: ReportContent) -> dict[str, str]:
    """Every table of the report as the run folder holds it: ``tables/<name>.csv`` (raw numbers as
    published), ``.md`` and ``.tex`` (formatted as in the report)."""
    files = {}
    for name, (raw, table) in sorted(content.tables.items()):
        files[f"tables/{name}.csv"] = to_csv(raw)
        files[f"tables/{name}.md"] = table.to_markdown()
        files[f"tables/{name}.tex"] = table.to_latex()
    return files


def key_results(results: AnalysisResults) -> dict[str, Any]:
    """The content of ``results.json`` per study (as published): iLB effects, LR tests, correlations, reuse and
    ``invariance`` (one entry per scale and comparison: scale, across, held, freed items, the ladder's levels;
    the longitudinal entries carry the second-order growth)."""
    return {study: {"effects": _json_table(s.effects), "lr_tests": _json_table(s.lr_tests),
                    "correlations": _json_table(s.correlations), "reuse": s.reuse,
                    "invariance": s.invariance.to_list() if s.invariance is not None else []}
            for study, s in results.studies.items()}


def write_report(
    data_dir: str | Path | None = None,
    *,
    studies: Sequence[str | Path | Study] = ("EAP", "ZP"),
    out: str | Path | None = None,
    lang: Lang = "de",
    min_cell_size: int | None = None,
    seed: int = DEFAULT_SEED,
    adjust: Literal["holm", "bh"] = "holm",
    correlation: Literal["pearson", "spearman"] = "pearson",
    invariance: bool = True,
    progress: Progress | None = None,
) -> ReportRun:
    """Run the evaluation and write the report into a new run folder.

    Parameters
    ----------
    data_dir:
        Folder with the wave exports (default: the shipped synthetic study).
    studies:
        Studies to report on (default both, EAP and ZP).
    out:
        Reports folder (default ``reports/`` of the project or working folder).
    lang, min_cell_size, seed, adjust, correlation, invariance:
        See :func:`ilb_eval.analysis.run_analysis`; ``lang`` is the report language.
    progress:
        Called with one line per step.

    Returns
    -------
    ReportRun
    """
    progress = progress or (lambda _m: None)
    data = Path(data_dir) if data_dir is not None else example_dir()
    loaded = [s if isinstance(s, Study) else load_study(s) for s in studies]
    rule = CellRule(min_cell_size if min_cell_size is not None else max(s.min_cell_size for s in loaded))
    inputs = [data / w.file for s in loaded for w in s.waves if (data / w.file).exists()]
    if (data / "interviews.csv").is_file():
        inputs.append(data / "interviews.csv")
    study_files = [p for s in loaded for p in (s.path, *[w.table_schema.path for w in s.waves])]
    settings = {"studies": [s.name for s in loaded], "lang": lang, "adjust": adjust, "correlation": correlation,
                "invariance": invariance}
    seconds: dict[str, float] = {}
    synthetic = data.resolve() == example_dir().resolve()
    with RunFolder(sample="-".join(s.name for s in loaded), inputs=inputs, reports_dir=out, settings=settings,
                   study_files=study_files, seed=seed, rule=rule) as run:
        started = time.perf_counter()
        results = run_analysis(data, loaded, min_cell_size=min_cell_size, seed=seed, adjust=adjust,
                               correlation=correlation, invariance=invariance, progress=progress)
        seconds["analysis"] = time.perf_counter() - started

        progress("building the report")
        started = time.perf_counter()
        provenance = {**run.manifest(), "synthetic": synthetic}
        content = build_report(results, lang=lang, provenance=provenance)
        seconds["build"] = time.perf_counter() - started

        progress("writing figures and tables")
        started = time.perf_counter()
        for name, figure in sorted(content.figures.items()):
            run.write_bytes(f"figures/{name}.png", figure_bytes(figure, "png"))
            run.write_bytes(f"figures/{name}.svg", figure_bytes(figure, "svg"))
        for name, text in table_files(content).items():
            run.write_text(name, text)
        run.write_json("results.json", key_results(results))
        seconds["outputs"] = time.perf_counter() - started

        progress("rendering the PDF")
        started = time.perf_counter()
        run.write_pdf("report.pdf", content.report)
        seconds["pdf"] = time.perf_counter() - started
        for record in results.records:
            run.add_model(record.to_dict(results.rule))
        run.add_warnings(results.warnings)
        progress("writing the manifest")
    for figure in content.figures.values():
        figure.clf()
    return ReportRun(Path(run.path), results, seconds, content.warnings)
