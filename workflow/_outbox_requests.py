"""What each outbox message says to the city system: the JSON contract of docs/city-exchange.md."""

from __future__ import annotations

import base64

from sqlmodel import Session

from domain.model import (
    Blob,
    CityRegistration,
    OutboxKind,
    OutboxMessage,
    School,
    SchoolYear,
    Transcript,
)
from workflow._city_client import CityRequest


class PayloadMissingError(Exception):
    """A message cannot be built: what it needs is not stored (retrying cannot help)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def build_request(session: Session, message: OutboxMessage) -> CityRequest:
    """The request ``message`` sends; raises PayloadMissingError when it cannot exist."""
    row = session.get(Transcript, message.transcript_id)
    assert row is not None  # a foreign key
    tid = row.id
    base = {"transcript_id": tid, "personal_id": message.personal_id}
    kind = OutboxKind(message.kind)
    if kind is OutboxKind.REGISTER_CREATE:
        school = session.get(School, row.school_id)
        year = session.get(SchoolYear, row.school_year_id)
        assert school is not None and year is not None
        body = {
            **base,
            "version": row.version,
            "replaces": row.replaces_id,
            "kind": str(row.kind),
            "school_year": year.name,
            "department_code": school.department_code,
            "school_code": school.code,
        }
        return CityRequest("POST", "/registrations", body, message.idempotency_key)
    if kind is OutboxKind.SEND_TRANSCRIPT:
        blob = session.get(Blob, message.document_sha256) if message.document_sha256 else None
        if blob is None:
            raise PayloadMissingError("no signed XML is stored for this transcript version")
        body = {
            **base,
            "sha256": blob.sha256,
            "media_type": blob.media_type,
            "content_base64": base64.b64encode(blob.content).decode("ascii"),
        }
        return CityRequest("PUT", f"/registrations/{tid}/document", body, message.idempotency_key)
    if kind is OutboxKind.REGISTER_VERIFY:
        body = {**base, "sha256": message.document_sha256}
        return CityRequest(
            "POST", f"/registrations/{tid}/verification", body, message.idempotency_key
        )
    if kind is OutboxKind.RELAY_MINISTRY:
        registration = session.get(CityRegistration, tid)
        if registration is None:
            raise PayloadMissingError("the city gave no Ministry UUID for this transcript version")
        body = {
            **base,
            "ministry_uuid": registration.ministry_uuid,
            "sha256": message.document_sha256,
        }
        return CityRequest("POST", "/ministry-relays", body, message.idempotency_key)
    body = {**base, "reason": str(message.details.get("event", "superseded"))}
    return CityRequest("POST", f"/registrations/{tid}/cancellation", body, message.idempotency_key)
