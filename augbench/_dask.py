"""dask.distributed clients for sweeps: a loopback-only LocalCluster by default, or an existing scheduler."""
from __future__ import annotations

import contextlib


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, *, n_workers: int = 2, threads_per_worker: int = 1,
                memory_limit: str = "4GiB", processes: bool = True):
    """Yield a ``dask.distributed.Client``.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``). When ``None`` a LocalCluster is started on
        127.0.0.1 only (scheduler, workers and dashboard on loopback; dashboard on a free port) and closed
        on exit.
    n_workers, threads_per_worker, memory_limit, processes
        LocalCluster settings (ignored with ``scheduler``).
    """
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise ConnectionError(f"cannot reach dask scheduler at {scheduler!r}: {exc}") from None
        try:
            yield client
        finally:
            client.close()
        return
    with LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker, processes=processes,
                      host="127.0.0.1", dashboard_address="127.0.0.1:0", memory_limit=memory_limit,
                      silence_logs=50) as cluster, Client(cluster) as client:
        yield client
