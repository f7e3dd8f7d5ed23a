"""Benchmark: signing and verifying one transcript, against python-xmlsec (libxmlsec1).

For the same 12-subject annual transcript and the same RSA-2048 keys, prints the median time of
each operation and the ratio against python-xmlsec measured in the same run:

- XML sign of one slot: our server-side work only (prepare + complete, the client's RSA
  operation excluded), and the total (with the RSA operation) — vs xmlsec signing the same
  signature template (digests, canonicalisation, RSA);
- XML verify of one signature: ``verify_xml`` of a document with one signed slot (schema,
  structure, digests, value) — vs xmlsec verifying that signature with the signer's key;
- XML verify of the full transcript (every slot, chain included) — vs xmlsec verifying every
  signature with a keys manager that holds the root and checks the chain; and ``hocba
  verify``'s whole function (``verify_transcript_file``: the same plus each certificate path
  with pyhanko-certvalidator at its signing time, no revocation fetching);
- PDF (no baseline): render, one signature two-step, render + the three signatures (B-B, and
  B-T with the seal at B-LT using pyHanko's in-process TSA), verify of the three.

    .venv/bin/python -m bench.signing [--repeat 200]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import xmlsec
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree  # type: ignore[import-untyped]

from domain.assessment import Comment
from domain.documents import (
    DS_NS,
    AssessmentForm,
    Slot,
    SubjectRecord,
    TranscriptDocument,
    complete_slot,
    default_layout,
    prepare_slot,
    render_xml,
    verify_xml,
)
from domain.signatures import (
    FIELD_DON_VI,
    PadesLevel,
    TrustSettings,
    verify_pdf,
    verify_transcript_file,
)
from tests.support.pdfs import SIGNING_ORDER, VERIFY_URL, sign_field, trust_roots
from tests.support.pki import Pki, Signer, private_key_pem, rsa_pki
from tests.support.transcripts import FIRST_SIGNATURE, SIGNER_OF, annual_document, sign_all
from tests.support.xmlsec import template_from
from workflow._pdf import render_signable_pdf

_SCORED = (
    ("TOAN", "Toán"),
    ("NGUVAN", "Ngữ văn"),
    ("NGOAINGU1", "Ngoại ngữ 1"),
    ("GDCD", "Giáo dục công dân"),
    ("LSDL", "Lịch sử và Địa lí"),
    ("KHTN", "Khoa học tự nhiên"),
    ("CONGNGHE", "Công nghệ"),
    ("TINHOC", "Tin học"),
)
_COMMENTED = (
    ("GDTC", "Giáo dục thể chất"),
    ("NGHETHUAT", "Nghệ thuật"),
    ("HDTNHN", "Hoạt động trải nghiệm, hướng nghiệp"),
    ("GDDP", "Nội dung giáo dục của địa phương"),
)
NOW = datetime(2026, 9, 1, tzinfo=UTC)
_ID_ELEMENTS = ("DLHocBa", "TTChung", "MonHoc", "Signature", "Object")


def full_document() -> TranscriptDocument:
    """The sample annual transcript with the twelve subjects of grade 6."""
    subjects = [
        SubjectRecord(
            code=code,
            name=name,
            form=AssessmentForm.SCORE,
            teacher="Nguyễn Văn An",
            hk1=Decimal("7.9"),
            hk2=Decimal("8.6"),
            year=Decimal("8.4"),
        )
        for code, name in _SCORED
    ] + [
        SubjectRecord(
            code=code,
            name=name,
            form=AssessmentForm.COMMENT,
            teacher="Võ Thị Hạnh",
            hk1=Comment.D,
            hk2=Comment.D,
            year=Comment.D,
        )
        for code, name in _COMMENTED
    ]
    return replace(annual_document(), subjects=tuple(subjects))


def median_ms(operation: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``operation`` in milliseconds, after a few warm-up runs."""
    for _ in range(min(5, repeat)):
        operation()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        operation()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _rsa_sign(signer: Signer, data: bytes) -> bytes:
    assert isinstance(signer.key, rsa.RSAPrivateKey)
    return signer.key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def _register_ids(context: Any, root: Any) -> None:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        if local in _ID_ELEMENTS and element.get("Id") is not None:
            context.register_id(element, "Id")


def _find_signature(root: Any, signature_id: str) -> Any:
    return root.find(f".//{{{DS_NS}}}Signature[@Id='{signature_id}']")


