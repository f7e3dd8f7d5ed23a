"""Why a backup or a restore was refused; each refusal leaves the target untouched."""

from __future__ import annotations

from workflow._errors import WorkflowError


class BackupError(WorkflowError):
    """A backup or restore that could not be done; nothing was written where it matters."""

    code = "backup_failed"


class BackupKeyError(BackupError):
    """No backup key, an unusable one, or one that does not open the archive."""

    code = "backup_key"


class ArchiveDamagedError(BackupError):
    """The archive is not a hocba backup, was cut off, altered or damaged."""

    code = "archive_damaged"

    def __init__(self, why: str) -> None:
        super().__init__(
            f"the archive is refused: {why}; nothing was restored",
            f"bản sao lưu bị từ chối: {why}; chưa khôi phục gì",
        )
        self.why = why


class TargetNotEmptyError(BackupError):
    """A restore goes into an empty database only, never over data."""

    code = "target_not_empty"

    def __init__(self, target: str, what: str) -> None:
        super().__init__(
            f"the target database {target} is not empty ({what}); restore only into a new, "
            "empty database (for PostgreSQL: createdb a new one; for SQLite: a path that "
            "does not exist yet)",
            f"cơ sở dữ liệu đích {target} không trống ({what}); chỉ khôi phục vào một cơ sở "
            "dữ liệu mới, trống",
        )
        self.target = target


class DatabaseToolError(BackupError):
    """``pg_dump`` or ``pg_restore`` is missing or failed."""

    code = "database_tool_failed"

    def __init__(self, tool: str, why: str) -> None:
        super().__init__(f"{tool} failed: {why}", f"{tool} thất bại: {why}")
        self.tool = tool
