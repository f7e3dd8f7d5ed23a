"""The demo PKI of contracts.md: the files, their protection, the chains and the profiles.

The PKI is generated once for the module (RSA key generation is the slow part) at a fixed
``NOW``; no test reads the clock.
"""

from __future__ import annotations

import asyncio
import shutil
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko_certvalidator import CertificateValidator, ValidationContext

from domain.certificates import is_organisation_certificate
from workflow import (
    DEMO_PASSWORD,
    DemoIdentity,
    DemoPki,
    DemoPkiError,
    demo_staff_identities,
    ensure_demo_pki,
)
from workflow._demo_data import CONTRACT_LOGINS, SCHOOL_NAME, STUDENT_LOGIN

NOW = datetime(2026, 9, 15, 8, 0, tzinfo=UTC)
STAFF = demo_staff_identities()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPki:
    return ensure_demo_pki(tmp_path_factory.mktemp("var") / "pki", logins=STAFF, now=NOW)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))


def _validate(pki: DemoPki, certificate: x509.Certificate, moment: datetime) -> None:
    context = ValidationContext(
        trust_roots=[_asn1(pki.root)], other_certs=[_asn1(pki.issuing)], moment=moment
    )
    validator = CertificateValidator(_asn1(certificate), validation_context=context)
    # pyhanko-certvalidator leaves this coroutine unannotated.
    usage = validator.async_validate_usage({"digital_signature", "non_repudiation"})  # type: ignore[no-untyped-call]
    asyncio.run(usage)


def test_the_staff_are_every_login_but_the_student_and_the_guardian() -> None:
    logins = {identity.login for identity in STAFF}
    assert logins >= set(CONTRACT_LOGINS) - {STUDENT_LOGIN, "ph.demo"}
    assert STUDENT_LOGIN not in logins
    assert "ph.demo" not in logins


def test_the_files_have_the_contract_names_and_private_ones_are_0600(pki: DemoPki) -> None:
    directory = pki.directory
    expected = {"root-ca.pem", "issuing-ca.pem", "school-seal.p12", "tsa.p12"}
    expected |= {f"{identity.login}.p12" for identity in STAFF}
    assert {path.name for path in directory.iterdir() if path.is_file()} == expected
    assert pki.root_path == directory / "root-ca.pem"
    for name in expected - {"root-ca.pem", "issuing-ca.pem"}:
        assert _mode(directory / name) == 0o600, name
    assert _mode(directory / "ca") == 0o700
    for key in ("root-ca.key", "issuing-ca.key"):
        assert _mode(directory / "ca" / key) == 0o600
    assert not list(directory.rglob(".*"))  # no temporary file left behind


def test_every_p12_opens_with_the_demo_password_and_holds_its_chain(pki: DemoPki) -> None:
    for path in pki.directory.glob("*.p12"):
        key, certificate, chain = pkcs12.load_key_and_certificates(
            path.read_bytes(), DEMO_PASSWORD.encode()
        )
        assert key is not None
        assert certificate is not None
        assert certificate.public_key() == key.public_key()
        assert chain == [pki.issuing], path.name
        assert certificate.issuer == pki.issuing.subject


def test_every_staff_certificate_chains_to_the_root_for_signing(pki: DemoPki) -> None:
    for credential in [*pki.staff.values(), pki.seal]:
        _validate(pki, credential.certificate, NOW)
    # Backdated: the demo's previous school year was signed before NOW.
    _validate(pki, pki.staff["gvbm.toan"].certificate, NOW - timedelta(days=365))


def test_validity_is_ten_years_for_the_cas_and_three_for_the_leaves(pki: DemoPki) -> None:
    for ca in (pki.root, pki.issuing):
        assert ca.not_valid_after_utc >= NOW + timedelta(days=3650)
        assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    leaf = pki.staff["hieutruong"].certificate
    assert NOW + timedelta(days=3 * 365) <= leaf.not_valid_after_utc < NOW + timedelta(days=1100)
    assert leaf.not_valid_before_utc <= NOW - timedelta(days=700)
    usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert usage.content_commitment
    assert not usage.key_cert_sign


