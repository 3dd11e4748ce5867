"""The scorecard email: the quarter's headline figures, with the scorecard PDF attached."""

from email.message import EmailMessage

from sqlmodel import Session

from app.dashboards.scorecard import ScorecardDocument, quarter_title, scorecard_context
from app.distribution.emails import _attach_pdf, _filename, _list_headers
from app.errors import NotFound
from app.mail.compose import composes, new_message, render_email
from app.models import Delivery, DeliveryKind, DistributionList, RenderedPdf, Scorecard


@composes(DeliveryKind.scorecard)
def compose_scorecard(session: Session, delivery: Delivery) -> EmailMessage:
    """A list's programme scorecard for a quarter (or the quarter so far), PDF attached."""
    scorecard = session.get(Scorecard, delivery.scorecard_id or 0)
    if scorecard is None:
        raise NotFound(f"Delivery {delivery.id}: its scorecard no longer exists.")
    doc = ScorecardDocument.model_validate(scorecard.document)
    dlist = session.get(DistributionList, scorecard.list_id)
    list_name = dlist.name if dlist is not None else ""
    headers, unsubscribe_url = _list_headers(session, delivery)
    title = quarter_title(doc)
    context = scorecard_context(doc)
    text, html = render_email(
        "scorecard",
        {
            **context,
            "company_name": doc.company_name,
            "list_name": list_name,
            "preheader": (
                f"{doc.sessions_held:,} sessions held, {doc.people_reached:,} people reached, "
                f"executive participation {context['pct'](doc.executive_participation)}."
            ),
            "unsubscribe_url": unsubscribe_url,
        },
    )
    message = new_message(f"{title} — {doc.company_name}", text, html, headers)
    pdf = session.get(RenderedPdf, scorecard.pdf_id) if scorecard.pdf_id else None
    if pdf is not None:
        _attach_pdf(message, pdf, _filename(doc.company_name, "scorecard", doc.quarter))
    return message
