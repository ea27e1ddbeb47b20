"""The lavaan model-syntax parser against lavaan's own parser, term by term.

References: ``tests/fixtures/lavaan/syntax/parse_references.json``, made by
``make_syntax_references.R`` beside it with lavaan 0.6-14's
``lavParseModelString`` (the terms with their modifiers, the constraints and
definitions, ``lavNames`` "lv" and "ov"). Every model string the engine must
read is parsed by both; strings lavaan refuses must be refused here, and the
strings lavaan accepts but silently changes are refused here with a message.
"""

from __future__ import annotations

import json
import math
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilb_eval.exceptions import SpecError
from ilb_eval.sem.syntax import (
    ModelSyntaxError,
    Modifiers,
    ParsedModel,
    latent_names,
    observed_names,
    parse_model,
)

REFERENCES = Path(__file__).resolve().parents[1] / "fixtures" / "lavaan" / "syntax" / "parse_references.json"
CASES = json.loads(REFERENCES.read_text(encoding="utf-8"))["cases"]


def _cases(kind: str) -> list:
    return [pytest.param(case, id=case["name"]) for case in CASES if case["kind"] == kind]


def test_reference_corpus_covers_every_kind():
    kinds = [case["kind"] for case in CASES]
    assert kinds.count("accepted") >= 40
    assert kinds.count("lavaan_error") >= 20
    assert kinds.count("refused_here") >= 20


def _same_vector(ours: tuple, reference: list | None, *, labels: bool) -> bool:
    """lavaan's modifier vector (None: not given; NA -> None; label "" -> None) equals ours."""
    if reference is None:
        return ours == ()
    if len(ours) != len(reference):
        return False
    for mine, theirs in zip(ours, reference, strict=True):
        if labels:
            if mine != (theirs or None):
                return False
        elif theirs is None or mine is None:
            if mine is not theirs:
                return False
        elif not math.isclose(mine, theirs, rel_tol=1e-15, abs_tol=0.0):
            return False
    return True


@pytest.mark.parametrize("case", _cases("accepted"))
def test_terms_equal_lavaan(case):
    model = parse_model(case["model"])
    assert case["warnings"] == [], "the corpus of accepted models is free of lavaan warnings"
    ours = [(t.lhs, t.op, t.rhs) for t in model.terms]
    theirs = [(t["lhs"], t["op"], t["rhs"]) for t in case["terms"]]
    assert ours == theirs
    for term, reference in zip(model.terms, case["terms"], strict=True):
        for name in ("fixed", "start", "lower", "upper", "label"):
            mine = getattr(term.modifiers, name)
            assert _same_vector(mine, reference[name], labels=name == "label"), (
                f"{term.lhs} {term.op} {term.rhs}: {name} {mine} != lavaan {reference[name]}")


@pytest.mark.parametrize("case", _cases("accepted"))
def test_constraints_and_definitions_equal_lavaan(case):
    model = parse_model(case["model"])
    statements = sorted(
        [(c.line, c.column, c.lhs.text, c.op, c.rhs.text) for c in model.constraints]
        + [(d.line, d.column, d.name, ":=", d.expression.text) for d in model.definitions]
    )
    ours = [(lhs, op, rhs) for _, _, lhs, op, rhs in statements]
    theirs = [(c["lhs"], c["op"], c["rhs"]) for c in case["constraints"]]
    assert ours == theirs


@pytest.mark.parametrize("case", _cases("accepted"))
def test_variable_names_equal_lavnames(case):
    terms = parse_model(case["model"]).terms
    assert list(latent_names(terms)) == case["lv_names"]
    assert list(observed_names(terms)) == case["ov_names"]


@pytest.mark.parametrize("case", _cases("lavaan_error"))
def test_what_lavaan_refuses_is_refused(case):
    assert "error" in case
    with pytest.raises(ModelSyntaxError):
        parse_model(case["model"])


@pytest.mark.parametrize("case", _cases("refused_here"))
def test_what_lavaan_silently_changes_is_refused_with_a_message(case):
    assert "error" not in case, "lavaan accepts these (its parse is in the reference file)"
    with pytest.raises(ModelSyntaxError, match=r"model syntax, line \d+, column \d+: expected .*, found .*Fix: "):
        parse_model(case["model"])


# -- details the reference corpus does not show --------------------------------------------


def test_terms_carry_their_position_in_the_original_text():
    text = "# loadings\nf =~ x1 +\n     a*x2   # label\n\ny ~ 1 + f"
    terms = parse_model(text).terms
    assert [(t.rhs, t.line, t.column) for t in terms] == [
        ("x1", 2, 6), ("x2", 3, 6), ("", 5, 5), ("f", 5, 9)]


