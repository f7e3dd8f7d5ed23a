"""The certificate checks of one file: concurrent, deduplicated, one budget, one deadline.

A file repeats signers: a subject teacher signs every subject, a minute apart. The outcome of
path validation is monotone in the moment (validity periods are intervals, a revocation at R
condemns exactly the moments from R on, freshness fails only after ``nextUpdate``). So when
one chain passes cleanly at the earliest and at the latest of its signing times, it passes at
every moment between, and only those two validations run. Otherwise every moment is
validated on its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

import aiohttp
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.api import FetchLimits

from domain.signatures._codes import ErrorCode
from domain.signatures._indications import Indication, SubIndication
from domain.signatures._path_validation import (
    Job,
    PathOutcome,
    Setup,
    failed,
    to_asn1,
    unprocessable,
    validate,
)
from domain.signatures._revocation import Revocation


async def validate_paths(
    items: Sequence[tuple[x509.Certificate, Sequence[x509.Certificate], datetime, bool]],
    *,
    trust_roots: Sequence[x509.Certificate],
    allow_fetching: bool,
    fetch_timeout: float,
    deadline: float,
    max_fetches: int,
    require_revocation_source: bool,
) -> list[PathOutcome]:
    """Validate each (signer, intermediates, moment, proven: a timestamp proves the moment);
    never raises on bad input."""
    roots = [to_asn1(root) for root in trust_roots]
    mode = "require" if require_revocation_source else "hard-fail"
    session = aiohttp.ClientSession(trust_env=False) if allow_fetching else None
    fetchers = None
    if session is not None:
        # No certificate is ever fetched (the chain comes from the signature), and the
        # file's whole budget of OCSP and CRL requests is shared by its signatures.
        limits = FetchLimits(
            max_requests=max_fetches, max_cert_requests=0, max_aia_urls_per_object=1
        )
        backend = AIOHttpFetcherBackend(session, per_request_timeout=fetch_timeout, limits=limits)
        fetchers = backend.get_fetchers()
    setup = Setup(roots, fetchers, mode)
    jobs = [Job(*item) for item in items]
    until = asyncio.get_running_loop().time() + deadline
    try:
        groups = _groups(jobs)
        results = await _run({i: jobs[i] for g in groups for i in {g[0], g[-1]}}, setup, until)
        rest: dict[int, Job] = {}
        for group in groups:
            inner = group[1:-1]
            if _clean(results[group[0]]) and _clean(results[group[-1]]):
                results.update(dict.fromkeys(inner, results[group[0]]))
            else:
                rest.update({i: jobs[i] for i in inner})
        results.update(await _run(rest, setup, until))
        return [results[i] for i in range(len(jobs))]
    finally:
        if session is not None:
            await session.close()


def _groups(jobs: Sequence[Job]) -> list[list[int]]:
    """Indices of the jobs, grouped by identical chain and proof, each ordered by moment (a
    proven and a claimed moment are judged differently after a revocation)."""
    by_chain: dict[tuple[bool, tuple[bytes, ...]], list[int]] = {}
    for index, job in enumerate(jobs):
        chain = tuple(c.public_bytes(Encoding.DER) for c in (job.signer, *job.intermediates))
        by_chain.setdefault((job.proven, chain), []).append(index)
    return [sorted(group, key=lambda i: jobs[i].moment) for group in by_chain.values()]


def _clean(outcome: PathOutcome) -> bool:
    return (
        outcome.outcome.indication is Indication.TOTAL_PASSED
        and outcome.chain_trusted
        and outcome.revocation in {Revocation.GOOD, Revocation.NOT_PUBLISHED}
    )


async def _run(jobs: dict[int, Job], setup: Setup, until: float) -> dict[int, PathOutcome]:
    if not jobs:
        return {}
    loop = asyncio.get_running_loop()
    tasks = {index: asyncio.ensure_future(validate(job, setup)) for index, job in jobs.items()}
    done, pending = await asyncio.wait(tasks.values(), timeout=max(0.0, until - loop.time()))
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return {index: _result(task, done) for index, task in tasks.items()}


def _result(task: asyncio.Task[PathOutcome], done: set[asyncio.Task[PathOutcome]]) -> PathOutcome:
    if task not in done:
        return failed(
            SubIndication.TRY_LATER,
            ErrorCode.VALIDATION_TIMED_OUT,
            "the certificate checks did not finish in the time allowed",
            trusted=False,
            status=Revocation.UNKNOWN,
        )
    error = task.exception()
    if error is not None:  # validate() catches everything; this is the last line of defence
        return unprocessable(error)
    return task.result()
