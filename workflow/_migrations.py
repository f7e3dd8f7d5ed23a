"""Applying the Alembic migrations shipped in the ``migrations`` package."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

import migrations


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration pointing at the shipped scripts and at ``engine``."""
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


class ForeignKeyCheckError(RuntimeError):
    """A SQLite migration left rows whose foreign keys point at nothing."""


@contextmanager
def migrating_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in the one transaction a migration runs in (SQLite: foreign keys off,
    checked before the commit)."""
    # SQLite alters a column by rebuilding its table (copy, drop, rename); with foreign keys on,
    # dropping a table other rows point at fails. SQLite's own procedure: foreign keys off
    # outside the transaction, then PRAGMA foreign_key_check before the commit.
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            driver.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise ForeignKeyCheckError(f"dangling foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                driver.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``."""
    with migrating_connection(engine) as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` (``base`` removes every table)."""
    with migrating_connection(engine) as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
