"""One BLAS thread while the engine works.

The engine's linear algebra is on small matrices (the variables of one
pattern, the parameters of one model), where a threaded BLAS only adds
synchronisation, and stalls badly on a busy machine (a 108 x 108 product took
63 ms instead of 0.2 ms under load). :func:`single_blas_thread` limits BLAS
to one thread for the duration of a fit. The threadpool controller inspects
the loaded libraries once (that takes milliseconds) and is then reused.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from functools import cache

from threadpoolctl import ThreadpoolController

__all__ = ["single_blas_thread"]


@cache
def _controller() -> ThreadpoolController:
    return ThreadpoolController()


def single_blas_thread() -> AbstractContextManager:
    """Context manager: BLAS runs single-threaded inside.

    >>> with single_blas_thread():
    ...     pass
    """
    return _controller().limit(limits=1, user_api="blas")
