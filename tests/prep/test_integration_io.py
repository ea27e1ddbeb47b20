"""One integration test: simulated export files -> ilb_eval.io -> build_panel."""

from ilb_eval.io import load_waves
from ilb_eval.prep import build_panel, growth_data, reliability
from ilb_eval.simulate import simulate_study


def test_simulated_exports_flow_through_io_and_prep(tmp_path, eap):
    result = simulate_study(tmp_path, scale=0.25)
    panel = build_panel(eap, load_waves(eap, tmp_path))
    accounting = panel.accounting.set_index("wave")
    for wave, n in result.records["EAP"].items():
        assert accounting.loc[wave, "n_in"] == n
    assert (accounting["n_in"] == accounting["n_analysed"] + accounting["n_excluded"]).all()
    # the simulator's typos in the codes are all recovered by the tolerant pass
    assert len(panel.wide) == result.persons["EAP"]
    assert panel.linkage["tolerant"].sum() > 0
    assert set(panel.wide["ilb"].unique()) == {0, 1}
    data = growth_data(panel, "belastbarkeit")
    assert list(data.columns[1:4]) == ["t1", "t3", "t4"] and len(data) > 0
    table = reliability(panel, eap)
    assert table["alpha"].between(0.5, 0.95).all() and table["omega"].between(0.5, 0.95).all()