def test_positions_of_constraints_and_definitions():
    model = parse_model("y ~ a*x + b*z\n  ab := a*b\n a == b")
    assert (model.definitions[0].line, model.definitions[0].column) == (2, 3)
    assert (model.constraints[0].line, model.constraints[0].column) == (3, 2)


def test_windows_line_ends_parse_as_unix_line_ends():
    unix = "f =~ x1 + x2 +\n  x3\ny ~ f # c\n"
    assert _flat(parse_model(unix.replace("\n", "\r\n"))) == _flat(parse_model(unix))


def test_comment_on_the_last_line_without_newline_is_a_comment():
    assert _flat(parse_model("y ~ x # no newline after this")) == _flat(parse_model("y ~ x"))


def test_unicode_letters_in_names():
    terms = parse_model("Zufriedenheit =~ zuf_ä1 + zuf_ö2 + Größe").terms
    assert [t.rhs for t in terms] == ["zuf_ä1", "zuf_ö2", "Größe"]


def test_modifiers_default_to_not_given():
    term = parse_model("y ~ x").terms[0]
    assert term.modifiers == Modifiers()


def test_model_with_only_constraints_parses():
    """wald_test("a == b") reads constraints with the same parser."""
    model = parse_model("a == b; c > 0")
    assert model.terms == () and [c.op for c in model.constraints] == ["==", ">"]


def test_model_syntax_error_is_a_spec_error_and_a_value_error():
    with pytest.raises(SpecError):
        parse_model("y ~")
    with pytest.raises(ValueError):
        parse_model("y ~")


def test_model_that_is_not_text():
    with pytest.raises(ModelSyntaxError, match="found a int"):
        parse_model(3)  # type: ignore[arg-type]


def _flat(model: ParsedModel) -> list:
    return [(t.lhs, t.op, t.rhs, t.modifiers) for t in model.terms]


# -- error messages: line, column, expected, found, fix --------------------------------------

