"""The HTTP side of the exchange with the city transcript system (docs/city-exchange.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from workflow._settings import Settings

SUCCESS = frozenset({200, 201, 202, 409})
"""Answers that acknowledge a message: 409 means the city had it already (a repeat)."""
REFUSED = frozenset({400, 410, 413, 422})
"""Answers that retrying cannot change: the message goes to the Department at once."""


@dataclass(frozen=True, slots=True)
class CityRequest:
    """One request of the contract: where it goes and the JSON it carries."""

    method: str
    path: str
    body: dict[str, Any]
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class CityAnswer:
    """What came back: a status and a JSON body, or no answer at all (``error`` says why)."""

    status: int | None
    body: dict[str, Any]
    error: str | None = None
    retry_after_seconds: float | None = None


class CityClient:
    """One HTTP client to the city system: its address, bearer token and timeouts.

    ``send`` never raises for the other side's faults: a refused connection, a timeout or a
    body that is not JSON become an answer the delivery records and retries.
    """

    def __init__(
        self,
        *,
        base_url: str,
        token: str | None = None,
        connect_timeout: float = 5.0,
        timeout: float = 30.0,
    ) -> None:
        headers = {"Accept": "application/json", "User-Agent": "hocba-city-exchange/1"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            follow_redirects=False,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> CityClient | None:
        """The client for ``HOCBA_CITY_URL``; None while it is unset (the connector is off)."""
        if not settings.city_url:
            return None
        return cls(
            base_url=settings.city_url,
            token=settings.city_token,
            connect_timeout=settings.city_connect_timeout_seconds,
            timeout=settings.city_timeout_seconds,
        )

    def send(self, request: CityRequest) -> CityAnswer:
        """Send one request with its ``Idempotency-Key``; the answer, or why there is none."""
        try:
            response = self._http.request(
                request.method,
                request.path,
                json=request.body,
                headers={"Idempotency-Key": request.idempotency_key},
            )
        except httpx.TimeoutException as error:
            return CityAnswer(status=None, body={}, error=f"timeout: {type(error).__name__}")
        except httpx.HTTPError as error:
            return CityAnswer(status=None, body={}, error=f"no answer: {type(error).__name__}")
        return CityAnswer(
            status=response.status_code,
            body=_json_object(response),
            retry_after_seconds=_retry_after(response),
        )

    def close(self) -> None:
        """Close the connections."""
        self._http.close()


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    # Only the delay-seconds form: an HTTP date would be judged by the server's clock.
    return float(value) if value.isdigit() else None
