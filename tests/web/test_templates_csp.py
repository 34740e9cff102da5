"""No template carries what the Content-Security-Policy refuses: inline script, inline
style, event-handler attributes or javascript: links. A state the browser tests never
reach (an import in progress, say) would otherwise break unseen."""

import re
from pathlib import Path

import jiesu

FORBIDDEN = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")|<style\b|\sstyle=|\son[a-z]+=|javascript:",
    re.I,
)


def test_templates_hold_nothing_the_policy_refuses():
    root = Path(jiesu.__file__).parent
    found = []
    for template in root.rglob("templates/**/*.html"):
        for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(line):
                found.append(f"{template.relative_to(root)}:{number}: {line.strip()[:80]}")
    assert found == []
    assert len(list(root.rglob("templates/**/*.html"))) > 20  # the walk saw the templates
