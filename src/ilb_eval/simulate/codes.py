"""Self-generated pseudonymous codes and the typos respondents make in them.

A code is 2 letters of the mother's first name + the birth day (2 digits) + 2
letters of the birthplace, upper case (``"MA07BE"``). Codes are handled as
fixed-width arrays of character codes so that a million codes are drawn,
checked and mutated with numpy alone.

Closeness check: two strings within one edit (substitution, insertion,
deletion) always share a *deletion key* (the string itself or the string with
one character removed, tagged by nothing else). :func:`neighbour_owners`
uses these keys; it is conservative (an adjacent transposition also shares a
key), which only makes the generated codes safer to link.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["apply_typos", "decode", "draw_codes", "neighbour_conflicts", "normalise"]

_WIDTH = 8  # room for one inserted character
_PAD = 0
_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)


def decode(chars: np.ndarray) -> np.ndarray:
    """Turn an (n, width) uint8 array (0 = padding) into an array of Python strings.

    Examples
    --------
    >>> decode(np.array([[77, 65, 48, 55, 66, 69, 0, 0]], dtype=np.uint8)).tolist()
    ['MA07BE']
    """
    fixed = np.ascontiguousarray(chars, dtype=np.uint8).view(f"S{chars.shape[1]}").ravel()
    return fixed.astype(str).astype(object)


def normalise(chars: np.ndarray) -> np.ndarray:
    """Upper case, blanks removed and left-aligned (what tolerant linkage compares).

    Examples
    --------
    >>> decode(normalise(np.array([[32, 109, 97, 48, 55, 66, 69, 0]], dtype=np.uint8))).tolist()
    ['MA07BE']
    """
    upper = np.where((chars >= 97) & (chars <= 122), chars - 32, chars).astype(np.uint8)
    keep = upper != 32
    order = np.argsort(~keep, axis=1, kind="stable")
    packed = np.take_along_axis(np.where(keep, upper, _PAD), order, axis=1)
    return packed.astype(np.uint8)


def _keys(chars: np.ndarray) -> np.ndarray:
    """Deletion keys (n, width + 1): the padded string and each one-character deletion, as integers."""
    n, width = chars.shape
    base = np.uint64(64)
    values = (chars.astype(np.uint64) % base)  # letters, digits, blank and padding are distinct mod 64

    def encode(block: np.ndarray) -> np.ndarray:
        result = np.zeros(block.shape[0], dtype=np.uint64)
        for column in range(block.shape[1]):
            result = result * base + block[:, column]
        return result

    keys = [encode(values)]
    for position in range(width):
        shifted = np.concatenate([values[:, :position], values[:, position + 1 :], np.zeros((n, 1), np.uint64)], axis=1)
        keys.append(encode(shifted))
    return np.stack(keys, axis=1)


def neighbour_conflicts(chars: np.ndarray, owners: np.ndarray) -> np.ndarray:
    """Rows whose code lies within one edit of a code of a different owner.

    Parameters
    ----------
    chars:
        (n, width) uint8 codes, normalised.
    owners:
        Person index of each row; rows of the same owner never conflict.

    Examples
    --------
    >>> rows = np.array([list(b"MA07BE\\0\\0"), list(b"MA07BF\\0\\0"), list(b"XY12ZZ\\0\\0")], dtype=np.uint8)
    >>> neighbour_conflicts(rows, np.array([0, 1, 2])).tolist()
    [True, True, False]
    """
    keys = _keys(chars)
    n, k = keys.shape
    flat = keys.ravel()
    owner = np.repeat(owners, k)
    row = np.repeat(np.arange(n), k)
    order = np.lexsort((owner, flat))
    flat, owner, row = flat[order], owner[order], row[order]
    same_key = np.r_[False, flat[1:] == flat[:-1]]
    # a key group conflicts when it holds more than one owner
    group = np.cumsum(~same_key) - 1
    first_owner = owner[np.flatnonzero(~same_key)][group]
    mixed_group = np.bincount(group, weights=(owner != first_owner), minlength=int(group[-1]) + 1 if n else 0) > 0
    conflict = np.bincount(row, weights=mixed_group[group], minlength=n) > 0
    return conflict


def _random_codes(rng: np.random.Generator, n: int, letters: np.ndarray) -> np.ndarray:
    chars = np.zeros((n, _WIDTH), dtype=np.uint8)
    chars[:, [0, 1, 4, 5]] = letters[rng.integers(0, letters.shape[0], (n, 4))]
    day = rng.integers(1, 32, n)
    chars[:, 2] = _DIGITS[day // 10]
    chars[:, 3] = _DIGITS[day % 10]
    return chars


def draw_codes(rng: np.random.Generator, n: int, cfg: dict[str, Any]) -> np.ndarray:
    """Draw ``n`` distinct codes, redrawing those within one edit of another person's code.

    Redrawing stops after ``max_redraw_rounds`` rounds or as soon as a round
    does not reduce the number of close codes (the code space is crowded at
    large scales: about 2 % of the 8.7 million codes are taken at scale 100);
    then codes are only redrawn until they are distinct. At scale 1 all codes
    end up at least two edits apart.

    Examples
    --------
    >>> codes = draw_codes(np.random.default_rng(3), 5, {"letters": "ABC", "max_redraw_rounds": 5})
    >>> len(set(decode(codes).tolist()))
    5
    """
    letters = np.frombuffer(cfg["letters"].encode("ascii"), dtype=np.uint8)
    chars = _random_codes(rng, n, letters)
    owners = np.arange(n)
    previous = n + 1
    for _ in range(int(cfg["max_redraw_rounds"])):
        bad = neighbour_conflicts(chars, owners)
        count = int(bad.sum())
        if count == 0 or count >= previous:
            break
        previous = count
        # redraw a random half of the conflicting codes, so one of each close pair usually stays
        redraw = bad & (rng.random(n) < 0.5)
        if not redraw.any():
            redraw = bad
        chars[redraw] = _random_codes(rng, int(redraw.sum()), letters)
    while True:
        _, first = np.unique(chars.view(f"S{_WIDTH}").ravel(), return_index=True)
        duplicate = np.ones(n, dtype=bool)
        duplicate[first] = False
        if not duplicate.any():
            return chars
        chars[duplicate] = _random_codes(rng, int(duplicate.sum()), letters)


def apply_typos(
    rng: np.random.Generator,
    true_codes: np.ndarray,
    record_owner: np.ndarray,
    is_later: np.ndarray,
    cfg: dict[str, Any],
) -> tuple[np.ndarray, np.ndarray]:
    """Codes as written in each record: the true code, for some later records with one typo.

    Parameters
    ----------
    true_codes:
        (persons, width) true codes.
    record_owner:
        Person index of every record (all waves stacked).
    is_later:
        True for records after the person's first record; only these get typos,
        at most one per person.

    Returns
    -------
    (codes, kind)
        The written codes (records, width) and the typo kind per record
        (``""`` for none).

    Examples
    --------
    >>> cfg = {"letters": "ABCDEFGH", "max_redraw_rounds": 10, "typo_rate": 1.0, "typo_kinds": {"case": 1.0},
    ...        "whitespace_leading_share": 0.5}
    >>> rng = np.random.default_rng(0)
    >>> true = draw_codes(rng, 2, cfg)
    >>> written, kind = apply_typos(rng, true, np.array([0, 1, 0]), np.array([False, False, True]), cfg)
    >>> kind.tolist(), decode(written)[2] == decode(true)[0].lower()
    (['', '', 'case'], True)
    """
    letters = np.frombuffer(cfg["letters"].encode("ascii"), dtype=np.uint8)
    n = record_owner.shape[0]
    written = true_codes[record_owner].copy()
    candidate = is_later & (rng.random(n) < cfg["typo_rate"])
    # at most one typo per person: keep the first candidate record of each person
    idx = np.flatnonzero(candidate)
    _, first = np.unique(record_owner[idx], return_index=True)
    chosen = np.zeros(n, dtype=bool)
    chosen[idx[first]] = True
    kinds = list(cfg["typo_kinds"])
    probs = np.array([cfg["typo_kinds"][k] for k in kinds])
    kind = np.full(n, "", dtype=object)
    kind[chosen] = np.array(kinds, dtype=object)[rng.choice(len(kinds), size=int(chosen.sum()), p=probs)]
    length = (written != _PAD).sum(axis=1)
    pos = np.floor(rng.random(n) * length).astype(np.int64)
    rows = np.arange(n)

    sub = kind == "substitute"
    old = written[rows, pos]
    is_digit = (old >= 48) & (old <= 57)
    new_letter = letters[rng.integers(0, letters.shape[0], n)]
    new_letter = np.where(new_letter == old, letters[(np.searchsorted(letters, old) + 1) % letters.shape[0]], new_letter)
    new_digit = _DIGITS[(old.astype(np.int64) - 48 + rng.integers(1, 10, n)) % 10]
    written[sub, pos[sub]] = np.where(is_digit, new_digit, new_letter)[sub]

    ins = kind == "insert"
    ins_pos = np.floor(rng.random(n) * (length + 1)).astype(np.int64)
    column = np.arange(_WIDTH)[None, :]
    src = np.where(column < ins_pos[:, None], column, column - 1).clip(0)
    inserted = np.take_along_axis(written, src, axis=1)
    inserted[rows, ins_pos.clip(max=_WIDTH - 1)] = new_letter
    written[ins] = inserted[ins]

    dele = kind == "delete"
    src = np.where(column < pos[:, None], column, column + 1)
    deleted = np.take_along_axis(np.concatenate([written, np.zeros((n, 1), np.uint8)], axis=1), src, axis=1)
    written[dele] = deleted[dele]

    edited = sub | ins | dele
    if edited.any():
        check = np.concatenate([true_codes, normalise(written[edited])])
        owners = np.concatenate([np.arange(true_codes.shape[0]), record_owner[edited]])
        bad = neighbour_conflicts(check, owners)[true_codes.shape[0]:]
        unresolvable = np.flatnonzero(edited)[bad]
        written[unresolvable] = true_codes[record_owner[unresolvable]]
        kind[unresolvable] = "case"

    case = kind == "case"
    lower = np.where((written >= 65) & (written <= 90), written + 32, written).astype(np.uint8)
    written[case] = lower[case]

    space = kind == "whitespace"
    leading = rng.random(n) < cfg["whitespace_leading_share"]
    shifted = np.concatenate([np.full((n, 1), 32, np.uint8), written[:, :-1]], axis=1)
    trailing = written.copy()
    trailing[rows, length.clip(max=_WIDTH - 1)] = 32
    written[space & leading] = shifted[space & leading]
    written[space & ~leading] = trailing[space & ~leading]
    return written, kind
