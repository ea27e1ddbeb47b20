"""Bad models and bad data: a clear error (what, where, fix) for each, never a traceback.

The cases are those of tests/fixtures/lavaan/sem/err_*.json, where lavaan's own
reaction is recorded (errors.R). Where lavaan fits the data (zero weights) we
fit them too and equal lavaan's numbers.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sem_refs import load_data, reference

from ilb_eval.exceptions import InputError, SpecError
from ilb_eval.sem import ModelSyntaxError, cfa, sem

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def _call(name: str):
    ref = reference(name)
    function = {"cfa": cfa, "sem": sem}[ref["function"]]
    options = {k.replace(".", "_"): v for k, v in ref["options"].items() if k != "missing"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(ref["model"], load_data(ref["data"]), **options)


@pytest.mark.parametrize(
    ("name", "error", "fragments"),
    [
        ("err_unknown_variable", InputError, ["MISSING_COLUMN", "x99", "Fix"]),
        ("err_unknown_covariate", InputError, ["MISSING_COLUMN", "agex"]),
        ("err_unknown_group", InputError, ["MISSING_COLUMN", "schol"]),
        ("err_unknown_cluster", InputError, ["MISSING_COLUMN", "agency"]),
        ("err_group_equal_typo", SpecError, ["'loading'", "loadings"]),
        ("err_negative_df", SpecError, ["NOT_IDENTIFIED", "df = -2"]),
        ("err_no_scale", SpecError, ["NOT_IDENTIFIED", "'f' has no scale", "std_lv"]),
        ("err_one_cluster", InputError, ["ONE_CLUSTER", "one_cluster"]),
        ("err_undefined_label", SpecError, ["line 2", "uses b", "not a parameter label"]),
        ("err_weights_na", InputError, ["BAD_WEIGHTS", "w_na", "row"]),
        ("err_weights_negative", InputError, ["BAD_WEIGHTS", "w_neg", "row"]),
        ("err_syntax_operator", ModelSyntaxError, ["line 2"]),
        ("err_syntax_paren", ModelSyntaxError, ["line 1"]),
        ("err_syntax_no_rhs", ModelSyntaxError, ["line 2"]),
        ("err_syntax_dangling_plus", ModelSyntaxError, ["line 1"]),
    ],
)
def test_a_clear_error(name, error, fragments):
    with pytest.raises(error) as caught:
        _call(name)
    text = "\n".join(caught.value.lines) if hasattr(caught.value, "lines") else str(caught.value)
    for fragment in fragments:
        assert fragment in text, (fragment, text)


def test_identical_columns_are_refused_with_both_named():
    """lavaan warns about the singular EM covariance matrix and does not converge."""
    with pytest.raises(InputError) as caught:
        _call("err_singular")
    text = "\n".join(caught.value.lines)
    assert "SINGULAR_DATA" in text and "x1, x1dup" in text and "drop one of them" in text


def test_zero_weights_are_fitted_as_lavaan_fits_them():
    ref = reference("err_weights_zero")
    res = _call("err_weights_zero")
    assert res.fit["npar"] == ref["fit"]["npar"] and res.fit["df"] == ref["fit"]["df"]
    assert res.fit["chisq"] == pytest.approx(ref["fit"]["chisq"], rel=1e-3)
    assert "ZERO_WEIGHTS" in {w.code for w in res.warnings}


def test_a_pattern_whose_weights_are_all_zero_adds_nothing():
    """lavaan stops with an error; its rows carry no information, so we fit without them."""
    res = _call("err_weights_zero_pattern")
    assert res.converged and np.isfinite(res.fit["chisq"])
    assert "ZERO_WEIGHTS" in {w.code for w in res.warnings}
