"""``GET /metrics``: request metrics by route template and the queues' gauges, no personal data."""

from __future__ import annotations

from pathlib import Path

from litestar.testing import TestClient

from api import create_app
from tests.api.conftest import Api, SettableClock, settings
from tests.support.world import BEFORE_LOCK, World


def test_the_metrics_count_transcripts_by_status_and_label_requests_by_route_template(
    api: Api,
) -> None:
    transcript = api.world.new_transcript(student=0)
    assert api.get(f"/transcripts/{transcript}", as_="gvcn.6a1").status_code == 200
    body = api.client.get("/metrics").text
    assert 'hocba_transcripts{status="draft"} 1.0' in body
    assert "hocba_signing_sessions_open 0.0" in body
    assert "# TYPE hocba_outbox_messages gauge" in body
    assert "hocba_scheduler_last_run_timestamp_seconds 0.0" in body
    assert "hocba_request_duration_seconds" in body
    assert transcript not in body  # the id is never a label: the route template is
    assert "/api/v1/transcripts/{transcript_id" in body


def test_with_a_token_configured_the_metrics_need_it(world: World, tmp_path: Path) -> None:
    app = create_app(
        settings=settings(metrics_token="m" * 40),
        engine=world.engine,
        clock=SettableClock(BEFORE_LOCK),
    )
    with TestClient(app) as client:
        assert client.get("/metrics").status_code == 401
        wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = client.get("/metrics", headers={"Authorization": "Bearer " + "m" * 40})
        assert right.status_code == 200 and "hocba_transcripts" in right.text
