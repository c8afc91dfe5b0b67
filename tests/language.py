"""The language check of the report's pages: words of the other language in a page's text.

:func:`foreign_words` reads a page as a reader meets it: visible text (and images' ``alt``
text), not code, styles or scripts, each part in the language of the nearest ``lang``
attribute around it. A word from the other language's word list (``tests/data/wordlists``:
common function words that cannot be the page's language) in a part that claims the page's
language is a fault; text in an element with the other ``lang`` (an administration's
Swedish name on an English page) is not.
"""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser
from pathlib import Path

WORDLISTS = Path(__file__).resolve().parent / "data" / "wordlists"

#: Elements whose content a reader does not read as text.
SKIPPED = frozenset({"code", "pre", "style", "script", "template", "head", "noscript", "svg", "math"})
#: Elements without an end tag.
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@functools.cache
def wordlist(lang: str) -> frozenset[str]:
    """The words of ``tests/data/wordlists/<lang>.txt`` (lowercase; ``#`` lines are comments)."""
    lines = (WORDLISTS / f"{lang}.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


class _Text(HTMLParser):
    """Collects (language, text) parts of a page."""

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str, bool]] = [("", lang, False)]  # (tag, lang, skipped)
        self.parts: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        _, lang, skipped = self.stack[-1]
        lang = (a.get("lang") or lang).split("-")[0].lower()
        skipped = skipped or tag in SKIPPED
        if tag == "img" and a.get("alt") and not skipped:
            self.parts.append((lang, a["alt"]))
        if tag == "html":  # the page's own language
            self.stack[0] = ("", lang, False)
            return
        if tag not in VOID:
            self.stack.append((tag, lang, skipped))

    def handle_startendtag(self, tag, attrs):
        a = dict(attrs)
        _, lang, skipped = self.stack[-1]
        if tag == "img" and a.get("alt") and not skipped:
            self.parts.append(((a.get("lang") or lang).split("-")[0].lower(), a["alt"]))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        _, lang, skipped = self.stack[-1]
        if not skipped and data.strip():
            self.parts.append((lang, data))


def text_parts(html: str, lang: str) -> list[tuple[str, str]]:
    """The page's readable text as (language, text) parts; ``lang`` is the language of text
    outside any ``lang`` attribute (a fragment without ``<html lang>``)."""
    parser = _Text(lang)
    parser.feed(html)
    parser.close()
    return parser.parts


def foreign_words(html: str, lang: str) -> list[str]:
    """Words of the other language (``"sv"`` ↔ ``"en"``) in the text of ``html`` that claims
    to be in ``lang``: each word once, in the order met.

    >>> foreign_words('<p>Andelen och antalet</p><p lang="en">the share</p>', "sv")
    []
    >>> foreign_words('<p>The share <span lang="sv">och</span> the number and more</p>', "en")
    []
    >>> foreign_words('<html lang="sv"><p>Andelen of the rows</p><code>the</code></html>', "sv")
    ['of', 'the']
    """
    other = {"sv": "en", "en": "sv"}[lang]
    words = wordlist(other)
    found: dict[str, None] = {}
    for part_lang, text in text_parts(html, lang):
        if part_lang != lang:
            continue
        for w in _WORD.findall(text):
            if w.lower() in words:
                found.setdefault(w.lower())
    return list(found)
