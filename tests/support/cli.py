"""Running the installed ``hocba`` console command, as a user would."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

from domain.model import DEMO_DATA_KEYS

DEMO_KEY_SETTINGS = {
    "HOCBA_DATA_KEYS": ",".join(
        f"{key.key_id}:{base64.b64encode(key.secret).decode()}" for key in DEMO_DATA_KEYS.keys
    ),
    "HOCBA_INDEX_KEY": base64.b64encode(DEMO_DATA_KEYS.index_key).decode(),
}
"""The published demo keys, as settings: every command run by the tests gets them."""


def hocba(
    *arguments: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    stdin: bytes | None = None,
    demo_keys: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``hocba`` script in ``cwd`` (no stray .env), with ``env`` added (and
    the demo data keys unless ``demo_keys`` is false)."""
    script = Path(sys.executable).with_name("hocba")
    command = (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "from hocba.cli import main; main()"]
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HOCBA_")}
    completed = subprocess.run(
        [*command, *arguments],
        input=stdin,
        capture_output=True,
        timeout=600,  # a hung command fails; a slow one on a loaded machine does not
        check=False,
        cwd=cwd,
        env={**clean, **(DEMO_KEY_SETTINGS if demo_keys else {}), **(env or {})},
    )
    return subprocess.CompletedProcess(
        completed.args,
        completed.returncode,
        completed.stdout.decode("utf-8"),
        completed.stderr.decode("utf-8"),
    )
