"""Templates carry nothing the Content-Security-Policy refuses: no inline script, no style
attribute or element, no inline event handler, no ``javascript:`` address, no ``hx-on`` (HTMX
runs without eval). The browser test (tests/e2e/test_content_security_policy.py) walks the
pages; this one reads every template, including pages the walk does not reach."""

from __future__ import annotations

import re
from pathlib import Path

import rucher

TEMPLATES = Path(rucher.__file__).parent / "templates"
# E-mails are not pages: mail clients need inline styles, and no policy applies there.
E_MAIL = ("notifications/email/", "privacy/email/")
REFUSED = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"),
    "style attribute": re.compile(r"\sstyle=\""),
    "style element": re.compile(r"<style[\s>]"),
    "event handler": re.compile(r"\son[a-z]+=\""),
    "javascript: address": re.compile(r"javascript:"),
    "hx-on (needs eval)": re.compile(r"\shx-on"),
}


def test_no_template_needs_an_inline_exception() -> None:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = path.relative_to(TEMPLATES).as_posix()
        if relative.startswith(E_MAIL):
            continue
        text = path.read_text()
        for what, pattern in REFUSED.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{relative}:{line}: {what}")
    assert found == []


def test_the_check_finds_what_it_refuses(tmp_path: Path) -> None:
    sample = '<p style="color:red" onclick="x()"><script>alert(1)</script><a href="javascript:x">'
    kinds = {what for what, pattern in REFUSED.items() if pattern.search(sample)}
    assert kinds == {"inline script", "style attribute", "event handler", "javascript: address"}
    assert not REFUSED["inline script"].search('<script src="/static/a.js" defer></script>')
