"""Two-step signing sessions: prepare → the client signs → complete, on real XML signatures.

The scene is 6A1 of the test school with its year entered and approved; An and Dũng have
complete data (their promotion is decided), so their annual transcripts can become XML.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from domain.certificates import Validity, personal_name, signer_certificate
from domain.documents import verify_xml
from domain.model import (
    SigningSession,
    SigningSessionItem,
    Transcript,
    TranscriptSignature,
    TranscriptStatus,
)
from domain.signatures import Pkcs12Signer
from tests.support.racing import engine_for_racers, race
from tests.support.signing import (
    OTHER_SCHOOL_CODE,
    Signable,
    authority,
    pdf_options,
    personal_id_of,
    personal_key,
    seal_key,
    sign_session,
    sign_subjects,
    signable_scene,
    stored_xml,
    transcripts_state,
)
from tests.support.tracking import tracking_footprint, transcript_row
from tests.support.world import BEFORE_LOCK
from tests.support.xmlsec import XMLSEC1, xmlsec_verify
from tests.support.year_end import SUBJECTS
from workflow import (
    SYSTEM,
    AdministratorForbiddenError,
    CertificateNotOwnedError,
    CertificateNotTrustedError,
    CertificateNotValidError,
    ItemResult,
    OrganisationCertificateRequiredError,
    PdfSigning,
    SignedXmlMismatchError,
    SigningSessionCompletedError,
    SigningSessionExpiredError,
    SigningSessionNotYoursError,
    SigningStep,
    TranscriptDataIncompleteError,
    TrustRootsMissingError,
    UnitOfWork,
    WorkflowError,
    complete_signing,
    finalize,
    prepare_signing,
    sign_with,
)

AT = BEFORE_LOCK


@pytest.fixture
def signable(engine: Engine) -> Signable:
    return signable_scene(engine)


def prepare(s: Signable, who: str, step: SigningStep, **options: object) -> object:
    """``who`` prepares ``step`` with their key, trusting the test CA unless ``pdf`` says."""
    chain = options.pop("chain", None)
    key = seal_key() if step is SigningStep.SCHOOL else personal_key(who)
    return prepare_signing(
        s.world.uow(),
        actor=s.world.actor(who, AT),
        transcript_ids=options.pop("ids", s.ids),  # type: ignore[arg-type]
        step=step,
        certificate_chain=chain or key.der_chain,  # type: ignore[arg-type]
        now=options.pop("now", AT),  # type: ignore[arg-type]
        pdf=options.pop("pdf", pdf_options()),  # type: ignore[arg-type]
        **options,  # type: ignore[arg-type]
    )


def refused(s: Signable, error: type[WorkflowError], action: object) -> WorkflowError:
    before = tracking_footprint(s.world.engine)
    with pytest.raises(error) as raised:
        action()  # type: ignore[operator]
    assert tracking_footprint(s.world.engine) == before
    return raised.value


def test_a_subject_teacher_signs_the_class_in_one_session_and_the_xml_verifies(
    signable: Signable,
) -> None:
    results = sign_session(
        signable.world, "gvbm.toan", signable.ids, SigningStep.SUBJECT, AT, subject_code="TOAN"
    )
    assert [(r.transcript_id, r.ok) for r in results] == [(t, True) for t in signable.ids]
    for transcript_id in signable.ids:
        check = verify_xml(stored_xml(signable.world.engine, transcript_id))
        assert check.intact
        assert [s.slot for s in check.signatures] == ["GVBM:TOAN"]
        with Session(signable.world.engine) as session:
            signature = session.exec(
                select(TranscriptSignature).where(
                    TranscriptSignature.transcript_id == transcript_id
                )
            ).one()
        assert "CCCD:" in signature.certificate_subject


def test_the_whole_chain_through_sessions_then_finalize_verifies_with_ours_and_xmlsec1(
    signable: Signable, tmp_path: Path
) -> None:
    sign_subjects(signable)
    for step, who in (
        (SigningStep.HOMEROOM, "gvcn.6a1"),
        (SigningStep.PRINCIPAL, "hieutruong"),
        (SigningStep.SCHOOL, "vanthu"),
    ):
        assert all(r.ok for r in sign_session(signable.world, who, signable.ids, step, AT))
    for transcript_id in signable.ids:
        finalize(signable.world.uow(), transcript_id=transcript_id, actor=SYSTEM, now=AT)
        assert transcript_row(signable.world.engine, transcript_id).status == (
            TranscriptStatus.FINALIZED
        )
    xml = stored_xml(signable.world.engine, signable.ids[0])
    check = verify_xml(xml)
    assert check.ok, check.problems()
    assert len(check.signatures) == len(SUBJECTS) + 3
    assert XMLSEC1 is not None
    document = tmp_path / "final.xml"
    document.write_bytes(xml)
    root = authority().write_root(tmp_path)
    for signature in check.signatures:
        code, output = xmlsec_verify(document, signature.signature_id, root)
        assert code == 0, output


def test_another_persons_certificate_is_refused_and_nothing_is_stored(
    signable: Signable,
) -> None:
    error = refused(
        signable,
        CertificateNotOwnedError,
        lambda: prepare(
            signable,
            "gvbm.toan",
            SigningStep.SUBJECT,
            subject_code="TOAN",
            chain=personal_key("gvbm.nguvan").der_chain,
        ),
    )
    assert error.code == "certificate_not_owned"


def test_a_personal_certificate_cannot_stamp_for_the_school(signable: Signable) -> None:
    sign_subjects(signable)
    for step, who in ((SigningStep.HOMEROOM, "gvcn.6a1"), (SigningStep.PRINCIPAL, "hieutruong")):
        assert all(r.ok for r in sign_session(signable.world, who, signable.ids, step, AT))
    refused(
        signable,
        OrganisationCertificateRequiredError,
        lambda: prepare(
            signable, "vanthu", SigningStep.SCHOOL, chain=personal_key("vanthu").der_chain
        ),
    )
    refused(
        signable,
        CertificateNotOwnedError,
        lambda: prepare(
            signable, "vanthu", SigningStep.SCHOOL, chain=seal_key(OTHER_SCHOOL_CODE).der_chain
        ),
    )


def test_an_expired_session_is_refused_and_changes_nothing(signable: Signable) -> None:
    prepared = prepare(signable, "gvbm.toan", SigningStep.SUBJECT, subject_code="TOAN")
    key = personal_key("gvbm.toan")
    values = {i.transcript_id: key.sign(i.xml.to_sign) for i in prepared.items}  # type: ignore[attr-defined]
    later = AT + timedelta(minutes=15)
    refused(
        signable,
        SigningSessionExpiredError,
        lambda: complete_signing(
            signable.world.uow(),
            actor=signable.world.actor("gvbm.toan", later),
            session_id=prepared.session_id,  # type: ignore[attr-defined]
            signatures=values,
            now=later,
        ),
    )


def test_a_signature_value_that_does_not_verify_changes_nothing(signable: Signable) -> None:
    prepared = prepare(signable, "gvbm.toan", SigningStep.SUBJECT, subject_code="TOAN")
    wrong = personal_key("gvbm.nguvan")
    values = {i.transcript_id: wrong.sign(i.xml.to_sign) for i in prepared.items}  # type: ignore[attr-defined]
    before = transcripts_state(signable.world.engine)
    results = complete_signing(
        signable.world.uow(),
        actor=signable.world.actor("gvbm.toan"),
        session_id=prepared.session_id,  # type: ignore[attr-defined]
        signatures=values,
        now=AT,
    )
    assert [(r.ok, r.error, r.status) for r in results] == [
        (False, "signature_value_invalid", "draft")
    ] * 2
    assert transcripts_state(signable.world.engine) == before


def test_only_the_signer_who_prepared_completes_and_only_once(signable: Signable) -> None:
    prepared = prepare(signable, "gvbm.toan", SigningStep.SUBJECT, subject_code="TOAN")
    key = personal_key("gvbm.toan")
    values = {i.transcript_id: key.sign(i.xml.to_sign) for i in prepared.items}  # type: ignore[attr-defined]

    def complete(who: str) -> object:
        return complete_signing(
            signable.world.uow(),
            actor=signable.world.actor(who),
            session_id=prepared.session_id,  # type: ignore[attr-defined]
            signatures=values,
            now=AT,
        )

    refused(signable, SigningSessionNotYoursError, lambda: complete("gvbm.nguvan"))
    assert all(r.ok for r in complete("gvbm.toan"))  # type: ignore[attr-defined]
    refused(signable, SigningSessionCompletedError, lambda: complete("gvbm.toan"))
    with Session(signable.world.engine) as session:
        assert session.exec(select(SigningSession)).one().completed_at is not None


@pytest.mark.parametrize("toan_first", [True, False], ids=["toan-first", "nguvan-first"])
def test_two_subject_teachers_prepare_together_and_both_land_in_either_order(
    signable: Signable, toan_first: bool
) -> None:
    toan = prepare(signable, "gvbm.toan", SigningStep.SUBJECT, subject_code="TOAN")
    nguvan = prepare(signable, "gvbm.nguvan", SigningStep.SUBJECT, subject_code="NGUVAN")
    order = [("gvbm.toan", toan), ("gvbm.nguvan", nguvan)]
    for who, prepared in order if toan_first else order[::-1]:
        key = personal_key(who)
        values = {i.transcript_id: key.sign(i.xml.to_sign) for i in prepared.items}  # type: ignore[attr-defined]
        results = complete_signing(
            signable.world.uow(),
            actor=signable.world.actor(who),
            session_id=prepared.session_id,  # type: ignore[attr-defined]
            signatures=values,
            now=AT,
        )
        assert all(r.ok for r in results), results
    for transcript_id in signable.ids:
        check = verify_xml(stored_xml(signable.world.engine, transcript_id))
        assert check.intact
        assert sorted(s.slot for s in check.signatures) == ["GVBM:NGUVAN", "GVBM:TOAN"]


def test_a_transcript_whose_promotion_is_pending_cannot_become_xml(signable: Signable) -> None:
    error = refused(
        signable,
        TranscriptDataIncompleteError,
        lambda: prepare(
            signable, "gvbm.toan", SigningStep.SUBJECT, subject_code="TOAN", ids=[signable.pending]
        ),
    )
    assert error.field == "TongHop.DuocLenLop"  # type: ignore[attr-defined]


def test_data_changed_under_an_earlier_signature_refuses_the_next_one(signable: Signable) -> None:
    sign_subjects(signable, ("TOAN",))
    # Nothing in the workflow changes a signed part; a defect or a hand edit of the database
    # could. The next signer must not sign on top of it.
    with Session(signable.world.engine) as session:
        row = session.get(Transcript, signable.ids[0])
        assert row is not None
        subjects = [dict(s) for s in row.data["KetQuaHocTap"]]
        toan = next(s for s in subjects if s["Ma"] == "TOAN")
        toan["HK1"] = "10.0" if toan["HK1"] != "10.0" else "9.9"
        row.data = {**row.data, "KetQuaHocTap": subjects}
        session.add(row)
        session.commit()
    error = refused(
        signable,
        SignedXmlMismatchError,
        lambda: prepare(signable, "gvbm.nguvan", SigningStep.SUBJECT, subject_code="NGUVAN"),
    )
    assert "MH-TOAN" in error.detail  # type: ignore[attr-defined]


def test_a_certificate_outside_its_validity_is_refused(signable: Signable) -> None:
    expired = personal_key(
        "gvbm.toan",
        validity=Validity(datetime(2022, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC)),
    )
    refused(
        signable,
        CertificateNotValidError,
        lambda: prepare(
            signable, "gvbm.toan", SigningStep.SUBJECT, subject_code="TOAN", chain=expired.der_chain
        ),
    )


def test_a_server_side_signer_signs_the_class_through_the_same_session(
    signable: Signable,
) -> None:
    key = personal_key("gvbm.toan")
    results = sign_with(
        signable.world.uow(),
        signer=Pkcs12Signer.opened(key.key, key.chain),
        actor=signable.world.actor("gvbm.toan"),
        transcript_ids=signable.ids,
        step=SigningStep.SUBJECT,
        subject_code="TOAN",
        now=AT,
        pdf=pdf_options(),
    )
    assert all(r.ok for r in results), results
    assert all(verify_xml(stored_xml(signable.world.engine, t)).intact for t in signable.ids)


def test_two_subject_teachers_completing_at_the_same_moment_both_land(
    signable: Signable,
) -> None:
    prepared = {
        who: prepare(signable, who, SigningStep.SUBJECT, subject_code=code)
        for who, code in (("gvbm.toan", "TOAN"), ("gvbm.nguvan", "NGUVAN"))
    }
    engine = engine_for_racers(signable.world.engine, 2)
    actors = {who: signable.world.actor(who) for who in prepared}

    def completion(who: str) -> Callable[[], list[ItemResult]]:
        key, session = personal_key(who), prepared[who]
        values = {i.transcript_id: key.sign(i.xml.to_sign) for i in session.items}  # type: ignore[attr-defined]
        return lambda: complete_signing(
            UnitOfWork(engine),
            actor=actors[who],
            session_id=session.session_id,  # type: ignore[attr-defined]
            signatures=values,
            now=AT,
        )

    try:
        outcomes = race([completion(who) for who in prepared], gate_flushes=False)
    finally:
        engine.dispose()
    for outcome in outcomes:
        assert outcome.error is None, outcome.error
        assert outcome.value is not None and all(r.ok for r in outcome.value), outcome.value
    for transcript_id in signable.ids:
        check = verify_xml(stored_xml(signable.world.engine, transcript_id))
        assert check.intact
        assert sorted(s.slot for s in check.signatures) == ["GVBM:NGUVAN", "GVBM:TOAN"]


def test_an_item_whose_transcript_moved_meanwhile_is_refused_and_changes_nothing(
    signable: Signable,
) -> None:
    stale = prepare(signable, "gvbm.toan", SigningStep.SUBJECT, subject_code="TOAN")
    # Meanwhile the same slot is signed through another session, and its transcript moves on.
    assert all(r.ok for r in sign_session(
        signable.world, "gvbm.toan", signable.ids[:1], SigningStep.SUBJECT, AT, subject_code="TOAN"
    ))  # fmt: skip
    key = personal_key("gvbm.toan")
    values = {i.transcript_id: key.sign(i.xml.to_sign) for i in stale.items}  # type: ignore[attr-defined]
    before = transcripts_state(signable.world.engine)
    results = complete_signing(
        signable.world.uow(),
        actor=signable.world.actor("gvbm.toan"),
        session_id=stale.session_id,  # type: ignore[attr-defined]
        signatures=values,
        now=AT,
    )
    moved, untouched = results
    assert (moved.ok, moved.error) == (False, "transcript_changed")
    assert untouched.ok
    after = transcripts_state(signable.world.engine)
    assert [s for s in after if s[0] == signable.ids[0]] == [
        s for s in before if s[0] == signable.ids[0]
    ]


def _self_made_certificate_naming(username: str) -> list[bytes]:
    """What someone holding a teacher's password but not their token could make: a
    certificate with the teacher's name and personal ID, signed by a key of their own."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = personal_name(username.upper(), personal_id_of(username), "Trường tự xưng")
    certificate = signer_certificate(
        subject,
        key.public_key(),
        subject,
        key,
        serial=x509.random_serial_number(),
        validity=Validity(datetime(2024, 1, 1, tzinfo=UTC), datetime(2034, 1, 1, tzinfo=UTC)),
        organisation=False,
    )
    return [certificate.public_bytes(Encoding.DER)]


