"""The recap, digest and reminder emails: HTML with inline styles, a plain-text twin, headers.

Composers return the message without From, To, Message-ID and Date: the mail sender adds
those (`app.mail.sender`). The recap's PDF is the one stored for its version, rendered once by
its own job before the sender takes the delivery, so every recipient gets the same bytes.
"""

import re
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.commitments.links import commitment_link
from app.config import get_settings
from app.distribution import links
from app.distribution.schemas import DigestDocument
from app.distribution.sending import recap_and_version
from app.errors import NotFound
from app.mail.compose import composes, new_message, render_email
from app.models import (
    ActionItem,
    Cadence,
    Customer,
    Delivery,
    DeliveryKind,
    Digest,
    DistributionList,
    RecapStatus,
    RecapVersion,
    RenderedPdf,
    StorySession,
    User,
    utcnow,
)
from app.recaps.document import RecapDocument, first_paragraph
from app.templating import local_datetime

QUOTES_IN_EMAIL = 2
LOGO_CID = "recap-logo@storyroom"
"""The Content-ID of the logo attached to the recap email's HTML (mail clients block data:)."""


def long_date(value: date) -> str:
    """e.g. '3 March 2026' (no zero padding, on every platform)."""
    return f"{value.day} {value.strftime('%B %Y')}"


def _attach_pdf(message: EmailMessage, pdf: RenderedPdf, filename: str) -> None:
    message.add_attachment(pdf.content, maintype="application", subtype="pdf", filename=filename)


def _attach_logo(message: EmailMessage, content: bytes, mime_type: str) -> None:
    """The logo as an inline part of the HTML body (multipart/related), shown as cid:."""
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    maintype, subtype = mime_type.split("/", 1)
    html.add_related(
        content, maintype=maintype, subtype=subtype, cid=f"<{LOGO_CID}>", filename="logo"
    )


def _filename(*parts: str) -> str:
    """An attachment name every mail client keeps: ASCII letters, digits, dashes."""
    text = " ".join(parts)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
    return f"{slug[:100] or 'document'}.pdf"


def _list_headers(session: Session, delivery: Delivery) -> tuple[dict[str, str], str]:
    """List-Id always, List-Unsubscribe (RFC 8058 one-click) where opting out is allowed.

    Returns the headers and the unsubscribe URL shown in the body (or "").
    """
    dlist = session.get(DistributionList, delivery.list_id) if delivery.list_id else None
    if dlist is None:
        return {}, ""
    headers = {"List-Id": links.list_id_header(dlist)}
    if not dlist.allow_unsubscribe:
        return headers, ""
    url = links.unsubscribe_link(delivery)
    headers["List-Unsubscribe"] = f"<{url}>"
    headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers, url


def _organizer_email(session: Session, story_session: StorySession | None) -> str:
    if story_session is None or story_session.organizer_id is None:
        return ""
    organizer = session.get(User, story_session.organizer_id)
    return organizer.email if organizer is not None and organizer.active else ""


def recap_context(doc: RecapDocument) -> dict[str, Any]:
    """What the recap email says, worked out once from the frozen document."""
    attendance = doc.attendance
    executive_levels = [level for level in attendance.levels if level.is_executive]
    executives = (
        attendance.executives_present
        if attendance.executives_present is not None
        else sum(level.attendees for level in executive_levels)
    )
    of_expected = (
        f" of {attendance.executives_expected:,}"
        if attendance.executives_present is not None and attendance.executives_expected
        else ""
    )
    still_open = [item for item in doc.action_items if item.status != "done"]
    open_actions = len(still_open) + len(doc.open_items)
    people = "person" if attendance.attendees == 1 else "people"
    if executives and of_expected:
        headline = (
            f"{attendance.attendees:,} {people} attended; "
            f"{executives:,}{of_expected} executives were there."
        )
    elif executives:
        headline = f"{attendance.attendees:,} {people} attended, {executives:,} of them executives."
    else:
        headline = f"{attendance.attendees:,} {people} attended; no executive was there."
    new = f"{len(doc.action_items)} new action item{'' if len(doc.action_items) == 1 else 's'}"
    earlier = f"{len(doc.open_items)} still open from earlier sessions"
    overdue = sum(item.overdue for item in doc.open_items)
    actions_line = f"{new}; {earlier}" + (f" ({overdue} overdue)." if overdue else ".")
    lead_html, lead_text = first_paragraph(doc.summary_html)
    kept = doc.commitments_kept()
    commitments_line = (
        f"Leaders' commitments from earlier sessions: {kept.done} done, {kept.dropped} "
        f"dropped, {kept.open} open" + (f" ({kept.overdue} overdue)." if kept.overdue else ".")
        if kept.total
        else ""
    )
    return {
        "doc": doc,
        "date": long_date(doc.starts_at.astimezone(ZoneInfo(doc.timezone)).date()),
        "lead_html": lead_html,
        "lead_text": lead_text,
        "executives": executives,
        "executives_of": of_expected,
        "headline": headline,
        "level_line": executive_levels,
        "quotes": doc.quotes[:QUOTES_IN_EMAIL],
        "open_actions": open_actions,
        "actions_line": actions_line,
        "commitments_line": commitments_line,
    }


