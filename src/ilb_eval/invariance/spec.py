"""Which items measure a scale at which wave, and the item-level data of one scale.

A :class:`MeasurementSpec` says, for one scale, which item is observed at
which wave and under which column of the data, and which item is the marker
(its loading is fixed at 1 at every wave). It is built from the study
definition (:func:`measurement_spec`) and checked against the data: an item
that nobody answered at a wave is left out of that wave, a wave with fewer
than two observed items is left out, and every choice is written into
``notes`` in plain words (never an exception for data the report can live
with).

:func:`item_data` gives the wide item-level table of one scale from a
:class:`~ilb_eval.prep.Panel`: one row per person, a column ``<item>_<wave>``
per item and wave (reverse-keyed items already reversed by the panel), the
covariates and ``ilb``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from ilb_eval.prep import Panel
from ilb_eval.study import Scale, Study

__all__ = ["MIN_ITEMS_PER_WAVE", "MeasurementSpec", "item_column", "item_data", "measurement_spec"]

#: A wave enters the longitudinal model only with at least this many observed items.
MIN_ITEMS_PER_WAVE = 2


def item_column(item: str, wave: str) -> str:
    """The column of ``item`` at ``wave`` in :func:`item_data`.

    >>> item_column("be_2", "t3")
    'be_2_t3'
    """
    return f"{item}_{wave}"


@dataclass(frozen=True)
class MeasurementSpec:
    """The measurement model of one scale: items, waves, columns and the marker.

    Attributes
    ----------
    scale
        Scale name (from the study definition).
    items
        The scale's items in the study definition's order.
    waves
        Waves that enter the model, in study order (each with at least
        :data:`MIN_ITEMS_PER_WAVE` observed items).
    columns
        ``(item, wave) -> column`` for every item observed at a wave; an
        absent pair means the item is not in the model at that wave.
    marker
        The item whose loading is fixed at 1 at every wave (the first item
        of the scale observed at every wave), ``None`` when no item is.
    notes
        What was left out and why (English, one sentence each).
    """

    scale: str
    items: tuple[str, ...]
    waves: tuple[str, ...]
    columns: Mapping[tuple[str, str], str]
    marker: str | None
    notes: tuple[str, ...] = field(default=())

    def items_at(self, wave: str) -> tuple[str, ...]:
        """Items observed at ``wave`` (scale order)."""
        return tuple(item for item in self.items if (item, wave) in self.columns)

    def waves_of(self, item: str) -> tuple[str, ...]:
        """Waves at which ``item`` is observed (study order)."""
        return tuple(wave for wave in self.waves if (item, wave) in self.columns)

    def column(self, item: str, wave: str) -> str:
        """The data column of ``item`` at ``wave`` (KeyError when not observed)."""
        return self.columns[(item, wave)]

    def locate(self, column: str) -> tuple[str, str]:
        """``(item, wave)`` of a data column of the model (KeyError when unknown)."""
        for key, name in self.columns.items():
            if name == column:
                return key
        raise KeyError(f"column {column!r} is not part of the measurement model of {self.scale!r}")

    @property
    def n_items(self) -> int:
        """Number of items in the model (observed at one wave at least)."""
        return sum(1 for item in self.items if self.waves_of(item))

    @property
    def usable(self) -> bool:
        """Whether a longitudinal model can be written: two waves or more and a marker."""
        return len(self.waves) >= 2 and self.marker is not None

    def restricted_to(self, waves: Sequence[str]) -> MeasurementSpec:
        """The same scale at the given waves only (e.g. the first wave for a multi-group model)."""
        keep = tuple(w for w in self.waves if w in waves)
        columns = {k: v for k, v in self.columns.items() if k[1] in keep}
        marker = _marker(self.items, keep, columns)
        return MeasurementSpec(self.scale, self.items, keep, columns, marker, self.notes)


def _marker(items: Sequence[str], waves: Sequence[str], columns: Mapping[tuple[str, str], str]) -> str | None:
    for item in items:
        if all((item, wave) in columns for wave in waves):
            return item
    return None


def measurement_spec(scale: Scale, data: pd.DataFrame, waves: Sequence[str] | None = None) -> MeasurementSpec:
    """The measurement model of ``scale`` in ``data`` (columns named by :func:`item_column`).

    Parameters
    ----------
    scale
        The scale from the study definition.
    data
        Item-level data (:func:`item_data`); an item column that is absent
        or has no observed value leaves that item out at that wave.
    waves
        Waves to consider (default: the scale's waves in the study definition).

    Returns
    -------
    MeasurementSpec

    Examples
    --------
    >>> import numpy as np
    >>> from ilb_eval.study import load_study
    >>> scale = load_study("EAP").scale("belastbarkeit")
    >>> data = pd.DataFrame({f"{i}_{w}": [1.0, 2.0] for i in scale.items for w in scale.waves})
    >>> data["be_3_t4"] = np.nan
    >>> spec = measurement_spec(scale, data)
    >>> spec.items_at("t4"), spec.marker
    (('be_1', 'be_2', 'be_4'), 'be_1')
    >>> spec.notes
    ('item be_3 has no answers at wave t4 and is left out at that wave.',)
    """
    waves = tuple(scale.waves if waves is None else waves)
    columns: dict[tuple[str, str], str] = {}
    notes: list[str] = []
    kept_waves: list[str] = []
    for wave in waves:
        found = {}
        for item in scale.items:
            name = item_column(item, wave)
            if name in data.columns and data[name].notna().any():
                found[(item, wave)] = name
            else:
                notes.append(f"item {item} has no answers at wave {wave} and is left out at that wave.")
        if len(found) >= MIN_ITEMS_PER_WAVE:
            columns.update(found)
            kept_waves.append(wave)
        else:
            notes.append(f"wave {wave} has fewer than {MIN_ITEMS_PER_WAVE} items with answers and is left out.")
    marker = _marker(scale.items, kept_waves, columns)
    if kept_waves and marker is None:
        notes.append("no item is observed at every wave, so no item can serve as the marker.")
    return MeasurementSpec(scale.name, tuple(scale.items), tuple(kept_waves), columns, marker, tuple(notes))


def item_data(panel: Panel, study: Study, scale: str) -> pd.DataFrame:
    """Wide item-level data of one scale: ``person``, ``<item>_<wave>`` columns, covariates, ``ilb``.

    Items are as the panel scored them (missing codes removed, reverse-keyed
    items reversed). Persons without any item of the scale are left out.

    Parameters
    ----------
    panel
        The study's panel (:func:`ilb_eval.prep.build_panel`).
    study
        The study definition (the scale's items and waves).
    scale
        Scale name.

    Returns
    -------
    DataFrame
        One row per person with at least one answered item of the scale.

    Examples
    --------
    >>> from ilb_eval.datasets import load_example_panel, load_example_study
    >>> data = item_data(load_example_panel("ZP"), load_example_study("ZP"), "belastbarkeit")
    >>> list(data.columns[:5]), len(data) > 400
    (['person', 'be_1_t1', 'be_2_t1', 'be_3_t1', 'be_4_t1'], True)
    """
    definition = study.scale(scale)
    frame = panel.wide[["person", *panel.covariates, "ilb"]].set_index("person")
    parts = []
    for wave in definition.waves:
        items = panel.items.get(wave)
        if items is None:
            continue
        present = [item for item in definition.items if item in items.columns]
        part = items.set_index("person")[present]
        parts.append(part.rename(columns={item: item_column(item, wave) for item in present}))
    if parts:
        columns = pd.concat(parts, axis=1)
        frame = columns.join(frame, how="right") if len(columns.columns) else frame
    item_columns = [c for c in frame.columns if c not in (*panel.covariates, "ilb")]
    frame = frame.loc[frame[item_columns].notna().any(axis=1)] if item_columns else frame.iloc[0:0]
    frame = frame.reset_index()
    return frame[["person", *item_columns, *panel.covariates, "ilb"]]
