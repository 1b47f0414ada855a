"""Markdown of the manual, rendered on the server and sanitized (SECURITY.md: no unsanitized HTML reaches a page).

markdown-it-py parses CommonMark (plus tables) with raw HTML turned off, so a ``<script>`` written in a section is
shown as text; nh3 (Ammonia) then keeps only the tags and attributes below, and only http, https and mailto
links, so nothing that slips through the parser (an ``onerror``, a ``javascript:`` link) survives either."""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

TAGS = {"p", "br", "strong", "em", "del", "ul", "ol", "li", "h3", "h4", "h5", "h6", "blockquote", "code", "pre", "hr",
        "a", "table", "thead", "tbody", "tr", "th", "td"}
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}
SCHEMES = {"http", "https", "mailto"}


def render(text: str) -> Markup:
    """Safe HTML for one section's Markdown. Headings ``#`` and ``##`` become third-level ones: the page's own
    headings (the document, its numbered sections) come first."""
    return Markup(_render(text or ""))  # noqa: S704 (sanitized in _render)


@lru_cache(maxsize=2048)
def _render(text: str) -> str:
    """Kept by text: a published version's sections never change, so each is parsed and cleaned once per process."""
    html = _PARSER.render(text)
    html = html.replace("<h1>", "<h3>").replace("</h1>", "</h3>").replace("<h2>", "<h3>").replace("</h2>", "</h3>")
    clean = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES, link_rel="noopener noreferrer",
                      filter_style_properties={"text-align"})
    return clean
