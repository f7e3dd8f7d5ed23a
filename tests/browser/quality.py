"""What every page must be in Chromium: no Content-Security-Policy violation or console error,
no serious or critical accessibility problem (axe-core), no sideways scrolling on a 360 px
phone; and a screenshot of it at both widths for people to look at.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import ConsoleMessage, Page, ViewportSize

from tests.browser.site import ARTIFACTS

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"serious", "critical"}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 360, "height": 740}

WATCH_SCRIPT = """
window.__hocbaViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__hocbaViolations.push(
    event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
    " at " + event.sourceFile + ":" + event.lineNumber);
});
"""
"""Runs before any page script (Playwright's init script is not subject to the page's CSP)."""

_EXPECTED_STATUS = re.compile(
    r"^Failed to load resource: the server responded with a status of 4\d\d"
)
"""Chromium's note of a 4xx answer: the tests ask for those on purpose and check them."""


@dataclass
class Watch:
    """Console errors and uncaught exceptions of one browser page, collected as they come."""

    errors: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not _EXPECTED_STATUS.match(message.text):
            self.errors.append(f"console: {message.text}")

    def exception(self, error: Exception) -> None:
        self.errors.append(f"uncaught: {error}")


def watch(page: Page) -> Watch:
    """Start collecting ``page``'s console errors and exceptions."""
    found = Watch()
    page.on("console", found.console)
    page.on("pageerror", found.exception)
    return found


def csp_violations(page: Page) -> list[str]:
    """The CSP violations the current document reported since it loaded."""
    found: list[str] = page.evaluate("window.__hocbaViolations || []")
    return found


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the current document (WCAG 2.2 A/AA and best practices)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol: not an inline script, so the CSP allows it.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    result: dict[str, Any] = page.evaluate("(options) => axe.run(document, options)", options)
    # axe leaves empty style="" attributes behind; htmx would copy them onto swapped-in
    # elements, which the CSP (rightly) refuses: the page is put back as it was.
    page.evaluate(
        "document.querySelectorAll('[style=\"\"]').forEach(e => e.removeAttribute('style'))"
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def _summary(violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{v['impact']} {v['id']}: {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in violations
    ]


def shot(page: Page, name: str) -> Path:
    """A full-page PNG of what ``page`` shows now, under the artifacts directory."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    # Hiding the caret for the picture leaves empty style="" attributes on the inputs; htmx
    # would copy them onto the elements it swaps in, which the CSP (rightly) refuses.
    page.evaluate(
        "document.querySelectorAll('[style=\"\"]').forEach(e => e.removeAttribute('style'))"
    )
    return path


def check_page(page: Page, name: str) -> None:
    """Check the page ``page`` shows at the desktop and the phone width, and save both
    screenshots (``<name>.png``, ``<name>-360.png``) and axe's findings (``<name>.axe.json``)."""
    size = page.viewport_size or DESKTOP
    problems = [f"CSP: {v}" for v in csp_violations(page)]
    findings: dict[str, list[str]] = {}
    try:
        for width_name, viewport in (("desktop", DESKTOP), ("360", PHONE)):
            page.set_viewport_size(viewport)
            violations = axe_violations(page)
            findings[width_name] = _summary(violations)
            problems += [
                f"axe at {width_name}: {line}"
                for v, line in zip(violations, _summary(violations), strict=True)
                if v["impact"] in BLOCKING
            ]
            if viewport is PHONE:
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > PHONE["width"]:
                    problems.append(f"{width}px wide at a 360 px screen")
                shot(page, f"{name}-360")
            else:
                shot(page, name)
    finally:
        page.set_viewport_size(size)
    (ARTIFACTS / f"{name}.axe.json").write_text(
        json.dumps(findings, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    assert not problems, f"{name} ({page.url}):\n" + "\n".join(problems)
