"""`hocba backup` and `hocba restore`, run as the real console commands on the seeded demo.

The demo's finalized transcripts carry real XML and PDF signatures (the demo PKI of this
process). Each backend's demo is seeded once for the module, backed up to two directories and
restored into a new, empty database of the same kind; every stored signature and the audit
chain must verify there (the acceptance test of issue 8). The commands read the real clock
only to name the archive and for ``expired_now``: no assertion depends on either.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.model import Blob, Transcript, TranscriptStatus
from domain.signatures import TrustSettings
from tests.support.cli import hocba
from tests.support.clock import vn
from tests.support.databases import (
    MigratedDatabase,
    drop_postgres_database,
    fresh_database_url,
)
from tests.support.demo_pki import demo_pki
from tests.support.demo_snapshot import seeded_demo
from tests.support.pdfs import replace_page_content
from tests.support.tampering import edit, set_text
from workflow import (
    BackupKey,
    create_backup,
    create_database_engine,
    restore_backup,
    verify_restored,
)
from workflow._backup_checks import ISSUED
from workflow._backup_snapshot import count_rows, user_tables

NOW = vn(2026, 11, 29, 9, 0)
KEY_TEXT = "demo-backup-key-for-the-tests-0123456789"
KEY = BackupKey.from_text(KEY_TEXT, source="the test")


@dataclass
class Scene:
    """The seeded source, its backup, and the restore of it."""

    backend: str
    source: Engine
    work: Path
    env: dict[str, str]
    destinations: tuple[Path, Path]
    backup: subprocess.CompletedProcess[str]
    restore: subprocess.CompletedProcess[str]
    target_url: str
    made: list[str]

    @property
    def archive(self) -> Path:
        (found,) = self.destinations[0].iterdir()
        return found

    def empty_target(self, tag: str) -> str:
        url = fresh_database_url(self.backend, self.work, tag)
        self.made.append(url)
        return url


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return count_rows(connection, user_tables(connection))


def blob_digests(engine: Engine) -> dict[str, str]:
    """Each stored file's address → the SHA-256 of its content, as read back."""
    with Session(engine) as session:
        return {
            blob.sha256: hashlib.sha256(bytes(blob.content)).hexdigest()
            for blob in session.exec(select(Blob)).all()
        }