def recap_pdf_filename(doc: RecapDocument) -> str:
    """The recap PDF's name, attached to the email or downloaded from the recipient's page."""
    date = long_date(doc.starts_at.astimezone(ZoneInfo(doc.timezone)).date())
    return _filename("Recap", doc.session_title, date)


@composes(DeliveryKind.recap)
def compose_recap(session: Session, delivery: Delivery) -> EmailMessage:
    """The recap summary with the PDF attached and the recipient's own signed link."""
    from app.recaps.render import pdf_for_version, recap_logo

    version = session.get(RecapVersion, delivery.recap_version_id or 0)
    if version is None:
        raise NotFound(f"Delivery {delivery.id}: its recap version no longer exists.")
    doc = RecapDocument.model_validate(version.document)
    context = recap_context(doc)
    now = utcnow()
    expires = now + timedelta(days=get_settings().recap_link_days)
    dlist = session.get(DistributionList, delivery.list_id) if delivery.list_id else None
    headers, unsubscribe_url = _list_headers(session, delivery)
    reply_to = _organizer_email(session, session.get(StorySession, doc.session_id))
    if reply_to:
        headers["Reply-To"] = reply_to
    logo = recap_logo()
    text, html = render_email(
        "recap",
        {
            **context,
            "company_name": doc.company_name,
            "preheader": context["headline"],
            "link": links.recap_link(delivery, now=now),
            "link_expires": long_date(expires.date()),
            # Only people in the directory can own a commitment: outsiders get no such link.
            "commitment_link": commitment_link(
                person_id=delivery.person_id, session_id=doc.session_id, now=now
            )
            if delivery.person_id is not None
            else "",
            "list_name": dlist.name if dlist else "",
            "unsubscribe_url": unsubscribe_url,
            "logo_src": f"cid:{LOGO_CID}" if logo else "",
        },
    )
    subject = f"Recap: {doc.session_title} — {context['date']}"
    message = new_message(subject, text, html, headers)
    if logo is not None:
        _attach_logo(message, logo.content, logo.mime_type)
    pdf = pdf_for_version(session, version)
    if pdf is None:  # the sender claims a recap once its PDF is stored: only a race gets here
        raise NotFound(f"The PDF of recap version {version.number} is not made yet; resend it.")
    _attach_pdf(message, pdf, recap_pdf_filename(doc))
    return message


@composes(DeliveryKind.recap_test)
def compose_recap_test(session: Session, delivery: Delivery) -> EmailMessage:
    """The recap email as a recipient gets it, for the organizer alone, marked as a test."""
    message = compose_recap(session, delivery)
    message.replace_header("Subject", f"[Test] {message['Subject']}")
    return message


def digest_title(doc: DigestDocument) -> str:
    count = len(doc.sessions)
    kind = "Weekly" if doc.cadence is Cadence.weekly else "Monthly"
    return f"{kind} digest: {count} customer-story session{'' if count == 1 else 's'}"


def digest_period(doc: DigestDocument) -> str:
    """e.g. '2 March to 8 March 2026', in the list's timezone."""
    zone = ZoneInfo(doc.timezone)
    start = doc.period_start.astimezone(zone).date()
    end = doc.period_end.astimezone(zone).date()
    return f"{start.day} {start.strftime('%B')} to {long_date(end)}"


