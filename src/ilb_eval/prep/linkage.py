"""Linking the rows of the waves to persons by the pseudonymous identifier.

The identifier values stay inside this module: what leaves it is an opaque
person number 1..N per wave row, counts, and row numbers.

Two passes (Pöge 2008; surveyinsights.org "Using Record Linkage to improve
matching rates of subject-generated ID-codes"):

1. **exact** on the normalised code
   (:func:`ilb_eval.io.privacy.normalise_person_code`, the key the io
   duplicate check uses as well: NFKC, format characters such as zero-width
   spaces removed, case-folded, umlauts ä->ae ö->oe ü->ue ß->ss, all
   whitespace removed);
2. **tolerant** (only for self-generated codes with ``max_differences >= 1``),
   per pair of waves: a code of wave *a* whose person has no row in wave *b*
   is linked to a code of wave *b* whose person has no row in wave *a* when the
   two differ by one substitution, insertion or deletion, that candidate is the
   only one in both directions, and the persons agree on the study's
   time-constant ``check_fields`` wherever both have a value.

Candidates are found by blocking on deletion variants (each code indexed by
itself and by every code obtained by deleting one character), so the pass
needs hash joins, not a comparison of every pair.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilb_eval.exceptions import InputError, Problem
from ilb_eval.io.privacy import normalise_person_code
from ilb_eval.prep.missing import recode_missing
from ilb_eval.study import Study

__all__ = ["LINKAGE_COLUMNS", "MIN_LINKED_SHARE", "Linkage", "link_waves", "normalise_code"]

#: A wave of at least ``min_cell_size`` keyed rows of which fewer than this
#: share link to another wave (while the other waves hold at least
#: ``min_cell_size`` persons) is an error (``UNLINKED_WAVE``): such a file is
#: another study's export, or its codes are written differently, and its rows
#: would silently count as new persons. The shipped example links 36 % (EAP
#: t1, heavy attrition) to 99 % of a wave's rows.
MIN_LINKED_SHARE = 0.05

#: Columns of :attr:`Linkage.table`.
LINKAGE_COLUMNS: tuple[str, ...] = (
    "wave_a",
    "wave_b",
    "n_a",
    "n_b",
    "exact",
    "tolerant",
    "unmatched_a",
    "unmatched_b",
    "rejected_ambiguous",
    "rejected_inconsistent",
)


def normalise_code(codes: pd.Series) -> pd.Series:
    """Normalise identifier codes for matching; empty codes become NA.

    Each code becomes :func:`~ilb_eval.io.privacy.normalise_person_code`:
    Unicode NFKC (fullwidth letters and digits become plain ones, a
    decomposed "a" + combining diaeresis equals "ä"), format characters
    (zero-width space, joiner, byte-order mark, direction marks) removed,
    case-folded, umlauts ä->ae, ö->oe, ü->ue, ß->ss, whitespace removed.

    Examples
    --------
    >>> import pandas as pd
    >>> normalise_code(pd.Series([" Mü 12 ", "MUE12", "ＭＵＥ１２", "MU\u200bE12", "Straße", "\u200b", None])).tolist()
    ['mue12', 'mue12', 'mue12', 'mue12', 'strasse', <NA>, <NA>]
    """
    text = codes.astype(pd.StringDtype(na_value=pd.NA))
    text = text.map(normalise_person_code, na_action="ignore").astype(pd.StringDtype(na_value=pd.NA))
    return text.mask(text == "")


@dataclass(frozen=True)
class Linkage:
    """The result of :func:`link_waves`.

    Attributes
    ----------
    persons
        Per wave a Series (index = row numbers of the linked rows, name
        ``"person"``) holding the person number 1..N. Persons are numbered in
        order of their first wave, then row number, never from the code.
    excluded
        Rows that could not be keyed: columns ``wave``, ``row``, ``reason``
        (``"missing_code"``, ``"duplicate_code"``).
    table
        One row per pair of waves with :data:`LINKAGE_COLUMNS`: ``n_a``/``n_b``
        keyed rows of each wave; ``exact``/``tolerant`` persons present in both
        waves whose codes there are equal/differ after normalisation;
        ``unmatched_a`` rows of wave a whose person has no row in wave b (and
        the reverse); ``rejected_ambiguous`` one-character candidate pairs not
        linked because a code had more than one candidate;
        ``rejected_inconsistent`` unique candidate pairs not linked because the
        check fields differ (or both persons answered a third wave).
        ``exact + tolerant + unmatched_a == n_a``.
    problems
        Duplicate and missing codes (rows named, code values never).
    """

    persons: dict[str, pd.Series]
    excluded: pd.DataFrame
    table: pd.DataFrame
    problems: tuple[Problem, ...]

    @property
    def n_persons(self) -> int:
        """Number of distinct persons over all waves."""
        return int(max((int(s.max()) for s in self.persons.values() if len(s)), default=0))


def _deletions(codes: pd.Series) -> pd.DataFrame:
    """Every one-character deletion of every code: columns ``idx``, ``pos``, ``length``, ``variant``.

    Vectorised per code length: the codes of one length are a character
    matrix, and deleting position p drops one of its columns.
    """
    idx = codes.index.to_numpy()
    text = codes.to_numpy(dtype=str)
    lengths = np.char.str_len(text)
    parts = []
    for n in np.unique(lengths):
        rows = lengths == n
        chars = text[rows].astype(f"U{n}").view("U1").reshape(-1, n)
        for p in range(n):
            rest = np.ascontiguousarray(np.delete(chars, p, axis=1))
            variant = rest.view(f"U{n - 1}").ravel() if n > 1 else np.full(len(rest), "")
            parts.append(pd.DataFrame({"idx": idx[rows], "pos": p, "length": n, "variant": variant}))
    return pd.concat(parts, ignore_index=True)


def _near_pairs(codes_a: pd.Series, codes_b: pd.Series) -> pd.DataFrame:
    """Pairs (``ia``, ``ib``) of codes at edit distance exactly one (substitution, insertion, deletion).

    Blocking: a substitution at position p leaves the same deletion variant at
    p in both codes; an insertion makes the shorter code equal to a deletion
    variant of the longer one. All candidates come from equality joins (on
    integer keys of the strings).
    """
    if codes_a.empty or codes_b.empty:
        return pd.DataFrame({"ia": pd.Series(dtype=int), "ib": pd.Series(dtype=int)})
    del_a, del_b = _deletions(codes_a), _deletions(codes_b)
    full_a = pd.DataFrame({"ia": codes_a.index.to_numpy(), "variant": codes_a.to_numpy(dtype=str)})
    full_b = pd.DataFrame({"ib": codes_b.index.to_numpy(), "variant": codes_b.to_numpy(dtype=str)})
    tables = [del_a, del_b, full_a, full_b]
    keys = pd.factorize(np.concatenate([t["variant"].to_numpy(dtype=str) for t in tables]))[0]
    start = 0
    for t in tables:
        t["variant"] = keys[start : start + len(t)]
        start += len(t)
    substitution = del_a.merge(del_b, on=["pos", "length", "variant"], suffixes=("_a", "_b"))
    substitution = substitution.rename(columns={"idx_a": "ia", "idx_b": "ib"})[["ia", "ib"]]
    shorter_b = del_a.rename(columns={"idx": "ia"}).merge(full_b, on="variant")[["ia", "ib"]]
    shorter_a = full_a.merge(del_b.rename(columns={"idx": "ib"}), on="variant")[["ia", "ib"]]
    pairs = pd.concat([substitution, shorter_b, shorter_a], ignore_index=True).drop_duplicates()
    same = codes_a.loc[pairs["ia"]].to_numpy(dtype=object) == codes_b.loc[pairs["ib"]].to_numpy(dtype=object)
    return pairs.loc[~same].reset_index(drop=True)


def _check_profile(records: pd.DataFrame, entity: np.ndarray, fields: tuple[str, ...]) -> pd.DataFrame:
    """Per entity and check field: number of distinct non-missing values (``<field>__n``) and the first (``<field>__v``)."""
    index = pd.RangeIndex(int(entity.max()) + 1 if len(entity) else 0)
    out = pd.DataFrame(index=index)
    for name in fields:
        values = pd.DataFrame({"entity": entity, "value": records[name].to_numpy()}).dropna()
        grouped = values.groupby("entity")["value"]
        out[f"{name}__n"] = grouped.nunique().reindex(index, fill_value=0)
        out[f"{name}__v"] = grouped.first().reindex(index)
    return out


def _consistent(profile: pd.DataFrame, ent_a: np.ndarray, ent_b: np.ndarray, fields: tuple[str, ...]) -> np.ndarray:
    """True where two entities agree on every check field (equal where both have a value)."""
    ok = np.ones(len(ent_a), dtype=bool)
    for name in fields:
        n_a = profile[f"{name}__n"].to_numpy()[ent_a]
        n_b = profile[f"{name}__n"].to_numpy()[ent_b]
        v_a = profile[f"{name}__v"].to_numpy(dtype=object)[ent_a]
        v_b = profile[f"{name}__v"].to_numpy(dtype=object)[ent_b]
        either_empty = (n_a == 0) | (n_b == 0)
        same = (n_a == 1) & (n_b == 1) & (v_a == v_b)
        ok &= either_empty | same
    return ok


def _wave_masks(entity: np.ndarray, wave_pos: np.ndarray, n_entities: int) -> np.ndarray:
    masks = np.zeros(n_entities, dtype=np.int64)
    np.bitwise_or.at(masks, entity, np.left_shift(1, wave_pos.astype(np.int64)))
    return masks


def link_waves(study: Study, waves: Mapping[str, pd.DataFrame]) -> Linkage:
    """Link the rows of all waves to persons (exact, then one-character tolerant).

    Parameters
    ----------
    study
        The study definition; ``study.person_id`` names the identifier field,
        its kind, ``max_differences`` and ``check_fields``.
    waves
        One frame per wave (raw as the io layer delivers it, or after
        :func:`ilb_eval.prep.recode_missing`; missing codes of the check fields
        are recoded here), index = row numbers.

    Returns
    -------
    Linkage
        Person numbers per wave row, the rows that could not be keyed, the
        linkage table per wave pair and the problems found.

    Raises
    ------
    InputError
        ``UNLINKED_WAVE`` for a wave that links to almost nobody (fewer than
        :data:`MIN_LINKED_SHARE` of its rows, see there).

    Notes
    -----
    Duplicate codes within a wave are an error of the io layer; if they reach
    this function, every row carrying the duplicated code is left unkeyed
    (reason ``"duplicate_code"``) and reported, since no row can be told to be
    the right one. Tolerance above one character (``max_differences == 2``) is
    not implemented: one character is used and a problem says so. A check
    field is used only if every given wave has that column (the study loader
    guarantees it for the declared waves).

    Examples
    --------
    >>> import pandas as pd
    >>> from ilb_eval.study import load_study
    >>> eap = load_study("EAP")
    >>> def wave(codes, gender):
    ...     index = pd.Index(range(2, 2 + len(codes)), name="row")
    ...     return pd.DataFrame({"code": codes, "gender": gender, "abschluss": 1.0}, index=index)
    >>> linkage = link_waves(eap, {"t1": wave(["AB12", "CD34"], [1.0, 2.0]),
    ...                            "t3": wave(["ab 12", "CD35"], [1.0, 2.0]),
    ...                            "t4": wave(["XY99"], [1.0])})
    >>> linkage.persons["t3"].tolist()
    [1, 2]
    >>> linkage.table[["wave_a", "wave_b", "exact", "tolerant", "unmatched_a"]]
      wave_a wave_b  exact  tolerant  unmatched_a
    0     t1     t3      1         1            0
    1     t1     t4      0         0            2
    2     t3     t4      0         0            2
    """
    pid = study.person_id
    order = [w for w in study.wave_names if w in waves]
    _check_waves(study, waves, order)
    tolerant = pid.kind == "self_generated_code" and pid.max_differences >= 1
    checks = tuple(f for f in pid.check_fields if all(f in waves[w].columns for w in order)) if tolerant else ()
    records = _records(study, waves, order, checks)
    missing = records["code"].isna().to_numpy()
    duplicate = records.duplicated(subset=["wave_pos", "code"], keep=False).to_numpy() & ~missing
    problems = _unkeyed_problems(study, order, records, missing, duplicate)
    if tolerant and pid.max_differences > 1:
        problems.append(Problem(
            code="TOLERANCE_CAPPED",
            message=f"max_differences is {pid.max_differences}, but tolerant linkage accepts one differing character",
            fix="set person_id.tolerant_linkage.max_differences to 1",
            severity="note",
        ))
    unkeyed = missing | duplicate
    excluded = pd.DataFrame({
        "wave": [order[p] for p in records["wave_pos"].to_numpy()[unkeyed]],
        "row": records["row"].to_numpy()[unkeyed],
        "reason": np.where(missing, "missing_code", "duplicate_code")[unkeyed],
    }, columns=["wave", "row", "reason"])
    keyed = records.loc[~unkeyed].reset_index(drop=True)

    entity = pd.factorize(keyed["code"])[0].astype(np.int64)  # pass 1: one entity per normalised code
    rejected: dict[tuple[int, int], tuple[int, int]] = {}
    if tolerant:
        for a, b in itertools.combinations(range(len(order)), 2):
            entity, rejected[(a, b)] = _tolerant_pass(keyed, entity, a, b, checks)
    person = _number_persons(entity, keyed)
    wave_pos = keyed["wave_pos"].to_numpy()
    rows = keyed["row"].to_numpy()
    persons = {
        name: pd.Series(person[wave_pos == pos], index=pd.Index(rows[wave_pos == pos], name="row"),
                        name="person", dtype=np.int64)
        for pos, name in enumerate(order)
    }
    table = _table(keyed, person, order, rejected)
    _check_linked_share(study, persons)
    return Linkage(persons=persons, excluded=excluded, table=table, problems=tuple(problems))


def _check_linked_share(study: Study, persons: Mapping[str, pd.Series]) -> None:
    """Raise ``UNLINKED_WAVE`` for every wave that links to almost nobody (:data:`MIN_LINKED_SHARE`)."""
    k = study.min_cell_size
    problems = []
    for name, wave_persons in persons.items():
        others = [p for w, p in persons.items() if w != name]
        in_others = pd.Index(np.unique(np.concatenate([p.to_numpy() for p in others]))) if others else pd.Index([])
        if len(wave_persons) < k or len(in_others) < k:
            continue
        linked = wave_persons.isin(in_others)
        if linked.mean() >= MIN_LINKED_SHARE:
            continue
        names = ", ".join(w for w in persons if w != name)
        problems.append(Problem(
            code="UNLINKED_WAVE",
            message=f"only {int(linked.sum())} of {len(wave_persons)} persons of this wave could be linked to another "
            f"wave ({names}); the file looks like another study's export or its codes are written differently, "
            "and its rows would count as new persons",
            file=study.wave(name).file, column=study.person_id.field,
            rows=tuple(int(r) for r in wave_persons.index[~linked.to_numpy()]),
            expected=f"at least {MIN_LINKED_SHARE:.0%} of the rows linked to another wave",
            found=f"{linked.mean():.0%} linked",
            fix=f"check that the file is the export of wave {name} of study {study.name} and that "
            f"'{study.person_id.field}' holds the same codes as in the other waves",
        ))
    if problems:
        raise InputError(problems)


def _check_waves(study: Study, waves: Mapping[str, pd.DataFrame], order: list[str]) -> None:
    unknown = sorted(set(waves) - set(study.wave_names))
    absent = [w for w in order if study.person_id.field not in waves[w].columns]
    if unknown or absent:
        raise InputError(
            [Problem(code="UNKNOWN_WAVE", message=f"wave '{w}' is not a wave of study {study.name}",
                     fix=f"use the waves {list(study.wave_names)}") for w in unknown]
            + [Problem(code="MISSING_COLUMN", message="the person identifier column is missing",
                       file=study.wave(w).file, column=study.person_id.field,
                       fix="pass the wave as the io layer returns it")
               for w in absent]
        )


def _records(study: Study, waves: Mapping[str, pd.DataFrame], order: list[str], checks: tuple[str, ...]) -> pd.DataFrame:
    """All rows of all waves: ``wave_pos``, ``row``, normalised ``code``, recoded check fields."""
    field = study.person_id.field
    parts = []
    for pos, name in enumerate(order):
        frame = waves[name]
        values, _ = recode_missing(frame.loc[:, [field, *checks]], study.wave(name).table_schema)
        part = pd.DataFrame({"wave_pos": pos, "row": frame.index.to_numpy(dtype=np.int64),
                             "code": normalise_code(values[field]).to_numpy()})
        for check in checks:
            part[check] = values[check].to_numpy()
        parts.append(part)
    records = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["wave_pos", "row", "code"])
    records["code"] = records["code"].astype(pd.StringDtype(na_value=pd.NA))
    return records


def _unkeyed_problems(
    study: Study, order: list[str], records: pd.DataFrame, missing: np.ndarray, duplicate: np.ndarray
) -> list[Problem]:
    problems = []
    wave_pos = records["wave_pos"].to_numpy()
    for pos, name in enumerate(order):
        for mask, code, text in (
            (missing, "MISSING_CODE", "has no person identifier; the row cannot be linked and is excluded"),
            (duplicate, "DUPLICATE_CODE",
             "shares its (normalised) person identifier with another row of the same wave; such rows are excluded"),
        ):
            rows = records["row"].to_numpy()[mask & (wave_pos == pos)]
            if len(rows):
                problems.append(Problem(code=code, message=text, file=study.wave(name).file,
                                        column=study.person_id.field, rows=tuple(int(r) for r in rows),
                                        fix="correct the identifier in the export", severity="warning"))
    return problems


def _tolerant_pass(
    keyed: pd.DataFrame, entity: np.ndarray, a: int, b: int, checks: tuple[str, ...]
) -> tuple[np.ndarray, tuple[int, int]]:
    """Merge entities of waves a and b whose codes differ by one edit (unique both ways, consistent).

    Returns the new entity of every keyed row and the counts of candidate
    pairs rejected as ambiguous and as inconsistent.
    """
    wave_pos = keyed["wave_pos"].to_numpy()
    n_entities = int(entity.max()) + 1 if len(entity) else 0
    masks = _wave_masks(entity, wave_pos, n_entities)
    side_a = (wave_pos == a) & ((masks[entity] & (1 << b)) == 0)
    side_b = (wave_pos == b) & ((masks[entity] & (1 << a)) == 0)
    pairs = _near_pairs(keyed["code"][side_a].astype(object), keyed["code"][side_b].astype(object))
    count_a = pairs.groupby("ia")["ib"].transform("size")
    count_b = pairs.groupby("ib")["ia"].transform("size")
    unique = pairs.loc[(count_a == 1) & (count_b == 1)]
    ent_a = entity[unique["ia"].to_numpy()]
    ent_b = entity[unique["ib"].to_numpy()]
    ok = _consistent(_check_profile(keyed, entity, checks), ent_a, ent_b, checks)
    ok &= (masks[ent_a] & masks[ent_b]) == 0  # never two rows of one wave for one person
    target = np.arange(n_entities)
    target[ent_b[ok]] = ent_a[ok]
    return target[entity], (len(pairs) - len(unique), int((~ok).sum()))


def _number_persons(entity: np.ndarray, keyed: pd.DataFrame) -> np.ndarray:
    """Opaque person numbers 1..N in order of first wave, then row number (never from the code)."""
    if not len(entity):
        return np.array([], dtype=np.int64)
    first = pd.DataFrame({"entity": entity, "wave_pos": keyed["wave_pos"].to_numpy(), "row": keyed["row"].to_numpy()})
    first = first.sort_values(["wave_pos", "row"]).drop_duplicates("entity")
    number = pd.Series(np.arange(1, len(first) + 1), index=first["entity"].to_numpy())
    return number.loc[entity].to_numpy()


def _table(
    keyed: pd.DataFrame, person: np.ndarray, order: list[str], rejected: dict[tuple[int, int], tuple[int, int]]
) -> pd.DataFrame:
    wave_pos = keyed["wave_pos"].to_numpy()
    rows = []
    for a, b in itertools.combinations(range(len(order)), 2):
        left = keyed.loc[wave_pos == a, ["code"]].assign(person=person[wave_pos == a])
        right = keyed.loc[wave_pos == b, ["code"]].assign(person=person[wave_pos == b])
        both = left.merge(right, on="person", suffixes=("_a", "_b"))
        exact = int((both["code_a"] == both["code_b"]).sum())
        ambiguous, inconsistent = rejected.get((a, b), (0, 0))
        rows.append({
            "wave_a": order[a], "wave_b": order[b], "n_a": len(left), "n_b": len(right),
            "exact": exact, "tolerant": len(both) - exact,
            "unmatched_a": len(left) - len(both), "unmatched_b": len(right) - len(both),
            "rejected_ambiguous": ambiguous, "rejected_inconsistent": inconsistent,
        })
    return pd.DataFrame(rows, columns=list(LINKAGE_COLUMNS))
