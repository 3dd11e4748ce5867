"""Recap summaries: Markdown rendered by markdown-it-py, then sanitised by nh3.

Raw HTML in the Markdown is shown as text, never interpreted; nh3 then keeps only the tags a
summary needs. No images at all (a remote image is a tracking pixel in an executive's inbox
and a fetch from the PDF renderer), only http, https and mailto links, and no attributes but
`href`/`title` on links (no `style`: the pages' Content-Security-Policy forbids it). Headings
move down two levels, so a summary's `# Heading` sits under the recap's own section headings.
"""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

MAX_SUMMARY_CHARS = 100_000
"""Longer summaries are refused: a recap is read by executives, not archived in it."""

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "s", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "h3", "h4", "h5", "h6", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
HEADING_SHIFT = 2


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # CommonMark with tables and strikethrough; html=False turns raw HTML into visible text.
    return MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
        ["table", "strikethrough", "replacements", "smartquotes"]
    )


def render_markdown(text: str) -> str:
    """Markdown as sanitised HTML, safe to insert into a page, an email or a PDF as is."""
    parser = _parser()
    tokens = parser.parse(text)
    for token in tokens:
        if token.type in {"heading_open", "heading_close"}:
            token.tag = f"h{min(int(token.tag[1]) + HEADING_SHIFT, 6)}"
    html = parser.renderer.render(tokens, parser.options, {})
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        url_relative="deny",
        link_rel="noopener noreferrer nofollow",
    )
