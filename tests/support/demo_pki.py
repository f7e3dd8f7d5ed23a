"""The demo PKI for tests of the demo seed: made once per test run, shared by its workers."""

from __future__ import annotations

from functools import cache

from tests.support.clock import vn
from tests.support.shared_run import run_directory, run_lock
from workflow import DemoPki, demo_staff_identities, ensure_demo_pki

ISSUED = vn(2026, 11, 29, 9, 0)
"""When the test demo PKI is issued (its certificates are backdated two years)."""


@cache
def demo_pki() -> DemoPki:
    """The demo PKI under the run's shared directory (``<run>/demo/pki``).

    One PKI for every worker, so a demo seeded by one worker verifies in another
    (``seeded_demo``); the first worker makes it, the others load it.
    """
    directory = run_directory() / "demo" / "pki"
    with run_lock("demo-pki"):
        return ensure_demo_pki(directory, logins=demo_staff_identities(), now=ISSUED)
