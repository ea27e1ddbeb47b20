"""Descriptive and bivariate statistics on tidy DataFrames."""

from ilb_eval.stats.correlation import correlate, correlation_band
from ilb_eval.stats.multitest import adjust_pvalues

__all__ = ["adjust_pvalues", "correlate", "correlation_band"]
