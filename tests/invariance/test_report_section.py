"""The report's section 'Messinvarianz', its appendix, the forest plot's diamonds and results.json.

Checked on the shared report run of the test session (the example study
with canaries): the section stands after reliability, holds one figure and
one table per study whose cells are the ladder's numbers as the
formatting layer writes them, results.json carries one ``invariance`` entry
per scale and comparison, the appendix sets second-order growth beside the
scale-mean model, and a scale that is not scalar invariant carries the
caveat † in the growth section, the forest plot and the appendix.
"""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest

from ilb_eval.formatting import format_bounded, format_number, format_p
from ilb_eval.invariance import HELD
from ilb_eval.invariance.ladder import untested
from ilb_eval.privacy import CellRule
from ilb_eval.report.build import build_report
from ilb_eval.report.context import ReportContext
from ilb_eval.report.document import Bullets, FigureBlock, Paragraph, TableBlock
from ilb_eval.report.phrases import INVARIANCE_WORDS
from ilb_eval.report.sections import construct_growth
from ilb_eval.report.sections import growth as growth_section
from ilb_eval.report.sections import invariance as invariance_section
from ilb_eval.report.sections.cover import make_report


def _only(results, lang, *modules):
    """The report content with only the given section modules (faster than the whole report)."""
    ctx = ReportContext(results, lang, None)
    content = ctx.start(make_report(ctx))
    for module in modules:
        module.build(ctx)
    return content


def _section(content, title):
    return next(s for s in content.report.sections if s.title == title)


def _tables(section):
    return [b for b in section.blocks if isinstance(b, TableBlock)]


def _text(section) -> str:
    parts = []
    for block in section.blocks:
        if isinstance(block, Paragraph):
            parts.append(block.text)
        elif isinstance(block, Bullets):
            parts += list(block.items)
        elif isinstance(block, TableBlock):
            parts += [block.caption, block.note or "", block.frame.to_string()]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def german(run):
    return build_report(run.results, lang="de")


def test_section_follows_reliability_and_precedes_growth(german) -> None:
    titles = [s.title for s in german.report.sections]
    i = titles.index("Messinvarianz")
    assert titles[i - 1] == "Reliabilität der Skalen"
    assert titles[i + 1].startswith("Kompetenzentwicklung")
    assert titles.index("Anhang: Wachstum des latenten Konstrukts (zweite Ordnung)") > titles.index(
        "Anhang: Sensitivitätsanalysen")


def test_table_cells_are_the_ladders_numbers(run, german) -> None:
    section = _section(german, "Messinvarianz")
    assert [b for b in section.blocks if isinstance(b, FigureBlock)]
    tables = {t.caption: t for t in _tables(section)}
    eap = tables["Invarianzstufen je Skala (EAP)"].frame
    ladder = run.results.studies["EAP"].invariance.ladder("belastbarkeit", "waves")
    start = eap.index[eap.iloc[:, 0] == "Belastbarkeit: Wellen"][0]
    for offset, row in enumerate(ladder.rows, start=1):
        cells = eap.iloc[start + offset]
        assert cells["CFI"] == format_bounded(row.cfi, 3, "de")
        assert cells["RMSEA"] == format_bounded(row.rmsea, 3, "de")
        assert cells["χ² (df)"] == f"{format_number(row.chisq_scaled, 1, 'de')} ({row.df})"
        assert cells["Entscheidung"] == {"reference": "Basis", "held": "gilt"}[row.decision]
    assert "10 von 10 Skalen sind über die Wellen (partiell) skalar invariant." in _text(section)


def test_results_json_has_one_entry_per_scale_and_comparison(run) -> None:
    payload = json.loads((run.path / "results.json").read_text())
    for sample, across in (("EAP", {"waves", "groups"}), ("ZP", {"waves"})):
        entries = payload[sample]["invariance"]
        study = run.results.studies[sample].study
        assert {(e["scale"], e["across"]) for e in entries} == {(s.name, a) for s in study.scales for a in across}
        for entry in entries:
            assert entry["held"] in HELD and entry["freed"] == []
            assert entry["levels"][0]["level"] == "configural" and "F_" in entry["levels"][0]["syntax"]
            if entry["across"] == "waves":
                growth = entry["second_order_growth"]
                assert growth["status"] == "ok" and "I =~" in growth["syntax"]
                assert [r["factor"] for r in growth["rows"]] == ["i", "s"]
    ours = run.results.studies["EAP"].invariance.ladder("fachkompetenz", "waves").rows[1]
    theirs = next(e for e in payload["EAP"]["invariance"] if e["scale"] == "fachkompetenz")["levels"][1]
    assert theirs["chisq_scaled"] == pytest.approx(ours.chisq_scaled, rel=1e-12)
    assert theirs["delta_cfi"] == pytest.approx(ours.comparison.delta_cfi, abs=1e-15)


