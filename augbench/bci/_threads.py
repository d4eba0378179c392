"""Scoped BLAS thread limit.

The BCI matrices are small (64 x 64 covariances, 64 x 160 windows): multi-threaded BLAS only adds
synchronisation cost, and on a busy 2-core machine it made pyRiemann and CSP 5-10x slower. The
limit is applied as a context manager around our own computations, never process-wide.
"""
from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def single_thread_blas():
    """Limit BLAS/OpenMP pools to one thread inside the ``with`` block (threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        yield
        return
    with threadpool_limits(limits=1):
        yield