def test_the_seal_is_an_organisation_certificate_and_a_teachers_is_not(pki: DemoPki) -> None:
    seal = pki.seal.certificate
    assert is_organisation_certificate(seal)
    assert seal.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == SCHOOL_NAME
    assert seal.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == SCHOOL_NAME
    assert seal.subject.get_attributes_for_oid(NameOID.USER_ID)[0].value == "MST:79000701"
    teacher = pki.staff["gvbm.toan"].certificate
    assert not is_organisation_certificate(teacher)
    uid = teacher.subject.get_attributes_for_oid(NameOID.USER_ID)[0].value
    assert isinstance(uid, str)
    assert uid.startswith("CCCD:")
    assert len(uid.removeprefix("CCCD:")) == 12
    # The clerk holds the seal but her own certificate stays personal.
    assert not is_organisation_certificate(pki.staff["vanthu"].certificate)
    assert not is_organisation_certificate(pki.tsa.certificate)


def test_the_tsa_has_the_critical_time_stamping_usage(pki: DemoPki) -> None:
    extension = pki.tsa.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert extension.critical
    assert list(extension.value) == [ExtendedKeyUsageOID.TIME_STAMPING]


def test_names_are_vietnamese_with_diacritics_in_utf8_strings(pki: DemoPki) -> None:
    full_names = {identity.login: identity.full_name for identity in STAFF}
    for login, credential in pki.staff.items():
        subject = credential.certificate.subject
        assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == full_names[login]
    assert (
        pki.staff["hieutruong"]
        .certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0]
        .value
        == "Nguyễn Thị Thanh Hương"
    )
    for certificate in (pki.staff["hieutruong"].certificate, pki.seal.certificate):
        for rdn in _asn1(certificate).subject.chosen:
            for attribute in rdn:
                if attribute["type"].native in {"common_name", "organization_name"}:
                    assert attribute["value"].name == "utf8_string"


def test_a_second_call_changes_no_file(pki: DemoPki) -> None:
    before = _snapshot(pki.directory)
    again = ensure_demo_pki(pki.directory, logins=STAFF, now=NOW + timedelta(days=30))
    assert again.created == ()
    assert _snapshot(pki.directory) == before
    assert again.root == pki.root
    assert again.seal.certificate == pki.seal.certificate


def test_a_missing_leaf_is_issued_alone_under_the_existing_ca(pki: DemoPki, tmp_path: Path) -> None:
    directory = tmp_path / "pki"
    shutil.copytree(pki.directory, directory)
    (directory / "gvbm.toan.p12").unlink()
    newcomer = DemoIdentity("gvbm.moi", "Đoàn Thị Ánh Tuyết", SCHOOL_NAME)
    before = _snapshot(directory)
    completed = ensure_demo_pki(directory, logins=[*STAFF, newcomer], now=NOW)
    assert sorted(path.name for path in completed.created) == ["gvbm.moi.p12", "gvbm.toan.p12"]
    after = _snapshot(directory)
    assert {name: data for name, data in after.items() if name in before} == before
    _validate(completed, completed.staff["gvbm.moi"].certificate, NOW)
    assert completed.staff["gvbm.toan"].certificate != pki.staff["gvbm.toan"].certificate


def test_a_missing_leaf_without_the_ca_key_is_refused_and_nothing_written(
    pki: DemoPki, tmp_path: Path
) -> None:
    directory = tmp_path / "pki"
    shutil.copytree(pki.directory, directory)
    (directory / "tsa.p12").unlink()
    (directory / "ca" / "issuing-ca.key").unlink()
    before = _snapshot(directory)
    with pytest.raises(DemoPkiError, match=r"issuing-ca\.key is missing"):
        ensure_demo_pki(directory, logins=STAFF, now=NOW)
    assert _snapshot(directory) == before


def test_a_missing_root_with_other_files_present_is_refused(pki: DemoPki, tmp_path: Path) -> None:
    directory = tmp_path / "pki"
    shutil.copytree(pki.directory, directory)
    (directory / "root-ca.pem").unlink()
    with pytest.raises(DemoPkiError, match=r"root-ca\.pem is missing"):
        ensure_demo_pki(directory, logins=STAFF, now=NOW)
    assert not (directory / "root-ca.pem").exists()


def test_a_naive_now_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ensure_demo_pki(tmp_path, logins=STAFF, now=datetime(2026, 9, 15))
