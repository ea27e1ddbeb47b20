"""Names for a drafted study: study fields from export columns, item blocks from shared prefixes.

Survey tools name the items of one question block with a shared stem and an
index: SoSci Survey ``KF01_03``, LimeSurvey ``FK[SQ003]``, Qualtrics
``Q12_3``, hand-made exports ``fk_3``. :func:`field_name` turns any export
column name into a study field name (``^[a-z][a-z0-9_]*$``), and
:func:`item_index` splits a name into its block stem and item index. Columns
that survey tools add on their own (case numbers, time stamps, durations)
are recognised by :func:`is_tool_metadata`.

>>> [field_name(n) for n in ("KF01_03", "FK[SQ003]", "Q12_3", "Geschlecht", "Duration (in seconds)", "3rd")]
['kf01_03', 'fk_sq003', 'q12_3', 'geschlecht', 'duration_in_seconds', 'v_3rd']
>>> [item_index(n) for n in ("KF01_03", "FK[SQ003]", "Q12_3", "fk_4", "be3", "age", "Q12", "SD01")]
[('KF01', '03'), ('FK', 'SQ003'), ('Q12', '3'), ('fk', '4'), ('be', '3'), None, None, None]
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["field_name", "is_tool_metadata", "item_index", "natural_key"]

_INDEXED = (
    re.compile(r"^(?P<stem>[^\[\]]+)\[(?P<index>[A-Za-z]{0,4}\d+)\]$"),  # LimeSurvey FK[SQ003], FK[1]
    re.compile(r"^(?P<stem>[A-Za-z][A-Za-z0-9_]*?)[_.](?P<index>\d{1,3})$"),  # SoSci KF01_03, Qualtrics Q12_3, fk_3
    re.compile(r"^(?![A-Z]{2}\d{2}$)(?P<stem>[A-Za-z]{2,})(?P<index>\d{1,3})$"),  # fk3, item12 (not SoSci's SD01)
)

#: Columns survey tools add to every export (SoSci Survey, LimeSurvey, Qualtrics), compared in lower case.
_METADATA = {
    # SoSci Survey
    "case", "ref", "questnnr", "mode", "started", "finished", "q_viewer", "lastpage", "maxpage",
    "missing", "missrel", "time_rsi", "deg_time", "lastdata", "time_sum",
    # LimeSurvey
    "submitdate", "startlanguage", "seed", "startdate", "datestamp", "refurl", "interviewtime", "ipaddr",
    # Qualtrics
    "enddate", "status", "ipaddress", "progress", "duration (in seconds)", "recordeddate",
    "responseid", "recipientlastname", "recipientfirstname", "recipientemail", "externalreference",
    "externaldatareference", "locationlatitude", "locationlongitude", "distributionchannel", "userlanguage",
}
_METADATA_PATTERNS = (re.compile(r"^time\d{3}$"), re.compile(r"^(?:q_)?time_?\d+$"), re.compile(r"^deg_time\w*$"))


def field_name(export: str) -> str:
    """A study field name for an export column: lower case ASCII, ``_`` between parts.

    German umlauts become ``ae``, ``oe``, ``ue`` and ``ß`` ``ss``; a name that
    would start with a digit gets ``v_`` in front.
    """
    text = export.strip().replace("ß", "ss")
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue")):
        text = text.replace(umlaut, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_") or "field"
    return text if text[0].isalpha() else f"v_{text}"


def item_index(export: str) -> tuple[str, str] | None:
    """``(stem, index)`` when the export name is an item of a block, else ``None``."""
    for pattern in _INDEXED:
        match = pattern.match(export.strip())
        if match:
            return match["stem"], match["index"]
    return None


def is_tool_metadata(export: str) -> bool:
    """Whether a column is one the survey tool adds itself (case number, time stamps, durations).

    Person codes (SoSci's ``SERIAL``, LimeSurvey's ``token``, ``id``) are not
    metadata: whether one links the waves is decided from the data.

    >>> [is_tool_metadata(n) for n in ("CASE", "STARTED", "TIME003", "submitdate", "ResponseId", "FK01_01", "token")]
    [True, True, True, True, True, False, False]
    """
    name = export.strip().lower()
    return name in _METADATA or any(p.match(name) for p in _METADATA_PATTERNS)


def natural_key(text: str) -> tuple[object, ...]:
    """Sort key that puts ``t2`` before ``t10`` and ``SQ002`` before ``SQ010``.

    >>> sorted(["t10", "t2", "t1"], key=natural_key)
    ['t1', 't2', 't10']
    """
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.lower()) for part in re.split(r"(\d+)", text))
