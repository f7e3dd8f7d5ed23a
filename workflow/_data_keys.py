"""The process's data keyring, from the settings (``HOCBA_DATA_KEYS``, ``HOCBA_INDEX_KEY``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from domain.model import (
    DEMO_DATA_KEYS,
    DataKeyError,
    DataKeys,
    DataKeysMissingError,
    has_data_keys,
    parse_data_keys,
    use_data_keys,
)
from workflow._settings import Settings, load_settings


def load_data_keys(settings: Settings) -> DataKeys:
    """The keyring the settings name; the published demo keys in demo mode when unset.

    Outside demo mode a missing key is DataKeysMissingError, a malformed one DataKeyError.
    """
    entries = _secret(settings.data_keys, settings.data_keys_file, "HOCBA_DATA_KEYS")
    index = _secret(settings.index_key, settings.index_key_file, "HOCBA_INDEX_KEY")
    if entries is None and index is None and settings.demo:
        return DEMO_DATA_KEYS
    missing = [
        name
        for name, value in (("HOCBA_DATA_KEYS", entries), ("HOCBA_INDEX_KEY", index))
        if value is None
    ]
    if entries is None or index is None:
        raise DataKeysMissingError(
            f"set {' and '.join(missing)} (or the *_FILE settings): personal data is encrypted "
            "at rest with keys kept outside the database; `hocba keys new` prints new ones"
        )
    return parse_data_keys(entries, index)


def _secret(value: SecretStr | None, file: Path | None, name: str) -> str | None:
    if value is not None:
        return value.get_secret_value()
    if file is None:
        return None
    try:
        return Path(file).read_text(encoding="utf-8")
    except OSError as error:
        raise DataKeyError(f"{name}_FILE {file}: {error.strerror}") from None


def install_data_keys(settings: Settings) -> DataKeys:
    """Load the settings' keyring and make it the process's."""
    keys = load_data_keys(settings)
    use_data_keys(keys)
    return keys


def ensure_data_keys() -> None:
    """Install the keyring of the environment's settings unless one is installed already."""
    if not has_data_keys():
        install_data_keys(load_settings())
