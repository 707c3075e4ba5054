"""Accessibility checks shared by the browser tests: axe-core (bundled with
axe-playwright-python, offline) and reflow at the viewport's width."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

AXE = Axe()


def assert_accessible(page: Page, state: str) -> None:
    """No axe-core violation (WCAG 2.x A/AA and best practices), and no horizontal scroll."""
    results = AXE.run(page)
    assert results.violations_count == 0, f"{state} ({page.url}):\n{results.generate_report()}"
    overflow = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert overflow[0] <= overflow[1], (
        f"{state} ({page.url}): content {overflow[0]} px wide in a {overflow[1]} px viewport")


def focused(page: Page) -> str:
    """What has the keyboard focus, as a person would name it: tag, role and text or label."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        if (!el || el === document.body) return "body";
        const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
        return `${el.tagName.toLowerCase()}|${(label || el.innerText || el.value || "").trim()}`;
    }""")
