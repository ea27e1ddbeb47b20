"""Figures: a Figure with labelled axes, fixed colours, German ticks, nothing suppressed drawn."""

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from ilb_eval.privacy import CellRule
from ilb_eval.report import figures as F


def _draw(fig: Figure) -> None:
    FigureCanvasAgg(fig).draw()


def _texts(fig: Figure) -> list[str]:
    found = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        found += [t.get_text() for t in ax.texts]
        found += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    return found


def _bars(fig: Figure) -> list[tuple[float, float, str]]:
    return [(p.get_width(), p.get_height(), to_hex(p.get_facecolor()))
            for ax in fig.axes for p in ax.patches]


def _ydata(fig: Figure) -> np.ndarray:
    values = [np.asarray(line.get_ydata(), float) for ax in fig.axes for line in ax.lines]
    return np.concatenate(values) if values else np.array([])


def _assert_labelled(fig: Figure) -> None:
    _draw(fig)
    visible = [ax for ax in fig.axes if ax.axison]
    assert visible
    assert any(ax.get_xlabel() for ax in visible)
    sup = fig._supylabel.get_text() if fig._supylabel is not None else ""
    assert any(ax.get_ylabel() or any(t.get_text() for t in ax.get_yticklabels())
               for ax in visible) or sup


def _response():
    return pd.DataFrame({"wave": ["t1", "t1", "t3", "t3", "t4", "t4"],
                         "group": ["ilb", "control"] * 3, "n": [377, 1360, 240, 690, 180, 7]})


def _satisfaction():
    return pd.DataFrame({
        "aspect": ["Dauer der Einzeltermine", "Zeitliche Freistellung", "Werbung und Image"],
        "mean": [4.4, 4.3, 3.777], "ci_lower": [4.3, 4.2, 3.6], "ci_upper": [4.5, 4.4, 3.9],
        "n": [200, 200, 6], "share_improve": [0.12, 0.2, 0.38], "n_improve": [190, 190, 190]})


def _benefit():
    rows = []
    for aspect, shares in {"Beruflicher Nutzen": (0.6, 0.61, 0.42, 0.49),
                           "Beschleunigung": (0.37, 0.43, 0.43, 0.02)}.items():
        for (sample, wave), share in zip([("EAP", "t3"), ("EAP", "t4"), ("ZP", "t3"), ("ZP", "t4")],
                                         shares, strict=True):
            rows.append({"aspect": aspect, "sample": sample, "wave": wave, "share": share, "n": 250})
    return pd.DataFrame(rows)


def _interviews():
    return pd.DataFrame({"category": ["Selbstständigkeit", "Motivation", "Arbeitspensum",
                                      "Programminhalte", "Einzelfall"],
                         "sample": ["EAP", "EAP", "EAP", "ZP", "ZP"], "mentions": [20, 20, 17, 22, 4]})


def _attrition():
    return pd.DataFrame({"from_wave": ["t1"] * 3 + ["t3"] * 3, "to_wave": ["t3"] * 3 + ["t4"] * 3,
                         "status": ["retained", "dropped", "joined"] * 2,
                         "n": [610, 1127, 320, 520, 410, 3]})


def _effects():
    rows = []
    for k, dim in enumerate(["belastbarkeit", "selbststaendigkeit", "analysefaehigkeit"]):
        rows.append({"dimension": dim, "factor": "i", "estimate": -0.2 + 0.1 * k, "ci_lower": -0.3 + 0.1 * k,
                     "ci_upper": -0.1 + 0.1 * k, "p_holm": 0.01, "n": 1737})
        rows.append({"dimension": dim, "factor": "s", "estimate": 0.09 - 0.03 * k,
                     "ci_lower": 0.06 - 0.03 * k, "ci_upper": 0.12 - 0.03 * k,
                     "p_holm": 0.2 if k else 0.004, "n": 1737 if k < 2 else 6})
    return pd.DataFrame(rows)


def _correlations():
    r = np.array([0.75, 0.68, 0.5])
    return pd.DataFrame({"y": ["Offene Lernkultur", "Freistellung", "Entlastung"], "r": r,
                         "ci_lower": r - 0.1, "ci_upper": r + 0.08, "pvalue": [1e-4, 1e-4, 0.03],
                         "n": [120, 120, 8]})


def _all_figures(trajectory_data, waves, lang="de"):
    implied, observed = trajectory_data
    return {
        "wave_response": F.wave_response(_response(), lang=lang),
        "attrition_flow": F.attrition_flow(_attrition(), lang=lang),
        "satisfaction": F.satisfaction(_satisfaction(), lang=lang),
        "benefit_agreement": F.benefit_agreement(_benefit(), lang=lang),
        "interview_categories": F.interview_categories(_interviews(), lang=lang),
        "trajectories": F.trajectories(implied, observed, waves=waves, lang=lang),
        "forest_plot": F.forest_plot(_effects(), lang=lang),
        "correlation_figure": F.correlation_figure(_correlations(), lang=lang),
    }


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_figure_is_a_labelled_figure(trajectory_data, waves, lang):
    for name, fig in _all_figures(trajectory_data, waves, lang).items():
        assert isinstance(fig, Figure), name
        _assert_labelled(fig)


def test_no_global_state_changes(trajectory_data, waves):
    import matplotlib.pyplot as plt

    before = dict(matplotlib.rcParams)
    _all_figures(trajectory_data, waves)
    assert dict(matplotlib.rcParams) == before
    assert plt.get_fignums() == []


