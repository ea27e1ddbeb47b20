"""The table of coded interview segments (figure 5 of the chapter).

Only categories and counts of mentions per sample are stored: no free text
ever leaves an interview. The counts are qualitative findings and are not
multiplied by the simulation scale.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["INTERVIEW_COLUMNS", "interview_table"]

INTERVIEW_COLUMNS = ("category", "sample", "mentions")


def interview_table(settings: dict[str, Any]) -> pd.DataFrame:
    """Coded segments as a table with columns category, sample, mentions.

    Examples
    --------
    >>> from ilb_eval.simulate.settings import load_settings
    >>> table = interview_table(load_settings())
    >>> table.query("sample == 'EAP'").head(2).to_dict("records")
    [{'category': 'Selbstständigkeit', 'sample': 'EAP', 'mentions': 20}, {'category': 'Motivation', 'sample': 'EAP', 'mentions': 20}]
    """
    rows = [(s["category"], s["sample"], int(s["mentions"])) for s in settings["interviews"]["segments"]]
    return pd.DataFrame(rows, columns=list(INTERVIEW_COLUMNS))
