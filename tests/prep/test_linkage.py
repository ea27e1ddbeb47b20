"""Linkage on constructed typo cases; the blocked tolerant pass against brute force."""

import itertools

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ilb_eval.prep import link_waves, normalise_code
from ilb_eval.prep.linkage import _near_pairs


def _person_of(linkage, wave, row):
    return int(linkage.persons[wave].loc[row])


def _same(linkage, a, b):
    return _person_of(linkage, *a) == _person_of(linkage, *b)


def test_normalisation():
    codes = pd.Series([" ab 12 ", "AB12", "Müller", "MUELLER", "STRASSE", "straße", "Mu\u0308ller", "Ö\tX"])
    assert normalise_code(codes).tolist() == [
        "ab12", "ab12", "mueller", "mueller", "strasse", "strasse", "mueller", "oex",
    ]
    assert normalise_code(pd.Series(["  ", None], dtype="str")).isna().all()


@pytest.fixture
def typo_waves(eap, io_wave):
    t1 = io_wave(
        eap, "t1",
        ["AB12CD", "Müller7", "ABCD12", "ABCD13", "PQRS11", "KLMN21", "KLMN22", "WXYZ77", "GHIJ55", "ABDC99", "solo1"],
        gender=[1, 2, 1, 2, 1, 1, 2, 1, 1, 1, 2],
        abschluss=[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    )
    # rows:       2          3          4         5          6         7          8         9          10        11
    t3 = io_wave(
        eap, "t3",
        [" ab12 cd", "MUELLER7", "ABXD12", "ABCDX13", "PQRS12", "PQRS13", "KLMN23", "WXYZ78", "GHIJ56", "ADBC99"],
        gender=[1, 2, 1, 2, 1, 1, 1, 2, -9, 1],
        abschluss=[1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    )
    t4 = io_wave(eap, "t4", ["ABCD12", "AB12C"], gender=[1, 1], abschluss=[1, 1])
    return {"t1": t1, "t3": t3, "t4": t4}


def test_exact_and_normalised_codes_link(eap, typo_waves):
    linkage = link_waves(eap, typo_waves)
    assert _same(linkage, ("t1", 2), ("t3", 2))  # AB12CD == " ab12 cd"
    assert _same(linkage, ("t1", 3), ("t3", 3))  # Müller7 == MUELLER7


def test_one_substitution_links(eap, typo_waves):
    linkage = link_waves(eap, typo_waves)
    assert _same(linkage, ("t1", 4), ("t3", 4))  # ABCD12 ~ ABXD12
    assert _same(linkage, ("t1", 4), ("t4", 2))  # ABCD12 == ABCD12 (exact, t1-t4)


def test_one_insertion_and_one_deletion_link(eap, typo_waves):
    linkage = link_waves(eap, typo_waves)
    assert _same(linkage, ("t1", 5), ("t3", 5))  # ABCD13 ~ ABCDX13 (insertion)
    assert _same(linkage, ("t1", 2), ("t4", 3))  # AB12CD ~ AB12C (deletion)


def test_ambiguous_candidates_are_not_linked(eap, typo_waves):
    linkage = link_waves(eap, typo_waves)
    # PQRS11 has two candidates PQRS12 and PQRS13
    assert not _same(linkage, ("t1", 6), ("t3", 6)) and not _same(linkage, ("t1", 6), ("t3", 7))
    # KLMN23 has two candidates KLMN21 and KLMN22 (ambiguous in the other direction)
    assert not _same(linkage, ("t1", 7), ("t3", 8)) and not _same(linkage, ("t1", 8), ("t3", 8))


def test_inconsistent_check_field_blocks_link_missing_does_not(eap, typo_waves):
    linkage = link_waves(eap, typo_waves)
    assert not _same(linkage, ("t1", 9), ("t3", 9))  # WXYZ77 ~ WXYZ78, but gender 1 vs 2
    assert _same(linkage, ("t1", 10), ("t3", 10))  # GHIJ55 ~ GHIJ56, gender missing (-9) at t3


def test_transposition_is_two_edits_and_not_linked(eap, typo_waves):
    linkage = link_waves(eap, typo_waves)
    assert not _same(linkage, ("t1", 11), ("t3", 11))  # ABDC99 vs ADBC99


def test_linkage_table_counts(eap, typo_waves):
    table = link_waves(eap, typo_waves).table.set_index(["wave_a", "wave_b"])
    t1_t3 = table.loc[("t1", "t3")]
    # exact: AB12CD, Müller7; tolerant: ABXD12, ABCDX13, GHIJ56
    assert (t1_t3["n_a"], t1_t3["n_b"], t1_t3["exact"], t1_t3["tolerant"]) == (11, 10, 2, 3)
    assert (t1_t3["unmatched_a"], t1_t3["unmatched_b"]) == (6, 5)
    # PQRS11-PQRS12, PQRS11-PQRS13, KLMN21-KLMN23, KLMN22-KLMN23; WXYZ77-WXYZ78 inconsistent
    assert (t1_t3["rejected_ambiguous"], t1_t3["rejected_inconsistent"]) == (4, 1)
    t1_t4 = table.loc[("t1", "t4")]
    assert (t1_t4["exact"], t1_t4["tolerant"], t1_t4["unmatched_a"], t1_t4["unmatched_b"]) == (1, 1, 9, 0)
    # t3-t4: ABXD12 and ABCD12 are one person (tolerant), " ab12 cd" and AB12C too
    t3_t4 = table.loc[("t3", "t4")]
    assert (t3_t4["exact"], t3_t4["tolerant"]) == (0, 2)
    for _, row in table.iterrows():
        assert row["exact"] + row["tolerant"] + row["unmatched_a"] == row["n_a"]
        assert row["exact"] + row["tolerant"] + row["unmatched_b"] == row["n_b"]


def test_persons_are_numbered_by_first_wave_and_row_not_code(eap, io_wave):
    waves = {
        "t1": io_wave(eap, "t1", ["zz", "aa"]),
        "t3": io_wave(eap, "t3", ["mm", "aa", "zz"]),
        "t4": io_wave(eap, "t4", ["bb"]),
    }
    linkage = link_waves(eap, waves)
    assert linkage.persons["t1"].tolist() == [1, 2]
    assert linkage.persons["t3"].tolist() == [3, 2, 1]
    assert linkage.persons["t4"].tolist() == [4]
    assert linkage.n_persons == 4


def test_duplicates_and_missing_codes_are_excluded_and_reported_without_codes(eap, io_wave):
    waves = {
        "t1": io_wave(eap, "t1", ["SECRET1", "secret 1", "", "OK1"]),
        "t3": io_wave(eap, "t3", ["SECRET1", "OK1"]),
        "t4": io_wave(eap, "t4", ["OK1"]),
    }
    linkage = link_waves(eap, waves)
    assert linkage.persons["t1"].index.tolist() == [5]
    excluded = linkage.excluded.sort_values("row")
    assert excluded.to_dict("list") == {
        "wave": ["t1", "t1", "t1"], "row": [2, 3, 4], "reason": ["duplicate_code", "duplicate_code", "missing_code"],
    }
    codes = {p.code: p for p in linkage.problems}
    assert codes["DUPLICATE_CODE"].rows == (2, 3) and codes["MISSING_CODE"].rows == (4,)
    assert all(p.severity == "warning" for p in linkage.problems)
    text = " ".join(p.one_line() for p in linkage.problems).casefold()
    assert "secret" not in text and "ok1" not in text
    # the t3 row with the duplicated code stays, unlinked
    assert linkage.table.set_index(["wave_a", "wave_b"]).loc[("t1", "t3"), "unmatched_b"] == 1


@pytest.mark.parametrize(
    ("person_id", "linked", "notes"),
    [
        ({"field": "code", "kind": "pseudonym"}, False, []),
        ({"field": "code", "kind": "self_generated_code",
          "tolerant_linkage": {"max_differences": 0, "check_fields": ["gender"]}}, False, []),
        ({"field": "code", "kind": "self_generated_code",
          "tolerant_linkage": {"max_differences": 2, "check_fields": ["gender"]}}, True, ["TOLERANCE_CAPPED"]),
    ],
)
def test_tolerance_follows_the_study_definition(study_copy, io_wave, person_id, linked, notes):
    def set_person_id(document, tables):
        document["person_id"] = person_id

    study = study_copy("eap", set_person_id)
    waves = {"t1": io_wave(study, "t1", ["P001X"]), "t3": io_wave(study, "t3", ["P002X"]),
             "t4": io_wave(study, "t4", ["p001x"])}
    linkage = link_waves(study, waves)
    assert linkage.persons["t4"].tolist() == [1]  # exact after normalisation, always
    assert (linkage.persons["t3"].tolist() == [1]) is linked
    assert [p.code for p in linkage.problems] == notes


def _distance_one(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    st.lists(st.text(alphabet="abc", min_size=1, max_size=5), min_size=0, max_size=15, unique=True),
    st.lists(st.text(alphabet="abc", min_size=1, max_size=5), min_size=0, max_size=15, unique=True),
)
def test_blocking_finds_exactly_the_distance_one_pairs(codes_a, codes_b):
    a = pd.Series(codes_a, index=range(len(codes_a)), dtype=object)
    b = pd.Series(codes_b, index=range(100, 100 + len(codes_b)), dtype=object)
    found = {tuple(p) for p in _near_pairs(a, b)[["ia", "ib"]].itertuples(index=False)}
    brute = {(i, j) for (i, x), (j, y) in itertools.product(a.items(), b.items()) if _distance_one(x, y)}
    assert found == brute
