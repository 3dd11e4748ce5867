"""The recap body shared by the page and the PDF: content, escaping, and the PDF wrapper."""

from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from app.config import get_settings
from app.recaps.document import RecapDocument
from app.recaps.render import pdf_context, recap_pdf_html, render_recap_html
from tests.recaps.documents import PAYLOADS, hostile_document, typical_document


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text, of an HTML string."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


def test_body_has_every_section_in_order() -> None:
    html = render_recap_html(typical_document())
    headings = [
        "How Meridian Freight onboards 400 drivers a month",
        "Summary",
        "In the customer's words",
        "Who heard it",
        "By level",
        "Leaders who attended",
        "Top departments",
        "What we committed to",
        "How it is being addressed",
        "Still open from earlier sessions",
        "Done since the previous recap",
    ]
    positions = [html.index(f">{heading}</h") for heading in headings]
    assert positions == sorted(positions)


def test_body_sets_quotes_as_figures_with_attribution() -> None:
    document = typical_document(quotes=3)
    html = render_recap_html(document)
    for quote in document.quotes:
        figure = (
            f"<blockquote><p>{quote.text}</p></blockquote>\n"
            f"      <figcaption>{quote.attribution}</figcaption>"
        )
        assert figure in html


def test_body_says_none_for_an_absent_executive_level() -> None:
    html = render_recap_html(typical_document())
    row = html.split('<th scope="row">C-suite', 1)[1].split("</tr>", 1)[0]
    assert '<span class="none">none</span>' in row
    assert '<span class="delta down">−1</span>' in row


def test_body_shows_the_chart_and_the_change_against_the_previous_session() -> None:
    document = typical_document()
    html = render_recap_html(document)
    assert document.attendance.chart_svg in html
    assert "+128</span> against\n      “A year with Harbor Foods”" in html


def test_body_lists_open_items_with_owner_due_and_latest_update() -> None:
    document = typical_document(open_items=1)
    item = document.open_items[0]
    html = render_recap_html(document)
    row = html.split("Still open from earlier sessions", 1)[1].split("</tr>", 2)[1]
    assert item.description in row
    assert item.owner in row
    assert "14 Feb 2026" in row
    assert "overdue" in row
    assert f'<span class="update-date">9 Mar 2026</span> {item.latest_update}' in row


def test_body_says_so_when_nothing_is_open_and_no_leader_came() -> None:
    document = typical_document(open_items=0, action_items=0)
    document.attendance.leaders = []
    document.done_since_previous = []
    html = render_recap_html(document)
    assert "No leader attended this session." in html
    assert "Nothing is open from earlier sessions." in html
    assert "No action items were recorded for this session." in html
    assert "Nothing was completed since the previous recap." in html


def test_draft_is_marked_as_not_approved() -> None:
    html = recap_pdf_html(typical_document(version=0))
    assert "Draft, not approved" in html
    assert "Recap version" not in html


@pytest.mark.parametrize("render", [render_recap_html, recap_pdf_html])
def test_hostile_text_stays_inert(render: Callable[[RecapDocument], str]) -> None:
    html = render(hostile_document())
    parsed = parse(html)
    for tag, attrs in parsed.tags:
        assert tag not in {"script", "iframe", "object", "embed"}
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert not value.strip().lower().startswith("javascript:"), (tag, name)
        if tag == "img":
            assert attrs["src"].startswith("data:"), attrs
        if tag == "a":
            pytest.fail(f"a link in a recap made of plain text: {attrs}")
    # The payloads are still there, as text a reader can see.
    text = "".join(parsed.text)
    for payload in PAYLOADS:
        assert payload in text


def test_pdf_page_wraps_the_shared_body() -> None:
    document = typical_document()
    page = recap_pdf_html(document)
    assert page.startswith("<!doctype html>")
    assert "@page { size: A4; }" in page
    assert (
        '<div class="running-title">How Meridian Freight onboards 400 drivers a month · 12 Mar 2026'
        in page
    )
    body = render_recap_html(document)
    # Same template: the body's sections appear verbatim in the PDF page.
    section = body.split('<section class="recap-section recap-attendance">', 1)[1].split(
        "</section>"
    )[0]
    assert section in page


def test_pdf_context_embeds_the_logo_as_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    monkeypatch.setattr(get_settings(), "recap_logo", logo)
    assert pdf_context()["logo_uri"].startswith("data:image/svg+xml;base64,")
    monkeypatch.setattr(get_settings(), "recap_logo", logo.with_name("missing.png"))
    assert pdf_context()["logo_uri"] == ""
