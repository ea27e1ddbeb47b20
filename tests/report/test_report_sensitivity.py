"""The appendix of sensitivity analyses: table cells against the engine, both languages, privacy, odd rows."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from ilb_eval.formatting import MISSING, format_count, format_number, format_p
from ilb_eval.growth import GrowthSpec, fit_growth, fit_variants
from ilb_eval.io import load_waves
from ilb_eval.prep import build_panel, growth_data
from ilb_eval.report.build import build_report
from ilb_eval.report.document import TableBlock

pytestmark = pytest.mark.filterwarnings("ignore::ilb_eval.exceptions.IlbEvalWarning")


@pytest.fixture(scope="module")
def eap(run, canary_data):
    study = run.results.studies["EAP"].study
    return study, build_panel(study, load_waves(study, canary_data))


@pytest.fixture(scope="module")
def content(run):
    return {lang: build_report(run.results, lang=lang) for lang in ("de", "en")}


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def _row(table, label: str) -> pd.Series:
    frame = table.frame
    return frame[frame.iloc[:, 0] == label].iloc[0]


@pytest.mark.parametrize("lang", ["de", "en"])
def test_mlr_table_cells_are_the_engine_fits_formatted(run, eap, content, lang):
    """Every dimension's row: b, SE and p under ML and MLR from fit_growth called directly, formatted."""
    study, panel = eap
    _, table = content[lang].tables["eap_sensitivity_mlr"]
    assert len(table.frame) == len(study.competence_scales)
    for scale in study.competence_scales:
        data = growth_data(panel, scale.name)
        kw = dict(outcomes=list(study.wave_names), time_scores=list(data.attrs["time_scores"]),
                  covariates=["ilb", *study.covariate_names])
        effects = {}
        for estimator in ("ML", "MLR"):
            fit = fit_growth(data, estimator=estimator, **kw)
            p = fit.params
            effects[estimator] = p[(p["lhs"] == "s") & (p["op"] == "~") & (p["rhs"] == "ilb")].iloc[0]
        row = _row(table, scale.label[lang]).tolist()
        assert row[1:] == [format_number(effects["ML"]["est"], 3, lang), format_number(effects["ML"]["se"], 3, lang),
                           format_number(effects["MLR"]["se"], 3, lang),
                           format_p(effects["ML"]["pvalue"], lang, prefix=False),
                           format_p(effects["MLR"]["pvalue"], lang, prefix=False), format_count(fit.ntotal, lang)]


@pytest.mark.parametrize("dimension", ["belastbarkeit", "lernfaehigkeit"])
def test_variant_table_cells_are_fit_variants_formatted(run, eap, content, dimension):
    """b per variant and ΔBIC against the first variant, from fit_variants called directly."""
    study, panel = eap
    data = growth_data(panel, dimension)
    direct = fit_variants(data, GrowthSpec(outcomes=list(study.wave_names),
                                           time_scores=list(data.attrs["time_scores"]),
                                           covariates=["ilb", *study.covariate_names]))
    label = next(s.label["de"] for s in study.competence_scales if s.name == dimension)
    row = _row(content["de"].tables["eap_sensitivity_variants"][1], label)
    reference = direct.iloc[0]
    for k in range(len(direct)):
        letter = chr(ord("A") + k)
        values = direct.iloc[k]
        fitted = bool(values["converged"]) and np.isfinite(values["s~ilb"])
        flagged = any(c.strip() not in ("", "ROWS_DROPPED") for c in str(values["warnings"]).split(","))
        flagged = flagged or not fitted
        expected = (format_number(values["s~ilb"], 3, "de") if fitted else MISSING) + ("†" if flagged else "")
        assert row[f"b ({letter})"] == expected, letter
        if k:
            delta = values["bic"] - reference["bic"] if fitted else float("nan")
            assert row[f"ΔBIC ({letter})"] == format_number(delta, 1, "de", sign=True), letter
    assert row["N"] == format_count(run.results.studies["EAP"].models[dimension].records["conditional"].n, "de")


def test_the_appendix_is_in_the_pdf_in_both_languages(run, content):
    german = _pdf_text((run.path / "report.pdf").read_bytes())
    for words in ("Anhang: Sensitivitätsanalysen", "Robuste Standardfehler (MLR) (EAP)", "Modellvarianten (EAP)",
                  "unter ML und MLR", "gleiche Residualvarianzen", "Yuan-Bentler", "Sensitivitätsanalysen (Anhang)"):
        assert words in german, words
    english = _pdf_text(content["en"].report.to_pdf_bytes())
    for words in ("Appendix: sensitivity analyses", "Robust standard errors (MLR) (EAP)", "Model variants (EAP)",
                  "under ML and MLR", "equal residual variances", "Yuan-Bentler"):
        assert words in english, words
    assert "Sensitivität" not in english


