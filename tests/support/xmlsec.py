"""xmlsec1 (libxmlsec1, Debian package ``xmlsec1``) as an independent verifier and signer."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree  # type: ignore[import-untyped]

from domain.documents import DS_NS, PreparedSignature
from tests.support.pki import Signer, private_key_pem

XMLSEC1 = shutil.which("xmlsec1")

ID_ATTRIBUTES = (
    *("--id-attr:Id", "DLHocBa"),
    *("--id-attr:Id", "TTChung"),
    *("--id-attr:Id", "MonHoc"),
    *("--id-attr:Id", "Signature"),
    *("--id-attr:Id", "Object"),
)
"""What xmlsec1 must be told: which attributes are IDs (there is no DTD to say so)."""

CHECK_TIME = "2025-06-20 12:00:00"
"""Certificates are checked at this time, not at the machine's clock."""


def xmlsec_verify(document: Path, signature_id: str, trusted_root: Path) -> tuple[int, str]:
    """``xmlsec1 --verify`` of one signature; its exit code and its output."""
    assert XMLSEC1 is not None
    command = [
        XMLSEC1,
        "--verify",
        *("--trusted-pem", str(trusted_root)),
        *("--enabled-key-data", "x509"),
        *("--verification-time", CHECK_TIME),
        *ID_ATTRIBUTES,
        *("--node-id", signature_id),
        str(document),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=30)
    return done.returncode, done.stdout + done.stderr


def xmlsec_sign(template: Path, signature_id: str, signer: Signer, directory: Path) -> bytes:
    """``xmlsec1 --sign`` of the template's signature with the signer's PEM key and chain."""
    assert XMLSEC1 is not None
    key = directory / "key.pem"
    key.write_bytes(private_key_pem(signer.key))
    pems = []
    for index, certificate in enumerate(signer.chain):
        pem = directory / f"chain-{index}.pem"
        pem.write_bytes(certificate.public_bytes(Encoding.PEM))
        pems.append(str(pem))
    output = directory / "signed-by-xmlsec1.xml"
    command = [
        XMLSEC1,
        "--sign",
        *("--privkey-pem", ",".join([str(key), *pems])),
        *ID_ATTRIBUTES,
        *("--node-id", signature_id),
        *("--output", str(output)),
        str(template),
    ]
    subprocess.run(command, capture_output=True, check=True, timeout=30)
    return output.read_bytes()


def template_from(prepared: PreparedSignature, *, default_namespace: bool = False) -> bytes:
    """An xmlsec1 signing template made from a prepared slot: the same signature with its
    digests, value and certificates left empty (X509SubjectName stays: xmlsec1 keeps it)."""
    root = etree.fromstring(prepared.document)
    namespaces = {"ds": DS_NS}
    signature = root.find(f".//ds:Signature[@Id='{prepared.slot.signature_id}']", namespaces)
    for digest in signature.iterfind(".//ds:DigestValue", namespaces):
        digest.text = None
    x509_data = signature.find(".//ds:X509Data", namespaces)
    for certificate in x509_data.findall("ds:X509Certificate", namespaces):
        x509_data.remove(certificate)
    etree.SubElement(x509_data, f"{{{DS_NS}}}X509Certificate")
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    if not default_namespace:
        return xml
    # Re-spell this one signature the way e-invoice tools do: <Signature xmlns="…xmldsig#">.
    start = xml.index(b"<ds:Signature")
    end = xml.index(b"</ds:Signature>", start) + len(b"</ds:Signature>")
    body = xml[start:end].replace(b"xmlns:ds=", b"xmlns=")
    body = body.replace(b"<ds:", b"<").replace(b"</ds:", b"</")
    return xml[:start] + body + xml[end:]
