"""Draft a study definition from raw survey exports (``python -m ilb_eval init``).

:func:`draft_study` reads every export in a folder through the readers
``validate`` uses (:func:`ilb_eval.io.formats.read_file`: CSV of any common
dialect, SPSS ``.sav``, Excel ``.xlsx``) and infers:

* the waves, in file order, named after what differs between the file names
  (``eap_t1.csv``, ``eap_t3.csv`` -> ``t1``, ``t3``), with equally spaced
  time scores unless given;
* the person code (:func:`~ilb_eval.study.inference.person_code_score`);
* study field names for the export columns and a per-wave ``rename``
  (``KF01_03`` -> ``kf01_03``, ``FK[SQ003]`` -> ``fk_sq003``);
* item blocks from shared prefixes (:func:`~ilb_eval.study.naming.item_index`)
  as scales, with their range from the values and value labels, and
  reverse-keyed candidates from negative item-rest correlations;
* missing codes from .sav metadata and typical codes standing apart from the
  values (:func:`~ilb_eval.io.datafile.stray_codes`);
* the other columns as optional fields (demographics and the like), tool
  metadata and text left out.

It returns a :class:`Draft`: the study definition and table schemas as JSON
documents, and :class:`Note` records of what was inferred and what a person
must check. :meth:`Draft.write` writes them (atomically); the draft passes
the JSON Schema profiles and ``validate`` on the exports it came from.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ilb_eval.exceptions import InputError, StudyDefinitionError
from ilb_eval.files import atomic_write_text, sha256_file
from ilb_eval.io.codes import make_problem
from ilb_eval.io.datafile import stray_codes
from ilb_eval.io.privacy import looks_like_identifier
from ilb_eval.io.table import RawTable
from ilb_eval.study.exports import (
    Export,
    Note,
    describe_dialect,
    field_names,
    is_empty,
    pooled,
    read_exports,
    title,
    user_missing,
    value_labels,
    wave_names,
    waves_among,
)
from ilb_eval.study.inference import is_likert, person_code_score, reverse_keyed
from ilb_eval.study.naming import field_name, is_tool_metadata, item_index, natural_key

__all__ = ["GENERATOR", "Draft", "Note", "draft_study"]

#: Names the writer in ``manifest.json``, so that ``init --force`` replaces only its own unedited files.
GENERATOR = "ilb_eval.study.draft"


@dataclass(frozen=True, eq=False)
class Draft:
    """A drafted study: the documents to write and the notes to print.

    Attributes
    ----------
    name:
        Study name.
    study:
        The study definition (``<name>.study.json``) as a JSON object.
    tables:
        The table schemas by file name (``<name>_<wave>.table.json``).
    notes:
        What was inferred and what must be checked, in order.
    data_dir:
        The folder the exports were read from.
    """

    name: str
    study: dict[str, Any]
    tables: dict[str, dict[str, Any]]
    notes: tuple[Note, ...]
    data_dir: Path

    @property
    def study_file(self) -> str:
        """File name of the study definition."""
        return f"{self.name.lower()}.study.json"

    def documents(self) -> dict[str, str]:
        """Every file to write, as JSON text, by file name."""
        out = {self.study_file: json.dumps(self.study, ensure_ascii=False, indent=2) + "\n"}
        out.update({name: json.dumps(t, ensure_ascii=False, indent=2) + "\n" for name, t in self.tables.items()})
        return out

    def write(self, out_dir: str | os.PathLike[str]) -> list[Path]:
        """Write the study definition, the table schemas, ``init-notes.txt`` and ``manifest.json``.

        Returns the paths written (the study definition first). Each file is
        written atomically; the folder is created if missing. The manifest
        lists the files with their SHA-256, so that a later ``init --force``
        replaces them only while nobody has edited them.
        """
        folder = Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        texts = {**self.documents(), "init-notes.txt": self.as_text() + "\n"}
        written = [atomic_write_text(folder / name, text) for name, text in texts.items()]
        files = [{"file": p.name, "sha256": sha256_file(p)} for p in written]
        manifest = {"generator": GENERATOR, "data_dir": self.data_dir.name, "files": files}
        written.append(atomic_write_text(folder / "manifest.json", json.dumps(manifest, indent=2) + "\n"))
        return written

    def as_text(self) -> str:
        """What was inferred, then what a person must check, one line each."""
        inferred = [n.text for n in self.notes if n.kind == "inferred"]
        check = [n.text for n in self.notes if n.kind == "check"]
        lines = [f"Draft of study {self.name} from the exports in {self.data_dir}:"]
        lines += [f"  {text}" for text in inferred]
        lines.append(f"Check before you use it ({len(check)}):")
        lines += [f"  - {text}" for text in check]
        return "\n".join(lines)


def _person_code(exports: Sequence[Export], candidates: Sequence[str]) -> tuple[str, list[Note]]:
    scores = {}
    for column in candidates:
        text = all(column in e.texts for e in exports)
        cells = [e.texts[column] if column in e.texts else [None if np.isnan(v) else v for v in e.numbers[column]]
                 for e in exports]
        scores[column] = person_code_score(column, cells, text=text)
    ranked = sorted(scores, key=lambda c: scores[c].key, reverse=True)
    if not ranked or not scores[ranked[0]].eligible:
        raise InputError([make_problem(
            "NO_PERSON_CODE", "no column holds a code that is filled in and distinct in every wave, so the waves "
            "cannot be linked", file=exports[0].path.name,
            expected="a person code (e.g. a self-generated code) in every export",
            found=f"{len(candidates)} column(s) present in every wave, none unique",
            fix="export the person code with every wave (remove double submissions first)",
        )])
    best = ranked[0]
    score = scores[best]
    notes = [Note("inferred", f"person code: '{best}' ({'text' if score.text else 'numbers'}; filled and distinct "
                              f"in every wave; {score.overlap:.0%} of a later wave's codes occur in an earlier wave)")]
    others = [c for c in ranked[1:4] if scores[c].eligible]
    if score.text:
        notes.append(Note("check", "tolerant linkage is not declared: a code mistyped in a later wave counts as a "
                                   "new person; if the codes are self-generated, declare person_id.tolerant_linkage "
                                   "(max_differences 1 and check fields such as gender and education)"))
    notes.append(Note("check", f"the person code '{best}' links the waves"
                      + (f" (other candidates: {', '.join(others)})" if others else "")
                      + ("; its codes hardly recur across waves - is it really the same code in every wave?"
                         if score.overlap < 0.05 else "")))
    return best, notes


@dataclass
class _Block:
    stem: str
    exports: list[str]  # export column names, in index order
    waves: list[str]
    low: float
    high: float
    codes: set[float]
    reverse: list[str]
    first_r: dict[str, float]
    is_scale: bool  # a rating scale at two or more waves; else a block of single items (one wave, or yes/no)


def _blocks(exports: Sequence[Export], numeric: Sequence[str]) -> tuple[list[_Block], list[Note]]:
    by_stem: dict[str, list[tuple[str, str]]] = {}
    for column in numeric:
        split = item_index(column)
        if split is not None:
            by_stem.setdefault(split[0], []).append((split[1], column))
    blocks, notes = [], []
    for stem, members in by_stem.items():
        columns = [c for _, c in sorted(members, key=lambda m: natural_key(m[0]))]
        if len(columns) < 3:
            continue
        answers = np.concatenate([pooled(exports, c) for c in columns])
        codes = stray_codes(answers) | set().union(*(user_missing(exports, c) for c in columns))
        values = np.where(np.isin(answers, list(codes)), np.nan, answers)
        if not is_likert(values):
            continue
        waves = [e.wave for e in exports if all(c in e.numbers for c in columns)]
        partial = [e.wave for e in exports if e.wave not in waves and any(c in e.numbers for c in columns)]
        if partial:
            notes.append(Note("check", f"block {stem}: not every item is in wave(s) {', '.join(partial)}; the scale "
                                       "is declared for the waves that have all items"))
        if not waves:
            continue
        labelled = [v for v in value_labels(exports, columns[0]) if v not in codes]
        low = float(min(np.nanmin(values), *labelled)) if labelled else float(np.nanmin(values))
        high = float(max(np.nanmax(values), *labelled)) if labelled else float(np.nanmax(values))
        matrix = np.vstack([
            np.column_stack([np.where(np.isin(e.numbers[c], list(codes)), np.nan, e.numbers[c]) for c in columns])
            for e in exports if e.wave in waves
        ])
        is_scale = len(waves) >= 2 and np.unique(values[~np.isnan(values)]).size >= 3
        found, first = reverse_keyed(matrix, low, high) if is_scale else ([], np.full(len(columns), np.nan))
        blocks.append(_Block(stem, columns, waves, low, high, codes, [columns[j] for j in found],
                             {c: float(first[j]) for j, c in enumerate(columns)}, bool(is_scale)))
    return blocks, notes


def _missing_values(codes: set[float], labels: Mapping[float, str]) -> list[dict[str, Any]]:
    return [{"value": _number(c), "label": labels.get(c, "missing (code found in the data; check its meaning)")}
            for c in sorted(codes)]


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


def _min_valid(k: int) -> int:
    return max(1, k - k // 4)


# --------------------------------------------------------------------------- the documents


def _field(
    column: str, name: str, exports: Sequence[Export], *, codes: set[float], item_range: tuple[float, float] | None,
    scale: str | None,
) -> dict[str, Any]:
    values = pooled(exports, column)
    valid = values[~np.isnan(values) & ~np.isin(values, list(codes))]
    whole = bool(np.all(valid == np.round(valid)))
    out: dict[str, Any] = {"name": name, "type": "integer" if whole else "number"}
    question = title(exports, column)
    if question:
        out["title"] = question
    labels = value_labels(exports, column)
    categories = {v: label for v, label in labels.items() if v not in codes}
    if categories and whole and set(np.unique(valid).tolist()) <= set(categories):
        out["categories"] = [{"value": _number(v), "label": label} for v, label in sorted(categories.items())]
    elif item_range is not None:
        out["constraints"] = {"minimum": _number(item_range[0]), "maximum": _number(item_range[1])}
    if codes:
        out["missingValues"] = _missing_values(codes, labels)
    if scale is not None:
        out["ilb:scale"] = scale
    return out


def _dialect(raw: RawTable, sheet: str | None) -> dict[str, Any]:
    d = raw.dialect
    if d is None or d.format == "sav":
        return {}
    if d.format == "xlsx":
        out: dict[str, Any] = {"sheet": d.sheet} if sheet else {}
    else:
        out = {"encoding": d.encoding, "delimiter": d.delimiter, "decimal": d.decimal}
    if d.extra_header_rows:
        out["extra_header_rows"] = d.extra_header_rows
    return out


def draft_study(
    data_dir: str | os.PathLike[str],
    *,
    name: str | None = None,
    time_scores: Sequence[float] | None = None,
    sheet: str | None = None,
) -> Draft:
    """Draft a study definition and table schemas from the exports in ``data_dir``.

    Parameters
    ----------
    data_dir:
        Folder with one export per wave (CSV, .sav, .xlsx); the files are
        taken as waves in file-name order. Files that share no columns with
        the others are left out (a note says so).
    name:
        Study name (default: the folder's name).
    time_scores:
        One time score per wave (default: 0, 1, 2, ... equally spaced).
    sheet:
        Worksheet of .xlsx exports that hold several sheets.

    Returns
    -------
    Draft

    Raises
    ------
    InputError
        When an export cannot be read (every problem of every file), when
        fewer than two exports share columns (``TOO_FEW_EXPORTS``), or when no
        column can serve as the person code (``NO_PERSON_CODE``).
    StudyDefinitionError
        When ``name`` is not a valid study name (a letter, then letters,
        digits, ``_``, ``-``).

    Examples
    --------
    >>> from ilb_eval.resources import example_dir
    >>> import pathlib, shutil, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "zp_exports"
    >>> folder.mkdir()
    >>> for wave in ("t1", "t3", "t4"):
    ...     _ = shutil.copy(example_dir() / f"zp_{wave}.sav", folder)
    >>> draft = draft_study(folder, name="ZP2")
    >>> [w["name"] for w in draft.study["waves"]], draft.study["person_id"]["field"]
    (['t1', 't3', 't4'], 'code')
    >>> [(s["name"], s["items"][0], s["range"], s["reverse"]) for s in draft.study["scales"]][:2]
    [('fk', 'fk_1', [1, 5], ['fk_4']), ('re', 're_1', [1, 5], ['re_4'])]
    """
    data_dir = Path(data_dir)
    exports, notes = read_exports(data_dir, sheet)
    exports, wave_notes = waves_among(exports, data_dir)
    notes += wave_notes
    names = wave_names([e.path.stem for e in exports])
    for export, wave in zip(exports, names, strict=True):
        export.wave = wave
    if time_scores is not None and len(time_scores) != len(exports):
        raise InputError([make_problem(
            "TOO_FEW_EXPORTS", f"{len(time_scores)} time scores for {len(exports)} waves", file=data_dir.name,
            fix="give one time score per wave export, in file-name order",
        )])
    scores = [float(t) for t in time_scores] if time_scores is not None else [float(i) for i in range(len(exports))]
    study_name = name or field_name(data_dir.name).upper().replace("_", "-")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", study_name):
        raise StudyDefinitionError(
            f"the study name {study_name!r} cannot be used: it must start with a letter and hold only letters, digits, "
            "'_' and '-'. Give another name with --name."
        )
    fields = field_names(exports)

    everywhere = [c for c in exports[0].columns if all(c in e.columns for e in exports[1:])]
    identifying = sorted({c for e in exports for c in e.columns if looks_like_identifier(c)})
    candidates = [c for c in everywhere if not is_tool_metadata(c) and c not in identifying]
    person, person_notes = _person_code(exports, candidates)
    empty = [c for c in fields if all(is_empty(e, c) for e in exports if c in e.columns)]
    numeric = [c for c in fields if c != person and not is_tool_metadata(c) and c not in identifying
               and c not in empty and all(c in e.numbers for e in exports if c in e.columns)]
    blocks, block_notes = _blocks(exports, numeric)
    in_block = {c for b in blocks for c in b.exports}
    others = [c for c in numeric if c not in in_block]
    other_codes = {c: stray_codes(pooled(exports, c)) | user_missing(exports, c) for c in others}
    skipped_text = [c for c in fields if c != person and c not in numeric and not is_tool_metadata(c)
                    and c not in identifying and c not in empty]
    metadata = [c for c in fields if is_tool_metadata(c)]

    scales, item_blocks = [], {}
    for block in blocks:
        name_of_block = field_name(block.stem)
        if not block.is_scale:
            item_blocks[name_of_block] = {
                "label": {"de": block.stem, "en": block.stem}, "waves": block.waves,
                "range": [_number(block.low), _number(block.high)],
                "items": [{"field": fields[c], "label": {"de": title(exports, c) or fields[c],
                                                         "en": title(exports, c) or fields[c]}}
                          for c in block.exports],
            }
            continue
        scales.append({
            "name": name_of_block, "label": {"de": block.stem, "en": block.stem}, "kind": "competence",
            "items": [fields[c] for c in block.exports], "reverse": [fields[c] for c in block.reverse],
            "range": [_number(block.low), _number(block.high)], "min_valid": _min_valid(len(block.exports)),
            "waves": block.waves,
        })
    scale_blocks = [b for b in blocks if b.is_scale]

    tables: dict[str, dict[str, Any]] = {}
    waves = []
    prefix = study_name.lower()
    for export, score in zip(exports, scores, strict=True):
        schema_fields: list[dict[str, Any]] = [
            {"name": fields[person], "type": "string", "title": "person code", "ilb:role": "person_id",
             "constraints": {"required": True}}]
        for block in blocks:
            if export.wave in block.waves:
                schema_fields += [_field(c, fields[c], exports, codes=block.codes, item_range=(block.low, block.high),
                                         scale=field_name(block.stem) if block.is_scale else None)
                                  for c in block.exports]
        schema_fields += [_field(c, fields[c], exports, codes=other_codes[c], item_range=None, scale=None)
                          for c in others if c in export.numbers]
        table_file = f"{prefix}_{export.wave}.table.json"
        tables[table_file] = {"profile": "ilb-table/1", "name": f"{prefix}_{export.wave}", "wave": export.wave,
                              "title": f"{study_name} {export.wave} ({export.path.name})",
                              "fields": schema_fields, "primaryKey": [fields[person]]}
        wave: dict[str, Any] = {"name": export.wave, "time_score": _number(score), "file": export.path.name,
                                "table_schema": table_file,
                                "label": {"de": f"Befragung {export.wave}", "en": f"Survey {export.wave}"}}
        rename = {c: fields[c] for c in export.columns if fields[c] != c
                  and (c == person or c in numeric and (c in in_block or c in others))}
        if rename:
            wave["rename"] = rename
        dialect = _dialect(export.raw, sheet)
        if dialect:
            wave["dialect"] = dialect
        waves.append(wave)
        notes.append(Note("inferred", f"wave {export.wave}: {export.path.name} ({describe_dialect(export.raw)}; "
                                      f"{export.raw.n_rows} rows, {len(export.columns)} columns)"))
    notes += person_notes

    study = {
        "profile": "ilb-study/1", "name": study_name,
        "title": {"de": study_name, "en": study_name},
        "description": {
            "de": f"Entwurf von 'ilb_eval init' aus den Exporten in {data_dir.name}; jede Angabe prüfen.",
            "en": f"Draft made by 'ilb_eval init' from the exports in {data_dir.name}; check every entry.",
        },
        "has_control_group": False,
        "person_id": {"field": fields[person], "kind": "self_generated_code" if person in exports[0].texts
                      else "pseudonym"},
        "time": {"unit": {"de": "Wellen", "en": "waves"}},
        "waves": waves, "scales": scales, "min_cell_size": 10,
    }
    if item_blocks:
        study["item_blocks"] = item_blocks
        notes.append(Note("inferred", "blocks of single items (asked at one wave, or yes/no): "
                          + "; ".join(f"{n} ({', '.join(b['waves'])})" for n, b in item_blocks.items())))
    notes += _summary_notes(scores, time_scores is None, names, scales, scale_blocks, others, other_codes,
                            skipped_text, metadata, identifying, fields)
    if empty:
        notes.append(Note("inferred", f"empty columns not read: {', '.join(empty[:12])}"
                                      + (f" and {len(empty) - 12} more" if len(empty) > 12 else "")))
    return Draft(name=study_name, study=study, tables=tables, notes=tuple(notes + block_notes), data_dir=data_dir)


def _summary_notes(
    scores: Sequence[float], equal: bool, names: Sequence[str], scales: Sequence[dict[str, Any]],
    blocks: Sequence[_Block], others: Sequence[str], other_codes: Mapping[str, set[float]],
    skipped_text: Sequence[str], metadata: Sequence[str], identifying: Sequence[str], fields: Mapping[str, str],
) -> list[Note]:
    notes = [Note("inferred", f"time scores: {', '.join(f'{_number(t)}' for t in scores)}"
                              + (" (equally spaced)" if equal else " (as given)"))]
    if equal:
        notes.append(Note("check", "the time scores assume equally spaced waves; set each wave's time_score to the "
                                   "real spacing (or run init with --time-scores)"))
    for scale, block in zip(scales, blocks, strict=True):
        reverse = ", ".join(f"{fields[c]} (item-rest r = {block.first_r[c]:.2f})" for c in block.reverse)
        codes = ", ".join(str(_number(c)) for c in sorted(block.codes)) or "none"
        notes.append(Note("inferred", f"scale {scale['name']}: {', '.join(scale['items'])}; range "
                                      f"{scale['range'][0]}-{scale['range'][1]}; missing codes {codes}; waves "
                                      f"{', '.join(scale['waves'])}; reverse-keyed: {reverse or 'none'}"))
    if scales:
        notes.append(Note("check", "each scale's name and label (the item stem for now), its items, range and "
                                   "min_valid, and the reverse-keyed items against the questionnaire"))
    else:
        notes.append(Note("check", "no item block (items sharing a stem such as FK01_01..FK01_04) was found: "
                                   "declare the scales by hand"))
    all_codes = sorted({c for b in blocks for c in b.codes} | {c for cs in other_codes.values() for c in cs})
    if all_codes:
        notes.append(Note("check", f"the missing codes found ({', '.join(str(_number(c)) for c in all_codes)}) "
                                   "mean 'no answer' and are not real values; their labels"))
    if others:
        notes.append(Note("inferred", f"other fields, declared but not used: {', '.join(fields[c] for c in others)}"))
        notes.append(Note("check", "the other fields: name demographics, covariates, iLB use (ilb_use, "
                                   "has_control_group) and feedback blocks in the study definition if the "
                                   "report should use them"))
    if skipped_text:
        notes.append(Note("inferred", f"text columns not read: {', '.join(skipped_text[:12])}"
                                      + (f" and {len(skipped_text) - 12} more" if len(skipped_text) > 12 else "")))
    if metadata:
        notes.append(Note("inferred", f"survey-tool columns not read: {', '.join(metadata[:12])}"
                                      + (f" and {len(metadata) - 12} more" if len(metadata) > 12 else "")))
    if identifying:
        notes.append(Note("check", f"column(s) {', '.join(identifying)} look like direct identifiers or free "
                                   "text: export without them (validate refuses files that have them)"))
    numbered = [n for n in names if any(ch.isdigit() for ch in n)]
    if equal and len(numbered) == len(names):
        digits = ["".join(ch for ch in n if ch.isdigit()) for n in names]
        if len(set(digits)) == len(digits) and all(digits):
            hinted = [int(d) - int(digits[0]) for d in digits]
            if hinted != list(range(len(hinted))) and all(b > a for a, b in zip(hinted, hinted[1:], strict=False)):
                notes.append(Note("check", f"the wave names suggest time scores {', '.join(map(str, hinted))} "
                                           f"(--time-scores {' '.join(map(str, hinted))})"))
    return notes
