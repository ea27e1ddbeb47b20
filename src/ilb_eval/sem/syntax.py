"""lavaan model syntax -> a flat list of terms, as lavaan's ``lavParseModelString``.

Each statement ``lhs op rhs`` becomes one :class:`Term` per pair of left- and
right-hand names (``i + s ~ x1 + x2`` gives four), with the modifiers written
before ``*`` on the right (fixed value, ``NA``, label, ``start()``, ``lower()``,
``upper()``, ``v?`` start value, per-group vectors ``c(...)``). ``y ~ 1`` is an
intercept (operator ``~1``, rhs ``""``). ``:=`` gives a :class:`Definition`,
``==``, ``<``, ``>`` a :class:`Constraint`. Statements end at a line break or
``;``; a line without an operator continues the statement before it.
Covariances are ordered as lavaan orders them (latent before observed, in
order of appearance), so ``y2 ~~ y1`` after ``y1 ~ x; y2 ~ x`` reads
``y1 ~~ y2``.

Where lavaan silently drops or changes what was written, this parser refuses
with a message instead: several modifiers chained on one term
(``a*start(1)*x``: lavaan keeps only ``a``), two labels for one term,
``c(a1, NA)`` (lavaan drops the NA and labels every group ``a1``), numbers and
labels mixed in ``c()``, modifiers on the left-hand side, ``y ~ 2`` (lavaan
fixes the intercept to 0), a term given twice in two statements (lavaan
ignores the second), white space inside a name (lavaan removes all white
space, so ``x 1`` is ``x1``) and names continued on the next line without
``+``. Constructs the engine does not fit (``group:``/``level:`` blocks,
``efa()``, thresholds ``|``, ``~*~``, ``<~``, ``%``, interactions ``x1:x2``)
are refused with what to do instead. Every message names the line and column
of the original text, what was expected, what was found and a fix.

>>> model = parse_model('''
...     visual =~ x1 + a*x2 + start(0.8)*x3
...     y ~ c(b1, b2)*visual + 1
...     ab := a*b1
... ''')
>>> [(t.lhs, t.op, t.rhs) for t in model.terms]
[('visual', '=~', 'x1'), ('visual', '=~', 'x2'), ('visual', '=~', 'x3'), ('y', '~', 'visual'), ('y', '~1', '')]
>>> model.terms[3].modifiers.label, model.terms[2].modifiers.start
(('b1', 'b2'), (0.8,))
>>> model.definitions[0].name, model.definitions[0].expression.text
('ab', 'a*b1')
>>> parse_model("f =~ x1 + \\n   + x2")
Traceback (most recent call last):
...
ilb_eval.sem.lexer.ModelSyntaxError: model syntax, line 2, column 4: expected a variable name after '+', found '+'. Fix: remove the extra '+' or write the missing variable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

from ilb_eval.sem.expressions import FUNCTIONS, Expression, parse_expression_tokens
from ilb_eval.sem.lexer import ModelSyntaxError, Token, describe, tokenize

__all__ = [
    "Constraint",
    "Definition",
    "ModelSyntaxError",
    "Modifiers",
    "ParsedModel",
    "Term",
    "latent_names",
    "observed_names",
    "parse_model",
]

#: lavaan's operators, in the order in which lavaan decides which one a statement uses.
_OPERATORS = ("=~", "<~", "~*~", "~~", "~", "==", "<", ">", ":=", ":", "|", "%")
_MODEL_OPERATORS = ("=~", "~", "~~")
_CONSTRAINT_OPERATORS = ("==", "<", ">")
#: R's reserved words: lavaan refuses them as names and labels.
_RESERVED = frozenset({
    "if", "else", "repeat", "while", "function", "for", "in", "next", "break", "TRUE", "FALSE",
    "NULL", "Inf", "NaN", "NA", "NA_integer_", "NA_real_", "NA_character_", "NA_complex_",
})
_VALUE_FUNCTIONS = ("start", "lower", "upper")
_LABEL_FUNCTIONS = ("label", "equal")
_MODIFIER_FUNCTIONS = ("c", *_VALUE_FUNCTIONS, *_LABEL_FUNCTIONS)
_UNSUPPORTED_FUNCTIONS = {
    "rv": "random slopes (rv()) need a two-level model, which the engine does not fit",
    "prior": "priors (prior()) belong to Bayesian estimation (blavaan); the engine fits ML and MLR",
    "efa": "EFA blocks (efa()) are not supported; write the loadings as a CFA with '=~'",
}
_SEVERAL_MODIFIERS_FIX = (
    "give each modifier its own term, which lavaan merges, e.g. 'y ~ a*x + start(0.5)*x' "
    "(of a chain like a*start(0.5)*x lavaan keeps only the label)"
)


@dataclass(frozen=True)
class Modifiers:
    """The modifiers of one term, each a vector over groups.

    A vector of length 1 applies to every group; ``()`` means not given.
    In ``fixed``, ``start``, ``lower`` and ``upper`` ``None`` is R's ``NA``
    (``NA*x``: explicitly free); in ``label`` ``None`` is no label at that
    group position.
    """

    fixed: tuple[float | None, ...] = ()
    start: tuple[float | None, ...] = ()
    label: tuple[str | None, ...] = ()
    lower: tuple[float | None, ...] = ()
    upper: tuple[float | None, ...] = ()

    def merged(self, other: Modifiers, at: Token, rhs: str) -> Modifiers:
        """Both sets of modifiers of a term written twice in one statement."""
        changes = {}
        for item in fields(self):
            mine, theirs = getattr(self, item.name), getattr(other, item.name)
            if mine and theirs:
                kind = "label" if item.name == "label" else f"{item.name} value"
                raise ModelSyntaxError(
                    line=at.line, column=at.column, expected=f"one {kind} per term",
                    found=f"a second {kind} for '{rhs or '1'}'",
                    fix=f"give the {kind} once (lavaan would silently keep the first)",
                )
            if theirs:
                changes[item.name] = theirs
        return replace(self, **changes)


@dataclass(frozen=True)
class Term:
    """One ``lhs op rhs`` of the model after expansion of ``a + b ~ x + y``.

    ``op`` is ``"=~"``, ``"~"``, ``"~~"`` or ``"~1"`` (intercept, ``rhs == ""``).
    ``line`` and ``column`` locate the right-hand term in the original text.
    """

    lhs: str
    op: str
    rhs: str
    modifiers: Modifiers
    line: int
    column: int


@dataclass(frozen=True)
class Constraint:
    """A constraint ``lhs op rhs`` with ``op`` one of ``"=="``, ``"<"``, ``">"``."""

    lhs: Expression
    op: str
    rhs: Expression
    line: int
    column: int


@dataclass(frozen=True)
class Definition:
    """A defined parameter ``name := expression``."""

    name: str
    expression: Expression
    line: int
    column: int


@dataclass(frozen=True)
class ParsedModel:
    """The statements of a model: terms, constraints and definitions, in order."""

    terms: tuple[Term, ...]
    constraints: tuple[Constraint, ...]
    definitions: tuple[Definition, ...]


def parse_model(text: str) -> ParsedModel:
    """Parse lavaan model syntax into terms, constraints and definitions.

    Parameters
    ----------
    text:
        The model in lavaan syntax: statements on separate lines or separated
        by ``;``, comments from ``#`` or ``!`` to the end of the line.

    Returns
    -------
    ParsedModel

    Raises
    ------
    ModelSyntaxError
        For anything that is not valid lavaan syntax or that the engine does not
        fit, with the line, column, what was expected and found, and a fix.

    >>> parse_model("i =~ 1*y1 + 1*y2; s =~ 0*y1 + 1*y2").terms[2].modifiers.fixed
    (0.0,)
    >>> parse_model("y ~ x1 x2")
    Traceback (most recent call last):
    ...
    ilb_eval.sem.lexer.ModelSyntaxError: model syntax, line 1, column 8: expected '+' or the end of the statement, found 'x2'. Fix: join the terms with '+', e.g. 'y ~ x1 + x2', and a modifier to its variable with '*', e.g. 'a*x1'; a name has no spaces.
    """
    if not isinstance(text, str):
        raise ModelSyntaxError(
            line=1, column=1, expected="the model syntax as text", found=f"a {type(text).__name__}",
            fix="pass the model as a string, e.g. 'f =~ x1 + x2 + x3'",
        )
    statements = _statements(tokenize(text))
    if not statements:
        raise ModelSyntaxError(
            line=1, column=1, expected="at least one statement such as 'f =~ x1 + x2 + x3'",
            found="an empty model" if not text.strip() else "only comments and blank lines",
            fix="write the model in lavaan syntax, one statement per line",
        )
    builder = _Builder()
    for statement in statements:
        builder.add(statement)
    return ParsedModel(
        terms=_order_covariances(builder.terms),
        constraints=tuple(builder.constraints),
        definitions=tuple(builder.definitions),
    )


def latent_names(terms: Sequence[Term]) -> tuple[str, ...]:
    """Latent variables: the left-hand sides of ``=~``, in order of appearance.

    >>> latent_names(parse_model("f2 =~ y1 + y2; f1 =~ y3 + y4").terms)
    ('f2', 'f1')
    """
    return tuple(dict.fromkeys(t.lhs for t in terms if t.op == "=~"))


def observed_names(terms: Sequence[Term]) -> tuple[str, ...]:
    """Observed variables in lavaan's order (``lavNames(type = "ov")``, one block).

    Indicators come first, then outcomes of regressions, then their predictors,
    then variables that appear only in ``~~`` or ``~1`` terms.

    >>> observed_names(parse_model("f =~ y1 + y2; f ~ x; z ~~ y1").terms)
    ('y1', 'y2', 'x', 'z')
    """
    latent = set(latent_names(terms))
    indicators = [n for n in dict.fromkeys(t.rhs for t in terms if t.op == "=~") if n not in latent]
    outcomes = [n for n in dict.fromkeys(t.lhs for t in terms if t.op == "~")
                if n not in latent and n not in indicators]
    predictors = [n for n in dict.fromkeys(t.rhs for t in terms if t.op == "~")
                  if n not in latent and n not in indicators and n not in outcomes]
    ordered = indicators + outcomes + predictors
    covariances = [t.lhs for t in terms if t.op == "~~" and t.lhs not in latent]
    covariances += [t.rhs for t in terms if t.op == "~~" and t.rhs not in latent]
    intercepts = [t.lhs for t in terms if t.op == "~1" and t.lhs not in latent]
    ordered += [n for n in dict.fromkeys(covariances + intercepts) if n not in ordered]
    return tuple(ordered)


def _order_covariances(terms: list[Term]) -> tuple[Term, ...]:
    """Write each covariance with the earlier variable first (lavaan's reorder)."""
    position = {name: i for i, name in enumerate(latent_names(terms) + observed_names(terms))}
    return tuple(
        replace(t, lhs=t.rhs, rhs=t.lhs)
        if t.op == "~~" and position[t.lhs] > position[t.rhs] else t
        for t in terms
    )


def _statements(tokens: list[Token]) -> list[list[Token]]:
    """Group tokens into statements: a line without an operator continues the one before."""
    segments: list[list[Token]] = [[]]
    for token in tokens:
        if token.kind in ("newline", "semicolon"):
            segments.append([])
        else:
            segments[-1].append(token)
    statements: list[list[Token]] = []
    for segment in filter(None, segments):
        starts_efa = segment[0].value == "efa" and len(segment) > 1 and segment[1].text == "("
        if starts_efa or any(t.kind == "op" and t.text in _OPERATORS for t in segment):
            statements.append(list(segment))
        elif statements:
            statements[-1].extend(segment)
        else:
            raise ModelSyntaxError(
                line=segment[0].line, column=segment[0].column,
                expected="a statement with an operator, e.g. 'f =~ x1 + x2' or 'y ~ x'",
                found=f"{describe(segment[0])} on a line without an operator",
                fix="add the operator, or start the line with '#' to make it a comment",
            )
    return statements


def _end(tokens: Sequence[Token]) -> tuple[int, int]:
    return tokens[-1].line, tokens[-1].end_column


def _error_at(token: Token | None, end: tuple[int, int], *, expected: str, fix: str,
              found: str | None = None) -> ModelSyntaxError:
    line, column = (token.line, token.column) if token is not None else end
    return ModelSyntaxError(line=line, column=column, expected=expected,
                            found=describe(token) if found is None else found, fix=fix)


def _split(tokens: Sequence[Token], separator: str) -> list[tuple[Token | None, list[Token]]]:
    """Split at separators outside parentheses: (separator before the part, part)."""
    parts: list[tuple[Token | None, list[Token]]] = [(None, [])]
    depth = 0
    for token in tokens:
        if token.kind == "op" and token.text == "(":
            depth += 1
        elif token.kind == "op" and token.text == ")":
            depth -= 1
        if depth == 0 and token.kind == "op" and token.text == separator:
            parts.append((token, []))
        else:
            parts[-1][1].append(token)
    return parts


def _top_level(tokens: Sequence[Token], texts: tuple[str, ...]) -> list[int]:
    """Indices of operator tokens with one of ``texts`` outside parentheses."""
    found, depth = [], 0
    for i, token in enumerate(tokens):
        if token.kind == "op" and token.text == "(":
            depth += 1
        elif token.kind == "op" and token.text == ")":
            depth -= 1
        elif depth == 0 and token.kind == "op" and token.text in texts:
            found.append(i)
    return found


def _check_parentheses(statement: Sequence[Token]) -> None:
    opened: list[Token] = []
    for token in statement:
        if token.kind == "op" and token.text == "(":
            opened.append(token)
        elif token.kind == "op" and token.text == ")":
            if not opened:
                raise ModelSyntaxError(
                    line=token.line, column=token.column, expected="a ')' only after a matching '('",
                    found="')' without a matching '('", fix="remove the ')' or add the '(' it closes",
                )
            opened.pop()
    if opened:
        line, column = _end(statement)
        raise ModelSyntaxError(
            line=line, column=column,
            expected=f"')' to close the '(' of line {opened[-1].line}, column {opened[-1].column}",
            found="the end of the statement", fix="add the missing ')'",
        )


def _check_name(token: Token, what: str) -> str:
    if token.value in _RESERVED:
        fix = ("NA frees a parameter as a modifier ('NA*x'); a variable needs another name"
               if token.value == "NA" else "rename it; R's reserved words cannot be names")
        raise ModelSyntaxError(
            line=token.line, column=token.column, expected=what,
            found=f"'{token.value}', a reserved word in R", fix=fix,
        )
    return token.value


def _check_label(value: str, token: Token) -> str | None:
    """A quoted label: '' means no label, as in lavaan; a number is refused."""
    if not value:
        return None
    try:
        float(value)
    except ValueError:
        return value
    raise ModelSyntaxError(
        line=token.line, column=token.column, expected="a label starting with a letter",
        found=f"the label '{value}', which is a number",
        fix="labels are names such as 'a1'; to fix the parameter to a value write the number without quotes, e.g. 1*x",
    )


@dataclass(frozen=True)
class _Argument:
    kind: str  # "NA", "name", "string", "number"
    token: Token
    number: float | None = None


class _Builder:
    """Collects the terms, constraints and definitions statement by statement."""

    def __init__(self) -> None:
        self.terms: list[Term] = []
        self.constraints: list[Constraint] = []
        self.definitions: list[Definition] = []
        self._seen: dict[tuple[str, str, str], Term] = {}

    def add(self, statement: list[Token]) -> None:
        _check_parentheses(statement)
        present = {t.text for t in statement if t.kind == "op"}
        op = next((o for o in _OPERATORS if o in present), None)
        if op is None:  # a line of lavaan's efa("name")* left-hand modifiers
            raise _unsupported_function(statement[0])
        k = next(i for i, t in enumerate(statement) if t.kind == "op" and t.text == op)
        lhs, op_token, rhs = statement[:k], statement[k], statement[k + 1:]
        if op in _MODEL_OPERATORS:
            self._model_statement(lhs, op_token, rhs)
        elif op == ":=":
            self._definition(lhs, op_token, rhs)
        elif op in _CONSTRAINT_OPERATORS:
            self._constraint(lhs, op_token, rhs)
        else:
            raise _unsupported_operator(lhs, op_token, rhs)

    # -- := and constraints ------------------------------------------------------

    def _expression(self, tokens: list[Token], op_token: Token, side: str) -> Expression:
        if not tokens:
            where = f"before '{op_token.text}'" if side == "left" else f"after '{op_token.text}'"
            found = f"'{op_token.text}' at the start of the statement" if side == "left" else None
            raise _error_at(None if side == "right" else op_token, (op_token.line, op_token.end_column),
                            expected=f"an expression {where}", found=found,
                            fix="write both sides, e.g. 'a == b' or 'ab := a*b'")
        for token in tokens:
            if token.kind == "op" and token.text in _OPERATORS:
                raise _error_at(token, _end(tokens), expected="one operator per statement",
                                fix="put each statement on its own line or separate them with ';'")
        return parse_expression_tokens(tokens, end=_end(tokens))

    def _definition(self, lhs: list[Token], op_token: Token, rhs: list[Token]) -> None:
        if len(lhs) != 1 or lhs[0].kind != "name":
            token = lhs[1] if len(lhs) > 1 else (lhs[0] if lhs else op_token)
            found = f"'{op_token.text}' at the start of the statement" if not lhs else None
            raise _error_at(token, _end(lhs or [op_token]), expected="a single name before ':='",
                            found=found, fix="name the defined parameter, e.g. 'ab := a*b'")
        name = _check_name(lhs[0], "a name for the defined parameter")
        expression = self._expression(rhs, op_token, "right")
        self.definitions.append(Definition(name, expression, lhs[0].line, lhs[0].column))

    def _constraint(self, lhs: list[Token], op_token: Token, rhs: list[Token]) -> None:
        left = self._expression(lhs, op_token, "left")
        right = self._expression(rhs, op_token, "right")
        self.constraints.append(Constraint(left, op_token.text, right, lhs[0].line, lhs[0].column))

    # -- =~ ~ ~~ ---------------------------------------------------------------------

    def _model_statement(self, lhs: list[Token], op_token: Token, rhs: list[Token]) -> None:
        op = op_token.text
        names = self._lhs_names(lhs, op_token)
        items = self._rhs_items(rhs, op_token)
        for name_token in names:
            name = name_token.value
            for rhs_name, modifiers, at in items:
                term_op = op
                if rhs_name is None:  # `f =~ 0`: lavaan writes f =~ f, fixed at 0
                    rhs_name = name
                else:
                    self._check_self(name, op, rhs_name, at)
                if rhs_name == "":
                    term_op = "~1"
                self._check_duplicate(name, term_op, rhs_name, at)
                term = Term(name, term_op, rhs_name, modifiers, at.line, at.column)
                key = (name, term_op, rhs_name)
                if term_op == "~~":
                    key = (min(name, rhs_name), "~~", max(name, rhs_name))
                self._seen[key] = term
                self.terms.append(term)

    @staticmethod
    def _check_self(lhs: str, op: str, rhs: str, at: Token) -> None:
        if op == "=~" and lhs == rhs:
            raise ModelSyntaxError(
                line=at.line, column=at.column, expected=f"indicators of '{lhs}' other than itself",
                found=f"'{lhs} =~ {rhs}'", fix="a factor cannot be measured by itself; remove the term",
            )
        if op == "~" and lhs == rhs:
            raise ModelSyntaxError(
                line=at.line, column=at.column, expected=f"predictors of '{lhs}' other than itself",
                found=f"'{lhs} ~ {rhs}'", fix="a variable cannot predict itself; remove the term",
            )

    def _check_duplicate(self, lhs: str, op: str, rhs: str, at: Token) -> None:
        key = (lhs, op, rhs) if op != "~~" else (min(lhs, rhs), "~~", max(lhs, rhs))
        first = self._seen.get(key)
        if first is not None:
            shown = f"{lhs} {op} {rhs}".strip() if op != "~1" else f"{lhs} ~ 1"
            raise ModelSyntaxError(
                line=at.line, column=at.column, expected="each parameter once",
                found=f"'{shown}' again (first on line {first.line}, column {first.column})",
                fix="remove the repetition; several modifiers of one parameter go in one statement, "
                    "e.g. 'y ~ a*x + start(1)*x'",
            )

    def _lhs_names(self, lhs: list[Token], op_token: Token) -> list[Token]:
        op = op_token.text
        if not lhs:
            raise ModelSyntaxError(
                line=op_token.line, column=op_token.column, expected=f"a variable name before '{op}'",
                found=f"'{op}' at the start of the statement",
                fix="write the name first, e.g. 'f =~ x1 + x2' or 'y ~ x'",
            )
        names = []
        parts = _split(lhs, "+")
        for index, (separator, part) in enumerate(parts):
            if not part:
                following = parts[index + 1][0] if index + 1 < len(parts) else op_token
                token = following if separator is not None else lhs[0]
                raise ModelSyntaxError(
                    line=token.line, column=token.column,
                    expected="a variable name" + (" after '+'" if separator is not None else ""),
                    found=describe(token), fix="remove the extra '+' or write the missing variable",
                )
            first = part[0]
            if first.kind == "name" and len(part) > 1 and part[1].text == "(" and first.value in _UNSUPPORTED_FUNCTIONS:
                raise _unsupported_function(first)
            if _top_level(part, ("*", "?")):
                raise ModelSyntaxError(
                    line=first.line, column=first.column, expected=f"a variable name before '{op}'",
                    found="a modifier on the left-hand side", fix=(
                        "modifiers go on the right-hand side, e.g. 'x1 ~~ a*x2' or 'y ~ a*x' "
                        "(lavaan ignores them on the left)"),
                )
            if first.kind != "name":
                raise ModelSyntaxError(
                    line=first.line, column=first.column, expected=f"a variable name before '{op}'",
                    found=describe(first),
                    fix="an intercept is written 'y ~ 1'" if first.kind == "number"
                    else "start the statement with the variable's name",
                )
            if len(part) > 1:
                raise _error_at(part[1], _end(part), expected=f"'+' or '{op}'", fix=(
                    "join several left-hand names with '+', e.g. 'i + s ~ x'; a name has no spaces"))
            _check_name(first, "a variable name")
            names.append(first)
        return names

    def _rhs_items(self, rhs: list[Token], op_token: Token) -> list[tuple[str | None, Modifiers, Token]]:
        """The right-hand terms, duplicates merged: (name, modifiers, first token)."""
        op = op_token.text
        if rhs and rhs[0].kind == "op" and rhs[0].text == "+":
            rhs = rhs[1:]  # lavaan drops a leading '+' (pasted continuation lines)
        if not rhs:
            raise ModelSyntaxError(
                line=op_token.line, column=op_token.end_column,
                expected=f"a variable name after '{op}'", found="the end of the statement",
                fix="write the right-hand side, e.g. 'f =~ x1 + x2' or 'y ~ x'",
            )
        parts = _split(rhs, "+")
        merged: dict[str | None, tuple[Modifiers, Token]] = {}
        for index, (separator, part) in enumerate(parts):
            following = parts[index + 1][0] if index + 1 < len(parts) else None
            if not part:
                after = separator.text if separator is not None else op
                raise _error_at(following, _end(rhs), expected=f"a variable name after '{after}'",
                                fix="remove the extra '+' or write the missing variable")
            name, modifiers = self._rhs_item(part, op, following, _end(rhs),
                                             alone=len(parts) == 1)
            if name in merged:
                earlier, at = merged[name]
                merged[name] = (earlier.merged(modifiers, part[0], name or ""), at)
            else:
                merged[name] = (modifiers, part[0])
        return [(name, mods, at) for name, (mods, at) in merged.items()]

    def _rhs_item(self, item: list[Token], op: str, following: Token | None,
                  end: tuple[int, int], *, alone: bool) -> tuple[str | None, Modifiers]:
        separators = _top_level(item, ("*", "?"))
        if not separators:
            name = self._target(item, op, end, modified=False, alone=alone)
            if item[0].kind == "number" and float(item[0].text) == 0:  # `y ~ 0`, `f =~ 0`: lavaan fixes the term at 0
                return name, Modifiers(fixed=(0.0,))
            return name, Modifiers()
        k = separators[-1]
        modifier, separator, target = item[:k], item[k], item[k + 1:]
        if not target:
            raise _error_at(following, end, expected=f"a variable name after '{separator.text}'", fix=(
                "write the variable the modifier belongs to, e.g. 'a*x1'"))
        if not modifier:
            raise ModelSyntaxError(
                line=separator.line, column=separator.column,
                expected=f"a modifier (label, number, NA, start(...)) before '{separator.text}'",
                found=f"'{separator.text}' at the start of the term", fix="write e.g. 'a*x1' or '0.5*x1'",
            )
        modifiers = _modifiers(modifier, separator)
        name = self._target(target, op, end, modified=True, alone=alone)
        return name, modifiers

    def _target(self, target: list[Token], op: str, end: tuple[int, int], *, modified: bool,
                alone: bool) -> str | None:
        """The variable of a right-hand term: a name, "" for the intercept, None for `f =~ 0`."""
        first = target[0]
        if len(target) > 1:
            second = target[1]
            if second.kind == "op" and second.text == ":":
                raise ModelSyntaxError(
                    line=second.line, column=second.column, expected="'+' or the end of the statement",
                    found="':' (an interaction term)", fix=(
                        "interaction terms are not supported; compute the product in the data "
                        "(e.g. centred x1 times centred x2) and use that column's name"),
                )
            if first.kind == "name" and second.text == "(" and first.value in _MODIFIER_FUNCTIONS:
                closing = _matching_parenthesis(target, 1)
                after = target[closing + 1] if closing + 1 < len(target) else None
                raise _error_at(after, end, expected=f"'*' after the modifier {first.value}(...)",
                                fix=f"write the modifier, '*' and the variable, e.g. '{first.value}(...)*x'")
            if first.kind == "name" and second.kind == "op" and second.text == "(":
                raise ModelSyntaxError(
                    line=first.line, column=first.column, expected="a variable name",
                    found=f"the function '{first.value}(...)' of a variable", fix=(
                        "transformations are not part of the model; compute the transformed "
                        "column in the data and use its name"),
                )
            if second.kind == "op" and second.text in _OPERATORS:
                fix = "one operator per statement: put the next statement on its own line or after ';'"
            elif second.kind == "op" and second.text == "-":
                fix = "terms are joined with '+'; a negative fixed value is written '-1*x'"
            else:
                fix = ("join the terms with '+', e.g. 'y ~ x1 + x2', and a modifier to its variable "
                       "with '*', e.g. 'a*x1'; a name has no spaces")
            raise _error_at(second, end, expected="'+' or the end of the statement", fix=fix)
        if first.kind == "name":
            return _check_name(first, "a variable name")
        if first.kind == "number":
            value = float(first.text)
            if value == 1 and op == "~":
                return ""
            if value == 0 and op == "~" and not modified:
                return ""  # `y ~ 0`: R's formula idiom, lavaan fixes the intercept at 0
            if value == 0 and op == "=~" and alone and not modified:
                return None
            if value == 1:
                fix = f"an intercept is written 'x ~ 1'; '{op}' needs a variable name"
            elif value == 0 and op == "~":
                fix = "the intercept is the term '1': write e.g. 'a*1' or '0*1'"
            else:
                fix = (f"to fix a coefficient write the value before '*', e.g. '{first.text}*x'; "
                       f"to fix an intercept '{first.text}*1'")
            raise ModelSyntaxError(line=first.line, column=first.column,
                                   expected="a variable name", found=describe(first), fix=fix)
        if first.kind == "string":
            raise ModelSyntaxError(
                line=first.line, column=first.column, expected="a variable name", found=describe(first),
                fix="quotes are for labels, which go before '*': write e.g. '\"a\"*x' or 'a*x'",
            )
        raise _error_at(first, end, expected="a variable name", fix="write the variable's name")


def _modifiers(tokens: list[Token], separator: Token) -> Modifiers:
    """The modifier written before ``*`` (or ``?``) of one right-hand term."""
    end = _end(tokens)
    if separator.text == "?":
        return Modifiers(start=(_constant(tokens, "a start value (a number) before '?'"),))
    stars = _top_level(tokens, ("*", "?"))
    if stars:
        if any(t.kind in ("name", "string") and t.value not in FUNCTIONS for t in tokens):
            second = tokens[stars[0] + 1] if stars[0] + 1 < len(tokens) else tokens[stars[0]]
            raise ModelSyntaxError(
                line=second.line, column=second.column, expected="one modifier before the variable",
                found=f"a second modifier '{''.join(t.text for t in tokens[stars[0] + 1:])}'",
                fix=_SEVERAL_MODIFIERS_FIX,
            )
        return Modifiers(fixed=(_constant(tokens, "a number"),))
    first = tokens[0]
    if len(tokens) == 1:
        if first.kind == "name":
            if first.value == "NA":
                return Modifiers(fixed=(None,))
            return Modifiers(label=(_check_name(first, "a label"),))
        if first.kind == "string":
            return Modifiers(label=(_check_label(first.value, first),))
    if first.kind == "name" and len(tokens) > 1 and tokens[1].text == "(":
        if first.value in _UNSUPPORTED_FUNCTIONS:
            raise _unsupported_function(first)
        if first.value in _MODIFIER_FUNCTIONS:
            closing = _matching_parenthesis(tokens, 1)
            if closing != len(tokens) - 1:
                after = tokens[closing + 1]
                raise _error_at(after, end, expected="'*' after the modifier", fix=_SEVERAL_MODIFIERS_FIX
                                if after.kind != "op" else "write one modifier, then '*', then the variable")
            return _vector(tokens, first.value)
    elif first.kind in ("name", "string") and len(tokens) > 1:
        raise _error_at(tokens[1], end, expected="'*' between a modifier and its variable, or '+' between terms",
                        fix="write e.g. 'a*x1 + x2'")
    return Modifiers(fixed=(_constant(tokens, "a modifier: a label, a number, NA, c(...) or start(...)"),))


def _matching_parenthesis(tokens: Sequence[Token], opening: int) -> int:
    depth = 0
    for i in range(opening, len(tokens)):
        if tokens[i].kind == "op" and tokens[i].text == "(":
            depth += 1
        elif tokens[i].kind == "op" and tokens[i].text == ")":
            depth -= 1
            if depth == 0:
                return i
    raise AssertionError("parentheses were checked before")  # pragma: no cover


def _constant(tokens: list[Token], expected: str) -> float:
    """A number written as a constant expression (``-1``, ``2/3``, ``sqrt(2)``)."""
    expression = parse_expression_tokens(tokens, end=_end(tokens))
    if expression.names:
        name = sorted(expression.names)[0]
        token = next(t for t in tokens if t.value == name)
        raise ModelSyntaxError(
            line=token.line, column=token.column, expected=expected,
            found=f"'{expression.text}', arithmetic with the name '{name}'",
            fix="a label is a plain name before '*' (a*x); a fixed value is a number (-1*x)",
        )
    return float(expression.evaluate({}))


def _arguments(tokens: list[Token], function: str, *, nested: bool = False) -> list[_Argument]:
    """The values inside ``function( ... )``; ``tokens`` run from the name to ')'."""
    inner = tokens[2:-1]
    if not inner:
        raise ModelSyntaxError(
            line=tokens[-1].line, column=tokens[-1].column, expected=f"at least one value in {function}()",
            found=f"'{function}()'", fix=f"write the values, e.g. {function}(1, 2) for two groups"
            if function not in ("c", *_LABEL_FUNCTIONS) else f"write the values, e.g. {function}(\"a1\", \"a2\")",
        )
    arguments = []
    for separator, part in _split(inner, ","):
        if not part:
            token = separator or inner[0]
            raise ModelSyntaxError(
                line=token.line, column=token.column, expected=f"a value in {function}()",
                found="an empty value", fix="remove the extra ','",
            )
        first = part[0]
        if len(part) == 1 and first.kind == "name":
            kind = "NA" if first.value == "NA" else "name"
            if kind == "name":
                _check_name(first, "a label")
            arguments.append(_Argument(kind, first))
        elif len(part) == 1 and first.kind == "string":
            arguments.append(_Argument("string", first))
        elif first.kind == "name" and first.value == "c" and len(part) > 1 and part[1].text == "(":
            if nested:
                raise ModelSyntaxError(
                    line=first.line, column=first.column, expected="values", found="c() inside c()",
                    fix="write one vector, e.g. c(1, 2, 3)",
                )
            if _matching_parenthesis(part, 1) != len(part) - 1:
                after = part[_matching_parenthesis(part, 1) + 1]
                raise _error_at(after, _end(part), expected="',' or ')'", fix="separate values with ','")
            arguments.extend(_arguments(part, "c", nested=True))
        else:
            value = _constant(part, f"a number, NA or a label in {function}()")
            arguments.append(_Argument("number", first, value))
    return arguments


def _vector(tokens: list[Token], function: str) -> Modifiers:
    """``c(...)``, ``start(...)``, ``lower(...)``, ``upper(...)``, ``label(...)``, ``equal(...)``."""
    arguments = _arguments(tokens, function)
    kinds = {a.kind for a in arguments}
    if function in _VALUE_FUNCTIONS:
        bad = next((a for a in arguments if a.kind in ("name", "string")), None)
        if bad is not None:
            raise ModelSyntaxError(
                line=bad.token.line, column=bad.token.column, expected=f"numbers or NA in {function}()",
                found=describe(bad.token) if bad.kind == "string" else f"the label '{bad.token.value}'",
                fix=f"give {function}() numbers, e.g. {function}(0.5); a label goes before '*' as its own term",
            )
        values = tuple(a.number if a.kind == "number" else None for a in arguments)
        return Modifiers(**{function: values})
    numbers = [a for a in arguments if a.kind == "number"]
    labels = [a for a in arguments if a.kind in ("name", "string")]
    if function in _LABEL_FUNCTIONS and numbers:
        bad = numbers[0].token
        raise ModelSyntaxError(
            line=bad.line, column=bad.column, expected=f"labels in {function}()",
            found=f"a number ('{bad.text}'), which cannot be a label",
            fix="labels are names such as \"a1\"; a fixed value goes before '*' as its own term, e.g. 1*x",
        )
    if numbers and labels:
        bad = labels[0].token if arguments[0].kind == "number" else numbers[0].token
        raise ModelSyntaxError(
            line=bad.line, column=bad.column, expected="only labels or only numbers in c()",
            found="labels and numbers mixed", fix=(
                "give labels and fixed values as two terms, which lavaan merges: "
                "'y ~ c(a1, a2)*x + c(1, NA)*x' (lavaan would keep only the labels)"),
        )
    if "name" in kinds and ({"string", "NA"} & kinds):
        bad = next(a for a in arguments if a.kind in ("string", "NA")).token
        raise ModelSyntaxError(
            line=bad.line, column=bad.column, expected="unquoted labels only, or quoted labels and NA",
            found=f"{describe(bad) if bad.kind == 'string' else 'NA'} among unquoted labels", fix=(
                "quote every label when a group has none, e.g. c(\"a1\", NA) "
                "(lavaan would drop the NA and give every group the label a1)"),
        )
    if labels or function in _LABEL_FUNCTIONS:
        return Modifiers(label=tuple(
            None if a.kind == "NA" else
            _check_label(a.token.value, a.token) if a.kind == "string" else a.token.value
            for a in arguments))
    return Modifiers(fixed=tuple(a.number if a.kind == "number" else None for a in arguments))


def _unsupported_function(token: Token) -> ModelSyntaxError:
    return ModelSyntaxError(
        line=token.line, column=token.column, expected="a modifier the engine fits (label, number, NA, "
        "c(), start(), lower(), upper(), label(), equal())",
        found=f"'{token.value}()'", fix=_UNSUPPORTED_FUNCTIONS[token.value],
    )


def _unsupported_operator(lhs: list[Token], op_token: Token, rhs: list[Token]) -> ModelSyntaxError:
    op = op_token.text
    block = lhs[0].value.lower() if len(lhs) == 1 and lhs[0].kind == "name" else ""
    if op == ":" and block == "group":
        expected, fix = "a statement without 'group:' blocks", (
            "the groups come from the group= option; per-group values: use c(a, b)*x, "
            "e.g. 'f =~ x1 + c(l1, l2)*x2'")
    elif op == ":" and block == "level":
        expected, fix = "a single-level model", (
            "two-level models are not supported; for persons nested in clusters use the "
            "cluster= option (cluster-robust standard errors and test)")
    elif op == ":" and rhs and any(t.kind == "op" for t in rhs):
        expected, fix = "'+' between terms", (
            "interaction terms are not supported; compute the product in the data and use its name")
    elif op == ":":
        expected, fix = "an operator =~ ~ ~~ := == < >", (
            "blocks (name: value) are not supported; use the group= option and c() vectors")
    elif op == "|":
        expected, fix = "an operator for continuous variables", (
            "thresholds ('|') belong to ordinal indicators, which the engine does not fit; "
            "treat the item as continuous")
    elif op == "~*~":
        expected, fix = "an operator for continuous variables", (
            "scale factors ('~*~') belong to ordinal indicators, which the engine does not fit")
    elif op == "<~":
        expected, fix = "a reflective model ('=~')", (
            "composites ('<~') are not supported; compute the composite as a column or use '=~'")
    else:
        expected, fix = "an operator =~ ~ ~~ := == < >", "the '%' operator is not supported; remove it"
    return ModelSyntaxError(line=op_token.line, column=op_token.column, expected=expected,
                            found=f"'{op}'", fix=fix)
