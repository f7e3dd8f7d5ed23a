"""Certificate login (REQ-10): ``POST /auth/cert-challenge`` hands out a one-time nonce,
``POST /auth/cert-login`` takes it back signed with the certificate's key and answers the same
bearer token as a password login. (No client TLS certificate reaches an ASGI app; hence the
signed challenge rather than mutual TLS.)"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

from litestar import post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import JSONBody

from api._auth import TokenIssuer
from api._base64 import decode_base64, read_certificates
from api._openapi import problem_spec
from api._schemas_out import TokenResponse
from api._schemas_signing import CertificateChallengeOut, CertificateLoginRequest
from api._trust import TrustRoots
from workflow import Settings, UnitOfWork, issue_certificate_challenge, login_with_certificate

CERT_LOGIN_PROBLEMS = {
    400: problem_spec("The body is not well-formed JSON."),
    401: problem_spec(
        "Refused: unknown, used or expired challenge; a signature that does not verify; an "
        "untrusted certificate; a certificate of no active staff member (`code` says which)."
    ),
    422: problem_spec("Invalid input (malformed base64 or certificate); `field` names it."),
    429: problem_spec("Too many requests from this address."),
    503: problem_spec("No trust roots are configured."),
}


@post(
    "/auth/cert-challenge",
    status_code=201,
    sync_to_thread=True,
    responses={429: CERT_LOGIN_PROBLEMS[429]},
    tags=["auth"],
    summary="Get a nonce to sign for a certificate login",
)
def cert_challenge(
    *, state: State, uow: NamedDependency[UnitOfWork], now: NamedDependency[datetime]
) -> CertificateChallengeOut:
    """A random nonce, single use, valid for a few minutes: sign its bytes with the
    certificate's key (SHA256withRSA or ECDSA) and send them to `cert-login`."""
    settings: Settings = state.settings
    issued = issue_certificate_challenge(
        uow, now=now, lifetime=timedelta(seconds=settings.certificate_challenge_seconds)
    )
    return CertificateChallengeOut(
        challenge_id=issued.challenge_id,
        nonce=base64.b64encode(issued.nonce).decode("ascii"),
        expires_at=issued.expires_at,
    )


@post(
    "/auth/cert-login",
    status_code=200,
    sync_to_thread=True,
    responses=CERT_LOGIN_PROBLEMS,
    tags=["auth"],
    summary="Log in with a certificate: the signed nonce",
)
def cert_login(
    *,
    data: JSONBody[CertificateLoginRequest],
    state: State,
    uow: NamedDependency[UnitOfWork],
    now: NamedDependency[datetime],
) -> TokenResponse:
    """A bearer token for the active staff member the certificate names, when the signature
    over the challenge's nonce verifies with it and it chains to a trust root now. The
    challenge is used up by any attempt."""
    chain = read_certificates(data.certificate, field="certificate")
    signature = decode_base64(data.signature, field="signature")
    roots: TrustRoots = state.trust_roots
    who = login_with_certificate(
        uow,
        challenge_id=data.challenge_id,
        certificate_chain=chain,
        signature=signature,
        trust=roots.settings(),
        now=now,
    )
    issuer: TokenIssuer = state.tokens
    return TokenResponse(
        access_token=issuer.issue(person_id=who.person_id, now=now),
        token_type="bearer",  # noqa: S106  (the token type's name, not a secret)
        expires_in=int(issuer.ttl.total_seconds()),
    )
