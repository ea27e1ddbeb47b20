"""One synthetic sample (EAP or ZP): from persons to the wave export frames.

The steps, each with its own random stream derived from (seed, sample, step)
so that changing one step leaves the draws of the others unchanged:

1. persons: demographics, latent time conditions
2. latent growth per competence scale without iLB (:mod:`growth_truth`)
3. first-wave item answers with missing codes, for every person
4. selection into iLB on the observed first-wave scores and covariates, and
   entry waves, with exact counts (:mod:`selection`)
5. true scores with the iLB slope effect; item answers of the later waves
6. wave presence with exact pattern counts, MAR attrition on observed scores
7. wave of first iLB use; iLB use, iLB details and item blocks
8. codes with typos; the frame of each wave in schema column order
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ilb_eval.simulate import blocks, codes, growth_truth, items, population, selection
from ilb_eval.study import Study

__all__ = ["SampleDraw", "draw_sample", "rng_for"]

_STEPS = ("persons", "scores", "items", "presence", "first_use", "ilb_use", "details", "satisfaction",
          "benefit", "leadership", "codes", "typos", "order", "missing", "groups")


def rng_for(seed: int, sample: str, step: str) -> np.random.Generator:
    """The random generator of one step of one sample.

    Examples
    --------
    >>> a = rng_for(1, "EAP", "persons").random()
    >>> b = rng_for(1, "EAP", "persons").random()
    >>> a == b
    True
    """
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(sample.encode()), _STEPS.index(step)]))


@dataclass
class SampleDraw:
    """Everything drawn for one sample; :meth:`frames` yields the wave exports."""

    name: str
    study: Study
    cfg: dict[str, Any]
    persons: population.Persons
    items: dict[str, dict[str, np.ndarray]]
    wave_fields: dict[str, dict[str, np.ndarray]]
    record_codes: dict[str, np.ndarray]
    record_order: dict[str, np.ndarray]
    seed: int
    truth: pd.DataFrame

    def frames(self) -> Iterator[tuple[str, pd.DataFrame]]:
        """(wave name, export frame) per wave; raw codes as values, NaN for system missing."""
        for j, wave in enumerate(self.study.wave_names):
            yield wave, self._frame(j, wave)

    def _frame(self, j: int, wave: str) -> pd.DataFrame:
        study, persons, cfg = self.study, self.persons, self.cfg
        rng = rng_for(self.seed, self.name, "missing")
        rng = np.random.default_rng(rng.integers(0, 2**63) + j)
        idx = self.record_order[wave]
        schema = study.wave(wave).table_schema
        demo = study.demographics
        years = cfg["demographics"]["years_after_t1"]
        wave_years = np.array([years[w] for w in study.wave_names])
        age = persons.fields[demo["age"]][idx] + np.floor(
            persons.birthday_phase[idx] + wave_years[j] - wave_years[persons.entry[idx]]
        )
        demo_missing = {demo["age"], demo["citizenship"], *[c.source for c in study.covariates if c.source not in demo.values()]}
        ilb_field = study.ilb_use.field if study.ilb_use.kind == "reported" else None
        item_rate = cfg["item_missing"]["rate"]
        weights = np.asarray(cfg["item_missing"]["code_weights"], dtype=float)
        not_applicable = cfg["not_applicable"]["representation"]
        leadership = set()
        for block in ("manager_support", "learning_culture"):
            if block in study.item_blocks:
                leadership |= set(study.item_blocks[block].fields)
        columns: dict[str, Any] = {}
        n = idx.shape[0]
        for field in schema.fields:
            name = field.name
            codes_ = np.asarray(field.missing_codes, dtype=float)
            if name == study.person_id.field:
                columns[name] = self.record_codes[wave]
                continue
            if name == demo["age"]:
                values = age.astype(float)
            elif name in persons.fields:
                values = persons.fields[name][idx].astype(float)
            elif name in self.items[wave]:
                columns[name] = self.items[wave][name][idx].astype(float)
                continue
            elif name in self.wave_fields[wave]:
                values = self.wave_fields[wave][name][idx].astype(float)
            else:
                raise KeyError(f"the simulator does not know how to fill field {name!r} of {schema.name}")
            if name in demo_missing:
                rate = cfg["demographics"]["missing_rate"]
            elif name == ilb_field:
                rate = cfg["ilb_use"]["missing_rate"]
            elif name in (demo["gender"], demo["education"]) or name in leadership:
                rate = 0.0
            else:
                rate = item_rate
            answered = np.isfinite(values)
            if name == ilb_field:
                answered &= persons.first_use[idx] != j
            hit = answered & (rng.random(n) < rate)
            if codes_.size:
                pick = rng.choice(codes_.size, size=n, p=weights[: codes_.size] / weights[: codes_.size].sum())
                values = np.where(hit, codes_[pick], values)
                values = np.where(values == blocks.NONRESPONSE, codes_[0], values)
                if not_applicable.startswith("code:"):
                    values = np.where(np.isnan(values), codes_[int(not_applicable.split(":")[1])], values)
            columns[name] = values
        frame = pd.DataFrame(columns, index=pd.RangeIndex(2, n + 2, name="row"))
        return frame[list(schema.field_names)]


def _wave_items(
    study: Study, cfg: dict[str, Any], j: int, scores: dict[str, np.ndarray], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Item answers (int8 per item, missing codes included) of every person at wave index ``j``."""
    growth = cfg["growth"]
    rate = cfg["item_missing"]["rate"]
    weights = np.asarray(cfg["item_missing"]["code_weights"], dtype=float)
    wave = study.wave_names[j]
    schema = study.wave(wave).table_schema
    result: dict[str, np.ndarray] = {}
    for scale in study.competence_scales:
        if wave not in scale.waves:
            continue
        lo, hi = scale.range
        flips = tuple(item in scale.reverse for item in scale.items)
        answers = items.item_answers(scores[scale.name][:, j], scale.name, wave, flips, growth, lo, hi, rng)
        for k, item in enumerate(scale.items):
            field_codes = np.asarray(schema.field(item).missing_codes, dtype=np.int8)
            column = answers[:, k]
            if field_codes.size:
                hit = rng.random(column.shape[0]) < rate
                pick = rng.choice(field_codes.size, size=column.shape[0], p=weights[: field_codes.size] / weights[: field_codes.size].sum())
                column = np.where(hit, field_codes[pick], column).astype(np.int8)
            result[item] = column
    return result