def test_a_self_made_certificate_naming_the_teacher_is_refused_when_roots_are_set(
    signable: Signable,
) -> None:
    error = refused(
        signable,
        CertificateNotTrustedError,
        lambda: prepare(
            signable,
            "gvbm.toan",
            SigningStep.SUBJECT,
            subject_code="TOAN",
            chain=_self_made_certificate_naming("gvbm.toan"),
            pdf=pdf_options(),
        ),
    )
    assert error.code == "certificate_not_trusted"
    assert "certificate_chain_untrusted" in error.reasons  # type: ignore[attr-defined]


def test_without_trust_roots_a_subject_teacher_cannot_sign_and_nothing_is_stored(
    signable: Signable,
) -> None:
    error = refused(
        signable,
        TrustRootsMissingError,
        lambda: prepare(
            signable, "gvbm.toan", SigningStep.SUBJECT, subject_code="TOAN", pdf=PdfSigning()
        ),
    )
    assert error.code == "trust_roots_missing"
    with Session(signable.world.engine) as session:
        assert session.exec(select(SigningSession)).first() is None


def test_the_administrator_cannot_prepare_a_signature_nor_learn_a_transcripts_state(
    signable: Signable,
) -> None:
    for ids in (signable.ids, ["00000000-0000-4000-8000-000000000000"]):
        refused(
            signable,
            AdministratorForbiddenError,
            lambda ids=ids: prepare(
                signable,
                "admin",
                SigningStep.SUBJECT,
                subject_code="TOAN",
                ids=ids,
                chain=personal_key("gvbm.toan").der_chain,
            ),
        )