def is_empty(url: str) -> bool:
    if url.startswith("sqlite"):
        return not Path(url.removeprefix("sqlite:///")).exists()
    engine = create_database_engine(url)
    try:
        with engine.connect() as connection:
            return user_tables(connection) == []
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def scene(migrated: MigratedDatabase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    migrated.reset()
    seeded_demo(migrated.engine, now=NOW)
    work = tmp_path_factory.mktemp("backup")
    key_file = work / "backup.key"
    key_file.write_text(KEY_TEXT + "\n")
    env = {
        "HOCBA_DATABASE_URL": url_of(migrated.engine),
        "HOCBA_BACKUP_KEY_FILE": str(key_file),
        "HOCBA_DATA_DIR": str(work / "var"),
    }
    site_a, site_b = work / "site-a", work / "site-b"
    site_a.mkdir()
    site_b.mkdir()
    backup = hocba("backup", "--to", str(site_a), "--to", str(site_b), cwd=work, env=env)
    made: list[str] = []
    target = fresh_database_url(migrated.backend, work, "restored")
    made.append(target)
    (archive,) = site_a.iterdir()
    restore = hocba(
        "restore",
        str(archive),
        "--database-url",
        target,
        "--trust-roots",
        str(demo_pki().root_path),
        cwd=work,
        env=env,
    )
    yield Scene(
        migrated.backend,
        migrated.engine,
        work,
        env,
        (site_a, site_b),
        backup,
        restore,
        target,
        made,
    )
    for url in made:
        if url.startswith("postgresql"):
            drop_postgres_database(url)


def test_the_backup_command_writes_one_archive_to_each_destination(scene: Scene) -> None:
    assert scene.backup.returncode == 0, scene.backup.stderr
    first, second = (sorted(site.iterdir()) for site in scene.destinations)
    assert len(first) == len(second) == 1
    assert first[0].name == second[0].name
    assert first[0].name.startswith("hocba-") and first[0].name.endswith(".hocba-backup")
    assert first[0].read_bytes() == second[0].read_bytes()
    assert scene.backup.stdout.count("written: ") == 2
    digest = hashlib.sha256(first[0].read_bytes()).hexdigest()
    assert f"SHA-256 {digest}" in scene.backup.stdout


def test_the_archive_reveals_no_transcript_content(scene: Scene) -> None:
    data = scene.archive.read_bytes()
    with Session(scene.source) as session:
        xml = session.exec(select(Blob).where(Blob.media_type == "application/xml")).first()
    assert xml is not None
    assert bytes(xml.content)[200:264] not in data
    assert b"DLHocBa" not in data and b"hocba-demo" not in data


def test_the_restored_demo_verifies_every_signature_and_the_audit_chain(scene: Scene) -> None:
    assert scene.restore.returncode == 0, scene.restore.stdout + scene.restore.stderr
    with Session(scene.source) as session:
        media = list(session.exec(select(Blob.media_type)).all())
        issued = session.exec(
            select(Transcript.xml_sha256, Transcript.pdf_sha256).where(
                col(Transcript.status).in_(ISSUED)
            )
        ).all()
    xml, pdf = media.count("application/xml"), media.count("application/pdf")
    complete = sum(digest is not None for pair in issued for digest in pair)
    assert xml >= 10 and pdf >= 10 and complete >= 20  # the demo's finalized transcripts
    entries = counts(scene.source)["audit_events"]
    out = scene.restore.stdout
    assert f"audit log intact: {entries} entries" in out
    assert f"signatures verified: {xml} XML, {pdf} PDF ({complete} of them" in out
    assert "did NOT verify" not in scene.restore.stderr


def test_the_restored_database_holds_every_row_and_every_file_of_the_source(
    scene: Scene,
) -> None:
    restored = create_database_engine(scene.target_url)
    try:
        assert counts(restored) == counts(scene.source)
        digests = blob_digests(restored)
        assert digests == blob_digests(scene.source)
        assert all(address == content for address, content in digests.items())
        with Session(restored) as session:
            finalized = session.exec(
                select(Transcript.id).where(Transcript.status == TranscriptStatus.FINALIZED)
            ).all()
        assert len(finalized) >= 9
    finally:
        restored.dispose()
    assert "every table as backed up" in scene.restore.stdout


def test_backup_check_finds_the_archive_intact(scene: Scene) -> None:
    checked = hocba("backup", "check", str(scene.archive), cwd=scene.work, env=scene.env)
    assert checked.returncode == 0, checked.stderr
    assert "intact" in checked.stdout
    assert f"{scene.backend} at migration" in checked.stdout


def test_a_restore_with_another_key_is_refused_and_writes_nothing(scene: Scene) -> None:
    other = scene.work / "other.key"
    other.write_text("a-completely-different-backup-key-0123")
    target = scene.empty_target("wrongkey")
    refused = hocba(
        "restore",
        str(scene.archive),
        "--database-url",
        target,
        "--key-file",
        str(other),
        "--trust-roots",
        str(demo_pki().root_path),
        cwd=scene.work,
        env=scene.env,
    )
    assert refused.returncode == 2
    assert "does not open this archive" in refused.stderr
    assert is_empty(target)


def test_a_tampered_archive_is_refused_by_check_and_by_restore(scene: Scene) -> None:
    data = bytearray(scene.archive.read_bytes())
    data[len(data) // 3] ^= 0x01
    tampered = scene.work / "tampered.hocba-backup"
    tampered.write_bytes(bytes(data))
    checked = hocba("backup", "check", str(tampered), cwd=scene.work, env=scene.env)
    assert checked.returncode == 1
    assert "does not authenticate" in checked.stderr
    target = scene.empty_target("tampered")
    refused = hocba(
        "restore",
        str(tampered),
        "--database-url",
        target,
        "--trust-roots",
        str(demo_pki().root_path),
        cwd=scene.work,
        env=scene.env,
    )
    assert refused.returncode == 2
    assert "restore refused: the archive is refused" in refused.stderr
    assert is_empty(target)


def test_a_restore_over_the_live_database_is_refused_and_changes_nothing(scene: Scene) -> None:
    before = counts(scene.source)
    refused = hocba(
        "restore",
        str(scene.archive),
        "--trust-roots",
        str(demo_pki().root_path),
        cwd=scene.work,
        env=scene.env,  # HOCBA_DATABASE_URL: the seeded source
    )
    assert refused.returncode == 2
    assert "is not empty" in refused.stderr
    assert counts(scene.source) == before


def test_backup_without_a_key_or_a_destination_is_refused(scene: Scene) -> None:
    no_key = {k: v for k, v in scene.env.items() if k != "HOCBA_BACKUP_KEY_FILE"}
    refused = hocba("backup", "--to", str(scene.work), cwd=scene.work, env=no_key)
    assert refused.returncode == 2
    assert "no backup key" in refused.stderr
    nowhere = hocba("backup", cwd=scene.work, env=scene.env)
    assert nowhere.returncode == 2
    assert "no backup destination" in nowhere.stderr


def test_backup_new_key_prints_a_fresh_key(scene: Scene) -> None:
    first = hocba("backup", "new-key", cwd=scene.work).stdout.strip()
    second = hocba("backup", "new-key", cwd=scene.work).stdout.strip()
    assert len(first) == 43 and first != second


def _trust() -> TrustSettings:
    return TrustSettings(trust_roots=(demo_pki().root,), fetch_timeout=5, deadline=60)


def _keep_only(engine: Engine, transcript_id: str, keep: set[str]) -> None:
    """Strip a throwaway restored database down to one transcript's files (fast to verify)."""
    blobs = Blob.__table__  # type: ignore[attr-defined]
    transcripts = Transcript.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(blobs.delete().where(blobs.c.sha256.not_in(keep)))
        connection.execute(
            transcripts.update()
            .where(transcripts.c.id != transcript_id)
            .values(xml_sha256=None, pdf_sha256=None)
        )


def _store(engine: Engine, content: bytes, media_type: str) -> str:
    digest = hashlib.sha256(content).hexdigest()
    blobs = Blob.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(
            blobs.insert().values(
                sha256=digest,
                media_type=media_type,
                size=len(content),
                content=content,
                created_at=NOW,
            )
        )
    return digest


def test_signed_files_altered_before_a_backup_are_named_after_the_restore(scene: Scene) -> None:
    """A file whose signature no longer verifies, or that is missing, fails the restore (exit 1)
    and is listed; the intact files still count."""
    altered_url = scene.empty_target("altered")
    restore_backup(scene.archive, database_url=altered_url, key=KEY)
    altered = create_database_engine(altered_url)
    try:
        with Session(altered) as session:
            row = session.exec(
                select(Transcript).where(Transcript.status == TranscriptStatus.FINALIZED)
            ).first()
            assert row is not None and row.xml_sha256 and row.pdf_sha256
            transcript_id, xml_digest, pdf_digest = row.id, row.xml_sha256, row.pdf_sha256
            xml = bytes(session.get(Blob, xml_digest).content)  # type: ignore[union-attr]
            pdf = bytes(session.get(Blob, pdf_digest).content)  # type: ignore[union-attr]
        _keep_only(altered, transcript_id, {xml_digest, pdf_digest})
        forged_xml = _store(
            altered,
            edit(xml, set_text("DLHocBa/KetQuaHocTap/MonHoc[Ma='TOAN']/CaNam", "9.9")),
            "application/xml",
        )
        forged_pdf = _store(altered, replace_page_content(pdf), "application/pdf")
        transcripts = Transcript.__table__  # type: ignore[attr-defined]
        with altered.begin() as connection:
            connection.execute(
                transcripts.update()
                .where(transcripts.c.id == transcript_id)
                .values(xml_sha256=forged_xml, pdf_sha256=forged_pdf)
            )
            other = connection.execute(
                sa.select(transcripts.c.id).where(transcripts.c.id != transcript_id).limit(1)
            ).scalar_one()
            connection.execute(
                transcripts.update().where(transcripts.c.id == other).values(pdf_sha256="f" * 64)
            )
        check = verify_restored(altered, trust=_trust(), now=NOW)  # then the command's
        assert not check.ok
        assert check.audit.ok
        assert (check.xml_verified, check.pdf_verified) == (1, 1)  # the originals
        failed = {f.sha256: f.reason for f in check.failures}
        assert set(failed) == {forged_xml, forged_pdf, "f" * 64}
        assert "TOTAL_FAILED" in failed[forged_xml]
        assert "TOTAL_FAILED" in failed[forged_pdf] or "INDETERMINATE" in failed[forged_pdf]
        assert "is missing" in failed["f" * 64]
        site = scene.work / "site-altered"
        site.mkdir()
        report = create_backup(altered, destinations=[site], key=KEY, now=NOW, keep=1)
    finally:
        altered.dispose()
    target = scene.empty_target("from-altered")
    restored = hocba(
        "restore",
        str(report.written[0]),
        "--database-url",
        target,
        "--trust-roots",
        str(demo_pki().root_path),
        cwd=scene.work,
        env=scene.env,
    )
    assert restored.returncode == 1
    assert "audit log intact" in restored.stdout
    assert "signatures verified: 1 XML, 1 PDF" in restored.stdout
    assert "3 stored files did NOT verify" in restored.stderr
    for digest in (forged_xml, forged_pdf, "f" * 64):
        assert digest in restored.stderr
