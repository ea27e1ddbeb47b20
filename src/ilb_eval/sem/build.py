"""From model syntax, data and options to a :class:`~ilb_eval.sem.model.SemModel`.

Stages: parse the syntax -> the variables' roles -> check and split the data
-> the parameter table for the groups found -> the covariates' sample moments
into the table (fixed.x) -> the matrix structure of every group -> labels and
linear equality constraints.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ilb_eval.exceptions import SpecError
from ilb_eval.sem.constraints import LabelSpace, linear_equalities
from ilb_eval.sem.data import SemData, prepare_data
from ilb_eval.sem.model import SemModel
from ilb_eval.sem.options import ModelOptions
from ilb_eval.sem.partable import ParTable, build_partable, variable_names
from ilb_eval.sem.representation import build_group_model
from ilb_eval.sem.syntax import ParsedModel, parse_model

__all__ = ["build_model", "model_variables"]


def model_variables(parsed: ParsedModel, options: ModelOptions) -> tuple[tuple[str, ...], ...]:
    """Modelled observed variables, fixed covariates and latent variables of a model."""
    names = variable_names([(t.lhs, t.op, t.rhs) for t in parsed.terms])
    if options.fixed_x:
        return names.ov_nox, names.ov_x, names.lv
    return names.ov, (), names.lv


def _fill_exogenous(partable: ParTable, data: SemData) -> None:
    """Write the covariates' sample moments into the fixed.x rows of the table."""
    table = partable.table
    est = table["ustart"].to_numpy(dtype=float).copy()
    index = {x: i for i, x in enumerate(data.x_names)}
    for row in np.flatnonzero(table["exo"].to_numpy() == 1):
        group = data.groups[int(table["group"].iat[row]) - 1]
        lhs, op, rhs = table["lhs"].iat[row], table["op"].iat[row], table["rhs"].iat[row]
        if op == "~~":
            est[row] = group.x_cov[index[lhs], index[rhs]]
        elif op == "~1":
            est[row] = group.x_mean[index[lhs]]
    table["ustart"] = est


def _check_names(parsed: ParsedModel, options: ModelOptions, data: pd.DataFrame) -> None:
    latent = {t.lhs for t in parsed.terms if t.op == "=~"}
    clash = sorted(latent & set(map(str, data.columns)))
    if clash:
        raise SpecError(
            f"the latent variable name(s) {', '.join(clash)} are also columns of the data. "
            "Rename the latent variable(s) in the model syntax."
        )
    for name in (options.group, options.sampling_weights, options.cluster):
        if name is not None and name in {v for t in parsed.terms for v in (t.lhs, t.rhs)}:
            raise SpecError(
                f"{name!r} is used in the model and as the group, weight or cluster column. "
                "Use a separate column for each role."
            )


def _check_scaled(partable: ParTable) -> None:
    """Every latent variable needs a scale: a fixed loading, a fixed variance, or
    loadings shared with another group (NOT_IDENTIFIED otherwise)."""
    table = partable.table
    body = table[table["block"] > 0]
    shared = body.loc[body["free"] > 0, "free"].value_counts()
    for factor in partable.names.lv:
        loads = body[(body["op"] == "=~") & (body["lhs"] == factor)]
        if loads.empty:
            continue
        fixed_load = ((loads["free"] == 0) & (loads["ustart"].fillna(0.0) != 0.0)).any()
        variance = body[(body["op"] == "~~") & (body["lhs"] == factor) & (body["rhs"] == factor)]
        fixed_var = (variance["free"] == 0).any()
        equal_across = partable.ngroups > 1 and (
            shared.reindex(loads.loc[loads["free"] > 0, "free"]).fillna(0) > 1
        ).any()
        if not (fixed_load or fixed_var or equal_across):
            raise SpecError(
                f"NOT_IDENTIFIED: the latent variable '{factor}' has no scale: none of its "
                "loadings is fixed at a non-zero value and its variance is free. Fix one "
                "loading (1*x, lavaan's default for the first indicator), or fix its variance "
                f"(std_lv=True or '{factor} ~~ 1*{factor}')."
            )


def _check_degrees_of_freedom(partable: ParTable, n_theta: int, p: int, q: int) -> None:
    """More free parameters than sample moments: NOT_IDENTIFIED (negative df)."""
    moments = partable.ngroups * (p * (p + 1) // 2 + p + p * q)
    if n_theta > moments:
        raise SpecError(
            f"NOT_IDENTIFIED: the model has {n_theta} free parameters but the data give only "
            f"{moments} means, variances and covariances (df = {moments - n_theta}); its "
            "estimates would not be unique. Fix or constrain parameters (equal labels, fixed "
            "loadings), or add indicators."
        )


def build_model(
    model: str | ParsedModel,
    data: pd.DataFrame,
    options: ModelOptions,
    *,
    group_label: Sequence[str] | None = None,
) -> SemModel:
    """Bind a model to data.

    Parameters
    ----------
    model
        lavaan model syntax (or an already parsed model).
    data
        One row per person.
    options
        Entry point and options.
    group_label
        Order of the groups (default: order of first appearance, as lavaan).

    Returns
    -------
    SemModel

    Raises
    ------
    ModelSyntaxError, SpecError, InputError
        Bad syntax, an inconsistent or unidentified model (a latent variable
        without scale, negative degrees of freedom: ``NOT_IDENTIFIED``), or
        data that do not fit it.
    """
    parsed = parse_model(model) if isinstance(model, str) else model
    if not isinstance(data, pd.DataFrame):
        raise SpecError(
            f"data must be a pandas DataFrame, got {type(data).__name__}. "
            "Read the file first (ilb_eval.io or pandas.read_csv)."
        )
    _check_names(parsed, options, data)
    y_names, x_names, lv_names = model_variables(parsed, options)
    if not y_names:
        raise SpecError(
            "the model has no observed variable to model (only covariates). Add indicators "
            "(f =~ y1 + y2) or outcomes (y ~ x)."
        )
    prepared = prepare_data(
        data,
        y_names,
        x_names,
        group=options.group,
        group_label=group_label,
        sampling_weights=options.sampling_weights,
        cluster=options.cluster,
    )
    partable = build_partable(parsed, options, prepared.labels)
    _fill_exogenous(partable, prepared)
    groups = tuple(
        build_group_model(partable.table, g, y_names, lv_names, x_names)
        for g in range(1, partable.ngroups + 1)
    )
    space = LabelSpace(partable.label_values(), partable.definitions)
    space.check(sorted([*partable.constraints, *partable.definitions], key=lambda c: c.line))
    reparam = linear_equalities(space, partable.constraints, partable.n_free)
    _check_scaled(partable)
    _check_degrees_of_freedom(partable, reparam.n_theta, len(y_names), len(x_names))
    return SemModel(
        partable=partable,
        options=options,
        data=prepared,
        groups=groups,
        space=space,
        reparam=reparam,
    )
