"""Labels, equality constraints and defined parameters as functions of the estimates.

Three kinds of parameter vector appear in a fit:

- the *free* vector: one entry per ``free`` index of the parameter table
  (rows with the same label share one entry, as lavaan's simple equality
  constraints);
- the *estimated* vector ``theta``: what the optimiser moves. Explicit linear
  equality constraints (``a == b``, ``a + b == 1``, ``a == 0.5``) are
  solved once: ``free = K theta + k0`` with ``K`` a basis of their null space,
  so that every ``theta`` satisfies them exactly;
- defined parameters (``:=``): functions of the labels, with delta-method
  standard errors from their numerical Jacobian.

Labels are the user's labels and lavaan's ``plabel`` names (``.p5.``); a label
of a fixed parameter evaluates to its fixed value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import linalg

from ilb_eval.exceptions import SpecError
from ilb_eval.sem.syntax import Constraint, Definition

__all__ = ["LabelSpace", "Reparameterisation", "linear_equalities", "linear_system"]


@dataclass(frozen=True)
class LabelSpace:
    """Values of labels (and defined parameters) as functions of the free vector."""

    labels: Mapping[str, tuple[int, float]]
    definitions: tuple[Definition, ...] = ()

    def values(self, free: np.ndarray) -> dict[str, float]:
        """Every label's value at ``free``, then every defined parameter, in order."""
        out = {
            name: (float(free[index - 1]) if index > 0 else value)
            for name, (index, value) in self.labels.items()
        }
        for definition in self.definitions:
            out[definition.name] = float(definition.expression.evaluate(out))
        return out

    def check(self, items: Sequence[Constraint | Definition]) -> None:
        """Every name used in a constraint or definition must be a label (or defined before)."""
        known = set(self.labels)
        for item in items:
            if isinstance(item, Definition):
                unknown = sorted(item.expression.names - known)
                known.add(item.name)
                text = f"{item.name} := {item.expression.text}"
            else:
                unknown = sorted((item.lhs.names | item.rhs.names) - known)
                text = f"{item.lhs.text} {item.op} {item.rhs.text}"
            if unknown:
                raise SpecError(
                    f"model syntax, line {item.line}: '{text}' uses {', '.join(unknown)}, which "
                    "is not a parameter label. Label the parameter in a formula (e.g. a*x) or "
                    "define it with := before using it."
                )

    def defined(self, free: np.ndarray) -> np.ndarray:
        """Values of the defined parameters at ``free``."""
        values = self.values(free)
        return np.array([values[d.name] for d in self.definitions])

    def defined_jacobian(self, free: np.ndarray) -> np.ndarray:
        """Jacobian of the defined parameters in the free vector (central differences)."""
        jac = np.empty((len(self.definitions), len(free)))
        for j in range(len(free)):
            h = 1e-6 * max(1.0, abs(float(free[j])))
            up, down = free.copy(), free.copy()
            up[j] += h
            down[j] -= h
            jac[:, j] = (self.defined(up) - self.defined(down)) / (2.0 * h)
        return jac


@dataclass(frozen=True)
class Reparameterisation:
    """``free = K theta + k0``: the estimated parameters under linear equality constraints."""

    k: np.ndarray
    k0: np.ndarray

    @classmethod
    def identity(cls, n_free: int) -> Reparameterisation:
        """No explicit constraints: ``theta`` is the free vector."""
        return cls(np.eye(n_free), np.zeros(n_free))

    @property
    def n_theta(self) -> int:
        """Number of estimated parameters."""
        return int(self.k.shape[1])

    @property
    def n_constraints(self) -> int:
        """Number of independent equality constraints."""
        return int(self.k.shape[0] - self.k.shape[1])

    def free(self, theta: np.ndarray) -> np.ndarray:
        """The free vector at ``theta``."""
        return self.k @ theta + self.k0

    def theta(self, free: np.ndarray) -> np.ndarray:
        """The ``theta`` closest to a free vector (exact where it satisfies the constraints)."""
        return np.linalg.lstsq(self.k, free - self.k0, rcond=None)[0]


def linear_system(
    space: LabelSpace, constraints: Sequence[Constraint], n_free: int
) -> tuple[np.ndarray, np.ndarray]:
    """Constraints as ``c(free) = base + matrix @ free`` (``lhs - rhs`` for ``==`` and ``>``,
    ``rhs - lhs`` for ``<``).

    Raises
    ------
    SpecError
        A constraint that is not linear in the labels.
    """
    if not constraints:
        return np.zeros((0, n_free)), np.zeros(0)
    sign = np.array([-1.0 if c.op == "<" else 1.0 for c in constraints])

    def values(free: np.ndarray) -> np.ndarray:
        named = space.values(free)
        return sign * np.array([c.lhs.evaluate(named) - c.rhs.evaluate(named) for c in constraints])

    base = values(np.zeros(n_free))
    matrix = np.zeros((len(constraints), n_free))
    for j in range(n_free):
        matrix[:, j] = values(np.eye(n_free)[j]) - base
    probe = np.random.default_rng(0).normal(size=n_free)
    at_probe = values(probe)
    nonlinear = np.abs(at_probe - (base + matrix @ probe)) > 1e-9 * (1.0 + np.abs(at_probe))
    if nonlinear.any():
        c = constraints[int(np.flatnonzero(nonlinear)[0])]
        raise SpecError(
            f"model syntax, line {c.line}: the constraint '{c.lhs.text} {c.op} {c.rhs.text}' is "
            "not linear in the labels; ilb_eval fits linear constraints (a == b, a + b == 1, "
            "2*a > b). Rewrite it as a linear constraint or as a defined parameter (:=)."
        )
    return matrix, base


def linear_equalities(
    space: LabelSpace,
    constraints: Sequence[Constraint],
    n_free: int,
    extra: tuple[np.ndarray, np.ndarray] | None = None,
) -> Reparameterisation:
    """Solve the ``==`` constraints (and ``extra`` rows ``base + matrix @ free = 0``).

    Raises
    ------
    SpecError
        A constraint that is not linear, or constraints that contradict
        each other.

    Examples
    --------
    >>> from ilb_eval.sem.syntax import parse_model
    >>> parsed = parse_model("y ~ a*x1 + b*x2; a == b")
    >>> space = LabelSpace({"a": (1, float("nan")), "b": (2, float("nan"))})
    >>> rep = linear_equalities(space, parsed.constraints, 2)
    >>> rep.n_theta, bool(np.allclose(rep.free(np.array([0.5]))[0], rep.free(np.array([0.5]))[1]))
    (1, True)
    """
    matrix, base = linear_system(space, [c for c in constraints if c.op == "=="], n_free)
    if extra is not None:
        matrix = np.vstack([matrix, extra[0]])
        base = np.concatenate([base, extra[1]])
    if not len(base):
        return Reparameterisation.identity(n_free)
    particular = np.linalg.lstsq(matrix, -base, rcond=None)[0]
    if np.any(np.abs(matrix @ particular + base) > 1e-9 * (1.0 + np.abs(base))):
        raise SpecError(
            "the equality constraints (==) contradict each other (no parameter values satisfy "
            "all of them). Check the constraints for a value fixed twice."
        )
    null = linalg.null_space(matrix) if matrix.size else np.eye(n_free)
    return Reparameterisation(k=null, k0=particular)
