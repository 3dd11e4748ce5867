"""The recap PDF, parsed back with pypdf, and the render worker's limits."""

import io
import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from app.config import get_settings
from app.recaps import render
from app.recaps.document import RecapDocument
from app.recaps.pdf_worker import make_url_fetcher
from app.recaps.render import RenderError, recap_pdf_html, render_pdf, render_worker_pid
from tests.recaps.documents import PAYLOADS, hostile_document, huge_document, typical_document

A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)
TINY = "<!doctype html><p>One line.</p>"


def text_of(reader: PdfReader) -> str:
    """All pages' text with runs of whitespace made single spaces."""
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def page_size(reader: PdfReader, index: int = 0) -> tuple[float, float]:
    box = reader.pages[index].mediabox
    return round(float(box.width), 2), round(float(box.height), 2)


@pytest.fixture(scope="module")
def typical() -> RecapDocument:
    return typical_document(quotes=10, action_items=20)


@pytest.fixture(scope="module")
def typical_pdf(typical: RecapDocument) -> PdfReader:
    pdf = render_pdf(recap_pdf_html(typical))
    reader = PdfReader(io.BytesIO(pdf.content))
    assert pdf.pages == len(reader.pages)
    return reader


def test_pdf_contains_the_summary(typical_pdf: PdfReader) -> None:
    text = text_of(typical_pdf)
    assert "Meridian Freight moves refrigerated goods for 140 grocery chains." in text
    assert "Onboarding asks for the same carrier documents three times" in text


def test_pdf_contains_each_quote_with_its_attribution(
    typical_pdf: PdfReader, typical: RecapDocument
) -> None:
    text = text_of(typical_pdf)
    for quote in typical.quotes:
        assert f"“{quote.text}” — {quote.attribution}" in text


def test_pdf_contains_the_action_items(typical_pdf: PdfReader, typical: RecapDocument) -> None:
    text = text_of(typical_pdf)
    for number, item in enumerate(typical.action_items, start=1):
        assert re.search(rf"\b{number} {re.escape(item.description)} {item.owner}", text), item
    for item in typical.open_items:
        assert item.description in text
    assert "Call every customer affected by an outage within the hour" in text


def test_pdf_contains_the_counts_per_level_with_none(typical_pdf: PdfReader) -> None:
    text = text_of(typical_pdf)
    assert "C-suite EXECUTIVE none 1 −1" in text
    assert "SVP/VP EXECUTIVE 3 1 +2" in text
    assert "Individual contributor 902 811 +91" in text
    assert "Unknown 37 52 −15" in text


def test_pdf_is_a4_with_bookmarks_and_page_numbers(
    typical_pdf: PdfReader, typical: RecapDocument
) -> None:
    assert page_size(typical_pdf) == A4
    outline = typical_pdf.outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert titles == [typical.session_title]
    sections = [item.title for item in outline[1] if not isinstance(item, list)]
    assert sections == [
        "Summary",
        "In the customer's words",
        "Who heard it",
        "What we committed to",
        "How it is being addressed",
    ]
    pages = len(typical_pdf.pages)
    assert pages >= 3
    assert f"Page 1 of {pages}" in typical_pdf.pages[0].extract_text()
    assert f"Page {pages} of {pages}" in typical_pdf.pages[-1].extract_text()


def test_pdf_has_the_running_header_from_page_two(
    typical_pdf: PdfReader, typical: RecapDocument
) -> None:
    second = typical_pdf.pages[1].extract_text()
    assert "Northwind Outfitters" in second
    assert f"{typical.session_title} · 12 Mar 2026" in second
    assert f"{typical.session_title} · 12 Mar 2026" not in typical_pdf.pages[0].extract_text()
    assert "Recap version 2 · For internal distribution" in second
    assert typical_pdf.metadata is not None
    assert typical_pdf.metadata.title == (
        f"{typical.session_title} · Customer story recap · Northwind Outfitters"
    )


def test_pdf_on_letter_paper_with_a_logo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 40), "#1f5fbf").save(logo)
    monkeypatch.setattr(get_settings(), "recap_paper", "Letter")
    monkeypatch.setattr(get_settings(), "recap_logo", logo)
    pdf = render_pdf(recap_pdf_html(typical_document(quotes=1, action_items=1, open_items=0)))
    reader = PdfReader(io.BytesIO(pdf.content))
    assert page_size(reader) == LETTER
    assert [image.image.size for image in reader.pages[0].images] == [(120, 40)]  # type: ignore[union-attr]


