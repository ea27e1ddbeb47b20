"""lr_test and wald_test against lavaan 0.6-14's lavTestLRT and lavTestWald.

Every reference with an ``lrt`` check (a restricted fit and its general
counterpart, see the fixtures README) is tested with every method lavaan ran:
the default, ``satorra.bentler.2001`` and ``satorra.bentler.2010`` for scaled
(MLR) fits; the standard difference against lavaan's standard statistics.
Tolerances: differences and scaling factors 1e-3 relative, df exact, p-values
1e-3 absolute (and equal to the chi-square tail of our statistic). Every
``wald`` check: statistic 1e-3 relative, df exact, p-value 1e-3 absolute, the
covariance matrix named as lavaan names it.
"""

from __future__ import annotations

import dataclasses
import re
import warnings

import numpy as np
import pytest
from scipy import stats
from sem_refs import load_data, our_fit, reference, reference_names

from ilb_eval.exceptions import IlbEvalWarning, SpecError
from ilb_eval.sem import LRTest, ModelSyntaxError, cfa, lr_test, wald_test

LRT_NAMES = [n for n in reference_names() if "lrt" in reference(n)]
WALD_NAMES = [n for n in reference_names() if "wald" in reference(n)]
#: lavaan's method keys of the ``lrt`` checks and our ``method`` argument for each.
METHOD_KEYS = {"default": None, "satorra.bentler.2001": "satorra.bentler.2001",
               "satorra.bentler.2010": "satorra.bentler.2010"}  # fmt: skip


def _pair(name: str):
    check = reference(name)["lrt"]
    return check, our_fit(check["restricted"]), our_fit(check["general"])


def _run(restricted, general, method):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IlbEvalWarning)
        return lr_test(restricted, general, method)


def _lavaan_method(heading: str) -> str:
    found = re.search(r'method = "([a-z.0-9]+)"', heading)
    return found.group(1) if found else "standard"


@pytest.mark.parametrize("name", LRT_NAMES)
def test_lr_test_methods_equal_lavaan(name: str) -> None:
    check, restricted, general = _pair(name)
    compared = 0
    for key, method in METHOD_KEYS.items():
        if key not in check:
            continue
        ref = check[key]
        test = _run(restricted, general, method)
        assert test.method == _lavaan_method(ref["heading"])
        assert test.df_diff == ref["df_diff"]
        assert abs(test.chisq_diff - ref["chisq_diff"]) <= 1e-3 * abs(ref["chisq_diff"])
        assert abs(test.pvalue - ref["pvalue"]) <= 1e-3
        assert test.pvalue == pytest.approx(float(stats.chi2.sf(test.chisq_diff, test.df_diff)))
        compared += 1
    assert compared == (3 if check["scaled"] else 1)


@pytest.mark.parametrize("name", [n for n in LRT_NAMES if reference(n)["lrt"]["scaled"]])
def test_scaled_difference_factors_equal_lavaan(name: str) -> None:
    check, restricted, general = _pair(name)
    scaling = check["scaling"]
    for method, key in (("satorra.bentler.2001", "sb2001_cd"),
                        ("satorra.bentler.2010", "sb2010_cd")):  # fmt: skip
        got = _run(restricted, general, method).scaling_factor
        assert abs(got - scaling[key]) <= 1e-3 * abs(scaling[key]), (method, got, scaling[key])


@pytest.mark.parametrize("name", LRT_NAMES)
def test_standard_difference_equals_lavaans_statistics(name: str) -> None:
    """method='standard' is the difference of the standard chi-squares, scaled fits too.

    (lavaan 0.6-14 refuses method = "standard" for scaled fits; the reference
    holds that difference computed from its two statistics.)
    """
    check, restricted, general = _pair(name)
    ref = check["standard_by_hand"]
    test = _run(restricted, general, "standard")
    assert test.method == "standard"
    assert test.df_diff == ref["df_diff"]
    assert abs(test.chisq_diff - ref["chisq_diff"]) <= 1e-3 * abs(ref["chisq_diff"])
    assert abs(test.pvalue - ref["pvalue"]) <= 1e-3
    assert np.isnan(test.scaling_factor)


@pytest.mark.parametrize("name", [n for n in LRT_NAMES if not reference(n)["lrt"]["scaled"]])
def test_rmsea_of_the_difference_equals_lavaan(name: str) -> None:
    check, restricted, general = _pair(name)
    row = check["default"]["table"][-1]
    assert abs(_run(restricted, general, None).rmsea - row["RMSEA"]) <= 1e-3


@pytest.mark.parametrize("name", WALD_NAMES)
def test_wald_test_equals_lavaan(name: str) -> None:
    res = our_fit(name)
    for ref in reference(name)["wald"]:
        test = wald_test(res, ref["constraints"])
        assert test.df == ref["df"]
        assert abs(test.stat - ref["stat"]) <= 1e-3 * abs(ref["stat"]), ref["constraints"]
        assert abs(test.pvalue - ref["p.value"]) <= 1e-3
        assert test.se == ref["se"]


