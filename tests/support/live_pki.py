"""The live test PKI: certomancer's OCSP responder, CRL and TSA served on 127.0.0.1.

The hierarchy is ``tests/support/certomancer/hocba-test-pki.yml``: root → issuing CA → the
staff of the sample transcript (``gvbm``, ``gvbm2``, ``gvcn``, ``ht``), the school's
organisation certificate (``dv``), a TSA and an OCSP responder; and the odd ones: ``expired``,
``not-yet-valid``, ``revoked`` (left the school on 2025-03-01), ``compromised`` (key
compromise on 2025-03-01), ``unreachable`` (its OCSP URL refuses connections) and
``untrusted`` (under a second root, ``untrusted-root``, that no test trusts).

Started once per test process (``live_pki()``, or the session fixture ``live_pki_service``):
keys generated into a temporary directory, the configuration rendered with this process's
port, an aiohttp server in a background thread. Certificates point at that server (AIA OCSP,
CRL distribution points), so pyhanko-certvalidator fetches real answers over HTTP.

Time: nothing here reads the clock. The services answer "at" :data:`SERVICE_TIME`, a fixed
instant after every signing time the tests use, and their answers are long-lived (OCSP
``nextUpdate`` ten years on, a CRL schedule of ten years). The verifier validates at the
signed SigningTime and accepts revocation information issued after it (retroactive revinfo,
see domain/signatures/_path_validation.py), so a signature from 2025-06-20 is checked against
an answer of 2026-01-01 exactly as a real verification today checks last year's signature
against today's OCSP answer; and certvalidator's freshness check (validation time before
``nextUpdate``) holds for any signing time until 2035. The real date never enters.
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import socket
import string
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from certomancer.integrations.aiohttp_illusionist import AsyncIllusionist
from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from domain.documents import SigningKey
from domain.signatures import TrustSettings
from tests.support.pki import Signer

CONFIG = Path(__file__).parent / "certomancer" / "hocba-test-pki.yml"
ARCHITECTURE = "hocba"
SERVICE_TIME = datetime(2026, 1, 1, tzinfo=UTC)
"""The instant every OCSP answer, CRL and timestamp is made at."""
REVOKED_SINCE = datetime(2025, 3, 1, tzinfo=UTC)
"""When ``revoked`` and ``compromised`` were revoked."""

STAFF = ("gvbm", "gvbm2", "gvcn", "ht", "dv")
"""RSA-2048, as the staff's tokens hold; in the labels of tests/support/transcripts.SIGNER_OF."""
ODD = ("expired", "not-yet-valid", "revoked", "compromised", "unreachable")
"""EC P-256 signers under the trusted issuing CA."""
_INFRASTRUCTURE = ("root", "issuing-ca", "ocsp", "tsa", "untrusted-root")


@dataclass(frozen=True)
class LivePki:
    """The running test PKI of this process."""

    base_url: str
    """``http://127.0.0.1:<port>``: every service URL starts with it."""
    ocsp_url: str
    crl_url: str
    """The root's CRL (it lists the issuing CA if revoked)."""
    tsa_url: str
    """RFC 3161 timestamps at :data:`SERVICE_TIME` (for PAdES B-T)."""
    dead_ocsp_url: str
    """The OCSP URL of ``unreachable``: connection refused."""
    root: x509.Certificate
    issuing_ca: x509.Certificate
    untrusted_root: x509.Certificate
    tsa: Signer
    identities: dict[str, Signer]
    """Every signer by label (STAFF, ODD and ``untrusted``): key and chain (no root)."""

    def signer(self, label: str) -> Signer:
        """The key and chain of one identity (``gvbm``, ``revoked``, ``untrusted``, …)."""
        return self.identities[label]

    @property
    def staff(self) -> dict[str, Signer]:
        """The sample transcript's signers, as ``transcripts.sign_all`` wants them."""
        return {label: self.identities[label] for label in STAFF}

    def with_signer(self, role: str, label: str) -> dict[str, Signer]:
        """The staff with ``role`` (``gvbm``, ``gvcn``, ``ht``, ``dv``) played by ``label``."""
        return {**self.staff, role: self.identities[label]}

    def root_pem(self) -> bytes:
        """The trust anchor as a PEM bundle."""
        return self.root.public_bytes(Encoding.PEM)

    def write_root(self, directory: Path) -> Path:
        """The trust anchor as a PEM file (for ``--trust-roots``)."""
        path = directory / "live-root.pem"
        path.write_bytes(self.root_pem())
        return path

    def trust(self, **changes: Any) -> TrustSettings:
        """Trust settings with this PKI's root, fetching live; ``changes`` override fields.

        The wall-clock deadline is widened (10 s, 5 s a request): the suite shares two cores
        with other jobs, and a verification that waits for a core is not a slow one. Tests
        of the deadline itself set it explicitly; timings are CPU time or bench/'s business.
        """
        base = TrustSettings(trust_roots=(self.root,), deadline=10.0, fetch_timeout=5.0)
        return replace(base, **changes)


