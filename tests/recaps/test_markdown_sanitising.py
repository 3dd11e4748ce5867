"""Summaries are Markdown made safe: no script, handlers, dangerous links, images or raw HTML."""

import pytest

from app.recaps.markdown import render_markdown


def test_markdown_renders_emphasis_lists_links_and_tables() -> None:
    html = render_markdown(
        "## Heard\n\n- **fast** support\n- [site](https://example.com)\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<h4>Heard</h4>" in html  # moved under the recap's own headings
    assert "<li><strong>fast</strong> support</li>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">site</a>' in html
    assert "<td>1</td>" in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<div onclick=alert(1)>x</div>",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        "<style>body{display:none}</style>",
    ],
)
def test_raw_html_is_shown_as_text_never_interpreted(source: str) -> None:
    html = render_markdown(source)
    assert "<script" not in html
    assert "<div" not in html
    assert "<iframe" not in html
    assert "<a " not in html
    assert "<style" not in html
    assert "&lt;" in html


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox)",
        "<javascript:alert(1)>",
    ],
)
def test_dangerous_links_never_become_links(source: str) -> None:
    html = render_markdown(source)
    assert "href" not in html


def test_images_are_dropped_remote_or_not() -> None:
    html = render_markdown("![pixel](https://tracker.example/p.gif) ![local](/static/x.png)")
    assert "<img" not in html
    assert "tracker.example" not in html


def test_no_event_handler_survives_markdown_attributes() -> None:
    html = render_markdown('[x](https://a.example "t\\" onmouseover=\\"alert(1)")')
    assert html == (
        '<p><a href="https://a.example" title="t&quot; onmouseover=&quot;alert(1)" '
        'rel="noopener noreferrer nofollow">x</a></p>\n'
    )


def test_relative_links_are_not_kept() -> None:
    assert "href" not in render_markdown("[admin](/admin)")
