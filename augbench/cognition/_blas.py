"""Limit BLAS to one thread around small linear-algebra work.

Multi-threaded OpenBLAS makes tiny products and scipy's L-BFGS-B 10-30x slower on a busy 2-core
machine (threads spin and contend); one thread is faster for anything that is not a large matrix product.
"""
from __future__ import annotations

_CTL = None


def controller():
    """The process-wide ``threadpoolctl.ThreadpoolController`` (built once; ~0.1 s)."""
    global _CTL
    if _CTL is None:
        from threadpoolctl import ThreadpoolController
        _CTL = ThreadpoolController()
    return _CTL


def single_thread():
    """Context manager: BLAS limited to one thread inside."""
    return controller().limit(limits=1, user_api="blas")