def _observed_scores(study: Study, items: dict[str, dict[str, np.ndarray]], n: int) -> np.ndarray:
    """Persons x waves matrix of the mean observed competence score."""
    result = np.full((n, len(study.wave_names)), np.nan)
    for j, wave in enumerate(study.wave_names):
        scales = [s for s in study.competence_scales if wave in s.waves]
        if not scales:
            continue
        arrays = [np.stack([items[wave][item] for item in s.items], axis=1) for s in scales]
        flips = [tuple(item in s.reverse for item in s.items) for s in scales]
        lo, hi = scales[0].range
        result[:, j] = growth_truth.observed_mean_score(arrays, flips, lo, hi)
    return result


def draw_sample(name: str, study: Study, cfg: dict[str, Any], *, seed: int, scale: float) -> SampleDraw:
    """Draw one sample; the returned object yields the wave frames lazily.

    Examples
    --------
    >>> from ilb_eval.simulate.settings import load_settings
    >>> from ilb_eval.study import load_study
    >>> draw = draw_sample("ZP", load_study("ZP"), load_settings()["samples"]["ZP"], seed=1, scale=0.2)
    >>> {wave: len(frame) for wave, frame in draw.frames()}
    {'t1': 89, 't3': 90, 't4': 85}
    """
    persons = population.draw_persons(cfg, study, scale, rng_for(seed, name, "persons"))
    latent = growth_truth.draw_growth(persons, study, cfg["growth"], rng_for(seed, name, "scores"))
    item_rng = rng_for(seed, name, "items")
    first = study.wave_names[0]
    untreated = growth_truth.true_scores(latent, persons, study, cfg["growth"])
    items = {first: _wave_items(study, cfg, 0, untreated, item_rng)}
    index = selection.selection_index(persons, study, cfg.get("selection"), selection.first_wave_scores(study, items[first]))
    population.assign_groups(persons, cfg, study, scale, index, rng_for(seed, name, "groups"))
    scores = growth_truth.true_scores(latent, persons, study, cfg["growth"])
    for j, wave in enumerate(study.wave_names[1:], start=1):
        items[wave] = _wave_items(study, cfg, j, scores, item_rng)
    observed = _observed_scores(study, items, persons.n)
    population.assign_presence(persons, cfg, study, scale, observed, rng_for(seed, name, "presence"))
    population.first_use_waves(persons, cfg, rng_for(seed, name, "first_use"))

    wave_fields: dict[str, dict[str, np.ndarray]] = {w: {} for w in study.wave_names}
    parts = (
        blocks.ilb_use_field(persons, study, cfg, rng_for(seed, name, "ilb_use")),
        blocks.ilb_detail_fields(persons, study, cfg, rng_for(seed, name, "details")),
        blocks.satisfaction_blocks(persons, study, cfg, rng_for(seed, name, "satisfaction")),
        blocks.benefit_blocks(persons, study, cfg, rng_for(seed, name, "benefit")),
        blocks.leadership_block(persons, study, cfg, scale, rng_for(seed, name, "leadership")),
    )
    for part in parts:
        for wave, fields in part.items():
            wave_fields[wave].update(fields)

    order_rng = rng_for(seed, name, "order")
    record_order = {w: order_rng.permutation(np.flatnonzero(persons.present[:, j])) for j, w in enumerate(study.wave_names)}
    true_codes = codes.draw_codes(rng_for(seed, name, "codes"), persons.n, cfg["codes"])
    owner = np.concatenate([record_order[w] for w in study.wave_names])
    wave_index = np.concatenate([np.full(record_order[w].shape[0], j) for j, w in enumerate(study.wave_names)])
    first_present = np.argmax(persons.present, axis=1)
    written, _ = codes.apply_typos(rng_for(seed, name, "typos"), true_codes, owner, wave_index > first_present[owner], cfg["codes"])
    text = codes.decode(written)
    bounds = np.cumsum([0] + [record_order[w].shape[0] for w in study.wave_names])
    record_codes = {w: text[bounds[j] : bounds[j + 1]] for j, w in enumerate(study.wave_names)}

    ilb_share = float(persons.ilb.mean()) if persons.n else 0.0
    truth = growth_truth.true_parameters(name, study, cfg["growth"], ilb_share)
    return SampleDraw(
        name=name, study=study, cfg=cfg, persons=persons, items=items, wave_fields=wave_fields,
        record_codes=record_codes, record_order=record_order, seed=seed, truth=truth,
    )
