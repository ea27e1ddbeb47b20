"""Recognise direct identifiers: columns named like names, e-mail, phone, free text.

Pseudonymised survey data must not carry direct identifiers or free text
(data minimisation). A wave file with a column whose *name* looks like one is
refused, whatever the column holds; declared string fields are also searched
for e-mail addresses. Only names and row numbers are reported, never values.

>>> [looks_like_identifier(n) for n in ("Vorname", "E-Mail", "fk_1", "Kommentar_t3", "MAILSENT")]
[True, True, False, True, False]
>>> email_rows(["AB12", "x@example.org", None], [2, 3, 4])
[3]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["email_rows", "looks_like_identifier", "normalise_name"]

_PATTERNS = [
    # names: name, vorname, nachname, familienname, first_name, lastname, ...
    r"(?:vor|nach|familien|geburts|first|last|full|sur|given|user)?_?name",
    # e-mail: mail, email, e_mail, emailadresse, mail_address
    r"e?_?mail(?:_?(?:adresse|address))?",
    # staff numbers
    r"personal_?(?:nummer|nr)|pers_?nr|personnel_?number|mitarbeiter_?(?:nummer|nr)",
    # phone
    r"(?:telefon|tel|phone|handy|mobil|mobile)(?:_?(?:nummer|nr|number))?",
    # address
    r"(?:adresse|address|anschrift|strasse|street|wohnort)",
    # free text
    r"(?:kommentar|kommentare|anmerkung|anmerkungen|freitext|comment|comments|bemerkung|bemerkungen|remarks?)",
]
_IDENTIFIER = re.compile(r"(?:^|_)(?:" + "|".join(_PATTERNS) + r")(?:_|$|\d)")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")


def normalise_name(name: str) -> str:
    """Lower case, ``ß`` as ``ss``, camelCase and punctuation split by ``_``.

    >>> normalise_name("E-Mail Adresse"), normalise_name("lastName"), normalise_name("Straße")
    ('e_mail_adresse', 'last_name', 'strasse')
    """
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    name = name.lower().replace("ß", "ss")
    return re.sub(r"[^a-z0-9äöü]+", "_", name).strip("_")


def looks_like_identifier(name: str) -> bool:
    """Whether a column *name* suggests a direct identifier or free text."""
    normalised = normalise_name(name)
    return bool(_IDENTIFIER.search(normalised)) or bool(_IDENTIFIER.search(normalised.replace("_", "")))


def email_rows(cells: Sequence[str | None], rows: Sequence[int]) -> list[int]:
    """Row numbers of the cells that contain an e-mail address."""
    return [row for row, cell in zip(rows, cells, strict=True) if isinstance(cell, str) and _EMAIL.search(cell)]
