"""Statistical disclosure control: what may be published about fewer than ``min_cell_size`` persons (nothing).

``rule``
    :class:`CellRule`, the minimum cell size in force (DECISIONS 7): every
    count, share, mean, correlation and model group rests on at least
    ``min_cell_size`` persons (default 10, floor 5; lowering is recorded).
``suppression``
    :func:`protect`: primary suppression below the rule and secondary
    (complementary) suppression, so that no suppressed cell can be recovered
    from the published totals, differences or percentages;
    :func:`recoverable`: the differencing attack that checks it;
    :func:`protect_partition` for the answers of one question, :func:`mask_small`
    for tables whose rows share no totals.

The analysis layer applies them to every table it hands to the report
(:func:`ilb_eval.analysis.sample.sample_tables` for the sample, the feedback,
correlation and condition tables where they are computed), so the PDF, the
CSV tables and the JSON files show the same protected numbers.
"""

from ilb_eval.privacy.rule import DEFAULT_MIN_CELL_SIZE, MIN_CELL_SIZE_FLOOR, CellRule
from ilb_eval.privacy.suppression import (
    Relation,
    mask_small,
    protect,
    protect_partition,
    recoverable,
)

__all__ = ["DEFAULT_MIN_CELL_SIZE", "MIN_CELL_SIZE_FLOOR", "CellRule", "Relation", "mask_small", "protect",
           "protect_partition", "recoverable"]