def test_tables_and_figure_files(run) -> None:
    assert (run.path / "figures" / "invariance.png").stat().st_size > 0
    for name in ("eap_invariance", "zp_invariance", "eap_second_order_growth", "zp_second_order_growth"):
        assert (run.path / "tables" / f"{name}.csv").exists(), name
    raw = pd.read_csv(run.path / "tables" / "zp_invariance.csv")
    assert len(raw) == 40 and set(raw["level"]) == {"configural", "metric", "scalar", "strict"}


def test_appendix_sets_second_order_growth_beside_the_scale_mean(run, german) -> None:
    appendix = _section(german, "Anhang: Wachstum des latenten Konstrukts (zweite Ordnung)")
    (eap, zp) = _tables(appendix)
    assert len(eap.frame) == 20 and len(zp.frame) == 20  # one row per scale and factor (i, s)
    growth = run.results.studies["EAP"].invariance.growth["belastbarkeit"].rows.set_index("factor")
    at = eap.frame.index[eap.frame.iloc[:, 0] == "Belastbarkeit"][0]
    level, slope = eap.frame.loc[at], eap.frame.loc[at + 1]
    held = run.results.studies["EAP"].invariance.ladder("belastbarkeit", "waves").held
    assert level.iloc[1] == "i" and list(slope.iloc[:2]) == [INVARIANCE_WORDS["de"][held], "s"]
    assert level.iloc[3].startswith(format_number(growth.loc["i", "estimate"], 3, "de") + " [")
    assert slope.iloc[3].startswith(format_number(growth.loc["s", "estimate"], 3, "de") + " [")
    assert slope.iloc[4] == format_p(growth.loc["s", "pvalue"], "de", prefix=False)
    assert "†" not in eap.frame.iloc[:, 0].str.cat()


def test_forest_plot_draws_the_second_order_diamonds(german) -> None:
    legend = [t.get_text() for t in german.figures["eap_forest"].legends[0].get_texts()]
    assert "Raute: latentes Konstrukt (2. Ordnung)" in legend


def _not_scalar(results, scale: str, sample: str = "EAP"):
    """The results with one scale of ``sample`` held at metric across the waves and no second-order growth."""
    eap = results.studies[sample]
    inv = eap.invariance
    ladders = tuple(dataclasses.replace(x, held="metric") if (x.scale, x.across) == (scale, "waves") else x
                    for x in inv.ladders)
    growth = dict(inv.growth)
    growth[scale] = dataclasses.replace(growth[scale], status="skipped", reason="not scalar invariant",
                                        rows=growth[scale].rows.iloc[0:0])
    eap = dataclasses.replace(eap, invariance=dataclasses.replace(inv, ladders=ladders, growth=growth))
    return dataclasses.replace(results, studies={**results.studies, sample: eap})


def test_a_scale_that_is_not_scalar_invariant_carries_the_caveat(run) -> None:
    content = _only(_not_scalar(run.results, "belastbarkeit"), "de", invariance_section, growth_section, construct_growth)
    growth = _section(content, "Kompetenzentwicklung: iLB und Kontrollgruppe (EAP)")
    effects = next(t for t in _tables(growth) if t.caption.startswith("Unterschied iLB"))
    assert "Belastbarkeit †" in list(effects.frame.iloc[:, 0]) and "† nicht skalar invariant" in effects.note
    ticks = [t.get_text() for t in content.figures["eap_forest"].axes[0].get_yticklabels()]
    assert "Belastbarkeit †" in ticks and sum("†" in t for t in ticks) == 1
    appendix = _tables(_section(content, "Anhang: Wachstum des latenten Konstrukts (zweite Ordnung)"))[0]
    at = appendix.frame.index[appendix.frame.iloc[:, 0] == "Belastbarkeit †"][0]
    assert appendix.frame.loc[at + 1].iloc[0] == "metrisch"
    assert appendix.frame.loc[at].iloc[3] == "–" and appendix.frame.loc[at + 1].iloc[3] == "–"
    assert "Nicht skalar invariant: Belastbarkeit (metrisch)" in _text(_section(content, "Messinvarianz"))


