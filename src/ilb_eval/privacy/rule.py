"""The minimum cell size rule (DECISIONS 7): what a published number must rest on.

Every count, share, mean, correlation and model group that reaches an output
must rest on at least ``min_cell_size`` persons (default 10). Lowering it is
allowed down to a floor of 5 and is recorded; anything smaller is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from ilb_eval.exceptions import SpecError

__all__ = ["DEFAULT_MIN_CELL_SIZE", "MIN_CELL_SIZE_FLOOR", "CellRule"]

DEFAULT_MIN_CELL_SIZE = 10
MIN_CELL_SIZE_FLOOR = 5


@dataclass(frozen=True)
class CellRule:
    """The minimum cell size in force for one run.

    >>> rule = CellRule(10)
    >>> rule.allows(12), rule.allows(9)
    (True, False)
    >>> rule.share(3, 40) is None   # numerator below the threshold
    True
    >>> CellRule(7).lowered
    True
    """

    min_cell_size: int = DEFAULT_MIN_CELL_SIZE

    def __post_init__(self) -> None:
        if not isinstance(self.min_cell_size, int) or self.min_cell_size < MIN_CELL_SIZE_FLOOR:
            raise SpecError(
                f"min_cell_size must be a whole number of at least {MIN_CELL_SIZE_FLOOR} "
                f"(the floor for disclosure control); got {self.min_cell_size!r}. "
                f"Use {DEFAULT_MIN_CELL_SIZE} (the default) or more."
            )

    @property
    def lowered(self) -> bool:
        """True when the rule is below the default (the report must say so)."""
        return self.min_cell_size < DEFAULT_MIN_CELL_SIZE

    def allows(self, n: int | float | None) -> bool:
        """Whether a statistic based on ``n`` persons may be published."""
        return n is not None and n == n and n >= self.min_cell_size

    def value(self, value: float | None, n: int | float | None) -> float | None:
        """``value`` if ``n`` persons are enough, else ``None`` (suppressed)."""
        return value if self.allows(n) else None

    def share(self, numerator: int, denominator: int) -> float | None:
        """A share, suppressed when its numerator, its complement or its base is too small.

        A share of 0 % or 100 % of a small complement discloses the class of
        everyone in the group, so the complement must pass the rule as well.
        """
        if not (self.allows(denominator) and self.allows(numerator) and self.allows(denominator - numerator)):
            return None
        return numerator / denominator
