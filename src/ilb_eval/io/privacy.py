"""Recognise direct identifiers: columns named like names, e-mail, phone, free text; person codes.

Pseudonymised survey data must not carry direct identifiers or free text
(data minimisation). A wave file with a column whose *name* looks like one is
refused, whatever the column holds; declared string fields are also searched
for e-mail addresses. Only names and row numbers are reported, never values.

Person codes are compared by one key, :func:`normalise_person_code`, in the
io checks and in the linkage of waves. :func:`personal_data_kind` tells when
a "code" is really an e-mail address, a phone number or a name, and
:func:`unusual_code` when a key still holds characters other than letters and
digits of plain ASCII (non-printing characters, other alphabets, emoji), which
split one person into two without a word.

>>> [looks_like_identifier(n) for n in ("Vorname", "E-Mail", "fk_1", "Kommentar_t3", "MAILSENT")]
[True, True, False, True, False]
>>> email_rows(["AB12", "x@example.org", None], [2, 3, 4])
[3]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

__all__ = [
    "email_rows",
    "looks_like_identifier",
    "normalise_name",
    "normalise_person_code",
    "personal_data_kind",
    "unusual_code",
]

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


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_SPACE = re.compile(r"\s+")


def normalise_person_code(code: str) -> str:
    """The key by which person codes are compared (io duplicate check and linkage).

    Unicode NFKC (fullwidth and other compatibility forms become plain
    letters and digits, a decomposed "a" + combining diaeresis becomes "ä"),
    format characters removed (zero-width spaces and joiners, byte-order
    marks, direction marks), case-folded, umlauts ä->ae ö->oe ü->ue ß->ss,
    all whitespace removed. An empty result means "no code".

    >>> [normalise_person_code(c) for c in (" Mü 12 ", "MUE12", "ＭＵＥ１２", "MUE\u200b12", "Mu\u030812")]
    ['mue12', 'mue12', 'mue12', 'mue12', 'mue12']
    """
    if code.isascii():  # the usual case, and a fast one: NFKC and case folding are plain lower case here
        return _SPACE.sub("", code.lower())
    key = _normalise_once(code)
    for _ in range(3):  # removing spaces can bring a letter and a combining mark together ("R" "¸" -> "Ŗ")
        again = _normalise_once(key)
        if again == key:
            break
        key = again
    return key


def _normalise_once(code: str) -> str:
    text = unicodedata.normalize("NFKC", code)
    if not text.isascii():
        text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return _SPACE.sub("", text.casefold().translate(_UMLAUTS))


def unusual_code(key: str) -> str | None:
    """What is unusual about a normalised code: ``"non-printing"``, ``"non-ASCII"`` or ``None``.

    >>> unusual_code("mue12"), unusual_code("mue\x0712"), unusual_code("mце12"), unusual_code("ab\U0001f600")
    (None, 'non-printing', 'non-ASCII', 'non-ASCII')
    """
    if key.isascii():
        return None if key.isprintable() else "non-printing"
    if any(unicodedata.category(c)[0] == "C" for c in key):
        return "non-printing"
    return "non-ASCII"


_PHONE = re.compile(r"\+?[\d\s/().-]+")
_NAME_WORD = r"[^\W\d_]{2,}"
_NAMES = re.compile(rf"{_NAME_WORD}(?:(?:\s+|\s*,\s*|-){_NAME_WORD})+")
_TITLE_CASE = re.compile(r"[^\W\d_][^\W\d_A-ZÄÖÜ]{3,}")


def personal_data_kind(code: str) -> str | None:
    """Whether a person "code" is really contact data or a name: the kind, or ``None``.

    * ``"e-mail address"``: something@domain.tld;
    * ``"phone number"``: 7 to 15 digits written as phone numbers are (a
      leading ``+``, a leading ``0`` and a non-zero digit, or digit groups
      separated by spaces, ``/``, ``-``, ``.`` or parentheses);
    * ``"name"``: two or more words of letters only ("Anna Schmidt",
      "Schmidt, Anna"), or one capitalised word of at least four letters
      with no digit ("Schmidt").

    Self-generated codes (letters and digits, e.g. ``"MA12KL"``) and
    pseudonyms (``"P000123"``) are none of these.

    >>> [personal_data_kind(c) for c in ("MA12KL", "P000123", "anna@example.org", "0151 2345678",
    ...                                   "+49 30 1234567", "Anna Schmidt", "Schmidt, Anna", "Schmidt", "ABCD")]
    [None, None, 'e-mail address', 'phone number', 'phone number', 'name', 'name', 'name', None]
    """
    text = code.strip()
    if _EMAIL.search(text):
        return "e-mail address"
    if _PHONE.fullmatch(text):
        digits = sum(c.isdigit() for c in text)
        grouped = re.search(r"\d[\s/().-]+\d", text) is not None
        if 7 <= digits <= 15 and (text.startswith("+") or re.match(r"0[1-9]", text) or grouped):
            return "phone number"
    if _NAMES.fullmatch(text) or _TITLE_CASE.fullmatch(text):
        return "name"
    return None