@composes(DeliveryKind.digest)
def compose_digest(session: Session, delivery: Delivery) -> EmailMessage:
    """A list's digest: the sessions since the last one, with the digest PDF attached."""
    digest = session.get(Digest, delivery.digest_id or 0)
    if digest is None:
        raise NotFound(f"Delivery {delivery.id}: its digest no longer exists.")
    doc = DigestDocument.model_validate(digest.document)
    executives = sum(s.executives for s in doc.sessions)
    attendees = sum(s.attendees for s in doc.sessions)
    headers, unsubscribe_url = _list_headers(session, delivery)
    title = digest_title(doc)
    period = digest_period(doc)
    text, html = render_email(
        "digest",
        {
            "doc": doc,
            "company_name": doc.company_name,
            "title": title,
            "period": period,
            "attendees": attendees,
            "executives": executives,
            "preheader": f"{period}: {attendees:,} attendees, {executives:,} executives.",
            "unsubscribe_url": unsubscribe_url,
        },
    )
    message = new_message(f"{title} — {period}", text, html, headers)
    pdf = session.get(RenderedPdf, digest.pdf_id) if digest.pdf_id else None
    if pdf is not None:
        _attach_pdf(message, pdf, _filename(doc.list_name, "digest", period))
    return message


@composes(DeliveryKind.recap_overdue)
def compose_recap_overdue(session: Session, delivery: Delivery) -> EmailMessage:
    """A nudge to the organizer of a completed session whose recap was not sent."""
    story_session = session.get(StorySession, delivery.session_id or 0)
    if story_session is None:
        raise NotFound(f"Delivery {delivery.id}: its session no longer exists.")
    recap, _version = recap_and_version(session, story_session=story_session)
    status = {
        None: "not started",
        RecapStatus.draft: "a draft, not yet approved",
        RecapStatus.approved: "approved, not yet sent",
        RecapStatus.sent: "sent",
    }[recap.status if recap else None]
    customer = session.get(Customer, story_session.customer_id or 0)
    end = story_session.starts_at.timestamp() + story_session.duration_minutes * 60
    ended = local_datetime(
        datetime.fromtimestamp(end, story_session.starts_at.tzinfo), story_session.timezone
    )
    text, html = render_email(
        "recap_overdue",
        {
            "title": story_session.title,
            "customer": customer.name if customer else "the customer",
            "ended": ended,
            "hours": get_settings().recap_reminder_hours,
            "status": status,
            "url": links.public_url(f"/sessions/{story_session.id}/recap"),
            "preheader": f"The recap of {story_session.title} is {status}.",
        },
    )
    return new_message(f"Reminder: send the recap of “{story_session.title}”", text, html)


@composes(DeliveryKind.action_due)
def compose_action_due(session: Session, delivery: Delivery) -> EmailMessage:
    """A reminder to an action item's owner that it is due (or overdue)."""
    item = session.get(ActionItem, delivery.action_item_id or 0)
    if item is None:
        raise NotFound(f"Delivery {delivery.id}: its action item no longer exists.")
    story_session = session.get(StorySession, item.session_id)
    customer = session.get(Customer, story_session.customer_id or 0) if story_session else None
    due = date.fromisoformat(delivery.payload.get("due_on") or str(item.due_on))
    today = date.fromisoformat(delivery.payload.get("today") or str(due))
    overdue = due < today
    text, html = render_email(
        "action_due",
        {
            "description": item.description,
            "session_title": story_session.title if story_session else "",
            "customer": customer.name if customer else "",
            "due": long_date(due),
            "overdue": overdue,
            "status": item.status.value.replace("_", " "),
            "url": links.public_url(f"/sessions/{item.session_id}"),
            "preheader": f"Due {long_date(due)}: {item.description}",
        },
    )
    short = item.description if len(item.description) <= 80 else item.description[:77] + "…"
    message = new_message(f"{'Overdue' if overdue else 'Due today'}: {short}", text, html)
    reply_to = _organizer_email(session, story_session)
    if reply_to:
        message["Reply-To"] = reply_to
    return message
