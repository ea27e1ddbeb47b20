"""Reusing the model-independent parts of a fit across fits of the same data.

The unrestricted model (h1) of a group, the robust trace ``tr(B1 A1^-1)`` at
it and the robust trace of the independence (baseline) model depend on the
group's data only, never on the model. A sequence of models fitted to the
same data — an invariance ladder, nested models for likelihood-ratio tests —
computes them once: :func:`remembered` keeps the last :data:`MAX_ENTRIES`
results keyed by a digest of the data (outcomes, covariates, weights,
clusters, byte for byte). A changed value gives a new digest, so a stored
result is only ever returned for identical data; the results are the same
numbers a fresh computation gives.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from ilb_eval.sem.data import GroupData

__all__ = ["MAX_ENTRIES", "clear", "data_digest", "remembered"]

#: Results kept (least recently used dropped first).
MAX_ENTRIES = 24

T = TypeVar("T")

_store: OrderedDict[tuple[str, bytes], Any] = OrderedDict()


def data_digest(group: GroupData) -> bytes:
    """A digest of everything a group's model-independent results depend on.

    >>> import pandas as pd
    >>> from ilb_eval.sem.data import prepare_data
    >>> frame = pd.DataFrame({"a": [1.0, 2.0, None], "b": [0.5, 1.0, 2.0]})
    >>> one = prepare_data(frame, ["a", "b"], []).groups[0]
    >>> two = prepare_data(frame.copy(), ["a", "b"], []).groups[0]
    >>> data_digest(one) == data_digest(two)
    True
    """
    digest = hashlib.blake2b(digest_size=20)
    for part in (group.y, group.x, group.weights, group.clusters):
        if part is None:
            digest.update(b"none")
            continue
        array = np.ascontiguousarray(part)
        digest.update(str((array.dtype.str, array.shape)).encode())
        digest.update(array.tobytes())
    return digest.digest()


def remembered(kind: str, group: GroupData, compute: Callable[[], T]) -> T:
    """The stored result of ``kind`` for the group's data, or ``compute()`` (then stored).

    >>> import pandas as pd
    >>> from ilb_eval.sem.data import prepare_data
    >>> group = prepare_data(pd.DataFrame({"a": [1.0, 2.0, 4.0]}), ["a"], []).groups[0]
    >>> calls = []
    >>> remembered("example", group, lambda: calls.append(1) or "result")
    'result'
    >>> remembered("example", group, lambda: calls.append(1) or "other")
    'result'
    >>> len(calls)
    1
    """
    key = (kind, data_digest(group))
    if key in _store:
        _store.move_to_end(key)
        return _store[key]
    value = compute()
    _store[key] = value
    while len(_store) > MAX_ENTRIES:
        _store.popitem(last=False)
    return value


def clear() -> None:
    """Forget every stored result."""
    _store.clear()
