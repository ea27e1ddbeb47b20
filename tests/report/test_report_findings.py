"""Findings only from what was estimated (issue 18, item 1).

No iLB users, a single one, or a control variable that does not vary: no
iLB-effect model can be fitted, so no sentence may claim "no significant
difference"; the report says what was not estimated and why, naming the
study field and the export column; the terminal prints one line per cause;
the run exits 3. The clean example keeps its findings.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from ilb_eval.report.document import Bullets, Paragraph

pytestmark = pytest.mark.filterwarnings("ignore::ilb_eval.exceptions.IlbEvalWarning")

_spec = importlib.util.spec_from_file_location("_report_variants", Path(__file__).with_name("variants.py"))
variants = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(variants)

#: Sentences that state a (non-)difference of the iLB group; none may appear without an estimate.
FALSE_HEADLINES = ("unterscheidet sich", "unterscheiden sich", "differ significantly", "does not differ",
                   "In keiner", "In none")


def _texts(content, *, skip=("Provenienz", "Provenance")) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for section in content.report.sections:
        if section.title in skip:
            continue
        lines = out.setdefault(section.title, [])
        for block in section.blocks:
            if isinstance(block, Paragraph):
                lines.append(block.text)
            elif isinstance(block, Bullets):
                lines += list(block.items)
    return out


CASES = {
    "no_users": (lambda folder: variants.keep_ilb_users(folder, 0), "NO_ILB_USERS", "ilb_genutzt"),
    "one_user": (lambda folder: variants.keep_ilb_users(folder, 1), "FEW_ILB_USERS", "ilb_genutzt"),
    "constant_control": (lambda folder: variants.constant_column(folder, "gender", "2"), "CONSTANT_COVARIATE",
                         "gender"),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request, tmp_path_factory):
    from ilb_eval.report.build import build_report
    from ilb_eval.report.pipeline import write_report

    edit, code, column = CASES[request.param]
    base = tmp_path_factory.mktemp(request.param)
    data = edit(variants.data_copy(base / "data"))
    run = write_report(data, studies=["EAP"], out=base / "reports", invariance=False)
    english = build_report(run.results, lang="en")
    return request.param, run, english, code, column


def test_no_sentence_claims_a_difference_or_its_absence(case):
    name, run, english, code, column = case
    from ilb_eval.report.build import build_report

    german = build_report(run.results, lang="de")
    for content in (german, english):
        for title, lines in _texts(content).items():
            for line in lines:
                assert not any(words in line for words in FALSE_HEADLINES), (name, title, line)


def test_the_summary_says_what_was_not_estimated_and_why_in_the_users_terms(case):
    name, run, english, code, column = case
    from ilb_eval.report.build import build_report

    german = _texts(build_report(run.results, lang="de"))["Zusammenfassung"]
    said = [line for line in german if "Nicht geschätzt: die iLB-Effekte" in line]
    assert len(said) == 1, german
    assert f"„{column}“" in said[0] or f"'{column}'" in said[0]
    summary = _texts(english)["Summary"]
    (line,) = [line for line in summary if "Not estimated: the iLB effects" in line]
    assert f"'{column}'" in line and "eap_t1.csv" in line


def test_one_cause_one_terminal_line_and_the_run_exits_3(case):
    name, run, english, code, column = case
    assert run.failed
    causes = run.results.causes
    assert len(causes) == 1 and causes[0].startswith(f"EAP: {code}: not estimated: the iLB effects")
    assert f"'{column}'" in causes[0]
    assert [g.code for g in run.results.gaps] == [code]
    # the gap is a warning of the run, shown in the growth section (first place that explains it)
    (warning,) = [w for w in run.warnings if w.text == causes[0]]
    assert warning.section == "Kompetenzentwicklung: iLB und Kontrollgruppe (EAP)" and warning.number == "4"


def test_no_conditional_model_is_fitted_and_the_models_say_why(case):
    name, run, english, code, column = case
    records = [r for r in run.results.records if r.kind == "conditional"]
    assert len(records) == 10 and {r.status for r in records} == {"skipped"}
    assert {r.reason for r in records} == {run.results.gaps[0].cause["en"]}
    effects = run.results.studies["EAP"].effects
    assert effects["estimate"].isna().all()


def test_users_analyses_follow_the_cause(case):
    name, run, english, code, column = case
    eap = run.results.studies["EAP"]
    if code == "CONSTANT_COVARIATE":  # only the conditional models need the control variables
        assert all(r.ok for r in eap.records if r.kind in ("multigroup", "equal_slopes"))
        assert eap.gap("group_comparison") is None and len(eap.sensitivity_variants) == 0
    else:
        gap = eap.gap("ilb_effects")
        assert {"group_comparison", "sensitivity", "feedback", "conditions"} <= set(gap.analyses)
        assert not eap.condition_records


def test_cli_prints_one_error_line_per_cause_and_exits_3(tmp_path, capsys):
    from ilb_eval.cli import main

    data = variants.keep_ilb_users(variants.data_copy(tmp_path / "data"), 0)
    code = main(["report", "--study", "EAP", "--data", str(data), "--out", str(tmp_path / "out"), "--no-invariance"])
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert code == 3
    assert len(errors) == 1 and "NO_ILB_USERS" in errors[0] and "'ilb_genutzt'" in errors[0]


def test_the_clean_example_keeps_its_findings(run):
    """Every slope effect significant after Holm has its sentence in the summary; no gap, exit 0."""
    from ilb_eval.report.build import build_report

    assert not run.failed and run.results.gaps == []
    effects = run.results.studies["EAP"].effects
    significant = effects[(effects["factor"] == "s") & (effects["p_adjusted"] <= 0.05)]["dimension"].tolist()
    assert "belastbarkeit" in significant
    summary = " ".join(_texts(build_report(run.results, lang="de"))["Zusammenfassung"])
    study = run.results.studies["EAP"].study
    for dim in significant:
        assert f"bei {study.scale(dim).label['de']}" in summary, dim
    assert "Nicht geschätzt" not in summary


def _summary_bullets(results, lang="de") -> list[str]:
    from ilb_eval.report.build import build_report

    section = next(s for s in build_report(results, lang=lang).report.sections if s.title in ("Zusammenfassung",
                                                                                                 "Summary"))
    return [item for b in section.blocks if isinstance(b, Bullets) for item in b.items]


def test_the_summary_says_whether_the_weighted_analysis_supports_each_slope_finding(run):
    """Issue 16: significant slope effects (Holm) whose weighted 95 % interval contains 0 are named as not
    supported; those whose interval excludes 0 with the same sign as holding (sets computed here)."""
    eap = run.results.studies["EAP"]
    effects, weighted = eap.effects, eap.weighting.effects
    main = effects[(effects["factor"] == "s") & (effects["p_adjusted"] <= 0.05)].set_index("dimension")["estimate"]
    w = weighted[(weighted["factor"] == "s") & (weighted["kind"] == "weighted")].set_index("dimension")
    excludes = (w["ci_lower"] > 0) | (w["ci_upper"] < 0)
    holds = [d for d in main.index if excludes[d] and (w.loc[d, "estimate"] > 0) == (main[d] > 0)]
    lost = [d for d in main.index if d not in holds]
    (line,) = [b for b in _summary_bullets(run.results) if b.startswith("EAP, mit auf die iLB-Teilnehmenden")]
    label = {d: eap.study.scale(d).label["de"] for d in w.index}
    assert len(main) >= 1
    assert ("bleibt in" in line) == bool(holds) and ("stützt die gewichtete Analyse" in line) == bool(lost)
    for d in holds + lost:
        assert label[d] in line, d
    english = [b for b in _summary_bullets(run.results, "en") if b.startswith("EAP, with the control group weighted")]
    assert len(english) == 1


def test_a_weighted_effect_that_holds_is_said_to_remain(run):
    """The weighted effects replaced by the unweighted ones (intervals excluding 0 where the main finding is)."""
    import dataclasses

    eap = run.results.studies["EAP"]
    w = eap.weighting
    copied = w.effects[w.effects["kind"] == "unweighted"].assign(kind="weighted")
    effects = pd.concat([w.effects[w.effects["kind"] != "weighted"], copied], ignore_index=True)
    changed = dataclasses.replace(eap, weighting=dataclasses.replace(w, effects=effects))
    results = dataclasses.replace(run.results, studies={**run.results.studies, "EAP": changed})
    (line,) = [b for b in _summary_bullets(results) if b.startswith("EAP, mit auf die iLB-Teilnehmenden")]
    assert "der Unterschied in der Veränderung bleibt in Selbstständigkeit und Belastbarkeit bestehen" in line
    assert "stützt" not in line
