"""PDF transcripts for the PAdES tests: rendered, signed two-step, and tampered with.

The signer plays both sides like ``transcripts.sign_all`` does for XML: the server prepares,
the "client" signs ``to_sign`` with cryptography (outside pyHanko), the server completes.
A throwaway TSA (its own root, a key with the critical timeStamping purpose) stamps through
pyHanko's in-process ``DummyTimeStamper`` at fixed instants: nothing reads the clock.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path

from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.signers import ExternalSigner
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from domain.signatures import (
    FIELD_DON_VI,
    FIELD_GVCN,
    FIELD_HIEU_TRUONG,
    PadesLevel,
    PreparedPdfSignature,
    SignatureAppearance,
    complete_pdf_signature,
    prepare_pdf_signature,
)
from domain.signatures._pades_common import to_asn1
from tests.support.pki import NOT_AFTER, NOT_BEFORE, Signer, rsa_pki
from tests.support.transcripts import FIRST_SIGNATURE, annual_document, client_signs
from workflow._pdf import render_signable_pdf

VERIFY_URL = "https://hocba.example.vn/xac-thuc/3f2b8c1e-5d4a-4e7b-9a61-2c8d0f1e7a90"
VERIFIED_AT = FIRST_SIGNATURE + timedelta(days=30)
"""When the tests verify: a month after the signatures, all certificates valid."""

SIGNING_ORDER = ((FIELD_GVCN, "gvcn"), (FIELD_HIEU_TRUONG, "ht"), (FIELD_DON_VI, "dv"))
"""Field → label of its signer in the RSA test PKI, in signing order."""

_TITLES = {
    FIELD_GVCN: ("Giáo viên chủ nhiệm",),
    FIELD_HIEU_TRUONG: ("Hiệu trưởng",),
    FIELD_DON_VI: ("Đóng dấu",),
}


@cache
def font() -> bytes:
    """The shipped DejaVu Sans, read once (the domain never reads templates/ itself)."""
    return (Path(str(resources.files("templates"))) / "fonts" / "DejaVuSans.ttf").read_bytes()


def appearance(field: str, signer: Signer, when: datetime) -> SignatureAppearance:
    """The Vietnamese lines a signer's stamp shows: who, in what role, when."""
    name = str(signer.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)
    lines = (f"Ký bởi: {name}", *_TITLES.get(field, ()), f"Ngày ký: {when:%d/%m/%Y %H:%M}")
    return SignatureAppearance(lines=tuple(str(line) for line in lines), font=font())


@cache
def unsigned_pdf() -> bytes:
    """The sample annual record rendered with its three empty fields (once per process)."""
    return render_signable_pdf(annual_document(), verify_url=VERIFY_URL)


@dataclass(frozen=True)
class Tsa:
    """A throwaway timestamp authority: its root (a trust anchor) and a stamper."""

    root: x509.Certificate
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey

    def stamper(self, at: datetime) -> DummyTimeStamper:
        """pyHanko's in-process TSA answering with the fixed time ``at``."""
        return DummyTimeStamper(
            tsa_cert=to_asn1(self.certificate),
            tsa_key=asn1_keys.PrivateKeyInfo.load(
                self.key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
            ),
            certs_to_embed=SimpleCertificateStore.from_certs([to_asn1(self.root)]),  # type: ignore[no-untyped-call]
            fixed_dt=at,
        )


