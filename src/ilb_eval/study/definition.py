"""The study definition as frozen Python objects, loaded from ``data/schemas``."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ilb_eval.exceptions import Problem, StudyDefinitionError
from ilb_eval.resources import schemas_dir
from ilb_eval.study.profile import read_json, validate_document

__all__ = [
    "Covariate",
    "Field",
    "IlbUse",
    "ItemBlock",
    "PersonId",
    "Scale",
    "Study",
    "TableSchema",
    "Wave",
    "available_studies",
    "coverage_warnings",
    "load_study",
]

Label = dict[str, str]
Lang = Literal["de", "en"]

#: Minimum cell size when the study definition does not set one (DECISIONS 7).
DEFAULT_MIN_CELL_SIZE = 10


@dataclass(frozen=True)
class Field:
    """One column of a wave file, as its table schema declares it.

    ``missing_values`` and ``categories`` are ``(value, label)`` pairs; the
    values are numbers for numeric fields.
    """

    name: str
    type: Literal["string", "integer", "number"]
    title: str = ""
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    missing_values: tuple[tuple[float | str, str], ...] = ()
    categories: tuple[tuple[float | str, str], ...] = ()
    role: str | None = None
    scale: str | None = None
    block: str | None = None

    @property
    def missing_codes(self) -> tuple[float | str, ...]:
        """The declared missing-value codes of this field."""
        return tuple(value for value, _ in self.missing_values)

    @property
    def valid_values(self) -> tuple[float | str, ...] | None:
        """The allowed category values, or ``None`` when the field has no categories."""
        return tuple(value for value, _ in self.categories) if self.categories else None

    @property
    def is_numeric(self) -> bool:
        return self.type in ("integer", "number")


@dataclass(frozen=True)
class TableSchema:
    """The table schema of one wave file (a Frictionless Table Schema subset)."""

    name: str
    wave: str
    fields: tuple[Field, ...]
    primary_key: str
    path: Path

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        """The field called ``name``; a :class:`KeyError` names the schema otherwise."""
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(f"table schema {self.name} has no field {name!r}")

    def has_field(self, name: str) -> bool:
        return name in self.field_names


@dataclass(frozen=True)
class Wave:
    """One survey wave: its name (any name, e.g. "t1"), time score, export file and table schema.

    ``rename`` maps export column names to study field names (``{"KF01_03":
    "kf01_03"}``), so exports are read as the survey tool wrote them.
    ``dialect`` holds the declared file settings (``encoding``, ``delimiter``,
    ``decimal``, ``extra_header_rows``, ``sheet``).
    """

    name: str
    time_score: float
    file: str
    table_schema: TableSchema
    label: Label
    dialect: dict[str, Any] = field(default_factory=dict)
    rename: dict[str, str] = field(default_factory=dict)

    @property
    def sheet(self) -> str | None:
        """The declared worksheet of an .xlsx export (``None``: find the sheet that holds data)."""
        return self.dialect.get("sheet")

    def export_name(self, field_name: str) -> str:
        """The column name in the export file that holds the study field ``field_name``.

        >>> Wave("t1", 0.0, "t1.csv", None, {}, rename={"KF01_03": "kf01_03"}).export_name("kf01_03")
        'KF01_03'
        """
        for export, target in self.rename.items():
            if target == field_name:
                return export
        return field_name


@dataclass(frozen=True)
class PersonId:
    """The pseudonymous person identifier and how tolerant its linkage may be."""

    field: str
    kind: Literal["self_generated_code", "pseudonym"]
    max_differences: int = 0
    check_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class IlbUse:
    """How the iLB group is derived.

    ``kind == "reported"``: a person belongs to the iLB group if ``field`` takes
    one of ``used_values`` at any wave up to ``up_to_wave``; the earliest such
    wave is the wave of first use. ``kind == "everyone"``: all persons used iLB
    (no control group). A study without iLB-use fields has no ``IlbUse``
    (``Study.ilb_use is None``).
    """

    kind: Literal["reported", "everyone"]
    label: Label
    field: str | None = None
    used_values: tuple[float, ...] = ()
    up_to_wave: str | None = None


@dataclass(frozen=True)
class Covariate:
    """A binary covariate (0/1) coded from a source field of the wave files."""

    name: str
    source: str
    coding: dict[str, Any]
    label: Label
    levels: dict[str, Label]


@dataclass(frozen=True)
class Scale:
    """A scale (competence dimension): items, reverse-keyed items, range, minimum valid items."""

    name: str
    label: Label
    kind: Literal["competence", "other"]
    items: tuple[str, ...]
    reverse: tuple[str, ...]
    range: tuple[float, float]
    min_valid: int
    waves: tuple[str, ...]
    domain: str | None = None


@dataclass(frozen=True)
class BlockItem:
    """One item of an item block (satisfaction, benefit, ...)."""

    field: str
    label: Label
    aspect: str | None = None
    categories: dict[str, Label] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemBlock:
    """A block of single items analysed item by item (not as a scale)."""

    name: str
    label: Label
    waves: tuple[str, ...]
    items: tuple[BlockItem, ...]
    range: tuple[float, float] | None = None
    users_only: bool = False
    agree_at_least: float | None = None

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(item.field for item in self.items)


@dataclass(frozen=True)
class Study:
    """One sample of the evaluation (EAP, ZP or a study of your own), loaded from its study definition.

    Use :func:`load_study` to get one. Every column name the analysis needs
    comes from here. The parts a generic study may leave out are empty:
    ``ilb_use`` is ``None`` without iLB-use fields (then
    ``has_control_group`` is ``False``), ``covariates`` ``()``,
    ``item_blocks``, ``demographics``, ``ilb_details`` and ``domains`` ``{}``,
    ``time_note`` ``None``, ``propensity_covariates`` ``()`` (then the
    weighting uses its default, see
    :func:`ilb_eval.weighting.study.propensity_covariates`).
    """

    name: str
    title: Label
    description: Label
    has_control_group: bool
    person_id: PersonId
    waves: tuple[Wave, ...]
    ilb_use: IlbUse | None
    covariates: tuple[Covariate, ...]
    scales: tuple[Scale, ...]
    item_blocks: dict[str, ItemBlock]
    demographics: dict[str, Any]
    ilb_details: dict[str, Any]
    domains: dict[str, Label]
    time_unit: Label
    min_cell_size: int
    path: Path
    sha256: str
    time_note: Label | None = None
    propensity_covariates: tuple[str, ...] = ()

    @property
    def wave_names(self) -> tuple[str, ...]:
        return tuple(w.name for w in self.waves)

    @property
    def time_scores(self) -> tuple[float, ...]:
        return tuple(w.time_score for w in self.waves)

    @property
    def covariate_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.covariates)

    @property
    def competence_scales(self) -> tuple[Scale, ...]:
        return tuple(s for s in self.scales if s.kind == "competence")

    @property
    def has_ilb_use(self) -> bool:
        """Whether the study says who used iLB (``ilb_use`` is declared)."""
        return self.ilb_use is not None

    @property
    def has_item_blocks(self) -> bool:
        """Whether the study has feedback item blocks (satisfaction, benefit, ...)."""
        return bool(self.item_blocks)

    @property
    def has_ilb_details(self) -> bool:
        """Whether the study names iLB detail fields (sessions, mode, release time, ...)."""
        return any(key != "waves" for key in self.ilb_details)

    def wave(self, name: str) -> Wave:
        """The wave called ``name`` ("t1", "t3", ...)."""
        for wave in self.waves:
            if wave.name == name:
                return wave
        raise KeyError(f"study {self.name} has no wave {name!r}; its waves are {list(self.wave_names)}")

    def scale(self, name: str) -> Scale:
        """The scale called ``name``."""
        for scale in self.scales:
            if scale.name == name:
                return scale
        raise KeyError(f"study {self.name} has no scale {name!r}")

    def label(self, text: Label, lang: Lang = "de") -> str:
        """Pick the German or English text of a label."""
        return text[lang]


def available_studies() -> list[str]:
    """Names of the study definitions shipped with the package, e.g. ``['EAP', 'ZP']``."""
    return sorted(p.name.removesuffix(".study.json").upper() for p in schemas_dir().glob("*.study.json"))


def _resolve(name_or_path: str | Path) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix == ".json" or candidate.is_file():
        return candidate.resolve()
    shipped = schemas_dir() / f"{str(name_or_path).lower()}.study.json"
    if not shipped.exists():
        raise StudyDefinitionError(
            f"Unknown study {str(name_or_path)!r}: not a shipped study ({', '.join(available_studies())}) "
            "and not a path to a .study.json file. Pass one of those names or a file path."
        )
    return shipped


def _coded(values: list[dict[str, Any]] | None) -> tuple[tuple[float | str, str], ...]:
    return tuple((v["value"], v["label"]) for v in values or ())


def _load_table_schema(path: Path) -> TableSchema:
    document = read_json(path)
    validate_document(document, "ilb-table/1", path.name)
    fields = []
    for raw in document["fields"]:
        constraints = raw.get("constraints", {})
        fields.append(
            Field(
                name=raw["name"],
                type=raw["type"],
                title=raw.get("title", ""),
                required=bool(constraints.get("required", False)),
                minimum=constraints.get("minimum"),
                maximum=constraints.get("maximum"),
                missing_values=_coded(raw.get("missingValues")),
                categories=_coded(raw.get("categories")),
                role=raw.get("ilb:role"),
                scale=raw.get("ilb:scale"),
                block=raw.get("ilb:block"),
            )
        )
    names = [f.name for f in fields]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise StudyDefinitionError(f"{path.name}: $.fields declares {duplicates} more than once. Keep one entry per column.")
    key = document["primaryKey"][0]
    if key not in names:
        raise StudyDefinitionError(f"{path.name}: $.primaryKey names {key!r}, which is not a field. Declare it in $.fields.")
    return TableSchema(name=document["name"], wave=document["wave"], fields=tuple(fields), primary_key=key, path=path)


def load_study(name_or_path: str | Path = "EAP") -> Study:
    """Load and validate a study definition with its wave table schemas.

    Parameters
    ----------
    name_or_path:
        ``"EAP"`` or ``"ZP"`` for a shipped study, or the path of a
        ``*.study.json`` file (its table schemas are looked up beside it).

    Raises
    ------
    StudyDefinitionError
        When a file is missing, is not valid JSON, violates the profile (the
        message names the JSON path) or is inconsistent (an item that no
        wave's table schema declares, a reverse-keyed item that is not an
        item of its scale, ...).

    Examples
    --------
    >>> zp = load_study("ZP")
    >>> zp.has_control_group, zp.ilb_use.kind
    (False, 'everyone')
    """
    path = _resolve(name_or_path)
    document = read_json(path)
    validate_document(document, "ilb-study/1", path.name)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()

    waves = tuple(
        Wave(
            name=w["name"],
            time_score=float(w["time_score"]),
            file=w["file"],
            table_schema=_load_table_schema(path.parent / w["table_schema"]),
            label=w.get("label", {"de": w["name"], "en": w["name"]}),
            dialect=dict(w.get("dialect", {})),
            rename=dict(w.get("rename", {})),
        )
        for w in document["waves"]
    )
    pid = document["person_id"]
    linkage = pid.get("tolerant_linkage", {})
    use = document.get("ilb_use")
    ilb_use = None if use is None else IlbUse(
        kind=use["kind"],
        label=use.get("label", {"de": "iLB-Nutzung", "en": "iLB use"}),
        field=use.get("field"),
        used_values=tuple(use.get("used_values", ())),
        up_to_wave=use.get("up_to_wave"),
    )
    has_control = document.get("has_control_group", ilb_use is not None and ilb_use.kind == "reported")
    study = Study(
        name=document["name"],
        title=document["title"],
        description=document.get("description", document["title"]),
        has_control_group=bool(has_control),
        person_id=PersonId(
            field=pid["field"],
            kind=pid["kind"],
            max_differences=int(linkage.get("max_differences", 0)),
            check_fields=tuple(linkage.get("check_fields", ())),
        ),
        waves=waves,
        ilb_use=ilb_use,
        covariates=tuple(
            Covariate(name=c["name"], source=c["source"], coding=c["coding"], label=c["label"], levels=c["levels"])
            for c in document.get("covariates", ())
        ),
        scales=tuple(
            Scale(
                name=s["name"],
                label=s["label"],
                kind=s["kind"],
                items=tuple(s["items"]),
                reverse=tuple(s.get("reverse", ())),
                range=(float(s["range"][0]), float(s["range"][1])),
                min_valid=int(s["min_valid"]),
                waves=tuple(s["waves"]),
                domain=s.get("domain"),
            )
            for s in document["scales"]
        ),
        item_blocks={
            name: ItemBlock(
                name=name,
                label=b["label"],
                waves=tuple(b["waves"]),
                items=tuple(
                    BlockItem(field=i["field"], label=i["label"], aspect=i.get("aspect"), categories=i.get("categories", {}))
                    for i in b["items"]
                ),
                range=(float(b["range"][0]), float(b["range"][1])) if "range" in b else None,
                users_only=bool(b.get("users_only", False)),
                agree_at_least=b.get("agree_at_least"),
            )
            for name, b in document.get("item_blocks", {}).items()
        },
        demographics=dict(document.get("demographics", {})),
        ilb_details=dict(document.get("ilb_details", {})),
        domains=dict(document.get("domains", {})),
        time_unit=document.get("time", {}).get("unit", {"de": "Zeit", "en": "time"}),
        min_cell_size=int(document.get("min_cell_size", DEFAULT_MIN_CELL_SIZE)),
        path=path,
        sha256=sha256,
        time_note=document.get("time", {}).get("note"),
        propensity_covariates=tuple(document.get("propensity_covariates", ())),
    )
    _check_consistency(study)
    return study


def coverage_warnings(study: Study) -> tuple[Problem, ...]:
    """Waves of the study that a scale leaves out: one ``WAVE_NOT_IN_SCALE`` warning per wave.

    A wave added to ``$.waves`` but not to a scale's ``waves`` is not part of
    that scale's growth model; the warning names the wave and the scales, so
    that a new wave is never left out silently.

    Examples
    --------
    >>> coverage_warnings(load_study("EAP"))
    ()
    """
    problems = []
    for wave in study.waves:
        left_out = [(i, s.name) for i, s in enumerate(study.scales) if wave.name not in s.waves]
        if not left_out:
            continue
        names = ", ".join(repr(name) for _, name in left_out)
        paths = ", ".join(f"$.scales[{i}].waves" for i, _ in left_out[:3]) + (" ..." if len(left_out) > 3 else "")
        problems.append(
            Problem(
                code="WAVE_NOT_IN_SCALE",
                message=f"wave {wave.name!r} is declared in the study, but scale(s) {names} do not list it in their "
                f"waves, so their growth models leave wave {wave.name!r} out",
                file=study.path.name, expected=f"{wave.name!r} in the waves of every scale measured at that wave",
                found=f"{len(left_out)} of {len(study.scales)} scales without {wave.name!r}",
                fix=f"add {json.dumps(wave.name)} to {paths} in {study.path.name}, or leave it if the scale was not "
                f"asked at wave {wave.name!r}",
                severity="warning",
            )
        )
    return tuple(problems)


def _reported(study: Study) -> bool:
    return study.ilb_use is not None and study.ilb_use.kind == "reported"


def _rename_problems(index: int, wave: Wave) -> list[str]:
    """A rename must point at declared fields, once each, and must not hide a declared column."""
    problems = []
    schema = wave.table_schema
    targets = list(wave.rename.values())
    for export, target in wave.rename.items():
        if not schema.has_field(target):
            problems.append(
                f"$.waves[{index}].rename: {export!r} is renamed to {target!r}, which is not declared in {schema.path.name}"
            )
        if export != target and schema.has_field(export) and export not in targets:
            problems.append(
                f"$.waves[{index}].rename: {export!r} is renamed to {target!r}, but {schema.path.name} also declares "
                f"a field {export!r}, which could then not be read"
            )
    twice = sorted({t for t in targets if targets.count(t) > 1})
    if twice:
        problems.append(f"$.waves[{index}].rename: more than one export column is renamed to {twice}")
    return problems


def _propensity_problems(study: Study) -> list[str]:
    """Declared propensity covariates: a control group, and each a covariate or a first-wave scale score."""
    declared = study.propensity_covariates
    if not declared:
        return []
    if not study.has_control_group:
        return ["$.propensity_covariates: only a study with a control group is weighted; remove the list or "
                "declare the control group"]
    first = study.wave_names[0]
    known = [*study.covariate_names, *(f"{s.name}_{first}" for s in study.scales if first in s.waves)]
    unknown = [name for name in declared if name not in known]
    if not unknown:
        return []
    return [f"$.propensity_covariates: {unknown} are neither model covariates nor first-wave scale scores; "
            f"use names from {known}"]


def _check_consistency(study: Study) -> None:
    """Cross-checks the JSON Schema cannot express; every problem is reported."""
    problems: list[str] = []
    file = study.path.name
    names = study.wave_names
    if len(set(names)) != len(names):
        problems.append(f"$.waves: wave names {list(names)} are not unique")
    scores = study.time_scores
    if any(b <= a for a, b in zip(scores, scores[1:], strict=False)):
        problems.append(f"$.waves: time scores {list(scores)} must increase strictly in wave order")
    for i, wave in enumerate(study.waves):
        schema = wave.table_schema
        if schema.wave != wave.name:
            problems.append(f"$.waves[{i}].table_schema: {schema.path.name} is for wave {schema.wave!r}, not {wave.name!r}")
        if not schema.has_field(study.person_id.field):
            problems.append(f"$.person_id.field: {study.person_id.field!r} is not declared in {schema.path.name}")
        elif schema.primary_key != study.person_id.field:
            problems.append(f"{schema.path.name}: $.primaryKey must be the person identifier {study.person_id.field!r}")
        for name in study.person_id.check_fields:
            if not schema.has_field(name):
                problems.append(f"$.person_id.tolerant_linkage.check_fields: {name!r} is not declared in {schema.path.name}")
        for j, cov in enumerate(study.covariates):
            if not schema.has_field(cov.source):
                problems.append(f"$.covariates[{j}].source: {cov.source!r} is not declared in {schema.path.name}")
        if _reported(study) and not schema.has_field(str(study.ilb_use.field)):
            problems.append(f"$.ilb_use.field: {study.ilb_use.field!r} is not declared in {schema.path.name}")
        problems += _rename_problems(i, wave)
        for f in schema.fields:
            if f.scale is not None:
                owners = [s.name for s in study.scales if f.name in s.items]
                if owners != [f.scale]:
                    problems.append(
                        f"{schema.path.name}: field {f.name!r} says ilb:scale {f.scale!r}, but the study "
                        f"definition lists it under {owners or 'no scale'}"
                    )
    if _reported(study) and study.ilb_use.up_to_wave not in names:
        problems.append(f"$.ilb_use.up_to_wave: {study.ilb_use.up_to_wave!r} is not one of the waves {list(names)}")
    if study.has_control_group and not _reported(study):
        problems.append(
            "$.has_control_group: a control group needs an ilb_use of kind 'reported' (who used iLB); "
            "set has_control_group to false or declare ilb_use"
        )
    for i, scale in enumerate(study.scales):
        lo, hi = scale.range
        if lo >= hi:
            problems.append(f"$.scales[{i}].range: lower bound {lo} must be below upper bound {hi}")
        extra = [r for r in scale.reverse if r not in scale.items]
        if extra:
            problems.append(f"$.scales[{i}].reverse: {extra} are not items of scale {scale.name!r}")
        if scale.min_valid > len(scale.items):
            problems.append(f"$.scales[{i}].min_valid: {scale.min_valid} exceeds the {len(scale.items)} items")
        for w in scale.waves:
            if w not in names:
                problems.append(f"$.scales[{i}].waves: {w!r} is not a wave of the study")
                continue
            missing = [item for item in scale.items if not study.wave(w).table_schema.has_field(item)]
            if missing:
                problems.append(f"$.scales[{i}].items: {missing} are not declared in {study.wave(w).table_schema.path.name}")
    problems += _propensity_problems(study)
    for name, block in study.item_blocks.items():
        for w in block.waves:
            if w not in names:
                problems.append(f"$.item_blocks.{name}.waves: {w!r} is not a wave of the study")
                continue
            missing = [f for f in block.fields if not study.wave(w).table_schema.has_field(f)]
            if missing:
                problems.append(f"$.item_blocks.{name}.items: {missing} are not declared in {study.wave(w).table_schema.path.name}")
    if problems:
        raise StudyDefinitionError(f"{file}: {len(problems)} inconsistency(ies): " + "; ".join(problems))
