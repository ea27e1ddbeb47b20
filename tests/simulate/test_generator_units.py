"""Building blocks of the generator: settings checks, exact quotas, calibration, codes, scaling."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ilb_eval.exceptions import InputError
from ilb_eval.simulate import simulate_study
from ilb_eval.simulate.blocks import (
    _cuts,
    expected_pearson,
    latent_correlation_for,
    quota_categories,
)
from ilb_eval.simulate.codes import apply_typos, decode, draw_codes, neighbour_conflicts, normalise
from ilb_eval.simulate.population import exact_assignment, gumbel_top_k
from ilb_eval.simulate.settings import default_settings_path, load_settings


def test_every_settings_section_is_documented():
    settings = load_settings()
    assert "$comment" in settings
    for sample in settings["samples"].values():
        assert "description" in sample
        for name, section in sample.items():
            if isinstance(section, dict):
                assert "description" in section, name


def test_bad_settings_are_reported_all_at_once(tmp_path):
    settings = json.loads(default_settings_path().read_text(encoding="utf-8"))
    settings["samples"]["EAP"]["demographics"]["gender_shares"]["2"] = 0.9
    settings["samples"]["EAP"]["growth"]["item_offsets"] = [0.5, 0, 0, 0]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(settings), encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_settings(path)
    text = str(error.value)
    assert "gender_shares" in text and "item_offsets" in text


def test_scale_must_be_positive(tmp_path):
    with pytest.raises(ValueError):
        simulate_study(tmp_path, scale=0)


def test_exact_assignment_and_quota():
    values = exact_assignment(np.random.default_rng(0), 1737, {1: 0.275, 2: 0.72, 3: 0.005})
    assert np.bincount(values)[1:].tolist() == [478, 1250, 9] or abs((values == 2).sum() - 1250.6) < 1
    categories = quota_categories(np.random.default_rng(1).standard_normal(193), [1, 2, 3, 4, 5], [0.06, 0.12, 0.22, 0.36, 0.24])
    assert abs((categories >= 4).mean() - 0.60) < 0.006


def test_gumbel_top_k_prefers_heavy_weights():
    rng = np.random.default_rng(2)
    weights = np.log(np.r_[np.full(50, 10.0), np.full(50, 1.0)])
    hits = np.zeros(100)
    for _ in range(200):
        hits[gumbel_top_k(rng, weights, 10)] += 1
    assert hits[:50].sum() > 5 * hits[50:].sum()


def test_latent_correlation_is_calibrated_for_the_observed_pearson_r():
    cuts = _cuts([0.05, 0.12, 0.25, 0.33, 0.25])
    rho = latent_correlation_for(0.68, cuts)
    assert rho > 0.68
    assert expected_pearson(rho, cuts, cuts) == pytest.approx(0.68, abs=1e-6)
    rng = np.random.default_rng(3)
    latent = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=200_000)
    answers = 1 + (latent[:, :, None] > cuts).sum(axis=2)
    assert np.corrcoef(answers.T)[0, 1] == pytest.approx(0.68, abs=0.005)


def test_typos_are_unique_at_one_edit_and_keep_length_close():
    rng = np.random.default_rng(4)
    cfg = {"letters": "ABCDEFGHIJKLMNOPRSTUVWZ", "max_redraw_rounds": 50, "typo_rate": 0.5,
           "typo_kinds": {"substitute": 0.4, "insert": 0.2, "delete": 0.2, "case": 0.1, "whitespace": 0.1},
           "whitespace_leading_share": 0.5}
    codes = draw_codes(rng, 3000, cfg)
    assert not neighbour_conflicts(codes, np.arange(3000)).any()
    owner = np.r_[np.arange(3000), np.arange(3000)]
    later = np.r_[np.zeros(3000, bool), np.ones(3000, bool)]
    written, kind = apply_typos(rng, codes, owner, later, cfg)
    assert (kind[:3000] == "").all()
    edited = np.isin(kind, ["substitute", "insert", "delete"])
    assert 0.3 < edited[3000:].mean() < 0.9
    check = np.concatenate([codes, normalise(written[edited])])
    owners = np.concatenate([np.arange(3000), owner[edited]])
    assert not neighbour_conflicts(check, owners).any()
    text = decode(written)
    assert all(code.strip().upper() == decode(codes[o : o + 1])[0] for code, o, k in zip(text, owner, kind, strict=True) if k in ("case", "whitespace"))


def test_scale_multiplies_the_counts(tmp_path):
    result = simulate_study(tmp_path, scale=3)
    assert result.persons == {"EAP": 3 * 1737, "ZP": 3 * 488}
    assert sum(result.records["EAP"].values()) == 3 * 2467
    assert sum(result.records["ZP"].values()) == 3 * 1317
