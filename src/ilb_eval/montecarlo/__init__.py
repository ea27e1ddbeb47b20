"""Monte Carlo studies for growth models: bias, coverage, power, improper solutions.

A :class:`GrowthDGM` describes linear growth in an iLB and a control group
(time scores, factor means and (co)variances, residual variances, group
effects, binary covariates, late joiners and MCAR/MAR dropout) and returns
simulated data together with the true parameter table in the engine's
vocabulary. :func:`run_monte_carlo` fits every replication with the growth
engine (full-information ML, optionally also complete cases) and summarises
estimates against the truth; :func:`power_curve` gives the power to detect
an iLB effect on the slope as a function of the group size, and
:func:`analytic_slope_power` the closed-form reference for complete data.

>>> from ilb_eval.montecarlo import GrowthDGM, run_monte_carlo
>>> res = run_monte_carlo(GrowthDGM(n_per_group=80, group_effect_slope=0.1), reps=10,
...                       seed=2, progress=False)
>>> sorted(res.summary.columns)[:3]
['bias', 'coverage', 'group']
"""

from ilb_eval.montecarlo.dgm import Attrition, BinaryCovariate, GrowthDGM, SimulatedData
from ilb_eval.montecarlo.power import analytic_slope_power, power_curve, study_design
from ilb_eval.montecarlo.run import METHODS, STATUSES, MonteCarloResult, run_monte_carlo, summarise

__all__ = [
    "METHODS",
    "STATUSES",
    "Attrition",
    "BinaryCovariate",
    "GrowthDGM",
    "MonteCarloResult",
    "SimulatedData",
    "analytic_slope_power",
    "power_curve",
    "run_monte_carlo",
    "study_design",
    "summarise",
]
