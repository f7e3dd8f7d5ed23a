"""The trust roots signatures and certificate logins are judged against, read once per process.

``HOCBA_TRUST_ROOTS`` (a PEM bundle); unset in demo mode, the demo PKI's root. Without either
nothing can be trusted, and the endpoints that need trust answer 503.
"""

from __future__ import annotations

import threading
from pathlib import Path

from litestar.exceptions import ServiceUnavailableException

from domain.signatures import TrustRootsError, TrustSettings, load_trust_roots
from workflow import Settings

DEMO_ROOT = Path("pki") / "root-ca.pem"


def trust_roots_file(settings: Settings) -> Path | None:
    """HOCBA_TRUST_ROOTS, else (demo mode) ``<data_dir>/pki/root-ca.pem``, else None."""
    if settings.trust_roots is not None:
        return settings.trust_roots
    return Path(settings.data_dir) / DEMO_ROOT if settings.demo else None


class TrustRoots:
    """The configured roots, loaded on first use (a file written later, as the demo PKI is
    on the first start, is still found) and then kept."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._loaded: TrustSettings | None = None
        self._lock = threading.Lock()

    def settings(self) -> TrustSettings:
        """The trust settings; ServiceUnavailableException (503) when no usable roots are set."""
        with self._lock:
            if self._loaded is None:
                if self._path is None:
                    raise ServiceUnavailableException(
                        "no trust roots are configured (HOCBA_TRUST_ROOTS)"
                    )
                try:
                    roots = load_trust_roots(self._path.read_bytes())
                    self._loaded = TrustSettings(trust_roots=roots)
                except (OSError, TrustRootsError) as error:
                    raise ServiceUnavailableException(
                        f"the trust roots cannot be used: {error}"
                    ) from None
            return self._loaded
