"""The recap being written: its summary and themes saved and shown, and every recap listed."""

from sqlmodel import Session, col, func, select

from app.db import id_of
from app.models import ActionItem, Customer, Recap, RecapStatus, SessionSpeaker, StorySession
from app.recaps import builder
from app.recaps.editing import get_recap, start_edit
from app.recaps.markdown import render_markdown
from app.recaps.quotes import list_quotes
from app.recaps.schemas import RecapListItem, RecapRead, RecapUpdate
from app.recaps.themes import set_themes
from app.story_sessions.schemas import SpeakerRead


def update_recap(session: Session, *, story_session: StorySession, data: RecapUpdate) -> Recap:
    """Save the summary and, when given, replace the themes."""
    recap = start_edit(session, story_session=story_session)
    recap.summary = data.summary
    if data.themes is not None:
        set_themes(session, recap=recap, names=data.themes)
    session.add(recap)
    session.flush()
    return recap


def describe_recap(session: Session, *, story_session: StorySession) -> RecapRead:
    """The working recap as the API shows it (an empty draft before the first edit)."""
    recap = get_recap(session, story_session=story_session)
    items = session.exec(
        select(func.count()).where(ActionItem.session_id == story_session.id)
    ).one()
    return RecapRead(
        id=recap.id if recap else None,
        session_id=id_of(story_session),
        session_title=story_session.title,
        status=recap.status if recap else RecapStatus.draft,
        latest_version=recap.latest_version if recap else 0,
        summary=recap.summary if recap else "",
        summary_html=render_markdown(recap.summary) if recap else "",
        themes=builder.recap_theme_names(session, recap.id if recap else None),
        speakers=[
            SpeakerRead.model_validate(speaker)
            for speaker in session.exec(
                select(SessionSpeaker)
                .where(SessionSpeaker.session_id == story_session.id)
                .order_by(col(SessionSpeaker.id))
            )
        ],
        quotes=list_quotes(session, story_session=story_session),
        action_items=items,
        updated_at=recap.updated_at if recap else None,
    )


def list_recaps(
    session: Session, *, status: RecapStatus | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[RecapListItem], int]:
    """Every recap, the most recent session first."""
    query = select(Recap, StorySession, Customer.name).join(
        StorySession, col(StorySession.id) == Recap.session_id
    )
    query = query.join(Customer, col(Customer.id) == StorySession.customer_id, isouter=True)
    if status is not None:
        query = query.where(Recap.status == status)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(StorySession.starts_at).desc(), col(Recap.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        RecapListItem(
            session_id=id_of(story),
            session_title=story.title,
            starts_at=story.starts_at,
            timezone=story.timezone,
            customer=customer or "",
            status=recap.status,
            latest_version=recap.latest_version,
            updated_at=recap.updated_at,
        )
        for recap, story, customer in rows
    ], total
