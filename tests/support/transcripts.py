"""Sample transcript documents and a signer that walks every slot the way the workflow will.

``sign_all`` plays both sides of two-step signing: the server prepares each slot, the
"client" signs the to-be-signed bytes with its private key, the server completes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from domain.assessment import Circular, Comment, Level, Title
from domain.documents import (
    AssessmentForm,
    Certification,
    DocumentHeader,
    Gender,
    SchoolLevel,
    SignerTitle,
    Slot,
    StudentDetails,
    SubjectRecord,
    Summary,
    TermLevels,
    TranscriptDocument,
    complete_slot,
    default_layout,
    prepare_slot,
    render_xml,
)
from domain.model import TranscriptKind
from tests.support.clock import vn
from tests.support.pki import Signer, rsa_pki

TRANSCRIPT_ID = "3f2b8c1e-5d4a-4e7b-9a61-2c8d0f1e7a90"
FIRST_SIGNATURE = vn(2025, 6, 20, 9, 15)


def subjects() -> tuple[SubjectRecord, ...]:
    """Four subjects of grade 6: three scored, one by comment, each with its teacher."""
    return (
        SubjectRecord(
            code="TOAN",
            name="Toán",
            form=AssessmentForm.SCORE,
            teacher="Nguyễn Văn An",
            comment="Tiến bộ rõ trong học kì II.",
            hk1=Decimal("7.9"),
            hk2=Decimal("8.6"),
            year=Decimal("8.4"),
        ),
        SubjectRecord(
            code="NGUVAN",
            name="Ngữ văn",
            form=AssessmentForm.SCORE,
            teacher="Võ Thị Hạnh",
            hk1=Decimal("8.0"),
            hk2=Decimal("8.3"),
            year=Decimal("8.2"),
        ),
        SubjectRecord(
            code="NGOAINGU1",
            name="Ngoại ngữ 1",
            form=AssessmentForm.SCORE,
            teacher="Võ Thị Hạnh",
            hk1=Decimal("9.1"),
            hk2=Decimal("9.5"),
            year=Decimal("9.4"),
        ),
        SubjectRecord(
            code="GDTC",
            name="Giáo dục thể chất",
            form=AssessmentForm.COMMENT,
            teacher="Nguyễn Văn An",
            hk1=Comment.D,
            hk2=Comment.D,
            year=Comment.D,
        ),
    )


def annual_document(**changes: object) -> TranscriptDocument:
    """A grade-6 annual record (CaNam) of a student of Trường THCS, THPT Phan Châu Trinh."""
    document = TranscriptDocument(
        header=DocumentHeader(
            transcript_id=TRANSCRIPT_ID,
            version=1,
            kind=TranscriptKind.CA_NAM,
            school_year="2024-2025",
            department_code="79",
            school_code="79000701",
            school_name="Trường THCS, THPT Phan Châu Trinh",
            school_level=SchoolLevel.THCS,
            grade=6,
            class_name="6A1",
            circular=Circular.C22,
        ),
        student=StudentDetails(
            personal_id="079212000101",
            full_name="Nguyễn Thị Ánh Dương",
            date_of_birth=date(2013, 3, 5),
            gender=Gender.FEMALE,
            ethnicity="Kinh",
            nationality="Việt Nam",
            birthplace="Quận 1, Thành phố Hồ Chí Minh",
            father_name="Nguyễn Văn Bảo",
            mother_name="Lê Thị Thu",
        ),
        subjects=subjects(),
        summary=Summary(
            academic=TermLevels(hk1=Level.K, hk2=Level.T, year=Level.T),
            conduct=TermLevels(hk1=Level.T, hk2=Level.T, year=Level.T),
            absences=2,
            promoted=True,
            title=Title.GIOI,
            homeroom_comment="Chăm ngoan, tích cực tham gia hoạt động của lớp.",
        ),
        certification=Certification(
            place="Thành phố Hồ Chí Minh",
            issued_on=date(2025, 6, 25),
            signer_title=SignerTitle.PRINCIPAL,
        ),
    )
    return replace(document, **changes)  # type: ignore[arg-type]


def transfer_document() -> TranscriptDocument:
    """A mid-year transfer-out record (ChuyenTruong): semester I only."""
    annual = annual_document()
    return replace(
        annual,
        header=replace(annual.header, kind=TranscriptKind.CHUYEN_TRUONG),
        subjects=tuple(replace(s, hk2=None, year=None) for s in annual.subjects),
        summary=replace(
            annual.summary,
            academic=TermLevels(hk1=Level.K, hk2=None, year=None),
            conduct=TermLevels(hk1=Level.T, hk2=None, year=None),
            promoted=None,
            title=None,
        ),
    )


SIGNER_OF = {"GVBM": "gvbm", "GVCN": "gvcn", "HieuTruong": "ht", "DonVi": "dv"}


def client_signs(signer: Signer, to_be_signed: bytes) -> bytes:
    """What a USB token or signing service returns for the bytes (DER for ECDSA)."""
    if isinstance(signer.key, rsa.RSAPrivateKey):
        return signer.key.sign(to_be_signed, padding.PKCS1v15(), hashes.SHA256())
    return signer.key.sign(to_be_signed, ec.ECDSA(hashes.SHA256()))


def sign_all(
    xml: bytes,
    signers: dict[str, Signer],
    slots: tuple[Slot, ...],
    *,
    start: datetime = FIRST_SIGNATURE,
) -> bytes:
    """Sign ``slots`` in order, two-step, a minute apart; GVBM slots take ``signers["gvbm"]``."""
    for minute, slot in enumerate(slots):
        signer = signers[SIGNER_OF[slot.kind.value]]
        prepared = prepare_slot(xml, slot, signer.chain, start + timedelta(minutes=minute))
        xml = complete_slot(prepared, client_signs(signer, prepared.to_be_signed))
    return xml


def annual_slots(document: TranscriptDocument | None = None) -> tuple[Slot, ...]:
    """The slots of an annual record, in signing order."""
    document = document or annual_document()
    codes = [s.code for s in document.subjects]
    return default_layout(document.header.kind, codes)


@cache
def signed_annual() -> bytes:
    """The sample annual record signed in every slot with the RSA test PKI (once per process)."""
    return sign_all(render_xml(annual_document()), rsa_pki().signers, annual_slots())
