"""Page 1 of the recap PDF is what an executive reads: parsed back with pypdf, page by page."""

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from app.config import get_settings
from app.recaps.document import (
    ABSENT_SHOWN,
    OVERDUE_SHOWN,
    OWNERS_SHOWN,
    ActionEntry,
    RecapDocument,
    carry_over,
    first_paragraph,
)
from app.recaps.render import recap_pdf_html, render_pdf, render_recap_html
from tests.recaps.documents import (
    ABSENT_EXECUTIVES,
    SESSION_DATE,
    carried_over_document,
    typical_document,
)

HEADINGS = {
    "Summary",
    "In the customer's words",
    "Who heard it",
    "By level",
    "Leaders who attended",
    "Top departments",
    "What we committed to",
    "How it is being addressed",
    "Still open from earlier sessions",
    "Overdue",
    "Done since the previous recap",
    "Invited executives who stayed away (17)",
}
LONG_TITLE = " ".join(["How Meridian Freight onboards four hundred drivers a month"] * 4)[:200]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def pdf_of(document: RecapDocument) -> PdfReader:
    return PdfReader(io.BytesIO(render_pdf(recap_pdf_html(document)).content))


def body_lines(page_text: str, company: str) -> list[str]:
    """A page's text lines without the running header and footer, bullets or ticks alone."""
    lines = [line.strip() for line in page_text.splitlines()]
    return [
        line
        for line in lines
        if line.strip("•✓ ")
        and not line.startswith(company)
        and not re.match(r"(Recap version \d+|Draft, not approved) · For internal", line)
    ]


@pytest.fixture(scope="module")
def carried_pdf() -> PdfReader:
    return pdf_of(carried_over_document(open_items=40))


def test_page_one_names_the_company_the_executives_present_and_who_stayed_away(
    carried_pdf: PdfReader,
) -> None:
    first = flat(carried_pdf.pages[0].extract_text())
    assert first.startswith("Northwind Outfitters") or "Northwind Outfitters" in first
    assert "Storyroom" not in first
    assert "3 of 20 executives present" in first
    assert "Invited executives who stayed away (17)" in first
    for name, _title, _level in ABSENT_EXECUTIVES[:ABSENT_SHOWN]:
        assert name in first
    for name, _title, _level in ABSENT_EXECUTIVES[ABSENT_SHOWN:]:
        assert name not in flat(" ".join(page.extract_text() for page in carried_pdf.pages))
    assert f"and {len(ABSENT_EXECUTIVES) - ABSENT_SHOWN} more" in first


def test_page_one_has_the_summary_and_the_level_shares(carried_pdf: PdfReader) -> None:
    first = flat(carried_pdf.pages[0].extract_text())
    assert "Meridian Freight moves refrigerated goods for 140 grocery chains." in first
    assert "Each level's share present" in first
    # The chart draws shares of each level's people, not head counts.
    assert re.search(r"SVP/VP\s*12%", first)  # 3 of 24, rounded half to even
    assert re.search(r"Individual contributor\s*38%", first)  # 902 of 2,400


def test_level_table_gives_each_share_with_what_it_is_of(carried_pdf: PdfReader) -> None:
    text = flat(" ".join(page.extract_text() for page in carried_pdf.pages))
    assert "SVP/VP EXECUTIVE 3 1 +2 12% (3 of 24)" in text
    assert "Individual contributor 902 811 +91 38% (902 of 2,400)" in text
    assert "Unknown 37 52 −15 —" in text


def test_forty_carried_over_items_are_condensed_into_three_pages(carried_pdf: PdfReader) -> None:
    document = carried_over_document(open_items=40)
    carried = document.carried_over()
    assert carried.condensed
    assert len(carried_pdf.pages) <= 3
    text = flat(" ".join(page.extract_text() for page in carried_pdf.pages))
    assert (
        f"40 items still open: {carried.open} open, {carried.in_progress} in progress; "
        f"{carried.overdue} overdue." in text
    )
    # Counts by owner, the busiest first; the others summed on one line.
    for row in carried.owners:
        assert f"{row.owner} {row.open} {row.in_progress} {row.overdue}" in text
    assert len(carried.owners) == OWNERS_SHOWN
    assert f"{carried.other_owners} other owners {carried.other_owner_items} items" in text
    # The overdue items one by one; the rest only counted.
    overdue = [item for item in document.open_items if item.overdue]
    assert overdue
    for item in overdue[:OVERDUE_SHOWN]:
        assert item.description in text
    not_due = [item for item in document.open_items if not item.overdue]
    assert f"{len(not_due)} are not yet overdue" in text
    assert text.count("— raised earlier") == min(len(overdue), OVERDUE_SHOWN)