def test_appendix_tables_are_written_to_the_run_folder(run):
    for name in ("eap_sensitivity_mlr", "eap_sensitivity_variants"):
        for ext in ("csv", "md", "tex"):
            assert (run.path / "tables" / f"{name}.{ext}").is_file()
    csv = pd.read_csv(run.path / "tables" / "eap_sensitivity_mlr.csv")
    expected = run.results.studies["EAP"].sensitivity_estimators
    np.testing.assert_allclose(csv["se_mlr"].to_numpy(float), expected["se_mlr"].to_numpy(float), rtol=1e-15)


def _with(results, **tables):
    eap = dataclasses.replace(results.studies["EAP"], **tables)
    return dataclasses.replace(results, studies={**results.studies, "EAP": eap})


def test_small_models_are_suppressed(run):
    s = run.results.studies["EAP"]
    variants = s.sensitivity_variants.assign(n=7)
    estimators = s.sensitivity_estimators.assign(n=7)
    content = build_report(_with(run.results, sensitivity_variants=variants, sensitivity_estimators=estimators))
    for name in ("eap_sensitivity_mlr", "eap_sensitivity_variants"):
        table = content.tables[name][1]
        body = table.frame.iloc[:, 1:]
        assert set(body.to_numpy().ravel()) <= {"•", ""}, name
        assert "unterdrückt" in table.note and "10 Personen" in table.note


def test_extra_variant_rows_and_nan_cells_are_handled_generically(run):
    """An unknown variant (not identified, NaN numbers) gets its own column, marked, and a legend entry."""
    s = run.results.studies["EAP"]
    variants = s.sensitivity_variants
    extra = variants.drop_duplicates("dimension").assign(
        variant="made-up variant", converged=False, warnings="NOT_IDENTIFIED", note="not identified")
    for column in ("npar", "logl", "aic", "bic", "chisq", "df", "cfi", "rmsea", "srmr", "s~ilb", "slope_mean"):
        extra[column] = np.nan
    combined = pd.concat([variants, extra]).sort_values("dimension", kind="stable", key=lambda d: d.map(
        {dim: k for k, dim in enumerate(dict.fromkeys(variants["dimension"]))})).reset_index(drop=True)
    content = build_report(_with(run.results, sensitivity_variants=combined), lang="en")
    table = content.tables["eap_sensitivity_variants"][1]
    letter = chr(ord("A") + variants["variant"].nunique())
    assert set(table.frame[f"b ({letter})"]) == {MISSING + "†"}
    assert set(table.frame[f"ΔBIC ({letter})"]) == {MISSING}
    assert f"{letter} = made-up variant" in table.note and "NOT_IDENTIFIED" in table.note


def test_failed_or_skipped_dimensions_show_their_status(run):
    s = run.results.studies["EAP"]
    first = s.sensitivity_variants["dimension"].iloc[0]
    variants = pd.concat([pd.DataFrame([{"dimension": first, "status": "failed", "reason": "RuntimeError: x"}]),
                          s.sensitivity_variants[s.sensitivity_variants["dimension"] != first]], ignore_index=True)
    estimators = s.sensitivity_estimators.copy()
    estimators.loc[0, ["status", "estimate_ml"]] = ["skipped", np.nan]
    content = build_report(_with(run.results, sensitivity_variants=variants, sensitivity_estimators=estimators))
    assert content.tables["eap_sensitivity_variants"][1].frame.iloc[0, 1] == "Modell fehlgeschlagen"
    assert content.tables["eap_sensitivity_mlr"][1].frame.iloc[0, 1] == "nicht geschätzt"


@pytest.mark.parametrize(("method", "expected"), [
    ("standard", "Chi-Quadrat-Differenztest des restringierten"),
    ("satorra.bentler.2001", "Skalierter Chi-Quadrat-Differenztest (Satorra & Bentler, 2001) des restringierten"),
])
def test_the_lr_test_table_names_the_method_of_its_rows(run, method, expected) -> None:
    """ML fits (the report's) are compared by lavaan's chi-square difference; MLR rows would be scaled (issue 14)."""
    eap = run.results.studies["EAP"]
    assert set(eap.lr_tests["method"]) == {"standard"}
    lr = eap.lr_tests.assign(method=method)
    results = dataclasses.replace(run.results, studies={**run.results.studies,
                                                        "EAP": dataclasses.replace(eap, lr_tests=lr)})
    content = build_report(results, lang="de")
    notes = [b.note for s in content.report.sections for b in s.blocks
             if isinstance(b, TableBlock) and b.caption.startswith("Tests gleicher Mittelwerte")]
    assert len(notes) == 1 and expected in notes[0]