def test_a_transcript_whose_data_changed_after_prepare_is_refused_though_its_xml_did_not(
    signable: Signable,
) -> None:
    stale = prepare(signable, "gvbm.toan", SigningStep.SUBJECT, subject_code="TOAN")
    # The transcript has no signed XML yet: only its row says its data moved on.
    with Session(signable.world.engine) as session:
        row = session.get(Transcript, signable.ids[0])
        assert row is not None and row.xml_sha256 is None
        subjects = [dict(s) for s in row.data["KetQuaHocTap"]]
        toan = next(s for s in subjects if s["Ma"] == "TOAN")
        toan["HK1"] = "10.0" if toan["HK1"] != "10.0" else "9.9"
        row.data = {**row.data, "KetQuaHocTap": subjects}
        session.add(row)
        session.commit()
    before = transcripts_state(signable.world.engine)
    key = personal_key("gvbm.toan")
    values = {i.transcript_id: key.sign(i.xml.to_sign) for i in stale.items}  # type: ignore[attr-defined]
    moved, untouched = complete_signing(
        signable.world.uow(),
        actor=signable.world.actor("gvbm.toan"),
        session_id=stale.session_id,  # type: ignore[attr-defined]
        signatures=values,
        now=AT,
    )
    assert (moved.ok, moved.error) == (False, "transcript_changed")
    assert untouched.ok
    after = transcripts_state(signable.world.engine)
    assert [s for s in after if s[0] == signable.ids[0]] == [
        s for s in before if s[0] == signable.ids[0]
    ]


