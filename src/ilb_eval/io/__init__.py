"""Loading and validation of survey-wave export files (CSV, SPSS .sav, Excel .xlsx).

The contract (docs/DESIGN.md):

* :func:`read_wave` ``(path, wave, *, study=None) -> WaveTable``: one file,
  checked against its table schema; raises one
  :class:`~ilb_eval.exceptions.InputError` listing every error of the file.
* :func:`load_waves` ``(study, data_dir) -> dict[str, WaveTable]``: all waves,
  all problems of all files collected before raising.
* :func:`validate_study_data` ``(study, data_dir) -> ValidationReport``: never
  raises for data problems; ``.problems`` (all of them), ``.ok``,
  ``.as_text()``.
* :func:`read_table` ``(path, *, missing_codes=(), sheet=None, long=False,
  id=None, time=None, varying=(), numeric=None) -> TableRead``: one data file
  for a model (``fit``, ``sem``), through the same readers and dialect
  detection.

A :class:`WaveTable` has ``frame`` (exactly the declared columns, numeric as
float64 with missing codes still present, index = spreadsheet row ``"row"``),
``file``, ``wave``, ``dialect`` (:class:`Dialect`), ``sha256``,
``value_labels`` and ``user_missing`` (.sav) and ``problems`` (warnings and
notes). Problem codes and their severities are in :data:`SEVERITY`.

>>> SEVERITY["DIALECT_MISMATCH"], SEVERITY["SUSPECT_MISSING_CODE"], SEVERITY["BYTE_ORDER_MARK"]
('error', 'error', 'note')
"""

from ilb_eval.io.codes import SEVERITY
from ilb_eval.io.datafile import LongFormat, TableRead, read_table
from ilb_eval.io.dialect import Dialect
from ilb_eval.io.report import FileReport, ValidationReport
from ilb_eval.io.table import WaveTable
from ilb_eval.io.waves import load_waves, read_wave, validate_study_data

__all__ = [
    "SEVERITY",
    "Dialect",
    "FileReport",
    "LongFormat",
    "TableRead",
    "ValidationReport",
    "WaveTable",
    "load_waves",
    "read_table",
    "read_wave",
    "validate_study_data",
]