ERRORS = [
    # (model, line, column, expected contains, found contains, fix contains)
    ("", 1, 1, "at least one statement", "an empty model", "one statement per line"),
    ("\n# only a comment\n", 1, 1, "at least one statement", "only comments", "lavaan syntax"),
    ("f =~ x1 + x2\n\nx3 + x4\ny ~ f", 3, 1, "'+' or the end of the statement", "'x3'", "join the terms"),
    ("x1 + x2\nf =~ x1", 1, 1, "a statement with an operator", "on a line without an operator", "comment"),
    ("f =~ x1 +\n  x2 +\n", 2, 7, "a variable name after '+'", "the end of the statement", "extra '+'"),
    ("y ~ x +\n + z", 2, 2, "a variable name after '+'", "'+'", "extra '+'"),
    ("y ~", 1, 4, "a variable name after '~'", "the end of the statement", "right-hand side"),
    ("=~ x1", 1, 1, "a variable name before '=~'", "'=~' at the start", "name first"),
    ("f =~ x1 + (x2", 1, 14, "')' to close the '(' of line 1, column 11", "the end of the statement", "missing ')'"),
    ("f =~ x1 + x2)", 1, 13, "a ')' only after a matching '('", "without a matching '('", "remove the ')'"),
    ("f =~ a* + x2", 1, 9, "a variable name after '*'", "'+'", "variable the modifier belongs to"),
    ("f =~ *x1", 1, 6, "a modifier", "'*' at the start of the term", "a*x1"),
    ("y ~ a*start(0.5)*x", 1, 7, "one modifier before the variable", "a second modifier 'start(0.5)'", "y ~ a*x + start(0.5)*x"),
    ("y ~ start(1)*a*x", 1, 14, "one modifier", "a second modifier 'a'", "its own term"),
    ("y ~ a*x + b*x", 1, 11, "one label per term", "a second label for 'x'", "give the label once"),
    ("f =~ x1 + 2", 1, 11, "a variable name", "the number '2'", "2*x"),
    ("y ~ 2", 1, 5, "a variable name", "the number '2'", "'2*1'"),
    ("f =~ 1 + x1", 1, 6, "a variable name", "the number '1'", "'x ~ 1'"),
    ("y ~ a*0", 1, 7, "a variable name", "the number '0'", "'0*1'"),
    ("y ~ \"1\"*x", 1, 5, "a label starting with a letter", "the label '1', which is a number", "a1"),
    ("y ~ c(a1, 1)*x", 1, 11, "only labels or only numbers", "mixed", "c(a1, a2)*x + c(1, NA)*x"),
    ("y ~ c(1, \"b\")*x", 1, 10, "only labels or only numbers", "mixed", "two terms"),
    ("y ~ c(a1, NA)*x", 1, 11, "unquoted labels only", "NA among unquoted labels", "c(\"a1\", NA)"),
    ("y ~ c()*x", 1, 7, "at least one value in c()", "'c()'", "c(\"a1\", \"a2\")"),
    ("y ~ start(a)*x", 1, 11, "numbers or NA in start()", "the label 'a'", "start(0.5)"),
    ("y ~ label(1)*x", 1, 11, "labels in label()", "a number ('1')", "a1"),
    ("y ~ -a*x", 1, 6, "a modifier", "'-a', arithmetic with the name 'a'", "-1*x"),
    ("y ~ foo(1)*x", 1, 5, "one of the functions exp, log", "the function 'foo'", "these functions"),
    ("a*y ~ x", 1, 1, "a variable name before '~'", "a modifier on the left-hand side", "right-hand side"),
    ("1 ~ x", 1, 1, "a variable name before '~'", "the number '1'", "'y ~ 1'"),
    ("y ~ x; y ~ x", 1, 12, "each parameter once", "'y ~ x' again (first on line 1, column 5)", "remove the repetition"),
    ("x1 ~~ x2\nx2 ~~ x1", 2, 7, "each parameter once", "'x2 ~~ x1' again (first on line 1, column 7)", "remove"),
    ("y ~ 1\ny ~ a*1", 2, 5, "each parameter once", "'y ~ 1' again", "remove"),
    ("f =~ f + x1", 1, 6, "indicators of 'f' other than itself", "'f =~ f'", "measured by itself"),
    ("y ~ y", 1, 5, "predictors of 'y' other than itself", "'y ~ y'", "cannot predict itself"),
    ("NA ~ x", 1, 1, "a variable name", "'NA', a reserved word in R", "NA*x"),
    ("y ~ x + TRUE", 1, 9, "a variable name", "'TRUE', a reserved word", "rename"),
    ("y ~ in*x", 1, 5, "a label", "'in', a reserved word", "rename"),
    ("y ~ 1x", 1, 5, "a variable name", "'1x'", "start the name with a letter"),
    ("y ~ x @ z", 1, 7, "a variable name, a number or an operator", "the character '@'", "remove it"),
    ("y ~ 'x", 1, 5, "a closing ' on the same line", "'x without it", "close the label"),
    ("f = ~ x", 1, 3, "'=~', '==' or ':='", "'=' alone", "no space between '=' and '~'"),
    ("f =~ x1 + x2 g =~ x3", 1, 14, "'+' or the end of the statement", "'g'", "join the terms"),
    ("y ~ x ~ z", 1, 7, "'+' or the end of the statement", "'~'", "one operator per statement"),
    ("y ~ x - z", 1, 7, "'+' or the end of the statement", "'-'", "-1*x"),
    ("y ~ start(1) x", 1, 14, "'*' after the modifier start(...)", "'x'", "'start(...)*x'"),
    ("y ~ c(a, b)", 1, 12, "'*' after the modifier c(...)", "the end of the statement", "'c(...)*x'"),
    ("y ~ a x", 1, 7, "'+' or the end of the statement", "'x'", "a modifier to its variable with '*'"),
    ("y ~ log(x)", 1, 5, "a variable name", "the function 'log(...)' of a variable", "compute the transformed column"),
    ("y ~ x1:x2", 1, 7, "'+' or the end of the statement", "interaction term", "product in the data"),
    ("group: 1\ny ~ x", 1, 6, "without 'group:' blocks", "':'", "use c(a, b)*x"),
    ("level: 1\ny ~ x", 1, 6, "a single-level model", "':'", "cluster= option"),
    ("y | t1", 1, 3, "continuous variables", "'|'", "ordinal"),
    ("f <~ x1 + x2", 1, 3, "a reflective model", "'<~'", "composite"),
    ("y ~*~ y", 1, 3, "continuous variables", "'~*~'", "ordinal"),
    ("efa(\"b\")*f1 =~ x1", 1, 1, "a modifier the engine fits", "'efa()'", "CFA"),
    ("y ~ rv(\"b\")*x", 1, 5, "a modifier the engine fits", "'rv()'", "two-level"),
    ("ab :=", 1, 6, "an expression after ':='", "the end of the statement", "ab := a*b"),
    ("a*b := c", 1, 2, "a single name before ':='", "'*'", "ab := a*b"),
    (":= a", 1, 1, "a single name before ':='", "':=' at the start", "ab := a*b"),
    ("== b", 1, 1, "an expression before '=='", "'==' at the start", "a == b"),
    ("ab := a*", 1, 9, "a number, a label or '(' after '*'", "the end of the statement", "complete the expression"),
    ("ab := a b", 1, 9, "an operator (+ - * / ^) or the end", "'b'", "join the parts"),
    ("ab := log(a, 2)", 1, 12, "one argument of log()", "','", "log(x)/log(base)"),
    ("ab := foo(a)", 1, 7, "one of the functions", "the function 'foo'", "these functions"),
    ("a < b < c", 1, 7, "one operator per statement", "'<'", "its own line"),
    ("ab := a\n  + b +", 2, 8, "a number, a label or '(' after '+'", "the end of the statement", "complete"),
]


