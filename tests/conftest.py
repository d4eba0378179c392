"""Shared fixtures: project paths, fixture notebooks, and a loopback dask client."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOTEBOOKS = ROOT / "notebooks"
CHROMIUM = "/usr/bin/chromium"

# Headless everywhere; matplotlib never opens a window.
os.environ.setdefault("MPLBACKEND", "Agg")


def augbench_cmd(*args):
    """The console script of this environment, as a subprocess argv."""
    return [sys.executable, "-m", "augbench", *args]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def dask_client_2():
    """A 2-process LocalCluster on 127.0.0.1 shared by the tests of one worker process."""
    from augbench._dask import dask_client

    with dask_client(n_workers=2, memory_limit="2GiB") as c:
        yield c
