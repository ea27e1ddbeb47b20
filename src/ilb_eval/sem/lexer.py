"""Tokens of lavaan model syntax, each with its line and column in the original text.

The model parser (:mod:`ilb_eval.sem.syntax`) and the expression parser
(:mod:`ilb_eval.sem.expressions`) both read tokens from here, so that every
error names the place in the text the researcher wrote, before comments and
white space were dropped. Comments run from ``#`` or ``!`` to the end of the
line, as in lavaan. Quoted strings (``"a"`` or ``'a'``) lose their white space,
as lavaan removes all white space before it parses.

>>> [t.text for t in tokenize("f =~ a*x1 + x2  # loadings")]
['f', '=~', 'a', '*', 'x1', '+', 'x2']
>>> tokenize("y ~ 1x")
Traceback (most recent call last):
...
ilb_eval.sem.lexer.ModelSyntaxError: model syntax, line 1, column 5: expected a variable name (letters, digits, '.' and '_', starting with a letter), found '1x'. Fix: start the name with a letter, e.g. 'x1'; a number before a name needs '*', e.g. '1*x'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ilb_eval.exceptions import SpecError

__all__ = ["ModelSyntaxError", "Token", "TokenKind", "describe", "tokenize"]

TokenKind = Literal["name", "number", "string", "op", "newline", "semicolon"]

#: Operator and punctuation tokens, longest first so that '=~' is not read as '=' '~'.
_OPERATORS = (
    "~*~", "=~", "<~", "~~", "==", ":=", "**",
    "~", "<", ">", ":", "|", "%", "+", "-", "*", "/", "^", "?", "(", ")", ",", "=",
)
_NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
#: lavaan reads the spacing tilde of some keyboard layouts as '~' (lavaan 0.6-6).
_SPACING_TILDE = "\u02dc"


class ModelSyntaxError(SpecError):
    """lavaan model syntax that cannot be read, with where, what and how to fix it.

    Attributes
    ----------
    line, column:
        1-based position in the original model text (comments and white space
        included) of the token that is wrong.
    expected, found:
        What the parser expected at that place and what it found there.
    fix:
        How to write it instead.
    """

    def __init__(self, *, line: int, column: int, expected: str, found: str, fix: str) -> None:
        self.line = line
        self.column = column
        self.expected = expected
        self.found = found
        self.fix = fix
        super().__init__(
            f"model syntax, line {line}, column {column}: expected {expected}, "
            f"found {found}. Fix: {fix.rstrip('.')}."
        )

    def __reduce__(self) -> tuple[object, ...]:
        fields = dict(line=self.line, column=self.column, expected=self.expected,
                      found=self.found, fix=self.fix)
        return (_rebuild_error, (fields,))


def _rebuild_error(fields: dict[str, object]) -> ModelSyntaxError:
    return ModelSyntaxError(**fields)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Token:
    """One token: its kind, its text as written, and where it starts.

    ``value`` is the name, the number as written, or the content of a quoted
    string without quotes and white space; for operators it equals ``text``.
    """

    kind: TokenKind
    text: str
    value: str
    line: int
    column: int

    @property
    def end_column(self) -> int:
        """The column just after the token (tokens never span lines)."""
        return self.column + len(self.text)


def describe(token: Token | None) -> str:
    """The token as the 'found ...' part of an error message.

    >>> describe(None)
    'the end of the statement'
    >>> describe(Token("number", "2", "2", 1, 5))
    "the number '2'"
    """
    if token is None:
        return "the end of the statement"
    if token.kind == "newline":
        return "the end of the line"
    if token.kind == "number":
        return f"the number '{token.text}'"
    if token.kind == "string":
        return f"the quoted text {token.text}"
    return f"'{token.text}'"


def _is_name_start(ch: str) -> bool:
    return ch.isalpha() or ch == "."


def _is_name_char(ch: str) -> bool:
    return ch.isalpha() or ch.isdecimal() or ch in "._"


def tokenize(text: str, *, line: int = 1, column: int = 1) -> list[Token]:
    """Split model syntax into tokens; comments and white space are dropped.

    Parameters
    ----------
    text:
        The model syntax (or one expression of it).
    line, column:
        Position of the first character of ``text`` in the original model,
        so that positions in messages refer to what the researcher wrote.

    Returns
    -------
    list of Token
        Line breaks and ``;`` remain as ``"newline"`` and ``"semicolon"``
        tokens: they end statements.

    >>> [(t.kind, t.value) for t in tokenize('label("my a")*x; y ~ .5')]
    [('name', 'label'), ('op', '('), ('string', 'mya'), ('op', ')'), ('op', '*'), ('name', 'x'), ('semicolon', ';'), ('name', 'y'), ('op', '~'), ('number', '.5')]
    """
    text = text.replace(_SPACING_TILDE, "~")
    tokens: list[Token] = []
    i = 0
    n = len(text)
    line_start = -(column - 1)  # index of the (virtual) start of the current line
    while i < n:
        ch = text[i]
        col = i - line_start + 1
        if ch == "\n":
            tokens.append(Token("newline", "\n", "\n", line, col))
            line += 1
            line_start = i + 1
            i += 1
        elif ch.isspace():
            i += 1
        elif ch in "#!":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif ch == ";":
            tokens.append(Token("semicolon", ";", ";", line, col))
            i += 1
        elif ch in "\"'":
            end = text.find(ch, i + 1)
            newline = text.find("\n", i + 1)
            if end < 0 or (0 <= newline < end):
                raise ModelSyntaxError(
                    line=line, column=col, expected=f"a closing {ch} on the same line",
                    found=f"the quoted text {text[i:newline if newline >= 0 else n].rstrip()} without it",
                    fix=f"close the label with {ch}, e.g. label({ch}a{ch})*x",
                )
            raw = text[i:end + 1]
            tokens.append(Token("string", raw, re.sub(r"\s+", "", raw[1:-1]), line, col))
            i = end + 1
        elif ch.isdigit() and ch.isascii() or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
            match = _NUMBER.match(text, i)
            assert match is not None  # the first character is a digit or '.' + digit
            end = match.end()
            if end < n and _is_name_char(text[end]):
                stop = end
                while stop < n and _is_name_char(text[stop]):
                    stop += 1
                raise ModelSyntaxError(
                    line=line, column=col,
                    expected="a variable name (letters, digits, '.' and '_', starting with a letter)",
                    found=f"'{text[i:stop]}'",
                    fix="start the name with a letter, e.g. 'x1'; a number before a name needs '*', e.g. '1*x'",
                )
            tokens.append(Token("number", text[i:end], text[i:end], line, col))
            i = end
        elif _is_name_start(ch):
            end = i + 1
            while end < n and _is_name_char(text[end]):
                end += 1
            tokens.append(Token("name", text[i:end], text[i:end], line, col))
            i = end
        else:
            op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
            if op == "=":
                raise ModelSyntaxError(
                    line=line, column=col, expected="'=~', '==' or ':='", found="'=' alone",
                    fix="write '=~' for loadings (no space between '=' and '~') or '==' for an equality constraint",
                )
            if op is None:
                raise ModelSyntaxError(
                    line=line, column=col,
                    expected="a variable name, a number or an operator (=~ ~ ~~ := == < > + *)",
                    found=f"the character {ch!r}",
                    fix="remove it; names use letters, digits, '.' and '_' and start with a letter",
                )
            tokens.append(Token("op", op, op, line, col))
            i += len(op)
    return tokens