def test_few_carried_over_items_are_still_listed_in_full() -> None:
    document = typical_document(open_items=5)
    assert not document.carried_over().condensed
    html = render_recap_html(document)
    for item in document.open_items:
        assert item.description in html
    assert "items still open:" not in html


def test_the_online_recap_keeps_every_carried_over_item() -> None:
    document = carried_over_document(open_items=40)
    html = render_recap_html(document)
    assert "<summary>All 40 items still open</summary>" in html
    table = html.split("<details", 1)[1]
    assert table.count("— raised earlier") == 40


def test_carry_over_counts_by_owner_and_status() -> None:
    def entry(owner: str, status: str, due_in_days: int) -> ActionEntry:
        due = SESSION_DATE.replace(day=1) if due_in_days < 0 else SESSION_DATE
        return ActionEntry(
            description=f"{owner} {status} {due_in_days}",
            owner=owner,
            due_on=due,
            status=status,
            session_title="Earlier",
            session_date=SESSION_DATE,
            overdue=due_in_days < 0,
        )

    carried = carry_over(
        [
            entry("Ana", "open", -3),
            entry("Ana", "in_progress", 5),
            entry("Ben", "open", 5),
            entry("Ana", "open", -1),
        ]
    )
    assert [(r.owner, r.open, r.in_progress, r.overdue) for r in carried.owners] == [
        ("Ana", 2, 1, 2),
        ("Ben", 1, 0, 0),
    ]
    assert (carried.total, carried.open, carried.in_progress, carried.overdue) == (4, 3, 1, 2)
    assert (carried.not_due, carried.next_due, carried.undated) == (2, SESSION_DATE, 0)
    assert not carried.condensed


@pytest.mark.parametrize("quotes", range(0, 9))
def test_no_page_ends_with_a_heading(quotes: int) -> None:
    # Each extra quote moves every later heading down by a few lines, so across the range
    # each heading comes near the foot of some page.
    document = carried_over_document(open_items=40)
    document.quotes = typical_document(quotes=quotes).quotes
    reader = pdf_of(document)
    for number, page in enumerate(reader.pages[:-1], start=1):
        lines = body_lines(page.extract_text(), document.company_name)
        assert lines, number
        assert lines[-1] not in HEADINGS, (number, lines[-3:])


def test_a_long_title_is_cut_to_one_line_in_the_running_header() -> None:
    document = carried_over_document(open_items=40, title=LONG_TITLE)
    assert len(document.session_title) == 200
    reader = pdf_of(document)
    assert len(reader.pages) >= 2
    for page in reader.pages[1:]:
        header = [
            line for line in page.extract_text().splitlines() if line.endswith("· 12 Mar 2026")
        ]
        assert len(header) == 1, header  # one line, not a wrapped block over the page
        shown = header[0].removeprefix("Northwind Outfitters").strip()
        assert shown.endswith("… · 12 Mar 2026")
        assert len(shown) <= 56 + len(" · 12 Mar 2026")
        assert LONG_TITLE.startswith(shown.removesuffix("… · 12 Mar 2026"))
    # Page 1 still shows the whole title, as the heading.
    assert LONG_TITLE in flat(reader.pages[0].extract_text())


def test_logo_is_on_page_one_the_recap_page_and_company_name_in_the_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (90, 30), "#7a1f5c").save(logo)
    monkeypatch.setattr(get_settings(), "recap_logo", logo)
    document = carried_over_document(open_items=3)
    reader = pdf_of(document)
    assert [image.image.size for image in reader.pages[0].images] == [(90, 30)]  # type: ignore[union-attr]
    html = render_recap_html(document)
    assert '<img class="recap-logo" src="data:image/png;base64,' in html
    assert 'alt="Northwind Outfitters"' in html
    monkeypatch.setattr(get_settings(), "recap_logo", None)
    assert "recap-logo" not in render_recap_html(document)
    assert not pdf_of(document).pages[0].images


def test_first_paragraph_keeps_its_markup_and_gives_plain_text() -> None:
    markup, text = first_paragraph(
        "<h3>Context</h3><ul><li><p>Not this</p></li></ul>"
        "<p>Fix the <strong>first month</strong> &amp; we stay.</p><p>Second.</p>"
    )
    assert markup == "Fix the <strong>first month</strong> &amp; we stay."
    assert text == "Fix the first month & we stay."
    assert first_paragraph("<ul><li>Only a list</li></ul>") == ("", "")