class _Server:
    """An aiohttp application on an already bound socket, in a thread with its own loop."""

    def __init__(self, app: web.Application, sock: socket.socket) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="live-pki", daemon=True)
        self._thread.start()
        started = asyncio.run_coroutine_threadsafe(self._start(app, sock), self._loop)
        self._runner = started.result(timeout=30)

    @staticmethod
    async def _start(app: web.Application, sock: socket.socket) -> web.AppRunner:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.SockSite(runner, sock).start()
        return runner

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


def _write_keys(directory: Path) -> dict[str, SigningKey]:
    keys: dict[str, SigningKey] = {}
    for label in (*_INFRASTRUCTURE, *STAFF, *ODD, "untrusted"):
        key: SigningKey = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if label in STAFF
            else ec.generate_private_key(ec.SECP256R1())
        )
        pem = key.private_bytes(
            Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        (directory / f"{label}.key.pem").write_bytes(pem)
        keys[label] = key
    return keys


def _bound_socket(*, listening: bool) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    if listening:
        sock.listen(128)
    return sock


@cache
def live_pki() -> LivePki:
    """Start the live PKI for this process (once) and return it."""
    directory = Path(tempfile.mkdtemp(prefix="hocba-live-pki-"))
    atexit.register(shutil.rmtree, directory, True)
    keys = _write_keys(directory)
    listening = _bound_socket(listening=True)
    # Bound and never listening: a connection is refused at once, the port is never reused.
    dead = _bound_socket(listening=False)
    base_url = f"http://127.0.0.1:{listening.getsockname()[1]}"
    dead_ocsp_url = f"http://127.0.0.1:{dead.getsockname()[1]}/ocsp"
    text = string.Template(CONFIG.read_text(encoding="utf-8")).substitute(
        dead_ocsp_url=dead_ocsp_url
    )
    config = CertomancerConfig.from_yaml(
        text, key_search_dir=str(directory), external_url_prefix=base_url
    )
    architecture = config.get_pki_arch(ArchLabel(ARCHITECTURE))
    server = _Server(AsyncIllusionist(architecture, at_time=SERVICE_TIME).build_app(), listening)
    atexit.register(dead.close)
    atexit.register(server.stop)

    def certificate(label: str) -> x509.Certificate:
        return x509.load_der_x509_certificate(architecture.get_cert(CertLabel(label)).dump())

    issuing_ca = certificate("issuing-ca")
    identities = {
        label: Signer(keys[label], (certificate(label), issuing_ca)) for label in (*STAFF, *ODD)
    }
    identities["untrusted"] = Signer(keys["untrusted"], (certificate("untrusted"),))
    services = architecture.service_registry
    return LivePki(
        base_url=base_url,
        ocsp_url=services.list_ocsp_responders()[0].url,
        crl_url=services.list_crl_repos()[0].latest_external_url,
        tsa_url=services.list_time_stamping_services()[0].url,
        dead_ocsp_url=dead_ocsp_url,
        root=certificate("root"),
        issuing_ca=issuing_ca,
        untrusted_root=certificate("untrusted-root"),
        tsa=Signer(keys["tsa"], (certificate("tsa"), issuing_ca)),
        identities=identities,
    )


@pytest.fixture(scope="session")
def live_pki_service() -> Iterator[LivePki]:
    """The live PKI as a session fixture (started on first use, stopped at exit)."""
    yield live_pki()
