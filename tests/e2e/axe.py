"""Accessibility checks with axe-core (npm, tests/e2e/package.json), injected from the test."""

from dataclasses import dataclass
from pathlib import Path

import pytest

AXE_SCRIPT = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
IMPACTS = {"serious", "critical"}
RUN_AXE = """(tags) => axe.run(document, {
  runOnly: {type: 'tag', values: tags},
  resultTypes: ['violations'],
}).then((results) => results.violations.flatMap((rule) => rule.nodes.map((node) => ({
  rule: rule.id,
  impact: node.impact || rule.impact,
  target: node.target.join(' '),
  summary: `${rule.help}. ${node.failureSummary || ''}`.replace(/\\s+/g, ' ').trim(),
}))))"""


@dataclass(frozen=True)
class Violation:
    """One element breaking one rule, as an assertion message should name it."""

    rule: str
    impact: str
    target: str
    summary: str

    def __str__(self):
        return f"{self.rule} ({self.impact}) at {self.target}: {self.summary}"


def serious_violations(page):
    """The page's serious and critical axe violations now, one per rule and element."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `make test` (or `npm ci` in tests/e2e).")
    # Evaluated by the browser's debugger protocol, which the page's CSP does not govern
    # (add_script_tag would be an inline script, which the CSP refuses).
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT.read_text())
    found = [Violation(**node) for node in page.evaluate(RUN_AXE, RULE_TAGS)]
    return [violation for violation in found if violation.impact in IMPACTS]


def report(violations):
    """The violations one a line, for an assertion message."""
    return "axe found:\n" + "\n".join(f"  {violation}" for violation in violations)