def test_group_colours_are_fixed():
    fig = F.wave_response(_response())
    colours = {c for _, _, c in _bars(fig)}
    assert colours == {F.GROUP_COLORS["ilb"].lower(), F.GROUP_COLORS["control"].lower()}
    reversed_order = F.wave_response(_response().iloc[::-1])
    assert {c for _, _, c in _bars(reversed_order)} == colours


def test_german_and_english_tick_labels():
    de = F.wave_response(_response())
    en = F.wave_response(_response(), lang="en")
    _draw(de)
    _draw(en)
    assert "1.000" in [t.get_text() for t in de.axes[0].get_yticklabels()]
    assert "1,000" in [t.get_text() for t in en.axes[0].get_yticklabels()]
    assert "1.360" in _texts(de)


def test_response_does_not_draw_small_cells():
    fig = F.wave_response(_response())
    heights = [h for _, h, _ in _bars(fig)]
    assert 7 not in heights and len(heights) == 5
    assert "•" in _texts(fig)
    assert any("Nicht dargestellt: 1 Wert mit weniger als 10 Personen oder ergänzend unterdrückt" in t for t in _texts(fig))


def test_attrition_does_not_draw_small_cells():
    fig = F.attrition_flow(_attrition())
    assert 3 not in [w for w, _, _ in _bars(fig)] and "3" not in _texts(fig)


def test_satisfaction_does_not_draw_small_means():
    fig = F.satisfaction(_satisfaction())
    xs = np.concatenate([np.asarray(line.get_xdata(), float) for line in fig.axes[0].lines])
    assert not np.any(np.isclose(xs, 3.777))
    assert "3,8" not in _texts(fig) and "38\u202f%" in _texts(fig)


def test_benefit_suppresses_shares_with_small_complement():
    fig = F.benefit_agreement(_benefit())  # 2 % of 250 = 5 persons agree
    assert 0.02 not in [w for w, _, _ in _bars(fig)] and "2\u202f%" not in _texts(fig)
    assert {c for _, _, c in _bars(fig)} == {F.SAMPLE_COLORS["EAP"].lower(),
                                             F.SAMPLE_COLORS["ZP"].lower()}


def test_interviews_do_not_draw_small_counts():
    fig = F.interview_categories(_interviews())
    assert 4 not in [w for w, _, _ in _bars(fig)]


def test_trajectories_use_the_real_time_axis(trajectory_data, waves):
    implied, observed = trajectory_data
    fig = F.trajectories(implied, observed, waves=waves, labels={"belastbarkeit": {"de": "Belastbarkeit"}})
    ax = fig.axes[0]
    assert list(ax.get_xticks()) == [0.0, 2.0, 3.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["t1", "t3", "t4"]
    assert ax.get_title(loc="left") == "Belastbarkeit"
    assert "377" in _texts(fig) and "1.360" in _texts(fig)  # observed n, German style


def test_trajectories_do_not_draw_small_groups(trajectory_data, waves):
    implied, observed = trajectory_data
    observed = observed.copy()
    small = (observed["group"] == "ilb") & (observed["wave"] == "t4")
    observed.loc[small, ["mean", "n"]] = [4.777, 4]
    implied = implied.copy()
    implied.loc[implied["dimension"] == "selbststaendigkeit", "estimate"] += 0.5
    implied.loc[(implied["dimension"] == "selbststaendigkeit") & (implied["group"] == "control"), "n"] = 6
    fig = F.trajectories(implied, observed, waves=waves)
    assert not np.any(np.isclose(_ydata(fig), 4.777))
    control_small = implied[(implied["dimension"] == "selbststaendigkeit")
                            & (implied["group"] == "control")]["estimate"]
    assert not np.any(np.isin(np.round(_ydata(fig), 9), np.round(control_small.to_numpy(), 9)))
    assert any("Nicht dargestellt: 3 Werte" in t for t in _texts(fig))


def test_forest_plot_marks_holm_significance():
    fig = F.forest_plot(_effects(), labels={"belastbarkeit": {"de": "Belastbarkeit"}})
    slope = fig.axes[1]
    markers = [line for line in slope.lines if line.get_marker() == "o"]
    filled = [to_hex(line.get_markerfacecolor()) for line in markers]
    assert filled == [F.GROUP_COLORS["ilb"].lower(), "#ffffff"]  # third row suppressed (n = 6)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][0] == "Belastbarkeit"
    assert any("Holm" in t.get_text() for t in fig.legends[0].get_texts())


def test_correlation_figure_prints_german_r():
    fig = F.correlation_figure(_correlations())
    texts = _texts(fig)
    assert ",75**" in texts and ",68**" in texts and "sehr hoch" in texts
    assert not any(t.startswith(",50") for t in texts)  # n = 8 suppressed
    assert any("Nicht dargestellt" in t for t in texts)


def test_lowered_rule_is_stated():
    fig = F.wave_response(_response(), rule=CellRule(5))
    heights = [h for _, h, _ in _bars(fig)]
    assert 7 in heights and not any("Nicht dargestellt" in t for t in _texts(fig))


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="lack the columns"):
        F.wave_response(pd.DataFrame({"wave": ["t1"]}))


def test_long_dimension_names_wrap_and_stay_inside_the_figure(trajectory_data, waves):
    implied, observed = trajectory_data
    long_name = "Integration in Strukturen und Prozesse"
    fig = F.trajectories(implied, observed, waves=waves, labels={"belastbarkeit": {"de": long_name}})
    title = fig.axes[0].get_title(loc="left")
    assert title.split() == long_name.split()  # every word kept
    # wrapped to lines no longer than the longest name that fits a panel of three columns
    assert max(len(line) for line in title.splitlines()) <= len("Zielorientiertes Handeln")