def _xmlsec_chain_verifier(pki: Pki, signed: bytes, slots: Sequence[Slot]) -> Callable[[], None]:
    """python-xmlsec verifying every slot's signature, each chain checked against the root."""
    manager = xmlsec.KeysManager()
    manager.load_cert_from_memory(
        pki.root.public_bytes(Encoding.PEM),
        xmlsec.constants.KeyDataFormatPem,
        xmlsec.constants.KeyDataTypeTrusted,
    )

    def verify_all() -> None:
        root = etree.fromstring(signed)
        for slot in slots:
            # The stub omits the constructor python-xmlsec has: SignatureContext(manager=None).
            context = xmlsec.SignatureContext(manager)  # type: ignore[call-arg]
            _register_ids(context, root)
            context.verify(_find_signature(root, slot.signature_id))

    return verify_all


@dataclass(frozen=True)
class Row:
    """One line of the report."""

    operation: str
    ours_ms: float
    baseline_ms: float | None

    def render(self) -> str:
        """The line as printed."""
        if self.baseline_ms is None:
            return f"{self.operation:<46} {self.ours_ms:9.2f} ms {'':>12} {'':>8}"
        ratio = self.ours_ms / self.baseline_ms
        return (
            f"{self.operation:<46} {self.ours_ms:9.2f} ms {self.baseline_ms:9.2f} ms {ratio:7.2f}×"
        )


def xml_sign_rows(repeat: int) -> list[Row]:
    """Signing one slot: ours (server side, total) and python-xmlsec's, same template and key."""
    pki: Pki = rsa_pki()
    document = full_document()
    unsigned = render_xml(document)
    slots = default_layout(document.header.kind, [s.code for s in document.subjects])
    teacher = pki.signers["gvbm"]
    first = slots[0]
    prepared = prepare_slot(unsigned, first, teacher.chain, FIRST_SIGNATURE)
    value = _rsa_sign(teacher, prepared.to_be_signed)

    def ours_server_side() -> None:
        ready = prepare_slot(unsigned, first, teacher.chain, FIRST_SIGNATURE)
        complete_slot(ready, value)

    def ours_total() -> None:
        ready = prepare_slot(unsigned, first, teacher.chain, FIRST_SIGNATURE)
        complete_slot(ready, _rsa_sign(teacher, ready.to_be_signed))

    template = template_from(prepared)
    key = xmlsec.Key.from_memory(private_key_pem(teacher.key), xmlsec.constants.KeyDataFormatPem)
    for certificate in teacher.chain:
        key.load_cert_from_memory(
            certificate.public_bytes(Encoding.PEM), xmlsec.constants.KeyDataFormatPem
        )

    def xmlsec_sign() -> None:
        root = etree.fromstring(template)
        context = xmlsec.SignatureContext()
        context.key = key
        _register_ids(context, root)
        context.sign(_find_signature(root, first.signature_id))
        etree.tostring(root)

    return [
        Row(
            "XML sign one slot, server side",
            median_ms(ours_server_side, repeat),
            median_ms(xmlsec_sign, repeat),
        ),
        Row(
            "XML sign one slot, total",
            median_ms(ours_total, repeat),
            median_ms(xmlsec_sign, repeat),
        ),
    ]


