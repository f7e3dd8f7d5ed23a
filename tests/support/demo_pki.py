"""The demo PKI for tests of the demo seed: made once per test process in a temporary directory."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

from tests.support.clock import vn
from workflow import DemoPki, demo_staff_identities, ensure_demo_pki

ISSUED = vn(2026, 11, 29, 9, 0)
"""When the test demo PKI is issued (its certificates are backdated two years)."""


@cache
def demo_pki() -> DemoPki:
    """The demo PKI under a fresh temporary directory (``<tmp>/pki``)."""
    directory = Path(tempfile.mkdtemp(prefix="hocba-demo-pki-")) / "pki"
    return ensure_demo_pki(directory, logins=demo_staff_identities(), now=ISSUED)
