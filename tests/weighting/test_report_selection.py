"""The report's section "Selektion und Gewichtung" on the shared report run (tests/analysis/shared_run.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from ilb_eval.weighting.summary import VARIANTS


@pytest.fixture(scope="module")
def run(report_run):
    return report_run


def test_only_the_study_with_a_control_group_is_weighted(run):
    eap, zp = run.results.studies["EAP"], run.results.studies["ZP"]
    assert zp.weighting is None
    summary = eap.weighting
    assert summary.status == "ok" and (summary.method, summary.estimand) == ("entropy", "ATT")
    assert summary.balance["smd_after"].abs().max() < 1e-8
    assert [v[0] for v in VARIANTS] == summary.variants["variant"].tolist()
    assert (summary.variants["status"] == "ok").all()


def test_tables_and_figures_are_in_the_run_folder(run):
    balance = pd.read_csv(run.path / "tables" / "eap_balance.csv")
    summary = run.results.studies["EAP"].weighting
    np.testing.assert_allclose(balance["smd_before"], summary.balance["smd_before"], rtol=1e-9)
    assert "person" not in balance.columns and len(balance) == len(summary.covariates)
    variants = pd.read_csv(run.path / "tables" / "eap_weighting_variants.csv")
    assert variants["variant"].tolist() == [v[0] for v in VARIANTS]
    effects = pd.read_csv(run.path / "tables" / "eap_effects_by_adjustment.csv")
    assert set(effects["kind"]) == {"unweighted", "adjusted", "weighted"} and set(effects["factor"]) == {"i", "s"}
    assert len(effects) == 10 * 3 * 2 and effects["converged"].all()
    # balance on the t1 scores removes the t1 differences: weighted intercept effects are ~0
    weighted_i = effects[(effects["kind"] == "weighted") & (effects["factor"] == "i")]
    assert weighted_i["estimate"].abs().max() < 0.02
    assert len(summary.evalues) == 10 and (summary.evalues["evalue"] >= 1).all()
    for figure in ("eap_love_plot", "eap_propensity_overlap", "eap_effects_by_adjustment"):
        assert (run.path / "figures" / f"{figure}.png").is_file()


def test_the_pdf_has_the_section_in_german(run):
    pdf = next(run.path.glob("*.pdf"))
    text = " ".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    assert "Selektion und Gewichtung" in text
    assert "Entropy Balancing" in text and "Effektive Stichprobengröße" in text
