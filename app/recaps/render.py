"""Rendering recaps: the HTML shared by the web page and the PDF, and PDFs made out of process.

WeasyPrint never runs in the calling process: one long-lived render worker
(`app.recaps.pdf_worker`) per process renders one document at a time, keeps its fonts warm
between renders, is recycled after `RECYCLE_AFTER` renders, and is killed and replaced when
a render overruns its time limit. Each approved version is rendered once and its bytes stored
(`RenderedPdf`): every download and every recipient gets the same file. No database
transaction is held while a PDF renders (on SQLite it would hold the write lock): the data
is read first, the bytes stored after, in a short transaction of their own.
"""

import base64
import hashlib
import logging
import os
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from markupsafe import Markup
from sqlmodel import Session

from app.config import get_settings
from app.db import open_session
from app.errors import AppError, NotFound
from app.models import RecapVersion, RenderedPdf
from app.recaps.document import RecapDocument
from app.templating import TEMPLATE_DIR, env

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
PDF_ROOTS = (TEMPLATE_DIR / "pdf", STATIC_DIR)
"""The only local folders a PDF may read files from (besides `data:` URLs)."""
RECYCLE_AFTER = 200
"""Renders before the worker is replaced: bounds slow growth inside WeasyPrint (bench/README)."""
LOGO_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg"}


class RenderError(AppError):
    """A PDF could not be made: too slow, or the renderer failed. The message says what to do."""

    status_code = 422


def render_recap_html(document: RecapDocument) -> str:
    """The recap body (everything below the page chrome), as safe markup for any page."""
    logo = recap_logo()
    body = env.get_template("recap/_body.html").render(
        doc=document, for_pdf=False, logo_uri=logo.data_uri if logo else ""
    )
    return Markup(body)  # noqa: S704 - rendered with autoescape: already safe


def pdf_context(*, company_name: str | None = None) -> dict[str, Any]:
    """What `templates/pdf/base.html` needs: company name, logo (a data: URI) and paper size."""
    settings = get_settings()
    return {
        "company_name": company_name if company_name is not None else settings.company_name,
        "logo_uri": logo.data_uri if (logo := recap_logo()) else "",
        "paper": settings.recap_paper,
    }


def recap_pdf_html(document: RecapDocument) -> str:
    """The complete HTML page the recap PDF is rendered from."""
    context = pdf_context(company_name=document.company_name)
    return env.get_template("pdf/recap.html").render(doc=document, for_pdf=True, **context)


def render_pdf(html: str, *, timeout: float | None = None, subject: str = "recap") -> RenderedPdf:
    """Render HTML to a PDF in the render worker; an unsaved RenderedPdf, or RenderError."""
    limit = timeout if timeout is not None else get_settings().render_timeout_seconds
    content, pages = _worker.render(html, limit, subject)
    return RenderedPdf(sha256=hashlib.sha256(content).hexdigest(), content=content, pages=pages)


def pdf_for_version(session: Session, version: RecapVersion) -> RenderedPdf | None:
    """The stored PDF of an approved version, if it has been rendered."""
    return session.get(RenderedPdf, version.pdf_id) if version.pdf_id is not None else None


def ensure_pdf(version_id: int) -> RenderedPdf:
    """The version's PDF: the stored one, or rendered now (holding no transaction) and stored.

    Opens its own sessions; NotFound for a version that does not exist, RenderError when the
    PDF cannot be made.
    """
    with open_session() as session:
        version = session.get(RecapVersion, version_id)
        if version is None:
            raise NotFound(f"There is no recap version with id {version_id}.")
        existing = pdf_for_version(session, version)
        if existing is not None:
            return existing
        html = recap_pdf_html(RecapDocument.model_validate(version.document))
    pdf = render_pdf(html)
    with open_session() as session:
        version = session.get(RecapVersion, version_id)
        if version is None:
            raise NotFound(f"Recap version {version_id} was deleted while its PDF was rendered.")
        stored = attach_pdf(session, version, pdf)
        session.commit()
    return stored