def xml_verify_rows(repeat: int) -> list[Row]:
    """Verifying: one signature, each further one, the whole transcript; ours and xmlsec's."""
    pki: Pki = rsa_pki()
    document = full_document()
    unsigned = render_xml(document)
    slots = default_layout(document.header.kind, [s.code for s in document.subjects])
    teacher = pki.signers["gvbm"]
    first = slots[0]
    prepared = prepare_slot(unsigned, first, teacher.chain, FIRST_SIGNATURE)
    one_signed = complete_slot(prepared, _rsa_sign(teacher, prepared.to_be_signed))
    assert verify_xml(one_signed).signatures[0].ok
    public = xmlsec.Key.from_memory(
        teacher.certificate.public_bytes(Encoding.PEM), xmlsec.constants.KeyDataFormatCertPem
    )

    def xmlsec_verify_one() -> None:
        root = etree.fromstring(one_signed)
        context = xmlsec.SignatureContext()
        context.key = public
        _register_ids(context, root)
        context.verify(_find_signature(root, first.signature_id))

    # --- verify the whole transcript -----------------------------------------------------
    signed = sign_all(unsigned, pki.signers, slots)
    assert verify_xml(signed).ok
    xmlsec_verify_all = _xmlsec_chain_verifier(pki, signed, slots)

    xmlsec_verify_all()  # the baseline must accept the same document

    def xmlsec_verify_each_with_key() -> None:
        root = etree.fromstring(signed)
        for slot in slots:
            signer = pki.signers[SIGNER_OF[slot.kind.value]]
            context = xmlsec.SignatureContext()
            context.key = public_keys[signer.certificate.serial_number]
            _register_ids(context, root)
            context.verify(_find_signature(root, slot.signature_id))

    public_keys = {
        signer.certificate.serial_number: xmlsec.Key.from_memory(
            signer.certificate.public_bytes(Encoding.PEM), xmlsec.constants.KeyDataFormatCertPem
        )
        for signer in pki.signers.values()
    }
    few = max(repeat // 5, 5)
    ours_one = median_ms(lambda: verify_xml(one_signed), repeat)
    ours_all = median_ms(lambda: verify_xml(signed), few)
    theirs_one = median_ms(xmlsec_verify_one, repeat)
    theirs_all_keys = median_ms(xmlsec_verify_each_with_key, few)
    further = len(slots) - 1
    return [
        Row("XML verify, document with one signature", ours_one, theirs_one),
        Row(
            "XML verify, each further signature",
            (ours_all - ours_one) / further,
            (theirs_all_keys - theirs_one) / further,
        ),
        Row(f"XML verify full transcript ({len(slots)} sig., keys)", ours_all, theirs_all_keys),
        Row(
            f"XML verify full transcript ({len(slots)} sig., chain)",
            ours_all,
            median_ms(xmlsec_verify_all, few),
        ),
    ]


def xml_trust_rows(repeat: int) -> list[Row]:
    """The whole verifier on the XML (structure, signatures, each chain at its signing time)."""
    pki: Pki = rsa_pki()
    document = full_document()
    slots = default_layout(document.header.kind, [s.code for s in document.subjects])
    signed = sign_all(render_xml(document), pki.signers, slots)
    # No revocation fetching: the throwaway PKI publishes none, and the network is not measured.
    trust = TrustSettings(trust_roots=(pki.root,), allow_fetching=False)
    xmlsec_verify_all = _xmlsec_chain_verifier(pki, signed, slots)

    few = max(repeat // 5, 5)
    return [
        Row(
            f"hocba verify, XML ({len(slots)} sig., paths)",
            median_ms(lambda: verify_transcript_file(signed, trust=trust, now=NOW), few),
            median_ms(xmlsec_verify_all, few),
        )
    ]


def pdf_rows(repeat: int) -> list[Row]:
    """The PDF: render, sign (two-step, as the workflow does), verify. No baseline."""
    pki: Pki = rsa_pki()
    document = full_document()
    few = max(repeat // 10, 5)

    def render() -> bytes:
        return render_signable_pdf(document, verify_url=VERIFY_URL)

    unsigned = render()

    def sign_three(pdf: bytes, *, timestamped: bool) -> bytes:
        for minute, (field, label) in enumerate(SIGNING_ORDER):
            level = PadesLevel.B_B
            if timestamped:
                level = PadesLevel.B_LT if field == FIELD_DON_VI else PadesLevel.B_T
            when = FIRST_SIGNATURE + timedelta(minutes=minute)
            pdf = sign_field(pdf, field, pki.signers[label], when, level=level)
        return pdf

    signed = sign_three(unsigned, timestamped=False)
    field, label = SIGNING_ORDER[0]
    return [
        Row("PDF render (with the three empty fields)", median_ms(render, few), None),
        Row(
            "PDF sign one field (prepare + complete, B-B)",
            median_ms(
                lambda: sign_field(unsigned, field, pki.signers[label], FIRST_SIGNATURE), few
            ),
            None,
        ),
        Row(
            "PDF render + three signatures, B-B",
            median_ms(lambda: sign_three(render(), timestamped=False), few),
            None,
        ),
        Row(
            "PDF render + three signatures, B-T, seal B-LT",
            median_ms(lambda: sign_three(render(), timestamped=True), few),
            None,
        ),
        Row(
            "PDF verify (three signatures, pyHanko)",
            median_ms(lambda: verify_pdf(signed, now=NOW, trust_roots=trust_roots()), few),
            None,
        ),
    ]


def main() -> None:
    """Run every measurement and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="runs per operation")
    arguments = parser.parse_args()
    # pyHanko warns once per B-LT signature that the throwaway PKI publishes no revocation data.
    logging.getLogger("pyhanko").setLevel(logging.ERROR)
    print(f"{'operation':<46} {'ours':>12} {'xmlsec':>12} {'ratio':>8}")
    for rows in (xml_sign_rows, xml_verify_rows, xml_trust_rows, pdf_rows):
        for row in rows(arguments.repeat):
            print(row.render(), flush=True)


if __name__ == "__main__":
    main()