def test_an_item_that_fails_unexpectedly_is_reported_and_every_outcome_is_recorded(
    signable: Signable,
) -> None:
    prepared = prepare(signable, "gvbm.toan", SigningStep.SUBJECT, subject_code="TOAN")
    key = personal_key("gvbm.toan")
    first, second = prepared.items  # type: ignore[attr-defined]
    # Text where bytes belong: cryptography raises TypeError inside the first item's check.
    values = {first.transcript_id: "not bytes", second.transcript_id: key.sign(second.xml.to_sign)}
    before = transcripts_state(signable.world.engine)
    failed, landed = complete_signing(
        signable.world.uow(),
        actor=signable.world.actor("gvbm.toan"),
        session_id=prepared.session_id,  # type: ignore[attr-defined]
        signatures=values,  # type: ignore[arg-type]
        now=AT,
    )
    assert (failed.ok, failed.error, failed.status) == (False, "internal_error", "draft")
    assert landed.ok
    after = transcripts_state(signable.world.engine)
    assert [s for s in after if s[0] == first.transcript_id] == [
        s for s in before if s[0] == first.transcript_id
    ]
    with Session(signable.world.engine) as session:
        outcomes = {
            item.transcript_id: item.outcome for item in session.exec(select(SigningSessionItem))
        }
        assert session.exec(select(SigningSession)).one().completed_at is not None
    assert outcomes == {first.transcript_id: "internal_error", second.transcript_id: "ok"}