# ---------------------------------------------------------------- clear failures


def test_lr_test_needs_the_restricted_model_first() -> None:
    restricted, general = our_fit("mg_metric_ml"), our_fit("mg_configural_ml")
    with pytest.raises(SpecError, match="pass the restricted model first"):
        lr_test(general, restricted)


def test_lr_test_rejects_equal_degrees_of_freedom() -> None:
    fit = our_fit("mg_metric_ml")
    with pytest.raises(SpecError, match="not nested"):
        lr_test(fit, fit)


def test_lr_test_rejects_a_better_fitting_restricted_model() -> None:
    restricted, general = our_fit("mg_metric_ml"), our_fit("mg_configural_ml")
    worse = dataclasses.replace(
        general, fit={**general.fit, "chisq": float(restricted.fit["chisq"]) + 1.0}
    )
    with pytest.raises(SpecError, match="fits better"):
        lr_test(restricted, worse)


def test_lr_test_rejects_different_data() -> None:
    ref = reference("cfa_hs_ml")
    data = load_data(ref["data"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fewer = cfa(ref["model"] + "\nvisual ~~ 0*textual", data.iloc[10:])
    with pytest.raises(SpecError, match="different data"):
        lr_test(fewer, our_fit("cfa_hs_ml"))


def test_lr_test_rejects_fits_with_and_without_clusters() -> None:
    ref = reference("wc_cfa_cl_mlr")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        unclustered = cfa(ref["model"] + "\nf1 ~~ 0*f2", load_data(ref["data"]), estimator="MLR")
    with pytest.raises(SpecError, match="clusters"):
        lr_test(unclustered, our_fit("wc_cfa_cl_mlr"))


def test_lr_test_rejects_mixed_estimators_and_scaled_methods_for_ml() -> None:
    with pytest.raises(SpecError, match="scaled test"):
        lr_test(our_fit("mg_metric_ml"), our_fit("mg_configural_mlr"))
    with pytest.raises(SpecError, match="estimator='MLR'"):
        lr_test(our_fit("mg_metric_ml"), our_fit("mg_configural_ml"), "satorra.bentler.2010")
    with pytest.raises(SpecError, match="unknown method"):
        lr_test(our_fit("mg_metric_ml"), our_fit("mg_configural_ml"), "satorra.2000")


def test_lr_test_rejects_unconverged_fits() -> None:
    stuck = dataclasses.replace(our_fit("mg_metric_ml"), converged=False)
    with pytest.raises(SpecError, match="did not converge"):
        lr_test(stuck, our_fit("mg_configural_ml"))


def test_method_names_accept_lavaans_spellings() -> None:
    restricted, general = our_fit("mg_metric_mlr"), our_fit("mg_configural_mlr")
    assert _run(restricted, general, "satorra_bentler_2010").method == "satorra.bentler.2010"
    assert _run(restricted, general, "default").method == "satorra.bentler.2001"


def test_lr_result_is_compatible_with_the_growth_result() -> None:
    test = _run(our_fit("mg_metric_ml"), our_fit("mg_configural_ml"), None)
    assert isinstance(test, LRTest)
    assert [f.name for f in dataclasses.fields(test)][:4] == ["chisq_diff", "df_diff", "pvalue",
                                                              "method"]  # fmt: skip
    assert test.to_dict()["method"] == "standard"


def test_negative_sb2001_factor_gives_no_test_and_a_warning() -> None:
    """cd = (r0 c0 - r1 c1) / m < 0: lavaan reports NA and warns; so do we (stored too)."""
    restricted, general = our_fit("mg_metric_mlr"), our_fit("mg_configural_mlr")
    inflated = dataclasses.replace(general, fit={**general.fit, "chisq_scaling_factor": 10.0})
    with pytest.warns(IlbEvalWarning, match="negative"):
        test = lr_test(restricted, inflated)
    assert np.isnan(test.chisq_diff) and np.isnan(test.pvalue)
    assert [w.code for w in test.warnings] == ["NEGATIVE_SCALING"]


def test_wald_test_errors() -> None:
    res = our_fit("cfa_hs_syntax_ml")
    with pytest.raises(SpecError, match="not a parameter label"):
        wald_test(res, "nolabel == 0")
    with pytest.raises(SpecError, match="inequality"):
        wald_test(res, "a > 1")
    with pytest.raises(SpecError, match="equality constraints"):
        wald_test(res, "f =~ x1")
    with pytest.raises(ModelSyntaxError):
        wald_test(res, "a == == 1")
    with pytest.raises(SpecError, match="did not converge"):
        wald_test(dataclasses.replace(res, converged=False), "a == 1")
