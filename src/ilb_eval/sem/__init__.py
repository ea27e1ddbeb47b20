"""General structural equation models driven by lavaan model syntax (issue 13)."""
