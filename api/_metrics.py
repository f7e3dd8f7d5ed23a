"""``GET /metrics``: Prometheus metrics of the HTTP layer and of the system's queues.

Request counts and latencies come from Litestar's Prometheus middleware (labelled by route
template, never by the concrete path, so an id or a share-link token is never a label). The
queue gauges are read from the database at each scrape (``workflow.operational_counts``).
Counts only: no personal data.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from datetime import datetime

from litestar import Request, get
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException
from litestar.plugins.prometheus import PrometheusConfig
from litestar.response import Response
from prometheus_client import REGISTRY, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine

from workflow import ReadCache, UnitOfWork, operational_counts

PROMETHEUS = PrometheusConfig(
    app_name="hocba",
    prefix="hocba",
    group_path=True,
    exclude=["/metrics", "/tinh", "/api/v1/schema"],
    buckets=[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
)
"""Request metrics: ``hocba_requests_total``, ``hocba_request_duration_seconds``, …"""

SIGNING_RESULTS = Counter(
    "hocba_signing_results",
    "Signing-session items completed, by outcome (ok, failed).",
    ["outcome"],
)


class QueueCollector(Collector):
    """The queues' sizes, read from the database when Prometheus scrapes."""

    def __init__(self, engine: Engine, now: datetime) -> None:
        self._engine, self._now = engine, now

    def collect(self) -> Iterator[Metric]:
        counts = operational_counts(UnitOfWork(self._engine), now=self._now)
        by_status = GaugeMetricFamily(
            "hocba_transcripts", "Transcript versions by status.", labels=["status"]
        )
        for status, count in sorted(counts.transcripts_by_status.items()):
            by_status.add_metric([status], count)
        yield by_status
        yield GaugeMetricFamily(
            "hocba_signing_sessions_open",
            "Signing sessions prepared and not yet completed or expired.",
            value=counts.open_signing_sessions,
        )
        runs = GaugeMetricFamily(
            "hocba_scheduler_runs", "Scheduled jobs applied so far, by job.", labels=["job"]
        )
        for job, count in sorted(counts.scheduler_runs_by_job.items()):
            runs.add_metric([job], count)
        yield runs
        outbox = GaugeMetricFamily(
            "hocba_outbox_messages",
            "Messages to the city system by state (pending: the backlog; dead: needs a person).",
            labels=["state"],
        )
        for state, count in sorted(counts.outbox_by_state.items()):
            outbox.add_metric([state], count)
        yield outbox
        last = counts.last_scheduler_run_at
        yield GaugeMetricFamily(
            "hocba_scheduler_last_run_timestamp_seconds",
            "When the last scheduled job was applied (Unix time; 0: never).",
            value=last.timestamp() if last is not None else 0.0,
        )


class ReadCacheCollector(Collector):
    """This process's cache of actors and queues: lookups answered without the database."""

    def __init__(self, cache: ReadCache) -> None:
        self._cache = cache

    def collect(self) -> Iterator[Metric]:
        lookups = CounterMetricFamily(
            "hocba_read_cache_lookups",
            "Lookups in this process's cache of callers' actors and task queues, by outcome.",
            labels=["cache", "outcome"],
        )
        for (cache, outcome), count in sorted(self._cache.stats().items()):
            lookups.add_metric([cache, outcome], count)
        yield lookups


def _authorised(request: Request[object, object, State], token: str | None) -> bool:
    if token is None:
        return True
    given = request.headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@get("/metrics", sync_to_thread=True, tags=["operations"], include_in_schema=False)
def metrics(request: Request[object, object, State], state: State) -> Response[bytes]:
    """Prometheus text format: the process's request metrics, then the queue gauges."""
    if not _authorised(request, state.settings.metrics_token):
        raise NotAuthorizedException(detail="metrics need the configured bearer token")
    queues = CollectorRegistry(auto_describe=False)
    queues.register(QueueCollector(state.engine, state.clock.now()))
    queues.register(ReadCacheCollector(state.read_cache))
    body = generate_latest(REGISTRY) + generate_latest(queues)
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")