@pytest.mark.parametrize(("model", "line", "column", "expected", "found", "fix"), ERRORS,
                         ids=[repr(e[0]) for e in ERRORS])
def test_error_names_line_column_expected_found_and_fix(model, line, column, expected, found, fix):
    with pytest.raises(ModelSyntaxError) as caught:
        parse_model(model)
    error = caught.value
    assert (error.line, error.column) == (line, column)
    assert expected in error.expected
    assert found in error.found
    assert fix in error.fix
    assert str(error).startswith(f"model syntax, line {line}, column {column}: expected {error.expected}, "
                                 f"found {error.found}. Fix: ")


def test_error_survives_copying_as_worker_processes_do():
    """joblib workers send errors back through __reduce__, which copy uses too."""
    import copy

    with pytest.raises(ModelSyntaxError) as caught:
        parse_model("y ~")
    twin = copy.deepcopy(caught.value)
    assert (twin.line, twin.column, twin.fix, str(twin)) == (
        caught.value.line, caught.value.column, caught.value.fix, str(caught.value))


# -- fuzzing: anything but a ModelSyntaxError is a bug ------------------------------------------

_PIECES = [
    "f", "x1", "x2", "y", "a", "b", "NA", "c(", "start(", "label(", "equal(", "lower(", "upper(", "efa(",
    "sqrt(", "exp(", "foo(", ")", "(", ",", "=~", "~", "~~", "~1", ":=", "==", "<", ">", ":", "|", "%",
    "<~", "~*~", "+", "-", "*", "/", "^", "?", "0", "1", "2", ".5", "1e-3", "-1", "\"a\"", "'b'", "\"",
    "#", "!", ";", "\n", " ", "\t", "=", "group", "level", "in", "TRUE", "@", "ä", "_", ".", "1a",
]


def _check_outcome(text: str) -> None:
    try:
        model = parse_model(text)
    except ModelSyntaxError as error:
        lines = text.split("\n")
        assert 1 <= error.line <= len(lines)
        assert 1 <= error.column <= len(lines[error.line - 1]) + 1
        assert error.expected and error.found and error.fix
    else:
        assert isinstance(model, ParsedModel)
        assert model.terms or model.constraints or model.definitions
        for term in model.terms:
            assert term.op in ("=~", "~", "~~", "~1")
            assert term.lhs and (term.rhs or term.op == "~1")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map(" ".join))
def test_fuzz_token_soup_gives_a_model_or_a_syntax_error(text):
    _check_outcome(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_fuzz_glued_tokens_give_a_model_or_a_syntax_error(text):
    _check_outcome(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.printable + "äöü˜\u00a0", max_size=60))
def test_fuzz_random_text_gives_a_model_or_a_syntax_error(text):
    _check_outcome(text)


_NAMES = st.sampled_from(["f", "g", "x1", "x2", "x3", "y"])
_MODIFIERS = st.sampled_from(["", "a*", "0.5*", "NA*", "start(1)*", "c(l1, l2)*", "c(1, NA)*", "-1*", "0.5?"])


@st.composite
def _valid_statements(draw) -> str:
    op = draw(st.sampled_from(["=~", "~", "~~"]))
    lhs = draw(_NAMES)
    rhs = draw(st.lists(st.tuples(_MODIFIERS, _NAMES), min_size=1, max_size=4))
    return f"{lhs} {op} " + " + ".join(m + n for m, n in rhs)


@settings(max_examples=300, deadline=None)
@given(st.lists(_valid_statements(), min_size=1, max_size=4).map("\n".join))
def test_fuzz_well_formed_statements_give_a_model_or_a_syntax_error(text):
    _check_outcome(text)
