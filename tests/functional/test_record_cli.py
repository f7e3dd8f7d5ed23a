"""``hocba record export`` and ``hocba record import``, run as an operator would."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.support.cli import hocba
from tests.support.databases import MigratedDatabase
from tests.support.signing import authority, sign_session
from tests.support.transfers import AN, MID_YEAR, RECEIVING, SIGNED, transfer_world
from workflow import SigningStep, accept_transfer, request_transfer


@pytest.fixture
def sealed(engine: Engine) -> str:
    """An's ChuyenTruong record, sealed by the leaving school."""
    world = transfer_world(engine)
    transfer_id = request_transfer(
        world.uow(),
        personal_id=AN,
        to_school_code=RECEIVING,
        to_class_id=world.class_ids["6B1"],
        actor=world.actor("hocvu.b", MID_YEAR),
        now=MID_YEAR,
    )
    record_id = accept_transfer(
        world.uow(), transfer_id=transfer_id, actor=world.actor("hocvu", MID_YEAR), now=MID_YEAR
    )
    for who, step in (("hieutruong", SigningStep.PRINCIPAL), ("vanthu", SigningStep.SCHOOL)):
        (result,) = sign_session(world, who, [record_id], step, SIGNED)
        assert result.ok, result
    return record_id


def test_a_record_exported_on_the_command_line_is_imported_or_refused_whole(
    migrated: MigratedDatabase, sealed: str, tmp_path: Path
) -> None:
    env = {"HOCBA_DATABASE_URL": migrated.url}
    package = tmp_path / "record.zip"
    exported = hocba(
        "record", "export", "--personal-id", AN, "--as", "hocvu", "-o", str(package),
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        files = {name: archive.read(name) for name in names}
    assert names[0] == "manifest.json" and any(sealed in name for name in names)

    xml_path = next(name for name in names if name.endswith(".xml"))
    files[xml_path] = files[xml_path].replace(b"<HK1>", b"<HK1>1", 1)
    tampered = tmp_path / "tampered.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    tampered.write_bytes(buffer.getvalue())
    roots = str(authority().write_root(tmp_path))
    refused = hocba(
        "record", "import", str(tampered), "--as", "hocvu.b", "--trust-roots", roots,
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert refused.returncode == 1
    assert f"{xml_path}: size_mismatch" in refused.stderr

    unknown = hocba(
        "record", "export", "--personal-id", "079212000999", "--as", "hocvu",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert unknown.returncode == 1 and "not_found" in unknown.stderr
