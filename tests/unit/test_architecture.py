"""Architecture rules that a linter cannot see: who writes ``status``, who reads the clock."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ("domain", "workflow", "api", "scheduler", "hocba")


def _modules(*packages: str) -> Iterator[Path]:
    for package in packages:
        yield from sorted((ROOT / package).rglob("*.py"))


def _status_writes(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr == "status":
                yield target.lineno, ast.unparse(target)
        if (
            isinstance(node, ast.Call)
            and ast.unparse(node.func).endswith("Transcript")
            and any(k.arg == "status" for k in node.keywords)
        ):
            yield node.lineno, ast.unparse(node.func)


def test_nothing_but_the_state_machine_writes_a_transcripts_status() -> None:
    # The other ``status`` attributes: a correction request's (pending → decided), an entry
    # correction's and an entry-window decision's (pending → decided, carried out or
    # replaced), and the status an error reports.
    allowed = {
        ("workflow/_versions.py", "request.status"),
        ("workflow/_tracking_approval.py", "correction.status"),
        ("workflow/_tracking_windows.py", "decision.status"),
        ("workflow/_tracking_windows.py", "older.status"),
        ("workflow/_errors.py", "self.status"),
        # The state machine's own write: the model a reused machine (``FlowRunner``) fires
        # on is a view of the transcript at hand; only the machine calls its setter.
        ("workflow/_flow.py", "self.row.status"),
    }
    found = {
        (str(path.relative_to(ROOT)), target, line)
        for path in _modules(*PRODUCTION)
        for line, target in _status_writes(ast.parse(path.read_text()))
    }
    offending = {f for f in found if (f[0], f[1]) not in allowed}
    assert not offending, f"status written outside workflow/_flow.py: {sorted(offending)}"


CLOCK_CALLS = ("datetime.now", "datetime.utcnow", "date.today", "time.time")


def test_only_the_interfaces_read_the_clock() -> None:
    offenders = []
    for path in _modules("domain", "workflow"):
        source = path.read_text()
        offenders += [f"{path.relative_to(ROOT)}: {c}" for c in CLOCK_CALLS if f"{c}(" in source]
    assert not offenders, offenders