def attach_pdf(session: Session, version: RecapVersion, pdf: RenderedPdf) -> RenderedPdf:
    """Store `pdf` as the version's PDF, unless another render got there first."""
    # Lock the row (PostgreSQL; SQLite's write transaction already serialises) and look
    # again: two jobs for one version must leave one PDF, the one every recipient gets.
    session.refresh(version, with_for_update=True)
    existing = pdf_for_version(session, version)
    if existing is not None:
        return existing
    session.add(pdf)
    session.flush()
    version.pdf_id = pdf.id
    version.render_error = ""
    session.add(version)
    session.flush()
    return pdf


def render_worker_pid() -> int | None:
    """The process id of this process's render worker, if one is running (bench, tests)."""
    return _worker.pid()


def stop_render_worker() -> None:
    """Stop this process's render worker; the next render starts a new one."""
    _worker.stop()


@dataclass(frozen=True)
class Logo:
    """The configured logo's bytes and type, read from its local file (never fetched)."""

    content: bytes
    mime_type: str

    @property
    def data_uri(self) -> str:
        """Embedded as a data: URI, so the renderer never reads outside its folders."""
        return f"data:{self.mime_type};base64,{base64.b64encode(self.content).decode('ascii')}"


@lru_cache(maxsize=4)
def _logo_data(path: Path, _mtime: float) -> Logo | None:
    kind = LOGO_TYPES.get(path.suffix.lower())
    if kind is None:
        log.warning("STORYROOM_RECAP_LOGO %s is not a PNG, SVG or JPEG file; ignored", path)
        return None
    return Logo(path.read_bytes(), kind)


def recap_logo() -> Logo | None:
    """STORYROOM_RECAP_LOGO as read for the PDF, the recap page and the email (None: not set)."""
    path = get_settings().recap_logo
    if path is None:
        return None
    try:
        return _logo_data(path, path.stat().st_mtime)
    except OSError as exc:
        log.warning("STORYROOM_RECAP_LOGO %s cannot be read (%s); rendering without it", path, exc)
        return None


class _RenderWorker:
    """One child process running `app.recaps.pdf_worker`, used by one render at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._connection: Connection | None = None
        self._owner = 0
        self._renders = 0

    def pid(self) -> int | None:
        with self._lock:
            return self._process.pid if self._alive() and self._process else None

    def stop(self) -> None:
        with self._lock:
            self._stop()

    def render(self, html: str, timeout: float, subject: str) -> tuple[bytes, int]:
        with self._lock:
            if not self._alive() or self._renders >= RECYCLE_AFTER:
                self._stop()
                self._start()
            assert self._connection is not None
            try:
                self._connection.send((html, TEMPLATE_DIR.as_uri() + "/"))
                ready = self._connection.poll(timeout)
                reply: tuple[str, Any, int] = self._connection.recv() if ready else ("", b"", 0)
            except (EOFError, OSError):
                self._stop()
                raise RenderError(
                    f"The PDF renderer stopped while rendering the {subject}; it has been "
                    "restarted. Try again; if it happens again, the document may be too large."
                ) from None
            if not ready:
                self._stop()
                raise RenderError(
                    f"The {subject} took longer than {timeout:g} s to render, so it was stopped. "
                    "Shorten it (fewer quotes or action items, a shorter summary) and try again."
                )
            self._renders += 1
            status, payload, pages = reply
            if status != "ok":
                raise RenderError(f"The {subject} could not be rendered as a PDF: {payload}")
            return bytes(payload), pages

    def _alive(self) -> bool:
        # After a fork the child belongs to the parent process: start our own.
        return (
            self._process is not None
            and self._owner == os.getpid()
            and self._process.poll() is None
        )

    def _start(self) -> None:
        ours, theirs = socket.socketpair()
        with theirs:
            self._process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
                [
                    sys.executable,
                    "-m",
                    "app.recaps.pdf_worker",
                    str(theirs.fileno()),
                    *(str(root) for root in PDF_ROOTS),
                ],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
            )
        self._connection = Connection(ours.detach())
        self._owner = os.getpid()
        self._renders = 0

    def _stop(self) -> None:
        process, connection = self._process, self._connection
        self._process = self._connection = None
        if connection is not None:
            connection.close()
        if process is not None and self._owner == os.getpid():
            process.kill()
            process.wait()


_worker = _RenderWorker()
