"""Arithmetic expressions of lavaan's ``:=``, ``==``, ``<`` and ``>`` statements.

lavaan hands these to R's evaluator; here a small recursive-descent parser
reads them (no ``eval``) with R's precedence: ``^`` (also written ``**``)
binds tightest and is right-associative, then unary minus (so ``-2^2`` is
-4, as in R), then ``*`` and ``/``, then ``+`` and ``-``. Operands are numbers
(``2``, ``.5``, ``1e-3``), parameter labels and the R functions researchers
use in defined parameters: exp, log, sqrt, abs, sin, cos, tan, asin, acos,
atan, pnorm, qnorm. Evaluation is vectorised: labels may map to numpy arrays
(e.g. bootstrap draws), and it follows R where numbers leave the real line
(``log(0)`` is ``-inf``, ``sqrt(-1)`` is ``nan``) instead of warning.

>>> e = parse_expression("a * b + c")
>>> e.text, sorted(e.names)
('a*b+c', ['a', 'b', 'c'])
>>> e.evaluate({"a": 0.5, "b": 2.0, "c": 1.0})
2.0
>>> parse_expression("-2^2").evaluate({})
-4.0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from ilb_eval.exceptions import SpecError
from ilb_eval.sem.lexer import ModelSyntaxError, Token, describe, tokenize

__all__ = ["FUNCTIONS", "Expression", "parse_expression", "parse_expression_tokens"]

Value = float | np.ndarray

#: The R functions an expression may call, each of one argument.
FUNCTIONS: dict[str, Callable[[Value], Value]] = {
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "asin": np.arcsin,
    "acos": np.arccos,
    "atan": np.arctan,
    "pnorm": special.ndtr,
    "qnorm": special.ndtri,
}

_MAX_DEPTH = 100  # nesting of parentheses and operators; deeper is a typo, not a model


@dataclass(frozen=True)
class _Number:
    value: float

    def evaluate(self, values: Mapping[str, Value]) -> Value:
        return self.value


@dataclass(frozen=True)
class _Name:
    name: str

    def evaluate(self, values: Mapping[str, Value]) -> Value:
        try:
            value = values[self.name]
        except KeyError:
            raise SpecError(
                f"The expression uses '{self.name}', which has no value. "
                "Give the parameter that label (e.g. a*x) or define it with ':=' first."
            ) from None
        array = np.asarray(value)
        if array.dtype.kind in "biu":
            array = array.astype(float)
        return array


@dataclass(frozen=True)
class _Unary:
    operand: _Node

    def evaluate(self, values: Mapping[str, Value]) -> Value:
        return np.negative(self.operand.evaluate(values))


_BINARY: dict[str, Callable[[Value, Value], Value]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
    "^": np.power,
    "**": np.power,
}


@dataclass(frozen=True)
class _Binary:
    op: str
    left: _Node
    right: _Node

    def evaluate(self, values: Mapping[str, Value]) -> Value:
        return _BINARY[self.op](self.left.evaluate(values), self.right.evaluate(values))


@dataclass(frozen=True)
class _Call:
    function: str
    argument: _Node

    def evaluate(self, values: Mapping[str, Value]) -> Value:
        return FUNCTIONS[self.function](self.argument.evaluate(values))


_Node = _Number | _Name | _Unary | _Binary | _Call


@dataclass(frozen=True)
class Expression:
    """A parsed arithmetic expression.

    Attributes
    ----------
    text:
        The expression as lavaan stores it: white space and quotes removed
        (``"c+(a*b)"``).
    names:
        The labels (and ``:=`` names) the expression uses.
    """

    text: str
    names: frozenset[str]
    _tree: _Node = field(repr=False, compare=False)

    def evaluate(self, values: Mapping[str, Value]) -> Value:
        """The value of the expression, given a value (or array) per name.

        Arrays broadcast as in numpy; a result of scalars is a float.

        >>> import numpy as np
        >>> parse_expression("exp(a) / (1 + exp(a))").evaluate({"a": np.array([0.0, np.log(3.0)])})
        array([0.5 , 0.75])
        """
        with np.errstate(all="ignore"):
            result = self._tree.evaluate(values)
        if np.ndim(result) == 0 and np.isrealobj(result):
            return float(result)
        return result


def parse_expression(text: str, *, line: int = 1, column: int = 1) -> Expression:
    """Parse one arithmetic expression, e.g. the right-hand side of ``:=``.

    Parameters
    ----------
    text:
        The expression; line breaks are allowed, ``;`` and comments are not
        part of an expression.
    line, column:
        Where ``text`` starts in the model, for the positions in error messages.

    Raises
    ------
    ModelSyntaxError
        If the text is not an expression, with line, column and a fix.

    >>> parse_expression("c + (a * b)").text
    'c+(a*b)'
    >>> parse_expression("a *", line=4, column=8)
    Traceback (most recent call last):
    ...
    ilb_eval.sem.lexer.ModelSyntaxError: model syntax, line 4, column 11: expected a number, a label or '(' after '*', found the end of the statement. Fix: complete the expression, e.g. 'a*b'.
    """
    tokens = tokenize(text, line=line, column=column)
    for token in tokens:
        if token.kind == "semicolon":
            raise ModelSyntaxError(
                line=token.line, column=token.column, expected="one expression",
                found="';'", fix="give one expression without ';'",
            )
    tokens = [t for t in tokens if t.kind != "newline"]
    if tokens:
        end = (tokens[-1].line, tokens[-1].end_column)
    else:
        end = _end_of(text, line, column)
    return parse_expression_tokens(tokens, end=end)


def _end_of(text: str, line: int, column: int) -> tuple[int, int]:
    lines = text.split("\n")
    if len(lines) == 1:
        return line, column + len(text)
    return line + len(lines) - 1, len(lines[-1]) + 1


def parse_expression_tokens(tokens: Sequence[Token], *, end: tuple[int, int]) -> Expression:
    """Parse an expression from tokens of :func:`~ilb_eval.sem.lexer.tokenize`.

    ``end`` is the (line, column) just after the expression, named in the
    message when the expression stops too early.
    """
    parser = _Parser(list(tokens), end)
    tree = parser.expression(0)
    if parser.pos < len(tokens):
        token = tokens[parser.pos]
        if token.text == ")":
            raise ModelSyntaxError(
                line=token.line, column=token.column, expected="an operator or the end of the expression",
                found="')' without a matching '('", fix="remove the ')' or add the '(' it closes",
            )
        raise ModelSyntaxError(
            line=token.line, column=token.column,
            expected="an operator (+ - * / ^) or the end of the expression", found=describe(token),
            fix="join the parts with an operator, e.g. 'a*b', or end the statement with a new line or ';'",
        )
    text = "".join(t.value if t.kind == "string" else t.text for t in tokens)
    return Expression(text=text, names=frozenset(parser.names), _tree=tree)


class _Parser:
    """Recursive descent over R's arithmetic grammar (see the module docstring)."""

    def __init__(self, tokens: list[Token], end: tuple[int, int]) -> None:
        self.tokens = tokens
        self.end = end
        self.pos = 0
        self.names: set[str] = set()

    def _peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _check_depth(self, depth: int) -> None:
        if depth > _MAX_DEPTH:
            token = self._peek()
            line, column = (token.line, token.column) if token else self.end
            raise ModelSyntaxError(
                line=line, column=column, expected=f"at most {_MAX_DEPTH} nested operators or parentheses",
                found="deeper nesting", fix="simplify the expression",
            )

    # ``depth`` counts nesting (parentheses, unary signs, exponents), not grammar levels.

    def expression(self, depth: int) -> _Node:
        node = self.term(depth)
        while (token := self._peek()) is not None and token.text in ("+", "-") and token.kind == "op":
            self.pos += 1
            node = _Binary(token.text, node, self.term(depth))
        return node

    def term(self, depth: int) -> _Node:
        node = self.unary(depth)
        while (token := self._peek()) is not None and token.text in ("*", "/") and token.kind == "op":
            self.pos += 1
            node = _Binary(token.text, node, self.unary(depth))
        return node

    def unary(self, depth: int) -> _Node:
        self._check_depth(depth)
        token = self._peek()
        if token is not None and token.kind == "op" and token.text in ("-", "+"):
            self.pos += 1
            operand = self.unary(depth + 1)
            return _Unary(operand) if token.text == "-" else operand
        return self.power(depth)

    def power(self, depth: int) -> _Node:
        base = self.primary(depth)
        token = self._peek()
        if token is not None and token.kind == "op" and token.text in ("^", "**"):
            self.pos += 1
            return _Binary(token.text, base, self.unary(depth + 1))
        return base

    def primary(self, depth: int) -> _Node:
        self._check_depth(depth)
        token = self._peek()
        previous = self.tokens[self.pos - 1] if self.pos > 0 else None
        if token is None or token.kind not in ("number", "name", "string") and token.text != "(":
            after = f" after '{previous.text}'" if previous is not None else ""
            line, column = (token.line, token.column) if token else self.end
            raise ModelSyntaxError(
                line=line, column=column, expected=f"a number, a label or '('{after}",
                found=describe(token), fix="complete the expression, e.g. 'a*b'",
            )
        self.pos += 1
        if token.kind == "number":
            return _Number(float(token.text))
        if token.text == "(":
            inner = self.expression(depth + 1)
            self._close(token)
            return inner
        name = token.value
        following = self._peek()
        if following is not None and following.text == "(" and token.kind == "name":
            return self._call(token, depth)
        if token.kind == "string" and not _is_label(name):
            raise ModelSyntaxError(
                line=token.line, column=token.column, expected="a label (a name starting with a letter)",
                found=describe(token), fix="write the label without quotes, e.g. a*b",
            )
        self.names.add(name)
        return _Name(name)

    def _call(self, name: Token, depth: int) -> _Node:
        if name.value not in FUNCTIONS:
            raise ModelSyntaxError(
                line=name.line, column=name.column, expected="one of the functions " + ", ".join(FUNCTIONS),
                found=f"the function '{name.value}'",
                fix="write the expression with these functions and + - * / ^",
            )
        opening = self.tokens[self.pos]
        self.pos += 1
        argument = self.expression(depth + 1)
        token = self._peek()
        if token is not None and token.text == ",":
            hint = " (for log(x, base) write log(x)/log(base))" if name.value == "log" else ""
            raise ModelSyntaxError(
                line=token.line, column=token.column, expected=f"one argument of {name.value}()",
                found="','", fix=f"give {name.value}() a single argument{hint}",
            )
        self._close(opening)
        return _Call(name.value, argument)

    def _close(self, opening: Token) -> None:
        token = self._peek()
        if token is None or token.text != ")":
            line, column = (token.line, token.column) if token else self.end
            raise ModelSyntaxError(
                line=line, column=column,
                expected=f"')' to close the '(' of line {opening.line}, column {opening.column}",
                found=describe(token), fix="add the missing ')'",
            )
        self.pos += 1


def _is_label(text: str) -> bool:
    """Whether a quoted string is a usable label name (not a number, not empty)."""
    return bool(text) and (text[0].isalpha() or text[0] == ".") and not (
        text[0] == "." and len(text) > 1 and text[1].isdigit()
    )
