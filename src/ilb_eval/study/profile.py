"""Validation of study definitions and table schemas against the JSON Schema profiles."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from ilb_eval.exceptions import StudyDefinitionError
from ilb_eval.resources import schemas_dir

__all__ = ["json_path", "read_json", "validate_document"]

PROFILES = {"ilb-study/1": "study.schema.json", "ilb-table/1": "table.schema.json"}


def json_path(parts: Any) -> str:
    """Render a jsonschema error path as ``$.scales[3].min_valid``.

    >>> json_path(["scales", 3, "min_valid"])
    '$.scales[3].min_valid'
    """
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


@cache
def _validator(profile: str) -> jsonschema.protocols.Validator:
    schema = json.loads((schemas_dir() / "profile" / PROFILES[profile]).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def read_json(path: Path) -> dict[str, Any]:
    """Read a JSON definition file; a syntax error names the line and column."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StudyDefinitionError(
            f"{path.name}: file not found in {path.parent}. Check the name in the study "
            "definition or pass the right --study path."
        ) from None
    except UnicodeDecodeError as error:
        raise StudyDefinitionError(
            f"{path.name}: not UTF-8 (byte {error.object[error.start]:#04x} at offset {error.start}). "
            "Save the definition as UTF-8."
        ) from None
    except OSError as error:
        raise StudyDefinitionError(
            f"{path.name}: cannot be read ({error.strerror or type(error).__name__}). "
            "Pass the path of a .study.json file."
        ) from None
    except json.JSONDecodeError as error:
        raise StudyDefinitionError(
            f"{path.name}: not valid JSON at line {error.lineno}, column {error.colno}: "
            f"{error.msg}. Fix the JSON syntax there."
        ) from None
    if not isinstance(document, dict):
        raise StudyDefinitionError(f"{path.name}: $ must be a JSON object, found {type(document).__name__}.")
    return document


def validate_document(document: dict[str, Any], profile: str, file_name: str) -> None:
    """Check a definition against its profile; report every violation with its JSON path.

    Raises
    ------
    StudyDefinitionError
        Listing each violation as ``file: $.path: message``.
    """
    if profile not in PROFILES:
        raise StudyDefinitionError(
            f"{file_name}: $.profile is {document.get('profile')!r}; expected one of "
            f"{sorted(PROFILES)}. Set the profile of the file."
        )
    errors = sorted(_validator(profile).iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [f"{file_name}: {json_path(e.absolute_path)}: {e.message}" for e in errors[:20]]
        more = f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""
        raise StudyDefinitionError(
            f"{len(errors)} problem(s) in the definition{more}: " + "; ".join(lines)
        )
