"""What the worker processes of one test run share: a directory and named locks.

Under pytest-xdist every worker of a run sees the same ``PYTEST_XDIST_TESTRUNUID``; without
xdist the directory is the process's own. Expensive fixtures that are the same for every
worker (the demo PKI, a seeded demo) are made once in it, under a lock, and read after.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path


@cache
def run_directory() -> Path:
    """The directory shared by every worker of this test run."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:
        return Path(tempfile.mkdtemp(prefix="hocba-run-"))
    directory = Path(tempfile.gettempdir()) / f"hocba-run-{run}"
    directory.mkdir(exist_ok=True)
    return directory


@contextmanager
def run_lock(name: str) -> Iterator[None]:
    """Hold the run-wide lock ``name`` (other workers asking for it wait)."""
    with (run_directory() / f"{name}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
