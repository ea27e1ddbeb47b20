"""Growth-model tables: numbers in the right cells, German/English style, suppression."""

import pandas as pd
import pytest

from ilb_eval.privacy import CellRule
from ilb_eval.report.document import Report
from ilb_eval.report.tables import (
    GROWTH_COLUMNS,
    fit_table,
    format_fit_table,
    format_growth_table,
    growth_table,
    to_csv,
)


def _row(table, label):
    frame = table.frame
    hits = frame[frame.iloc[:, 0] == label]
    assert len(hits) == 1, (label, frame.iloc[:, 0].tolist())
    return hits.iloc[0].tolist()


def test_raw_table_order_and_values(params):
    raw = growth_table({"belastbarkeit": params})
    assert list(raw.columns) == list(GROWTH_COLUMNS)
    assert list(zip(raw["term"], raw["factor"], raw["covariate"], raw["variable"], strict=True)) == [
        ("mean", "i", "", ""), ("mean", "s", "", ""), ("variance", "i", "", ""),
        ("variance", "s", "", ""), ("covariance", "i", "", ""), ("residual", "", "", "y_t1"),
        ("residual", "", "", "y_t3"), ("residual", "", "", "y_t4"), ("effect", "i", "ilb", ""),
        ("effect", "i", "age40", ""), ("effect", "s", "ilb", ""), ("effect", "s", "age40", ""),
    ]
    effect = raw[(raw["factor"] == "s") & (raw["covariate"] == "ilb")].iloc[0]
    assert (effect["est"], effect["se"], effect["pvalue"], effect["std_all"]) == (
        0.0941, 0.0104, 0.0041, 0.5474)
    assert "ilb" not in set(raw["variable"])  # covariate variances are not residual variances


def test_german_cells(params, labels):
    table = format_growth_table(growth_table({"belastbarkeit": params}), labels=labels,
                                n={"belastbarkeit": 1737})
    assert list(table.frame.columns) == ["Parameter", "b", "SE", "p", "95 %-KI", "β"]
    assert table.frame.iloc[0, 0] == "Belastbarkeit" and 0 in table.bold_rows
    assert _row(table, "Ausgangsniveau (i)") == [
        "Ausgangsniveau (i)", "3,604", "0,034", "< ,001", "[3,538; 3,671]", ""]
    assert _row(table, "Kovarianz i, s") == [
        "Kovarianz i, s", "−0,004", "0,009", ",685", "[−0,021; 0,014]", ""]
    assert _row(table, "Residualvarianz t3")[1] == "0,073"
    effects = table.frame.index[table.frame["Parameter"] == "iLB-Teilnahme"].tolist()
    assert table.frame.loc[effects[0]].tolist() == [
        "iLB-Teilnahme", "−0,212", "0,033", "< ,001", "[−0,277; −0,148]", "−,18"]
    assert table.frame.loc[effects[1]].tolist() == [
        "iLB-Teilnahme", "0,094", "0,010", ",004", "[0,074; 0,115]", ",55"]
    assert "Effekte auf die Veränderung (s)" in table.frame["Parameter"].tolist()
    assert "Achsenabschnitte" in table.note and "•" not in table.note


def test_english_cells(params, labels):
    table = format_growth_table(growth_table({"belastbarkeit": params}), labels=labels,
                                lang="en", decimals=2)
    assert list(table.frame.columns) == ["Parameter", "b", "SE", "p", "95% CI", "β"]
    assert table.frame.iloc[0, 0] == "Resilience"
    assert _row(table, "Slope (s)") == ["Slope (s)", "0.04", "0.01", "< .001", "[0.02, 0.06]", ""]
    assert _row_all(table, "Age 40 and over")[0] == ["0.07", "0.03", ".009", "[0.02, 0.13]", ".08"]


def test_dotted_lavaan_columns_are_accepted(params):
    dotted = params.rename(columns={"ci_lower": "ci.lower", "ci_upper": "ci.upper",
                                    "std_all": "std.all"})
    pd.testing.assert_frame_equal(growth_table({"y": dotted}), growth_table({"y": params}))


def test_small_covariate_category_is_suppressed(params, labels):
    table = format_growth_table(growth_table({"belastbarkeit": params}), labels=labels,
                                covariate_n={"ilb": 377, "age40": 9})
    assert _row_all(table, "Alter 40 und älter") == [["•"] * 5] * 2
    assert table.suppressed == 2
    assert "weniger als 10 Personen" in table.note
    assert "0,094" in table.frame["b"].tolist()  # the iLB effect stays