def test_the_english_report_and_the_caveat_in_a_study_without_control_group(run) -> None:
    content = _only(_not_scalar(run.results, "integration", "ZP"), "en", invariance_section, growth_section,
                    construct_growth)
    titles = [s.title for s in content.report.sections]
    assert "Appendix: growth of the latent construct (second order)" in titles
    section = _text(_section(content, "Measurement invariance"))
    assert "Decision: a level does not hold" in section
    assert "Not scalar invariant: Integration into structures and processes (metric)" in section
    growth = _section(content, "Competence development without control group (ZP)")
    means = next(t for t in _tables(growth) if t.caption.startswith("Mean intercept and mean slope"))
    assert [c for c in means.frame.iloc[:, 0] if "†" in c] == ["Integration into structures and processes †"]
    assert "† not scalar invariant across the waves" in means.note
    appendix = _tables(_section(content, "Appendix: growth of the latent construct (second order)"))[1]
    at = appendix.frame.index[appendix.frame.iloc[:, 0] == "Integration into structures and processes †"][0]
    assert appendix.frame.loc[at + 1].iloc[0] == "metric"
    assert appendix.frame.loc[at].iloc[3] == "–" and appendix.frame.loc[at + 1].iloc[3] == "–"


def test_models_below_the_minimum_cell_size_show_no_numbers(run) -> None:
    content = _only(dataclasses.replace(run.results, rule=CellRule(5000)), "de", invariance_section)
    table = _tables(_section(content, "Messinvarianz"))[0]
    level_rows = table.frame.loc[list(table.indent_rows)]
    assert (level_rows["CFI"] == "•").all() and (level_rows["χ² (df)"] == "•").all()


def test_ladders_that_could_not_run_fully_show_why_in_the_section(run) -> None:
    """A ladder not tested (e.g. two items), a model that failed and one that did not converge: notes, no crash."""
    eap = run.results.studies["EAP"]
    inv = eap.invariance

    def edited(ladder):
        key = (ladder.scale, ladder.across)
        if key == ("fachkompetenz", "groups"):
            return untested(ladder.spec, "groups", "fewer than three items at the first wave")
        if key == ("reflexivitaet", "waves"):
            failed = dataclasses.replace(ladder.rows[2], status="failed", decision="not held", n=None,
                                         note="EstimationError: simulated failure")
            rest = dataclasses.replace(ladder.rows[3], status="not_tested", decision="not tested")
            return dataclasses.replace(ladder, held="metric", rows=(*ladder.rows[:2], failed, rest),
                                       notes=("The scalar model failed; the ladder stops at metric.",))
        if key == ("zielorientierung", "waves"):
            metric = dataclasses.replace(ladder.rows[1], status="not_converged", decision="not held")
            return dataclasses.replace(ladder, held="configural", rows=(ladder.rows[0], metric),
                                       notes=("The metric model did not converge; the ladder stops at configural.",))
        return ladder

    eap = dataclasses.replace(eap, invariance=dataclasses.replace(inv, ladders=tuple(map(edited, inv.ladders))))
    results = dataclasses.replace(run.results, studies={"EAP": eap})
    (section,) = _only(results, "de", invariance_section).report.sections
    frame = _tables(section)[0].frame
    start = {label: i for i, label in enumerate(frame.iloc[:, 0])}
    assert frame.iloc[start["Fachkompetenz: iLB/Kontrolle"] + 1].tolist()[-1] == "nicht geprüft"
    assert frame.iloc[start["Reflexivität: Wellen"] + 3].tolist()[-1] == "Modell fehlgeschlagen"
    assert frame.iloc[start["Zielorientiertes Handeln: Wellen"] + 2].tolist()[-1] == "nicht konvergiert"
    text = _text(section)
    assert "No invariance test across groups: fewer than three items at the first wave." in text
    assert "The scalar model failed; the ladder stops at metric." in text
    assert "Nicht skalar invariant: Reflexivität (metrisch); Zielorientiertes Handeln (konfigural)." in text