def test_hostile_recap_renders_its_payloads_as_text() -> None:
    pdf = render_pdf(recap_pdf_html(hostile_document()))
    reader = PdfReader(io.BytesIO(pdf.content))
    text = text_of(reader)
    for payload in PAYLOADS:
        assert payload in text
    for page in reader.pages:
        assert "/Annots" not in page  # no links, so no javascript: action either
        assert not page.images
    assert b"/JavaScript" not in pdf.content
    assert b"/JS" not in pdf.content


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A local web server that records every request it gets."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"p { color: red }")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    thread.join()


def test_renderer_never_fetches_remote_or_outside_files(
    http_server: tuple[str, list[str]],
) -> None:
    url, requests = http_server
    html = (
        f'<link rel="stylesheet" href="{url}/style.css">'
        f'<img src="{url}/pixel.png"><img src="file:///etc/passwd">'
        f"<style>@import url({url}/import.css); p {{ background: url({url}/bg.png) }}</style>"
        '<img src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmci'
        'IHdpZHRoPSI0IiBoZWlnaHQ9IjQiLz4=">'
        "<p>Still rendered.</p>"
    )
    pdf = render_pdf(html)
    assert "Still rendered." in text_of(PdfReader(io.BytesIO(pdf.content)))
    assert requests == []


def test_url_fetcher_allows_data_and_files_under_its_roots_only(tmp_path: Path) -> None:
    allowed = tmp_path / "static"
    allowed.mkdir()
    (allowed / "print.css").write_text("p {}")
    (tmp_path / "secret.txt").write_text("no")
    fetch = make_url_fetcher([allowed])
    assert fetch((allowed / "print.css").as_uri()).read() == b"p {}"
    assert fetch("data:text/plain,hello").read() == b"hello"
    for url in (
        (tmp_path / "secret.txt").as_uri(),
        (allowed / ".." / "secret.txt").as_uri(),
        "http://example.com/x.png",
        "https://example.com/x.png",
        "ftp://example.com/x",
    ):
        with pytest.raises(ValueError, match="refused"):
            fetch(url)


def test_huge_recap_past_the_time_limit_is_refused_clearly() -> None:
    html = recap_pdf_html(huge_document())
    render_pdf(TINY)  # a warm worker: the limit is spent on the recap itself
    with pytest.raises(RenderError) as caught:
        render_pdf(html, timeout=0.5)
    assert caught.value.detail.startswith(
        "The recap took longer than 0.5 s to render, so it was stopped. Shorten it"
    )
    assert render_worker_pid() is None  # killed, not left running
    assert render_pdf(TINY).pages == 1  # and replaced on the next render


def test_worker_killed_mid_render_is_replaced() -> None:
    render_pdf(TINY)
    victim = render_worker_pid()
    assert victim is not None
    html = recap_pdf_html(huge_document(quotes=200, action_items=100))
    errors: list[RenderError] = []

    def long_render() -> None:
        try:
            render_pdf(html)
        except RenderError as exc:
            errors.append(exc)

    thread = threading.Thread(target=long_render)
    thread.start()
    time.sleep(0.3)
    os.kill(victim, signal.SIGKILL)
    thread.join(timeout=30)
    assert [str(error.detail)[:60] for error in errors] == [
        "The PDF renderer stopped while rendering the recap; it has b"
    ]
    assert render_pdf(TINY).pages == 1
    assert render_worker_pid() not in {None, victim}


def test_worker_is_recycled_after_its_quota(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "RECYCLE_AFTER", 2)
    render.stop_render_worker()
    pids = []
    for _ in range(3):
        render_pdf(TINY)
        pids.append(render_worker_pid())
    assert pids[0] == pids[1] != pids[2]


def test_same_html_renders_the_same_bytes() -> None:
    first, second = render_pdf(TINY), render_pdf(TINY)
    assert first.sha256 == second.sha256
    assert len(first.sha256) == 64
    assert first.content.startswith(b"%PDF-")
