"""Turn raw cells (text from CSV, typed cells from .xlsx/.sav) into column values.

Numbers are parsed strictly: an optional sign, digits, one decimal mark (the
file's), an optional exponent. ``nan``, ``inf``, thousands separators and
text are not numbers; those cells are returned by position so that the
validator can name their rows. Empty cells are missing (NaN / ``None``).

>>> column = parse_numbers(["3", " 2,5 ", "", "drei", "2.5"], ",")
>>> column.values.tolist()[:3], column.text, column.other_mark
([3.0, 2.5, nan], [3], [4])
>>> to_strings(["AB12", " ", None, 17.0])
['AB12', None, None, '17']
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["NumberColumn", "parse_numbers", "to_strings"]

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


@dataclass(frozen=True)
class NumberColumn:
    """Parsed numeric cells.

    Attributes
    ----------
    values:
        float64 array, NaN where the cell is empty or not a number.
    text:
        Positions of cells that are not numbers (text, dates, booleans).
    other_mark:
        Positions of cells that are numbers written with the *other* decimal
        mark (``2.5`` in a decimal-comma file): a dialect problem, not text.
    """

    values: np.ndarray
    text: list[int]
    other_mark: list[int]


def _parse_text(cell: str, decimal: str) -> tuple[float | None, bool]:
    """(number, written with the other mark) for one text cell; number None = not a number."""
    other = "." if decimal == "," else ","
    if other in cell:
        swapped = cell.replace(other, ".")
        return None, decimal not in cell and _NUMBER.fullmatch(swapped) is not None
    if decimal == ",":
        cell = cell.replace(",", ".")
    if _NUMBER.fullmatch(cell):
        return float(cell), False
    return None, False


def parse_numbers(cells: Sequence[object], decimal: str = ".") -> NumberColumn:
    """Parse the cells of one numeric column.

    Parameters
    ----------
    cells:
        Raw cells: ``str`` (CSV, text cells of .xlsx), ``int``/``float``
        (.xlsx, .sav), ``None`` for empty; anything else counts as text.
    decimal:
        The decimal mark of text cells, ``"."`` or ``","``.

    Returns
    -------
    NumberColumn
    """
    values = np.full(len(cells), np.nan, dtype="float64")
    text: list[int] = []
    other_mark: list[int] = []
    for i, cell in enumerate(cells):
        if cell is None:
            continue
        if isinstance(cell, bool):
            text.append(i)
        elif isinstance(cell, int | float | np.integer | np.floating):
            number = float(cell)
            if math.isfinite(number):
                values[i] = number
            elif not math.isnan(number):
                text.append(i)
        elif isinstance(cell, str):
            stripped = cell.strip()
            if not stripped:
                continue
            number, wrong_mark = _parse_text(stripped, decimal)
            if number is not None:
                values[i] = number
            elif wrong_mark:
                other_mark.append(i)
            else:
                text.append(i)
        else:
            text.append(i)
    return NumberColumn(values=values, text=text, other_mark=other_mark)


def to_strings(cells: Sequence[object]) -> list[str | None]:
    """Cells of a string column: text kept as written, blanks become ``None``.

    Whole numbers (a numeric pseudonym in a .sav or .xlsx file) are written
    without a decimal part.
    """
    out: list[str | None] = []
    for cell in cells:
        if cell is None or (isinstance(cell, float) and math.isnan(cell)):
            out.append(None)
        elif isinstance(cell, str):
            out.append(cell if cell.strip() else None)
        elif isinstance(cell, int | float | np.integer | np.floating) and not isinstance(cell, bool):
            number = float(cell)
            out.append(str(int(number)) if number.is_integer() else repr(number))
        else:
            out.append(str(cell))
    return out
