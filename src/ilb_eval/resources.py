"""Where the package finds its shipped data (study definitions, example study).

The files live once, in ``data/`` at the repository root. An installed wheel
carries them as ``ilb_eval/_data``; a source checkout (editable install or
tests) reads them from the repository.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["data_root", "example_dir", "schemas_dir"]

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_root() -> Path:
    """The folder that holds ``schemas/``, ``example/`` and ``simulation/``."""
    for candidate in (_PACKAGE_DIR / "_data", _PACKAGE_DIR.parent.parent / "data"):
        if (candidate / "schemas").is_dir():
            return candidate
    raise FileNotFoundError(  # pragma: no cover - broken installation
        "ilb_eval's data folder (schemas/, example/) was not found next to the package "
        f"({_PACKAGE_DIR / '_data'}) or in the source tree; reinstall ilb_eval."
    )


def schemas_dir() -> Path:
    """The shipped study definitions and wave table schemas."""
    return data_root() / "schemas"


def example_dir() -> Path:
    """The shipped synthetic example study (wave export files)."""
    return data_root() / "example"
