"""Descriptive and bivariate statistics on tidy DataFrames."""

from ilb_eval.stats.correlation import correlate, correlation_band

__all__ = ["correlate", "correlation_band"]
