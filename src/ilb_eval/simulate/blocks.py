"""iLB use, iLB details and the item blocks (satisfaction, benefit, leadership, ...).

Each function returns, per wave, a mapping ``field -> values`` over all
persons of the sample (float arrays; NaN where the question does not apply).
Shares that the chapter reports (benefit, acceleration, reuse) are met by
exact quotas among the persons who answer, assigned by rank on a Gaussian
copula, so the default study hits them without depending on luck.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import optimize, stats

from ilb_eval.simulate.population import Persons, scaled
from ilb_eval.study import Study

__all__ = [
    "NONRESPONSE",
    "benefit_blocks",
    "expected_pearson",
    "ilb_detail_fields",
    "ilb_use_field",
    "latent_correlation_for",
    "leadership_block",
    "quota_categories",
    "satisfaction_blocks",
]

WaveFields = dict[str, dict[str, np.ndarray]]

#: Marks a question that was shown but not answered (the whole block skipped);
#: the assembly writes the field's first missing code there.
NONRESPONSE = -np.inf


def _users_answering(persons: Persons, j: int) -> np.ndarray:
    """Mask of iLB users present at wave index ``j`` who have used iLB by then."""
    return persons.ilb & persons.present[:, j] & (persons.first_use >= 0) & (persons.first_use <= j)


def quota_categories(latent: np.ndarray, categories: list[float], shares: list[float]) -> np.ndarray:
    """Categories with exact counts (largest remainder), the highest latent values getting the last category.

    Examples
    --------
    >>> quota_categories(np.array([0.3, -1.0, 2.0, 0.1]), [1, 2], [0.5, 0.5]).tolist()
    [2.0, 1.0, 2.0, 1.0]
    """
    n = latent.shape[0]
    raw = np.asarray(shares, dtype=float) * n
    counts = np.floor(raw).astype(int)
    rest = n - counts.sum()
    if rest > 0:
        counts[np.argsort(-(raw - counts), kind="stable")[:rest]] += 1
    ranked = np.empty(n)
    ranked[np.argsort(latent, kind="stable")] = np.repeat(np.asarray(categories, dtype=float), counts)
    return ranked


def ilb_use_field(persons: Persons, study: Study, cfg: dict[str, Any], rng: np.random.Generator) -> WaveFields:
    """``ilb_genutzt`` (or the study's field) per wave; empty for a study where everyone uses iLB."""
    result: WaveFields = {w: {} for w in study.wave_names}
    if study.ilb_use.kind != "reported":
        return result
    used = float(study.ilb_use.used_values[0])
    not_used = 0.0
    again = cfg["ilb_use"]["report_again_probability"]
    for j, wave in enumerate(study.wave_names):
        values = np.full(persons.n, not_used)
        first = persons.first_use == j
        later = persons.ilb & (persons.first_use >= 0) & (persons.first_use < j) & (rng.random(persons.n) < again)
        values[first | later] = used
        result[wave][str(study.ilb_use.field)] = values
    return result


def ilb_detail_fields(persons: Persons, study: Study, cfg: dict[str, Any], rng: np.random.Generator) -> WaveFields:
    """Sessions, mode, release time, session minutes and duration for users from first use on.

    Counts and months are capped at the maxima the table schema declares.

    Examples
    --------
    >>> from ilb_eval.simulate.sample import draw_sample
    >>> from ilb_eval.simulate.settings import load_settings
    >>> from ilb_eval.study import load_study
    >>> eap = load_study("EAP")
    >>> draw = draw_sample("EAP", eap, load_settings()["samples"]["EAP"], seed=1, scale=0.2)
    >>> fields = ilb_detail_fields(draw.persons, eap, draw.cfg, np.random.default_rng(0))
    >>> sessions = fields["t3"]["ilb_termine"]
    >>> bool(np.isnan(sessions[~draw.persons.ilb]).all()), bool(np.nanmin(sessions) >= 1)
    (True, True)
    """
    details = study.ilb_details
    c = cfg["ilb_details"]
    years = cfg["demographics"]["years_after_t1"]
    waves = study.wave_names
    release = 1.0 + (persons.latent["release_time"][:, None] > np.asarray(c["release_cuts"])[None, :]).sum(axis=1)
    minutes = np.clip(np.rint((c["minutes_mean"] + c["minutes_sd"] * persons.latent["session_minutes"]) * 2) / 2,
                      c["minutes_min"], c["minutes_max"])
    start_months = np.maximum(np.rint((c["months_first_wave"] + c["months_sd"] * persons.latent["duration_months"]) * 2) / 2, 0.5)
    first_years = np.array([years[w] for w in waves])[np.clip(persons.first_use, 0, None)]
    result: WaveFields = {}
    for j, wave in enumerate(waves):
        schema = study.wave(wave).table_schema
        applies = persons.ilb & (persons.first_use >= 0) & (persons.first_use <= j)
        months = np.maximum(start_months + 12.0 * (years[wave] - first_years), 0.5)
        most_sessions = schema.field(details["sessions"]).maximum or np.inf
        most_months = schema.field(details["duration_months"]).maximum or np.inf
        sessions = np.clip(rng.poisson(c["sessions_per_month"] * months) + 1, c["min_sessions"][wave], most_sessions).astype(float)
        fields = {
            details["sessions"]: sessions,
            details["mode"]: persons.mode.astype(float),
            details["release_time"]: release,
            details["session_minutes"]: minutes,
            details["duration_months"]: np.minimum(months, most_months),
        }
        result[wave] = {name: np.where(applies, values, np.nan) for name, values in fields.items()} if wave in details["waves"] else {}
    return result


def _block_waves(study: Study, name: str) -> tuple[str, ...]:
    return study.item_blocks[name].waves if name in study.item_blocks else ()


def satisfaction_blocks(persons: Persons, study: Study, cfg: dict[str, Any], rng: np.random.Generator) -> WaveFields:
    """Satisfaction (1..5) and improvement wishes (0/1) of users at the block waves (figure 3)."""
    sat = cfg["blocks"]["satisfaction"]
    wish = cfg["blocks"]["improvement_wish"]
    person = rng.standard_normal(persons.n) * sat["person_sd"]
    result: WaveFields = {w: {} for w in study.wave_names}
    aspects = {item.aspect: item.field for item in study.item_blocks["improvement_wish"].items} if "improvement_wish" in study.item_blocks else {}
    for j, wave in enumerate(study.wave_names):
        if wave not in _block_waves(study, "satisfaction"):
            continue
        answering = _users_answering(persons, j)
        for field in study.item_blocks["satisfaction"].fields:
            mean = sat["means"][field]
            answer = np.rint(np.clip(mean + person + rng.normal(0.0, sat["noise_sd"], persons.n), 1, 5))
            result[wave][field] = np.where(answering, answer, np.nan)
            if field in aspects and wave in _block_waves(study, "improvement_wish"):
                target = aspects[field]
                p = np.clip(wish["wish"][target] + wish["wish_per_point"] * (mean - answer), 0.01, 0.99)
                chosen = (rng.random(persons.n) < p).astype(float)
                result[wave][target] = np.where(answering, chosen, np.nan)
    return result


def benefit_blocks(persons: Persons, study: Study, cfg: dict[str, Any], rng: np.random.Generator) -> WaveFields:
    """Benefit (1..5), acceleration (1 slower / 2 no effect / 3 faster) and reuse (0/1), figure 4.

    Shares are exact quotas among the users answering at each wave; reuse is
    a person-level quota among all users who answer it at any wave, so the
    share of users who would use iLB again is met per person.
    """
    b = cfg["blocks"]
    result: WaveFields = {w: {} for w in study.wave_names}
    r = b["benefit"]["person_r"]
    person = rng.standard_normal(persons.n)
    top, rest = b["benefit"]["top_share"], b["benefit"]["rest_split"]
    for j, wave in enumerate(study.wave_names):
        answering = _users_answering(persons, j)
        idx = np.flatnonzero(answering)
        if wave in _block_waves(study, "benefit"):
            for field in study.item_blocks["benefit"].fields:
                agree = b["benefit"]["agree"][field][wave]
                shares = [(1 - agree) * rest[0], (1 - agree) * rest[1], (1 - agree) * rest[2], agree * (1 - top), agree * top]
                latent = np.sqrt(r) * person[idx] + np.sqrt(1 - r) * rng.standard_normal(idx.shape[0])
                values = np.full(persons.n, np.nan)
                values[idx] = quota_categories(latent, [1, 2, 3, 4, 5], shares)
                result[wave][field] = values
        if wave in _block_waves(study, "acceleration"):
            field = study.item_blocks["acceleration"].fields[0]
            faster, slower = b["acceleration"]["faster"][wave], b["acceleration"]["slower"][wave]
            latent = np.sqrt(r) * person[idx] + np.sqrt(1 - r) * rng.standard_normal(idx.shape[0])
            values = np.full(persons.n, np.nan)
            values[idx] = quota_categories(latent, [1, 2, 3], [slower, 1 - slower - faster, faster])
            result[wave][field] = values
    if "reuse" in study.item_blocks:
        reuse_waves = [j for j, w in enumerate(study.wave_names) if w in study.item_blocks["reuse"].waves]
        ever = np.zeros(persons.n, dtype=bool)
        for j in reuse_waves:
            ever |= _users_answering(persons, j)
        idx = np.flatnonzero(ever)
        yes = b["reuse"]["yes"]
        would = np.full(persons.n, np.nan)
        latent = np.sqrt(r) * person[idx] + np.sqrt(1 - r) * rng.standard_normal(idx.shape[0])
        would[idx] = quota_categories(latent, [0, 1], [1 - yes, yes])
        field = study.item_blocks["reuse"].fields[0]
        for j in reuse_waves:
            result[study.wave_names[j]][field] = np.where(_users_answering(persons, j), would, np.nan)
    return result


def _cuts(shares: list[float]) -> np.ndarray:
    return stats.norm.ppf(np.cumsum(shares)[:-1])


def expected_pearson(rho: float, cuts_x: np.ndarray, cuts_y: np.ndarray) -> float:
    """Expected Pearson r of two ordinal variables (1..K) cut from a bivariate normal with correlation ``rho``.

    Computed by quadrature over x of ``E[g(X) E[g(Y) | X]]``.

    Examples
    --------
    >>> cuts = _cuts([0.05, 0.12, 0.25, 0.33, 0.25])
    >>> round(expected_pearson(0.8, cuts, cuts), 2)
    0.74
    """
    x = np.linspace(-8.0, 8.0, 4001)
    weight = stats.norm.pdf(x)
    weight /= weight.sum()
    gx = 1.0 + (x[:, None] > cuts_x[None, :]).sum(axis=1)
    scale = np.sqrt(1.0 - rho**2)
    edges = np.concatenate([[-np.inf], cuts_y, [np.inf]])
    probs = np.diff(stats.norm.cdf((edges[None, :] - rho * x[:, None]) / scale), axis=1)
    values_y = np.arange(1, edges.shape[0])
    gy_given_x = probs @ values_y
    mx, my = weight @ gx, weight @ gy_given_x
    vx = weight @ (gx - mx) ** 2
    py = np.diff(stats.norm.cdf(edges))
    vy = py @ (values_y - py @ values_y) ** 2
    return float((weight @ (gx * gy_given_x) - mx * my) / np.sqrt(vx * vy))


def latent_correlation_for(target: float, cuts: np.ndarray) -> float:
    """The latent correlation whose discretised Pearson r equals ``target``.

    Examples
    --------
    >>> round(latent_correlation_for(0.75, _cuts([0.05, 0.12, 0.25, 0.33, 0.25])), 3)
    0.81
    """
    return float(optimize.brentq(lambda rho: expected_pearson(rho, cuts, cuts) - target, -0.995, 0.995, xtol=1e-8))


def _closest_answers(
    rng: np.random.Generator, n: int, chol_target: np.ndarray, cuts: np.ndarray, candidates: int, observed_target: np.ndarray
) -> np.ndarray:
    """The best of ``candidates`` whitened latent draws, cut into 1..5 (see :func:`leadership_block`)."""
    k = chol_target.shape[0]
    best: np.ndarray | None = None
    best_loss = np.inf
    for _ in range(max(candidates, 1)):
        latent = rng.standard_normal((n, k))
        if n > k:
            centred = latent - latent.mean(axis=0)
            sample_cov = centred.T @ centred / (n - 1)
            latent = np.linalg.solve(np.linalg.cholesky(sample_cov), centred.T).T @ chol_target.T
        answers = 1.0 + (latent[:, :, None] > cuts[None, None, :]).sum(axis=2)
        if n <= k or np.any(answers.std(axis=0) == 0):
            loss = np.inf
        else:
            loss = float(np.sum((np.corrcoef(answers.T)[0, 1:] - observed_target) ** 2))
        if best is None or loss < best_loss:
            best, best_loss = answers, loss
    return best


def leadership_block(persons: Persons, study: Study, cfg: dict[str, Any], scale: float, rng: np.random.Generator) -> WaveFields:
    """Manager support and learning-culture items with the published correlation structure.

    A fixed number of the users present at the block wave answer all items;
    their latent 7-variate normal is whitened so that its sample correlation
    equals the latent target exactly, then cut into 1..5. Cutting adds noise
    to the observed correlations (about ±.05 at n = 120), so ``candidates``
    such draws are made and the one whose observed support correlations lie
    closest to the targets (least squares) is kept. The other users present
    are marked :data:`NONRESPONSE` (block nonresponse).
    """
    lead = cfg["leadership"]
    result: WaveFields = {w: {} for w in study.wave_names}
    if "manager_support" not in study.item_blocks or "learning_culture" not in study.item_blocks:
        return result
    cuts = _cuts(lead["category_shares"])
    items = list(study.item_blocks["learning_culture"].fields)
    support = study.item_blocks["manager_support"].fields[0]
    k = len(items) + 1
    target = np.full((k, k), float(lead["latent_r_among_items"]))
    np.fill_diagonal(target, 1.0)
    for m, item in enumerate(items, start=1):
        rho = latent_correlation_for(lead["target_r"][item], cuts)
        target[0, m] = target[m, 0] = rho
    chol_target = np.linalg.cholesky(target)
    observed_target = np.array([lead["target_r"][item] for item in items])
    for j, wave in enumerate(study.wave_names):
        if wave not in study.item_blocks["manager_support"].waves:
            continue
        pool = np.flatnonzero(_users_answering(persons, j))
        wanted = pool.shape[0] if lead["respondents"] is None else min(scaled(lead["respondents"], scale), pool.shape[0])
        chosen = np.sort(rng.choice(pool, size=wanted, replace=False))
        answers = _closest_answers(rng, wanted, chol_target, cuts, int(lead["candidates"]), observed_target)
        for m, field in enumerate([support, *items]):
            values = np.full(persons.n, np.nan)
            values[pool] = NONRESPONSE
            values[chosen] = answers[:, m]
            result[wave][field] = values
    return result