def _row_all(table, label):
    return [r[1:] for r in table.frame.values.tolist() if r[0] == label]


def test_small_model_is_suppressed_entirely(params):
    table = format_growth_table(growth_table({"belastbarkeit": params}), n={"belastbarkeit": 8})
    numbers = table.frame.iloc[:, 1:].to_numpy().ravel()
    assert set(numbers) <= {"", "•"} and "•" in set(numbers)


def test_lowered_rule_is_stated(params):
    table = format_growth_table(growth_table({"belastbarkeit": params}), rule=CellRule(5))
    assert "von 10 auf 5 gesenkt" in table.note


def test_multi_group_blocks(params, labels):
    second = params.assign(group=2, est=params["est"] * 2)
    both = pd.concat([params.assign(group_label="ilb"), second.assign(group_label="control")])
    raw = growth_table({"belastbarkeit": both})
    assert raw.groupby("group").size().tolist() == [12, 12]
    table = format_growth_table(raw, labels={**labels, "ilb": {"de": "iLB"},
                                             "control": {"de": "Kontrollgruppe"}},
                                n={"belastbarkeit": {"ilb": 377, "control": 6}})
    first = table.frame["Parameter"].tolist()
    assert first[:3] == ["Belastbarkeit", "iLB", "Mittelwerte"]
    control = first.index("Kontrollgruppe")
    assert table.frame.iloc[control + 2, 1] == "•"
    assert table.frame.iloc[3, 1] == "3,604"


def test_fit_table_german_and_english(fit, labels):
    raw = fit_table({"belastbarkeit": fit})
    de = format_fit_table(raw, labels=labels)
    assert de.frame.iloc[0].tolist() == [
        "Belastbarkeit", "5,82", "6", ",444", ",998", ",996", ",012 [,000; ,031]", ",008", "1.737"]
    en = format_fit_table(raw, labels=labels, lang="en")
    assert list(en.frame.columns) == ["Model", "χ²", "df", "p", "CFI", "TLI", "RMSEA [90% CI]",
                                      "SRMR", "N"]
    assert en.frame.iloc[0, 6] == ".012 [.000, .031]" and en.frame.iloc[0, 8] == "1,737"


def test_fit_table_suppresses_small_models(fit):
    table = format_fit_table(fit_table({"y": {**fit, "ntotal": 7}}))
    assert table.frame.iloc[0, 1:].tolist() == ["•"] * 8 and "weniger als 10" in table.note


def test_csv_keeps_full_precision(params):
    raw = growth_table({"belastbarkeit": params.assign(est=params["est"] + 1e-13)})
    text = to_csv(raw)
    back = pd.read_csv(__import__("io").StringIO(text), keep_default_na=False)
    assert back["est"].tolist() == raw["est"].tolist()
    assert "\r" not in text and text.splitlines()[0] == ",".join(GROWTH_COLUMNS)


def test_markdown_and_latex(params, labels):
    table = format_growth_table(growth_table({"belastbarkeit": params}), labels=labels,
                                covariate_n={"age40": 3})
    md = table.to_markdown()
    assert md.splitlines()[2] == "| Parameter | b | SE | p | 95 %-KI | β |"
    assert "| **Belastbarkeit** |" in md and "| \u2003iLB-Teilnahme | −0,212 |" in md
    assert "| *Mittelwerte* |" in md
    assert "*Anmerkung.*" in md and "• = unterdrückt" in md
    tex = table.to_latex()
    assert "\\toprule" in tex and "95 \\%-KI" in tex and "$\\beta$" in tex
    assert "\\textit{Mittelwerte}" in tex
    assert "\\textbf{Belastbarkeit}" in tex and "$-$0,212" in tex and "\\textbullet{}" in tex
    assert "−" not in tex and "•" not in tex


def test_table_goes_into_a_report(params, fit, fixed_epoch, labels):
    report = Report(title="T", study="S", sample="EAP")
    section = report.add_section("Modelle")
    format_growth_table(growth_table({"belastbarkeit": params}), labels=labels).add_to(section)
    format_fit_table(fit_table({"belastbarkeit": fit}), labels=labels).add_to(section)
    assert report.to_pdf_bytes().startswith(b"%PDF")


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="lacks columns"):
        growth_table({"y": pd.DataFrame({"lhs": ["i"], "op": ["~1"]})})
