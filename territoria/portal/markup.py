"""Producers write descriptions in Markdown; the portal shows them as sanitised HTML.

Markdown lets raw HTML through, so its output is cleaned by ``nh3`` (an allow-list sanitiser):
a producer's description must never carry a script onto the portal (stored XSS).
"""

import html

import markdown
import nh3
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "h5", "h6", "hr", "li",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str) -> SafeString:
    """Markdown → HTML kept to an allow-list of tags; links get ``rel="noopener noreferrer"``.

    Headings start at ``h2``: the page title is the only ``h1`` (one per page, for screen readers).
    """
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(cleaned)  # noqa: S308 -- nh3 has just removed everything outside the allow-list


def markdown_excerpt(text: str, words: int = 40) -> str:
    """The plain text of a Markdown description, cut after ``words`` words (for result lists).

    Returned unescaped: the template escapes it like any other text.
    """
    plain = html.unescape(strip_tags(render_markdown(text)))
    return Truncator(" ".join(plain.split())).words(words)
