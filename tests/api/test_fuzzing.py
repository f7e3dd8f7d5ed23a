"""Generated requests from the OpenAPI document (schemathesis) never make the server fail."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok

from domain.model import TranscriptKind, TranscriptStatus
from tests.api.conftest import Api, class_6a2_transcript
from tests.support.journeys import drive_to

EXAMPLES_PER_OPERATION = 25


def test_generated_requests_by_a_logged_in_principal_never_get_a_5xx(api: Api) -> None:
    for state in (TranscriptStatus.SUBJECT_SIGNED, TranscriptStatus.FINALIZED):
        drive_to(api.world, TranscriptKind.CA_NAM, state)
    class_6a2_transcript(api.world)
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", api.client.app)
    headers = api.headers("hieutruong")
    failures: list[str] = []
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # every operation's schema must be usable
        operations.append(result.ok())
    assert len(operations) >= 12

    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case[Any]) -> None:
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        run()
    assert failures == []
