"""Server-side signers: a PKCS#12 soft key and the school seal on a PKCS#11 token (SoftHSM2),
each signing a transcript slot that our verifier and xmlsec1 accept."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    pkcs12,
)

from domain.documents import complete_slot, prepare_slot, render_xml, verify_xml
from domain.signatures import (
    ECDSA_SHA256,
    RSA_SHA256,
    Pkcs11Signer,
    Pkcs12Signer,
    Signer,
    SignerError,
)
from tests.support.pki import ec_pki, private_key_pem, rsa_pki
from tests.support.transcripts import FIRST_SIGNATURE, annual_document, annual_slots, sign_all
from tests.support.xmlsec import xmlsec_verify

SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
PIN = "1234"


def p12_of(label: str, password: bytes) -> bytes:
    signer = rsa_pki().signers[label]
    return pkcs12.serialize_key_and_certificates(
        label.encode(), signer.key, signer.chain[0], list(signer.chain[1:]),
        BestAvailableEncryption(password),
    )  # fmt: skip


def sign_last_slot(signer: Signer) -> bytes:
    """The sample annual record signed by the test PKI up to HieuTruong, then DonVi by
    ``signer`` through prepare → ``signer.sign`` → complete."""
    slots = annual_slots()
    xml = sign_all(render_xml(annual_document()), rsa_pki().signers, slots[:-1])
    later = FIRST_SIGNATURE + timedelta(hours=1)  # after every earlier slot's SigningTime
    prepared = prepare_slot(xml, slots[-1], signer.chain, later)
    return complete_slot(prepared, signer.sign(prepared.to_be_signed))


def test_a_pkcs12_signer_signs_the_seal_slot_and_the_document_verifies(tmp_path: Path) -> None:
    path = tmp_path / "seal.p12"
    path.write_bytes(p12_of("dv", b"hocba-demo"))
    signer = Pkcs12Signer.from_file(path, b"hocba-demo")
    assert isinstance(signer, Signer)
    assert signer.algorithm == RSA_SHA256
    assert signer.chain == rsa_pki().signers["dv"].chain
    xml = sign_last_slot(signer)
    assert verify_xml(xml).ok
    document = tmp_path / "signed.xml"
    document.write_bytes(xml)
    code, output = xmlsec_verify(document, "sig-dv", rsa_pki().write_root(tmp_path))
    assert code == 0, output


def test_a_pkcs12_signer_signs_sha256_with_pkcs1_v15() -> None:
    signer = Pkcs12Signer(p12_of("gvbm", b"pw"), b"pw")
    public = signer.chain[0].public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(signer.sign(b"data"), b"data", padding.PKCS1v15(), hashes.SHA256())


def test_an_ecdsa_key_signs_der_and_names_its_algorithm() -> None:
    key = ec_pki().signers["gvbm"]
    signer = Pkcs12Signer.opened(key.key, key.chain)
    assert signer.algorithm == ECDSA_SHA256
    public = key.chain[0].public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signer.sign(b"data"), b"data", ec.ECDSA(hashes.SHA256()))


def test_a_wrong_password_or_a_missing_file_is_a_signer_error(tmp_path: Path) -> None:
    with pytest.raises(SignerError):
        Pkcs12Signer(p12_of("gvbm", b"right"), b"wrong")
    with pytest.raises(SignerError):
        Pkcs12Signer.from_file(tmp_path / "missing.p12", b"x")
    with pytest.raises(SignerError):
        Pkcs12Signer.opened(rsa_pki().signers["gvbm"].key, rsa_pki().signers["gvcn"].chain)


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A SoftHSM2 token in a temporary directory holding the school seal's key and
    certificate (label ``seal``); yields the token's label."""
    util = shutil.which("softhsm2-util")
    assert util is not None and SOFTHSM_MODULE.exists(), "softhsm2 is not installed"
    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    conf = directory / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    env = {**os.environ}
    subprocess.run(
        [util, "--init-token", "--free", "--label", "school", "--pin", PIN, "--so-pin", "5678"],
        check=True, capture_output=True, env=env, timeout=60,
    )  # fmt: skip
    seal = rsa_pki().signers["dv"]
    key = directory / "seal-key.pem"
    key.write_bytes(private_key_pem(seal.key))
    subprocess.run(
        [util, "--import", str(key), "--token", "school", "--label", "seal", "--id", "01",
         "--pin", PIN],
        check=True, capture_output=True, env=env, timeout=60,
    )  # fmt: skip
    import pkcs11  # noqa: PLC0415
    from pkcs11 import Attribute, CertificateType, ObjectClass  # noqa: PLC0415

    library = pkcs11.lib(str(SOFTHSM_MODULE))
    with library.get_token(token_label="school").open(user_pin=PIN, rw=True) as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: "seal",
                Attribute.ID: b"\x01",
                Attribute.SUBJECT: seal.chain[0].subject.public_bytes(),
                Attribute.VALUE: seal.chain[0].public_bytes(Encoding.DER),
            }
        )
    yield "school"
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def test_the_seal_on_a_softhsm2_token_signs_the_donvi_slot(token: str, tmp_path: Path) -> None:
    signer = Pkcs11Signer(
        module=SOFTHSM_MODULE,
        token_label=token,
        pin=PIN,
        key_label="seal",
        intermediates=rsa_pki().signers["dv"].chain[1:],
    )
    try:
        assert signer.chain == rsa_pki().signers["dv"].chain
        xml = sign_last_slot(signer)
    finally:
        signer.close()
    check = verify_xml(xml)
    assert check.ok, check.problems()
    document = tmp_path / "sealed.xml"
    document.write_bytes(xml)
    code, output = xmlsec_verify(document, "sig-dv", rsa_pki().write_root(tmp_path))
    assert code == 0, output


def test_a_wrong_pin_or_key_label_is_a_signer_error(token: str) -> None:
    with pytest.raises(SignerError):
        Pkcs11Signer(module=SOFTHSM_MODULE, token_label=token, pin="0000", key_label="seal")
    with pytest.raises(SignerError):
        Pkcs11Signer(module=SOFTHSM_MODULE, token_label=token, pin=PIN, key_label="nothing")
