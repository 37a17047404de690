"""Untrusted user text: Markdown rendered with markdown-it-py, then sanitized with nh3."""

import re
import unicodedata
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre",
    "h2", "h3", "h4", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def render_markdown(source: str) -> str:
    html = _markdown.render(source or "")
    # Headings shift down one level: the page title is the only <h1>.
    html = re.sub(r"<(/?)h1>", r"<\1h2>", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )


@lru_cache(maxsize=1024)
def plain_excerpt(source: str, limit: int = 200) -> str:
    """Text without Markdown for previews (Open Graph description, listings); memoized, since
    lists and previews ask for the same few stories again and again."""
    text = nh3.clean(_markdown.render(source or ""), tags=set())
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def clean_line(value: str) -> str:
    """One line of text: normalized, control characters removed, whitespace collapsed."""
    value = unicodedata.normalize("NFC", value or "")
    value = "".join(ch for ch in value if unicodedata.category(ch)[0] != "C" or ch == " ")
    return re.sub(r"\s+", " ", value).strip()
