"""``hocba keys``: new data keys, rotation of every encrypted value to the first key, and the
blind indexes rebuilt under a new index key."""

from __future__ import annotations

import secrets
import sys

import click

from domain.model import DataKeyError, data_keys, new_data_key_entry
from workflow import create_database_engine, load_settings
from workflow._data_rewrite import rebuild_blind_indexes, rotate_data_keys


@click.group()
def keys() -> None:
    """The keys personal data is encrypted with at rest (HOCBA_DATA_KEYS, HOCBA_INDEX_KEY)."""


@keys.command("new")
@click.option("--id", "key_id", default=None, help="The key's id (default: a random one).")
@click.option("--index", is_flag=True, help="Print a new HOCBA_INDEX_KEY instead.")
def keys_new(key_id: str | None, index: bool) -> None:
    """Print a new HOCBA_DATA_KEYS entry (``id:base64key``), or with --index an index key."""
    if index:
        click.echo(new_data_key_entry(""))
        click.echo(
            "HOCBA_INDEX_KEY: changing it needs every look-up index rebuilt: stop the "
            "service, set the new key, run `hocba keys reindex`, start again.",
            err=True,
        )
        return
    try:
        entry = new_data_key_entry(key_id or f"k{secrets.token_hex(3)}")
    except DataKeyError as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    click.echo(entry)
    click.echo(
        "Put it FIRST in HOCBA_DATA_KEYS, keep the older entries after it, restart, then run "
        "`hocba keys rotate`; drop an old entry only after that.",
        err=True,
    )


@keys.command("rotate")
@click.option("--batch-size", default=200, show_default=True, help="Rows per transaction.")
def keys_rotate(batch_size: int) -> None:
    """Encrypt again, with the first key of HOCBA_DATA_KEYS, every value sealed by another.

    One transaction per batch; running it again (after an interruption) carries on.
    """
    settings = load_settings()
    engine = create_database_engine(settings.database_url)
    try:
        counts = rotate_data_keys(engine, batch_size=batch_size)
    finally:
        engine.dispose()
    for column, changed in counts.items():
        click.echo(f"{column}: {changed} re-encrypted")
    current = data_keys().current_id
    click.echo(f"every value is now under key {current}: {sum(counts.values())} rewritten")


@keys.command("reindex")
@click.option("--batch-size", default=200, show_default=True, help="Rows per transaction.")
def keys_reindex(batch_size: int) -> None:
    """Compute every look-up index (personal ID, phone) again under HOCBA_INDEX_KEY.

    Run it with the service stopped after changing the index key: until it is done, look-ups
    miss the rows not yet rebuilt. One transaction per batch; running it again carries on.
    """
    settings = load_settings()
    engine = create_database_engine(settings.database_url)
    try:
        counts = rebuild_blind_indexes(engine, batch_size=batch_size)
    finally:
        engine.dispose()
    for column, changed in counts.items():
        click.echo(f"{column}: {changed} rebuilt")
    click.echo(
        f"every look-up index is under the current index key: {sum(counts.values())} rebuilt"
    )
