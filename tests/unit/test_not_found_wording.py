"""A missing object is named in Vietnamese in the message a school user reads."""

from __future__ import annotations

import ast
from pathlib import Path

from workflow._errors import _NOUNS_VI, NotFoundError

ROOT = Path(__file__).resolve().parents[2]


def test_a_missing_student_is_named_hoc_sinh_in_vietnamese_and_student_in_english() -> None:
    error = NotFoundError("student", "0792******45")

    assert error.message_vi == "Không tìm thấy học sinh 0792******45"
    assert str(error) == "student 0792******45 not found"


def test_every_object_the_code_reports_missing_has_a_vietnamese_name() -> None:
    named: set[str] = set()
    for directory in ("workflow", "api"):
        for path in (ROOT / directory).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "NotFoundError"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    named.add(str(node.args[0].value))

    assert named, "no NotFoundError found: the scan is broken"
    assert named <= set(_NOUNS_VI), sorted(named - set(_NOUNS_VI))
