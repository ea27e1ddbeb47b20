"""Arithmetic of := and constraints: R's precedence and values, vectorised, no eval.

The outside references are R's own evaluation of each expression
(``expressions`` in ``tests/fixtures/lavaan/syntax/parse_references.json``, made
by ``make_syntax_references.R``) and values worked out by hand below.
"""

from __future__ import annotations

import json
import math
import string
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ilb_eval.exceptions import SpecError
from ilb_eval.sem.expressions import Expression, parse_expression
from ilb_eval.sem.lexer import ModelSyntaxError

REFERENCES = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "lavaan" / "syntax" / "parse_references.json")
    .read_text(encoding="utf-8"))
R_VALUES = REFERENCES["expression_values"]


@pytest.mark.parametrize("case", REFERENCES["expressions"], ids=lambda c: c["text"])
def test_value_equals_r(case):
    assert parse_expression(case["text"]).evaluate(R_VALUES) == pytest.approx(case["value"], rel=1e-14, abs=1e-15)


def test_r_reference_list_is_not_trivial():
    assert len(REFERENCES["expressions"]) >= 25


HAND = [
    # text, values, value worked out by hand
    ("-2^2", {}, -(2.0**2)),               # ^ binds tighter than unary minus
    ("(-2)^2", {}, 4.0),
    ("2^3^2", {}, 2.0 ** 9),               # right-associative: 2^(3^2)
    ("2^-1", {}, 0.5),                     # unary minus in the exponent
    ("8/4/2", {}, 1.0),                    # left-associative
    ("8-4-2", {}, 2.0),
    ("2*3+4*5", {}, 26.0),
    ("2*(3+4)*5", {}, 70.0),
    ("-a*b", {"a": 3.0, "b": 4.0}, -12.0),
    ("a*b + c", {"a": 0.5, "b": 0.4, "c": 0.1}, 0.3),
    ("c + (a*b)", {"a": 0.5, "b": 0.4, "c": 0.1}, 0.3),
    ("1e-3 * 2", {}, 0.002),
    (".5 + 5.", {}, 5.5),
    ("3**2", {}, 9.0),
    ("exp(0) + log(1) + sqrt(16) + abs(-2)", {}, 1.0 + 0.0 + 4.0 + 2.0),
    ("sin(0) + cos(0) + tan(0)", {}, 1.0),
    ("asin(1) + acos(1) + atan(1)", {}, math.pi / 2 + 0.0 + math.pi / 4),
    ("pnorm(0)", {}, 0.5),
    ("pnorm(1.5)", {}, 0.5 * (1.0 + math.erf(1.5 / math.sqrt(2.0)))),
    ("qnorm(0.5)", {}, 0.0),
    ("a.1 + b_2", {"a.1": 1.0, "b_2": 2.0}, 3.0),
]


@pytest.mark.parametrize(("text", "values", "expected"), HAND, ids=[h[0] for h in HAND])
def test_value_equals_hand_calculation(text, values, expected):
    assert parse_expression(text).evaluate(values) == pytest.approx(expected, rel=1e-15, abs=1e-15)


def test_text_drops_white_space_and_quotes_as_lavaan_stores_it():
    assert parse_expression("c + ( a * b )").text == "c+(a*b)"
    assert parse_expression('"a" * b').text == "a*b"
    assert parse_expression("exp(a) + -2^2").text == "exp(a)+-2^2"


def test_names_are_the_labels_used_and_not_the_functions():
    expression = parse_expression("exp(a)/(1 + exp(a)) * b2 - 1")
    assert expression.names == frozenset({"a", "b2"})
    assert parse_expression("2 + 3").names == frozenset()


def test_expressions_with_the_same_text_are_equal():
    assert parse_expression("a * b") == parse_expression("a*b")
    assert isinstance(parse_expression("a"), Expression)


def test_scalar_values_give_a_float():
    result = parse_expression("a*b").evaluate({"a": 2, "b": 3})
    assert isinstance(result, float) and result == 6.0


def test_arrays_are_evaluated_element_by_element():
    a = np.array([0.1, 0.5, 2.0])
    b = np.array([[1.0], [-3.0]])
    result = parse_expression("exp(a)/(1+exp(a)) * b + a^2").evaluate({"a": a, "b": b})
    expected = np.exp(a) / (1 + np.exp(a)) * b + a**2
    assert result.shape == (2, 3)
    np.testing.assert_allclose(result, expected, rtol=1e-15)


