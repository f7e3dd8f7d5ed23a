"""A consistent copy of a live database: SQLite through its online backup API, PostgreSQL through
``pg_dump`` inside an exported snapshot (so the row counts and the dump see the same instant)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from alembic.script.revision import ResolutionError
from alembic.util import CommandError
from sqlalchemy.engine import URL, Engine, make_url

from workflow._backup_errors import BackupError, DatabaseToolError
from workflow._migrations import alembic_config

SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
_TOOL_TIMEOUT = 6 * 3600  # a city's database: hours at worst, never forever


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A database copied into a file, and what it held."""

    kind: str
    """``sqlite`` or ``postgresql``."""
    path: Path
    member: str
    """The file's name inside the archive."""
    migration_head: str | None
    row_counts: dict[str, int]
    server_version: str


def code_heads(engine: Engine) -> tuple[str, ...]:
    """The migration heads this version of hocba knows."""
    return tuple(ScriptDirectory.from_config(alembic_config(engine)).get_heads())


def known_revision(engine: Engine, revision: str) -> bool:
    """Whether ``revision`` is one of this version's migrations."""
    try:
        scripts = ScriptDirectory.from_config(alembic_config(engine))
        return scripts.get_revision(revision) is not None
    except (ResolutionError, CommandError):
        return False


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def count_rows(connection: sa.Connection, tables: Iterable[str]) -> dict[str, int]:
    """Rows per table (each table name as the catalogue gives it)."""
    return {
        name: int(connection.exec_driver_sql(f"SELECT count(*) FROM {_quote(name)}").scalar_one())  # noqa: S608  (a catalogue name, quoted)
        for name in sorted(tables)
    }


def user_tables(connection: sa.Connection) -> list[str]:
    """The tables of the database (SQLite's own excluded; PostgreSQL's current schema)."""
    if connection.dialect.name == "postgresql":
        query = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    return [str(row[0]) for row in connection.exec_driver_sql(query)]


def migration_head(connection: sa.Connection, tables: Iterable[str]) -> str | None:
    """The revision recorded in ``alembic_version`` (None when there is none)."""
    if "alembic_version" not in set(tables):
        return None
    found = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    return ",".join(sorted(str(value) for value in found)) or None


def sqlite_path(engine: Engine) -> Path:
    """The file of a SQLite engine (a memory database cannot be backed up)."""
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError(
            "an in-memory SQLite database cannot be backed up or restored",
            "không sao lưu được cơ sở dữ liệu SQLite trong bộ nhớ",
        )
    return Path(database)


def take_snapshot(engine: Engine, directory: Path) -> Snapshot:
    """Copy the database behind ``engine`` into ``directory`` while it keeps serving."""
    if engine.dialect.name == "postgresql":
        return _postgres_snapshot(engine, directory)
    return _sqlite_snapshot(engine, directory)


def _sqlite_snapshot(engine: Engine, directory: Path) -> Snapshot:
    source_path = sqlite_path(engine)
    if not source_path.is_file():
        raise BackupError(
            f"there is no SQLite database at {source_path}",
            f"không có cơ sở dữ liệu SQLite tại {source_path}",
        )
    target = directory / SQLITE_MEMBER
    # The backup API copies a consistent state even while the server writes (WAL readers see
    # one snapshot). Opened read-write but only read: a read-only connection cannot open a
    # WAL database whose shared-memory file is missing (the server stopped).
    source = sqlite3.connect(source_path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        # One self-contained file: no WAL beside it in the archive.
        copy.execute("PRAGMA journal_mode=DELETE")
        version = str(source.execute("SELECT sqlite_version()").fetchone()[0])
    finally:
        source.close()
        copy.close()
    counting = sa.create_engine(f"sqlite:///{target}")
    try:
        with counting.connect() as connection:
            tables = user_tables(connection)
            counts = count_rows(connection, tables)
            head = migration_head(connection, tables)
    finally:
        counting.dispose()
    return Snapshot("sqlite", target, SQLITE_MEMBER, head, counts, f"SQLite {version}")


def libpq_arguments(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for ``url`` without its password, and the environment carrying the
    password (``PGPASSWORD``), so it never shows in the process list."""
    # ``URL.set(password=None)`` would keep the password: build the URL without one.
    plain = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    return plain.render_as_string(hide_password=False), environment


def run_tool(tool: str, arguments: list[str], environment: dict[str, str]) -> None:
    """Run ``pg_dump`` / ``pg_restore``; DatabaseToolError names what it said."""
    executable = shutil.which(tool)
    if executable is None:
        raise DatabaseToolError(tool, f"{tool} is not installed (Debian package postgresql-client)")
    try:
        completed = subprocess.run(  # noqa: S603  (a fixed tool, arguments we built)
            [executable, *arguments],
            capture_output=True,
            env=environment,
            timeout=_TOOL_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise DatabaseToolError(tool, str(error)) from error
    if completed.returncode != 0:
        said = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DatabaseToolError(tool, "; ".join(said[-5:]) or f"exit {completed.returncode}")


def _postgres_snapshot(engine: Engine, directory: Path) -> Snapshot:
    target = directory / POSTGRES_MEMBER
    uri, environment = libpq_arguments(engine.url)
    with (
        engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection,
        connection.begin(),
    ):
        # The exported snapshot stays valid while this transaction is open: pg_dump and
        # the counts below see exactly the same committed state.
        snapshot_id = str(connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar())
        version = str(connection.exec_driver_sql("SHOW server_version").scalar())
        tables = user_tables(connection)
        counts = count_rows(connection, tables)
        head = migration_head(connection, tables)
        run_tool(
            "pg_dump",
            [
                "--format=custom",
                f"--snapshot={snapshot_id}",
                "--no-owner",
                "--no-privileges",
                f"--file={target}",
                f"--dbname={uri}",
            ],
            environment,
        )
    return Snapshot("postgresql", target, POSTGRES_MEMBER, head, counts, f"PostgreSQL {version}")


def parse_url(url: str) -> URL:
    """``url`` parsed; BackupError names it when it is not a database URL."""
    try:
        return make_url(url)
    except sa.exc.ArgumentError as error:
        raise BackupError(
            f"{url!r} is not a database URL", f"{url!r} không phải địa chỉ cơ sở dữ liệu"
        ) from error
