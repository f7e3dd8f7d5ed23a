"""Step 5 on its own: each certificate of the live test PKI judged at a signing time.

Revocation is fetched over HTTP from certomancer's OCSP responder and CRL on 127.0.0.1
(tests/support/live_pki.py); no test reads the clock: signing times and ``NOW`` are fixed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TypeVar

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from domain.signatures import (
    CertificateCheck,
    ErrorCode,
    Indication,
    Revocation,
    SubIndication,
    TrustRootsError,
    TrustSettings,
    VerificationSetupError,
    async_check_certificate,
    check_certificate,
    load_trust_roots,
)
from tests.support.clock import vn
from tests.support.live_pki import LivePki, live_pki
from tests.support.pki import rsa_pki

SIGNED = vn(2025, 6, 20, 9, 15)
"""After 2025-03-01, when ``revoked`` and ``compromised`` were revoked."""
SIGNED_BEFORE_REVOCATION = vn(2025, 1, 15, 10)
NOW = datetime(2026, 9, 1, tzinfo=UTC)
"""Only ``expired_now`` depends on it."""

T = TypeVar("T")


def timed(action: Callable[[], T]) -> T:
    """``action()``, asserting it took less than a second of CPU time (the machine's load must
    not decide the test)."""
    start = time.process_time()
    result = action()
    elapsed = time.process_time() - start
    assert elapsed < 1.0, f"took {elapsed:.3f} s of CPU"
    return result


def check(
    label: str,
    *,
    at: datetime = SIGNED,
    organisation: bool = False,
    trust: TrustSettings | None = None,
    time_proven: bool = False,
) -> CertificateCheck:
    pki = live_pki()
    return timed(
        lambda: check_certificate(
            chain=pki.signer(label).chain,
            signing_time=at,
            now=NOW,
            trust=trust or pki.trust(),
            organisation=organisation,
            time_proven=time_proven,
        )
    )


def codes(result: CertificateCheck) -> list[str]:
    return [finding.code for finding in result.errors]


@pytest.fixture(scope="module")
def pki() -> LivePki:
    return live_pki()


def test_a_staff_certificate_passes_with_a_good_answer_from_the_live_ocsp_responder() -> None:
    result = check("gvbm")

    assert result.indication is Indication.TOTAL_PASSED and result.sub_indication is None
    assert result.revocation is Revocation.GOOD
    assert result.chain_trusted and result.valid_at_signing_time and not result.expired_now
    assert result.errors == ()
    assert result.not_before == datetime(2024, 1, 1, tzinfo=UTC)
    assert result.not_after == datetime(2034, 1, 1, tzinfo=UTC)


def test_the_school_seal_passes_in_the_organisation_slot() -> None:
    result = check("dv", organisation=True)

    assert result.indication is Indication.TOTAL_PASSED
    assert result.revocation is Revocation.GOOD


def test_a_personal_certificate_in_the_organisation_slot_is_refused() -> None:
    result = check("ht", organisation=True)

    assert result.indication is Indication.INDETERMINATE
    assert result.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
    assert codes(result) == [ErrorCode.ORGANISATION_CERTIFICATE_REQUIRED]
    assert result.chain_trusted and result.revocation is Revocation.GOOD


def test_a_certificate_expired_before_the_signing_time_fails() -> None:
    result = check("expired")

    assert result.indication is Indication.TOTAL_FAILED
    assert result.sub_indication is SubIndication.EXPIRED
    assert codes(result) == [ErrorCode.CERTIFICATE_EXPIRED]
    assert not result.valid_at_signing_time and result.expired_now


def test_a_certificate_valid_only_after_the_signing_time_fails() -> None:
    result = check("not-yet-valid")

    assert result.indication is Indication.TOTAL_FAILED
    assert result.sub_indication is SubIndication.NOT_YET_VALID
    assert codes(result) == [ErrorCode.CERTIFICATE_NOT_YET_VALID]
    assert not result.valid_at_signing_time and not result.expired_now


def test_the_same_certificate_passes_for_a_signature_inside_its_period() -> None:
    result = check("not-yet-valid", at=vn(2025, 9, 15))

    assert result.indication is Indication.TOTAL_PASSED and result.valid_at_signing_time


def test_a_certificate_revoked_before_the_signing_time_fails() -> None:
    result = check("revoked")

    assert result.indication is Indication.TOTAL_FAILED
    assert result.sub_indication is SubIndication.REVOKED
    assert result.revocation is Revocation.REVOKED
    assert codes(result) == [ErrorCode.CERTIFICATE_REVOKED]


def test_a_signature_only_claimed_before_a_teacher_left_the_school_is_indeterminate() -> None:
    # The teacher left (affiliationChanged): a benign reason, but nothing proves the claimed
    # time; whoever kept the key could have written it afterwards.
    result = check("revoked", at=SIGNED_BEFORE_REVOCATION)

    assert result.indication is Indication.INDETERMINATE
    assert result.sub_indication is SubIndication.REVOKED_NO_POE
    assert result.revocation is Revocation.REVOKED
    assert codes(result) == [ErrorCode.CERTIFICATE_REVOKED_AFTER_SIGNING]


def test_a_signature_timestamped_before_a_teacher_left_the_school_stays_good() -> None:
    result = check("revoked", at=SIGNED_BEFORE_REVOCATION, time_proven=True)

    assert result.indication is Indication.TOTAL_PASSED
    assert result.revocation is Revocation.GOOD


def test_a_signature_timestamped_before_a_key_compromise_is_still_not_trusted() -> None:
    result = check("compromised", at=SIGNED_BEFORE_REVOCATION, time_proven=True)

    assert result.indication is Indication.INDETERMINATE
    assert result.sub_indication is SubIndication.REVOKED_NO_POE
    assert codes(result) == [ErrorCode.CERTIFICATE_REVOKED_AFTER_SIGNING]


def test_a_signature_claimed_before_a_key_compromise_is_not_trusted() -> None:
    result = check("compromised", at=SIGNED_BEFORE_REVOCATION)

    assert result.indication is Indication.INDETERMINATE
    assert result.sub_indication is SubIndication.REVOKED_NO_POE
    assert result.revocation is Revocation.REVOKED
    assert codes(result) == [ErrorCode.CERTIFICATE_REVOKED_AFTER_SIGNING]


def test_a_signature_after_a_key_compromise_fails() -> None:
    result = check("compromised")

    assert result.indication is Indication.TOTAL_FAILED
    assert result.sub_indication is SubIndication.REVOKED


def test_an_unreachable_ocsp_responder_leaves_the_certificate_indeterminate() -> None:
    result = check("unreachable")

    assert result.indication is Indication.INDETERMINATE
    assert result.sub_indication is SubIndication.TRY_LATER
    assert result.revocation is Revocation.UNKNOWN
    assert codes(result) == [ErrorCode.REVOCATION_UNKNOWN]


def test_without_fetching_a_certificate_naming_a_responder_is_indeterminate(pki: LivePki) -> None:
    result = check("gvbm", trust=pki.trust(allow_fetching=False))

    assert result.indication is Indication.INDETERMINATE
    assert result.sub_indication is SubIndication.TRY_LATER
    assert result.revocation is Revocation.UNKNOWN


def test_a_certificate_under_an_untrusted_root_has_no_chain() -> None:
    result = check("untrusted")

    assert result.indication is Indication.INDETERMINATE
    assert result.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    assert codes(result) == [ErrorCode.CHAIN_UNTRUSTED]
    assert not result.chain_trusted and result.revocation is Revocation.UNKNOWN


def test_trusting_the_other_root_instead_distrusts_the_school(pki: LivePki) -> None:
    result = check("gvbm", trust=pki.trust(trust_roots=(pki.untrusted_root,)))

    assert result.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_a_chain_without_its_intermediate_has_no_chain(pki: LivePki) -> None:
    result = timed(
        lambda: check_certificate(
            chain=pki.signer("gvbm").chain[:1], signing_time=SIGNED, now=NOW, trust=pki.trust()
        )
    )

    assert result.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_a_timestamp_authority_certificate_cannot_sign_a_transcript(pki: LivePki) -> None:
    result = timed(
        lambda: check_certificate(
            chain=pki.tsa.chain, signing_time=SIGNED, now=NOW, trust=pki.trust()
        )
    )

    assert result.indication is Indication.INDETERMINATE
    assert ErrorCode.KEY_USAGE_NOT_ALLOWED in codes(result)


def test_a_certificate_that_names_no_revocation_source_passes_unless_one_is_required() -> None:
    signer = rsa_pki().signers["gvbm"]  # the throwaway PKI publishes no OCSP and no CRL
    trust = TrustSettings(trust_roots=(rsa_pki().root,))

    lenient = check_certificate(chain=signer.chain, signing_time=SIGNED, now=NOW, trust=trust)
    strict = check_certificate(
        chain=signer.chain,
        signing_time=SIGNED,
        now=NOW,
        trust=replace(trust, require_revocation_source=True),
    )

    assert lenient.indication is Indication.TOTAL_PASSED
    assert lenient.revocation is Revocation.NOT_PUBLISHED
    assert strict.indication is Indication.INDETERMINATE
    assert strict.sub_indication is SubIndication.TRY_LATER


def test_the_synchronous_check_also_runs_inside_an_event_loop(pki: LivePki) -> None:
    async def from_a_handler() -> CertificateCheck:
        return check_certificate(
            chain=pki.signer("gvcn").chain, signing_time=SIGNED, now=NOW, trust=pki.trust()
        )

    assert asyncio.run(from_a_handler()).indication is Indication.TOTAL_PASSED


def test_the_asynchronous_check_can_be_awaited_from_a_handler(pki: LivePki) -> None:
    result = asyncio.run(
        async_check_certificate(
            chain=pki.signer("gvcn").chain, signing_time=SIGNED, now=NOW, trust=pki.trust()
        )
    )

    assert result.indication is Indication.TOTAL_PASSED and result.revocation is Revocation.GOOD


def test_a_pem_bundle_loads_as_trust_roots(pki: LivePki) -> None:
    bundle = pki.root_pem() + pki.untrusted_root.public_bytes(Encoding.PEM)

    assert load_trust_roots(bundle) == (pki.root, pki.untrusted_root)


@pytest.mark.parametrize(
    "bundle",
    [b"", b"not a certificate", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"],
)
def test_an_unusable_trust_root_bundle_is_a_typed_error(bundle: bytes) -> None:
    with pytest.raises(TrustRootsError):
        load_trust_roots(bundle)


def test_a_signer_certificate_is_not_accepted_as_a_trust_root(pki: LivePki) -> None:
    with pytest.raises(TrustRootsError, match="not a CA"):
        load_trust_roots(pki.signer("gvbm").certificate.public_bytes(Encoding.PEM))


def test_trust_settings_need_a_root_and_sane_timeouts(pki: LivePki) -> None:
    with pytest.raises(TrustRootsError):
        TrustSettings(trust_roots=())
    with pytest.raises(TrustRootsError):
        TrustSettings(trust_roots=(pki.root,), fetch_timeout=2.0, deadline=1.0)


def test_an_empty_chain_or_a_naive_time_is_a_setup_error(pki: LivePki) -> None:
    chain = pki.signer("gvbm").chain
    with pytest.raises(VerificationSetupError):
        check_certificate(chain=(), signing_time=SIGNED, now=NOW, trust=pki.trust())
    with pytest.raises(VerificationSetupError):
        check_certificate(
            chain=chain, signing_time=datetime(2025, 6, 20), now=NOW, trust=pki.trust()
        )
    with pytest.raises(VerificationSetupError):
        check_certificate(
            chain=chain, signing_time=SIGNED, now=datetime(2026, 9, 1), trust=pki.trust()
        )


def test_a_check_that_cannot_finish_within_the_deadline_is_indeterminate(pki: LivePki) -> None:
    result = check("gvbm", trust=pki.trust(deadline=0.000_001, fetch_timeout=0.000_001))

    assert result.indication is Indication.INDETERMINATE
    assert result.sub_indication is SubIndication.TRY_LATER
    assert codes(result) == [ErrorCode.VALIDATION_TIMED_OUT]