def test_integer_arrays_are_treated_as_numbers():
    result = parse_expression("a^-1").evaluate({"a": np.array([1, 2, 4])})
    np.testing.assert_array_equal(result, [1.0, 0.5, 0.25])


def test_values_off_the_real_line_follow_r_without_warnings():
    # R: log(0) = -Inf, sqrt(-1) = NaN (with a warning there), 1/0 = Inf, (-8)^(1/3) = NaN
    assert parse_expression("log(0)").evaluate({}) == -math.inf
    assert math.isnan(parse_expression("sqrt(-1)").evaluate({}))
    assert parse_expression("1/0").evaluate({}) == math.inf
    assert math.isnan(parse_expression("(-8)^(1/3)").evaluate({}))
    assert parse_expression("0^0").evaluate({}) == 1.0


def test_complex_values_pass_through_for_complex_step_derivatives():
    step = 1e-20
    value = parse_expression("a*b + exp(a)").evaluate({"a": 0.5 + step * 1j, "b": 2.0})
    assert value.imag / step == pytest.approx(2.0 + math.exp(0.5), rel=1e-12)


def test_missing_value_names_the_label():
    with pytest.raises(SpecError, match="'b', which has no value"):
        parse_expression("a*b").evaluate({"a": 1.0})


ERRORS = [
    # text, line, column, expected contains, found contains, fix contains
    ("", 1, 1, "a number, a label or '('", "the end of the statement", "complete"),
    ("a +", 1, 4, "after '+'", "the end of the statement", "complete"),
    ("a * * b", 1, 5, "after '*'", "'*'", "complete"),
    ("(a + b", 1, 7, "')' to close the '(' of line 1, column 1", "the end of the statement", "missing ')'"),
    ("a + b)", 1, 6, "an operator or the end", "')' without a matching '('", "remove the ')'"),
    ("a b", 1, 3, "an operator", "'b'", "join the parts"),
    ("foo(a)", 1, 1, "one of the functions exp, log, sqrt", "the function 'foo'", "these functions"),
    ("start(1)", 1, 1, "one of the functions", "the function 'start'", "these functions"),
    ("log(a, 10)", 1, 6, "one argument of log()", "','", "log(x)/log(base)"),
    ("exp()", 1, 5, "a number, a label or '(' after '('", "')'", "complete"),
    ("a; b", 1, 2, "one expression", "';'", "without ';'"),
    ("\"1\" + a", 1, 1, "a label", "the quoted text \"1\"", "without quotes"),
    ("a ~ b", 1, 3, "an operator", "'~'", "join the parts"),
    ("a @ b", 1, 3, "a variable name, a number or an operator", "the character '@'", "remove it"),
    ("(" * 150 + "a" + ")" * 150, 1, 102, "at most 100 nested", "deeper nesting", "simplify"),
    ("-" * 300 + "a", 1, 102, "at most 100 nested", "deeper nesting", "simplify"),
]


@pytest.mark.parametrize(("text", "line", "column", "expected", "found", "fix"), ERRORS,
                         ids=[e[0][:20] for e in ERRORS])
def test_error_names_position_expected_found_and_fix(text, line, column, expected, found, fix):
    with pytest.raises(ModelSyntaxError) as caught:
        parse_expression(text)
    error = caught.value
    assert (error.line, error.column) == (line, column)
    assert expected in error.expected
    assert found in error.found
    assert fix in error.fix


def test_positions_are_offset_by_where_the_expression_starts():
    with pytest.raises(ModelSyntaxError) as caught:
        parse_expression("a +\n  * b", line=7, column=9)
    assert (caught.value.line, caught.value.column) == (8, 3)
    with pytest.raises(ModelSyntaxError) as caught:
        parse_expression("a + foo(b)", line=3, column=10)
    assert (caught.value.line, caught.value.column) == (3, 14)


_PIECES = ["a", "b", "1", "2.5", ".5", "1e-3", "+", "-", "*", "/", "^", "**", "(", ")", "exp(", "log(",
           "qnorm(", "foo(", ",", " ", "\"a\"", "NA", "~", ";", "\n"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=25).map("".join))
def test_fuzz_expressions_give_a_value_or_a_syntax_error(text):
    try:
        expression = parse_expression(text)
    except ModelSyntaxError as error:
        assert error.line >= 1 and error.column >= 1
        return
    values = {name: 0.7 for name in expression.names}
    assert isinstance(expression.evaluate(values), float)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=string.printable, max_size=40))
def test_fuzz_random_text_gives_an_expression_or_a_syntax_error(text):
    try:
        parse_expression(text)
    except ModelSyntaxError:
        pass
