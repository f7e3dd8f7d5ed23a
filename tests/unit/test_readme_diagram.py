"""The state diagram in README.md is the one the state machine generates."""

from __future__ import annotations

from pathlib import Path

from workflow import mermaid_diagram

README = Path(__file__).resolve().parents[2] / "README.md"
START, END = "<!-- state-diagram:start -->", "<!-- state-diagram:end -->"
FENCE_OPEN, FENCE_CLOSE = "```mermaid", "```"
REGENERATE = "regenerate the README block from workflow.mermaid_diagram()"


def diagram_block(text: str) -> str:
    """The Mermaid text between the README's markers, without its fence."""
    assert text.count(START) == 1 and text.count(END) == 1, (
        f"README.md needs exactly one {START} … {END} block; {REGENERATE}"
    )
    block = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert block.startswith(FENCE_OPEN) and block.endswith(FENCE_CLOSE), (
        f"the block between the markers must be one ```mermaid fence; {REGENERATE}"
    )
    return block.removeprefix(FENCE_OPEN).removesuffix(FENCE_CLOSE).strip("\n") + "\n"


def test_the_readme_shows_the_diagram_the_state_machine_generates() -> None:
    shown = diagram_block(README.read_text(encoding="utf-8"))

    assert shown == mermaid_diagram(), f"README.md's state diagram is out of date: {REGENERATE}"


def test_the_diagram_block_is_read_without_its_fence() -> None:
    text = f"intro\n{START}\n{FENCE_OPEN}\nstateDiagram-v2\n    a --> b\n{FENCE_CLOSE}\n{END}\n"

    assert diagram_block(text) == "stateDiagram-v2\n    a --> b\n"