@cache
def tsa() -> Tsa:
    """Root → TSA certificate (critical extended key usage: timeStamping)."""
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Hocba Test TSA Root")])
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Hocba Test TSA")])

    def build(subject: x509.Name, public: rsa.RSAPublicKey, *, ca: bool) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(root_name)
            .public_key(public)
            .serial_number(1 if ca else 2)
            .not_valid_before(NOT_BEFORE)
            .not_valid_after(NOT_AFTER)
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        )

    root = build(root_name, root_key.public_key(), ca=True).sign(root_key, hashes.SHA256())
    certificate = (
        build(name, key.public_key(), ca=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    return Tsa(root, certificate, key)


def trust_roots() -> tuple[x509.Certificate, ...]:
    """The staff PKI's root and the TSA's root."""
    return (rsa_pki().root, tsa().root)


def validation_context(at: datetime) -> ValidationContext:
    """What B-LT collects its data with: both roots, no network (the test PKI names no
    OCSP/CRL, so the DSS gets the chains; revocation data is the certomancer tests' part)."""
    return ValidationContext(
        trust_roots=[to_asn1(root) for root in trust_roots()], moment=at, allow_fetching=False
    )


def sign_field(
    pdf: bytes,
    field: str,
    signer: Signer,
    when: datetime,
    *,
    level: PadesLevel = PadesLevel.B_B,
) -> bytes:
    """One field signed two-step: prepare, store and reload, client signs, complete."""
    prepared = prepare_pdf_signature(
        pdf,
        field=field,
        chain=signer.chain,
        signing_time=when,
        appearance=appearance(field, signer, when),
        level=level,
    )
    stored = PreparedPdfSignature.from_bytes(prepared.to_bytes())
    return complete_pdf_signature(
        stored,
        signature_value=client_signs(signer, stored.to_sign),
        timestamper=tsa().stamper(when + timedelta(seconds=5)) if level.timestamped else None,
        validation_context=validation_context(when) if level is PadesLevel.B_LT else None,
    )


def sign_three(*, timestamped: bool = False) -> bytes:
    """GVCN, HieuTruong and DonVi a minute apart; with ``timestamped`` B-T, and the seal B-LT."""
    pdf = unsigned_pdf()
    signers = rsa_pki().signers
    for minute, (field, label) in enumerate(SIGNING_ORDER):
        level = PadesLevel.B_B
        if timestamped:
            level = PadesLevel.B_LT if field == FIELD_DON_VI else PadesLevel.B_T
        when = FIRST_SIGNATURE + timedelta(minutes=minute)
        pdf = sign_field(pdf, field, signers[label], when, level=level)
    return pdf


@cache
def signed_three() -> bytes:
    """``sign_three()`` made once per process."""
    return sign_three()


@cache
def signed_three_timestamped() -> bytes:
    """``sign_three(timestamped=True)`` made once per process."""
    return sign_three(timestamped=True)


# --- tampering ----------------------------------------------------------------------------


def replace_page_content(pdf: bytes, *, page: int = 0) -> bytes:
    """An incremental update that swaps a page's content stream for other text."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page_dict = writer.root["/Pages"]["/Kids"][page].get_object()
    forged = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 720 Td (Diem 10) Tj ET")
    page_dict[pdf_name("/Contents")] = writer.add_object(forged)
    writer.update_container(page_dict)
    return _written(writer)


def add_annotation(pdf: bytes, *, page: int = 1) -> bytes:
    """An incremental update that adds a text annotation (a sticky note) to a page."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page_ref = writer.root["/Pages"]["/Kids"][page]
    page_dict = page_ref.get_object()
    note = generic.DictionaryObject(  # type: ignore[no-untyped-call]
        {
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Text"),
            pdf_name("/Rect"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (100, 100, 120, 120)]  # type: ignore[no-untyped-call]
            ),
            pdf_name("/Contents"): generic.TextStringObject("Điểm Toán là 10"),
            pdf_name("/P"): page_ref,
        }
    )
    annotations = page_dict.get("/Annots", generic.ArrayObject())
    annotations = generic.ArrayObject([*annotations, writer.add_object(note)])
    page_dict[pdf_name("/Annots")] = annotations
    writer.update_container(page_dict)
    return _written(writer)


def byte_range_gap(pdf: bytes, signer: Signer, when: datetime, *, gap: int = 16) -> bytes:
    """GVCN signed validly, but over a ``/ByteRange`` that leaves ``gap`` bytes after the
    ``/Contents`` uncovered (what a forger's tool does to make room for a change)."""
    prepared = prepare_pdf_signature(
        pdf,
        field=FIELD_GVCN,
        chain=signer.chain,
        signing_time=when,
        appearance=appearance(FIELD_GVCN, signer, when),
    )
    document = bytearray(prepared.document)
    start, end = prepared.reserved_start, prepared.reserved_end
    match = list(re.finditer(rb"/ByteRange \[([^\]]*)\]", document))[-1]
    ranges = f"0 {start} {end + gap} {len(document) - end - gap}".encode()
    width = match.end(1) - match.start(1)
    document[match.start(1) : match.end(1)] = ranges.ljust(width)
    digest = hashlib.sha256(bytes(document[:start]) + bytes(document[end + gap :])).digest()
    chain = [to_asn1(c) for c in signer.chain]
    registry = SimpleCertificateStore.from_certs(chain)  # type: ignore[no-untyped-call]

    async def assemble() -> bytes:
        blank = ExternalSigner(signing_cert=chain[0], cert_registry=registry, signature_value=256)
        attributes = await blank.signed_attrs(digest, "sha256", use_pades=True)
        value = client_signs(signer, attributes.dump())
        real = ExternalSigner(signing_cert=chain[0], cert_registry=registry, signature_value=value)
        return bytes((await real.async_sign_prescribed_attributes("sha256", attributes)).dump())

    contents = asyncio.run(assemble()).hex().upper().encode()
    document[start + 1 : start + 1 + len(contents)] = contents
    return bytes(document)


def _written(writer: IncrementalPdfFileWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()
