"""Running the installed ``hocba`` console command, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def hocba(
    *arguments: str, cwd: Path, env: dict[str, str] | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``hocba`` script in ``cwd`` (no stray .env), with ``env`` added."""
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
        env={**clean, **(env or {})},
    )
    return subprocess.CompletedProcess(
        completed.args,
        completed.returncode,
        completed.stdout.decode("utf-8"),
        completed.stderr.decode("utf-8"),
    )
