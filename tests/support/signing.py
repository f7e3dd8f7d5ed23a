"""Two-step signing in tests: real certificates for the test school's staff and its seal.

Every staff login of the test world gets a personal ID (``Person.personal_id``) and an RSA
certificate naming it (``UID=CCCD:<id>``), issued with ``domain.certificates`` under a
throwaway CA; the school gets an organisation certificate (``UID=MST:79000001``), and a second
school one for refusals. Keys are made once per test process. The homeroom, principal and
school steps sign the PDF too: ``pdf_options`` trusts the throwaway CA, and with
``timestamped`` stamps through an in-process TSA issued by the same CA.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.certificates import (
    Validity,
    ca_certificate,
    ca_name,
    organisation_name,
    personal_name,
    signer_certificate,
    tsa_certificate,
)
from domain.model import Blob, Person, Student, Transcript, TranscriptSignature
from tests.support.tracking import transcript_row
from tests.support.world import BEFORE_LOCK, World
from tests.support.year_end import SUBJECTS, enter_homeroom, saved_scene
from workflow import (
    HomeroomEntry,
    ItemResult,
    PdfSigning,
    SigningStep,
    build_class_transcripts,
    complete_signing,
    local_timestamper,
    prepare_signing,
)

VALID = Validity(datetime(2024, 1, 1, tzinfo=UTC), datetime(2034, 1, 1, tzinfo=UTC))
SCHOOL = "Trường THCS Thử Nghiệm"
SCHOOL_CODE = "79000001"
OTHER_SCHOOL_CODE = "79000999"


@dataclass(frozen=True)
class Key:
    """A private key and its chain (the signer's certificate first, then the issuing CA)."""

    key: rsa.RSAPrivateKey
    chain: tuple[x509.Certificate, ...]

    @property
    def der_chain(self) -> list[bytes]:
        """The chain as DER, the way a client sends it."""
        return [c.public_bytes(Encoding.DER) for c in self.chain]

    def sign(self, data: bytes) -> bytes:
        """What a USB token returns for ``data``: RSA PKCS#1 v1.5 over SHA-256."""
        return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def personal_id_of(username: str) -> str:
    """A stable 12-digit personal ID for a test login."""
    digest = int.from_bytes(hashlib.sha256(username.encode()).digest()[:8], "big")
    return f"079{digest % 10**9:09d}"


@dataclass(frozen=True)
class Authority:
    """The test CA: its root certificate and key."""

    root: x509.Certificate
    key: rsa.RSAPrivateKey

    def write_root(self, directory: Path) -> Path:
        """The root as PEM (xmlsec1 --trusted-pem)."""
        path = directory / "root.pem"
        path.write_bytes(self.root.public_bytes(Encoding.PEM))
        return path


@cache
def authority() -> Authority:
    """A throwaway root CA that issues every test certificate directly."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = ca_name("Hocba Session Test CA", "Hocba Test")
    root = ca_certificate(name, key.public_key(), name, key, serial=1, validity=VALID)
    return Authority(root, key)


@cache
def _rsa_key(label: str) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@cache
def personal_key(username: str, *, validity: Validity = VALID) -> Key:
    """``username``'s personal certificate (their name, ``UID=CCCD:<personal_id_of>``)."""
    ca = authority()
    key = _rsa_key(username)
    subject = personal_name(username.upper(), personal_id_of(username), SCHOOL)
    certificate = signer_certificate(
        subject,
        key.public_key(),
        ca.root.subject,
        ca.key,
        serial=x509.random_serial_number(),
        validity=validity,
        organisation=False,
    )
    return Key(key, (certificate, ca.root))


@cache
def seal_key(school_code: str = SCHOOL_CODE) -> Key:
    """The organisation certificate of the school with ``school_code``."""
    ca = authority()
    key = _rsa_key(f"seal:{school_code}")
    certificate = signer_certificate(
        organisation_name(SCHOOL, school_code),
        key.public_key(),
        ca.root.subject,
        ca.key,
        serial=x509.random_serial_number(),
        validity=VALID,
        organisation=True,
    )
    return Key(key, (certificate, ca.root))


@cache
def tsa_key() -> Key:
    """A timestamp authority's key and certificate under the test CA."""
    ca = authority()
    key = _rsa_key("tsa")
    certificate = tsa_certificate(
        ca_name("Hocba Session Test TSA", "Hocba Test"),
        key.public_key(),
        ca.root.subject,
        ca.key,
        serial=x509.random_serial_number(),
        validity=VALID,
    )
    return Key(key, (certificate, ca.root))


def pdf_options(*, timestamped: bool = False) -> PdfSigning:
    """PDF signing that trusts the test CA; ``timestamped``: B-T, the seal B-LT."""
    stamper = local_timestamper(tsa_key().key, tsa_key().chain) if timestamped else None
    return PdfSigning(
        public_url="https://hocba.example.vn", timestamper=stamper, trust_roots=(authority().root,)
    )


def register_personal_ids(world: World) -> None:
    """Put every staff member's personal ID on file (what their certificates name)."""
    with Session(world.engine) as session:
        for username, person_id in world.people.items():
            person = session.get(Person, person_id)
            assert person is not None
            person.personal_id = personal_id_of(username)
            session.add(person)
        session.commit()


def record_birthplaces(world: World, place: str = "Quận 1, Thành phố Hồ Chí Minh") -> None:
    """Give every student a birthplace (``NoiSinh``: the XML document requires one)."""
    with Session(world.engine) as session:
        for student in session.exec(select(Student)).all():
            student.birthplace = place
            session.add(student)
        session.commit()


def sign_session(
    world: World,
    who: str,
    transcript_ids: list[str],
    step: SigningStep,
    at: datetime,
    *,
    subject_code: str | None = None,
    key: Key | None = None,
    pdf: PdfSigning | None = None,
) -> list[ItemResult]:
    """``who`` prepares, signs with their key (the seal for the school step), completes;
    the XML and, for the steps that sign it, the PDF."""
    key = key or (seal_key() if step is SigningStep.SCHOOL else personal_key(who))
    options = pdf or pdf_options()
    actor = world.actor(who, at)
    prepared = prepare_signing(
        world.uow(),
        actor=actor,
        transcript_ids=transcript_ids,
        step=step,
        subject_code=subject_code,
        certificate_chain=key.der_chain,
        now=at,
        pdf=options,
    )
    values = {item.transcript_id: key.sign(item.xml.to_sign) for item in prepared.items}
    pdf_values = {i.transcript_id: key.sign(i.pdf.to_sign) for i in prepared.items if i.pdf}
    return complete_signing(
        world.uow(),
        actor=actor,
        session_id=prepared.session_id,
        signatures=values,
        pdf_signatures=pdf_values,
        now=at,
        pdf=options,
    )


@dataclass(frozen=True)
class Signable:
    """The signing scene: the world and the transcripts."""

    world: World
    ids: list[str]
    """The transcripts of An and Dũng (complete data)."""
    pending: str
    """Bình's transcript: her promotion awaits the retests."""


def signable_scene(engine: Engine) -> Signable:
    """6A1 of the test school with its year entered and approved, ready for transcripts:
    An and Dũng have complete data (their promotion is decided), so theirs can be signed."""
    scene = saved_scene(engine, "approved")
    world = scene.world
    register_personal_ids(world)
    record_birthplaces(world)
    comments = ("Chăm ngoan, học tốt.", "Cần cố gắng hơn.", "Cần rèn luyện thêm.", "Ngoan.")
    conduct = ("T", "K", "CD", "T")
    enter_homeroom(
        world,
        2,
        [
            HomeroomEntry(student, level, 1, comment)
            for student, level, comment in zip(scene.students, conduct, comments, strict=True)
        ],
    )
    ids = build_class_transcripts(
        world.uow(), class_id=scene.class_id, actor=world.actor("gvcn.6a1"), now=BEFORE_LOCK
    )
    return Signable(world, [ids[0], ids[3]], ids[1])


def stored_xml(engine: Engine, transcript_id: str) -> bytes:
    """The transcript's current signed XML."""
    row = transcript_row(engine, transcript_id)
    assert row.xml_sha256 is not None
    with Session(engine) as session:
        blob = session.get(Blob, row.xml_sha256)
        assert blob is not None
        return bytes(blob.content)


def stored_pdf(engine: Engine, transcript_id: str) -> bytes:
    """The transcript's current signed PDF."""
    row = transcript_row(engine, transcript_id)
    assert row.pdf_sha256 is not None
    with Session(engine) as session:
        blob = session.get(Blob, row.pdf_sha256)
        assert blob is not None
        return bytes(blob.content)


def transcripts_state(engine: Engine) -> list[tuple[object, ...]]:
    """What a refused completion must leave as it was: every transcript and signature."""
    with Session(engine) as session:
        rows = session.exec(select(Transcript).order_by(col(Transcript.id))).all()
        signatures = session.exec(select(TranscriptSignature)).all()
        return [
            *((r.id, r.status, r.xml_sha256, r.pdf_sha256, r.row_version) for r in rows),
            *((s.transcript_id, s.slot) for s in signatures),
        ]


def sign_subjects(s: Signable, codes: tuple[str, ...] = SUBJECTS) -> None:
    """Every subject teacher signs the scene's transcripts."""
    for code in codes:
        results = sign_session(
            s.world,
            f"gvbm.{code.lower()}",
            s.ids,
            SigningStep.SUBJECT,
            BEFORE_LOCK,
            subject_code=code,
        )
        assert all(r.ok for r in results), results
