"""Demo recaps: one per completed session since the CEO asked for them, approved in turn.

Sessions are replayed in order: each session's action items are created the day after it,
progress on earlier items is recorded as it would have happened, and the recap is approved two
days after the session, so every frozen version shows what was open and done at that time.
Some items stay open for months (a few overdue), others are closed with dated updates.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.audit import service as audit
from app.db import id_of
from app.demo.attendance import recap_programme_start
from app.demo.people import DemoPeople
from app.demo.story_sessions import DemoSessions
from app.models import (
    ActionItem,
    ActionStatus,
    Consent,
    Customer,
    Recap,
    RecapVersion,
    SessionSpeaker,
    StorySession,
)
from app.recaps.action_items import add_action_update, create_action_item
from app.recaps.approval import approve_recap
from app.recaps.quotes import add_quote
from app.recaps.schemas import ActionItemCreate, ActionUpdateCreate, QuoteCreate, RecapUpdate
from app.recaps.working_copy import update_recap

THEMES = (
    "Onboarding",
    "Billing and invoicing",
    "Support responsiveness",
    "Delivery windows",
    "Product quality",
    "Account management",
    "Ordering portal",
    "Sizing and returns",
    "Sustainability",
    "Pricing and contracts",
)
QUOTES = (
    "We uploaded the same certificate three times in the first week, and nobody could tell us "
    "which upload counted.",
    "Your people on the phone are lovely. The problem is everything they have to ask someone "
    "else about.",
    "When the order was late you called us before we noticed. That is the reason we renewed.",
    "I can see what I ordered, but not where it is. My site managers ring me, and I ring you.",
    "The invoice lists forty lines and none of them matches a delivery note.",
    "Give me one person who owns our account end to end and I will stop emailing your CEO.",
    "The new portal saves my team a morning every week. Nobody told us it existed until March.",
    "Returns take six weeks. By then the new starter has left or bought their own boots.",
    "Your sales team promised a fitting day on site. We are still waiting for the date.",
    "We chose you because the kit lasts. We stay because of two people in your support team.",
    "Our finance director asked me where the fabrics come from, and I had no answer to give.",
    "A pilot of forty people is easy. A rollout to fifteen hundred showed every crack.",
)
SUMMARY_OPENINGS = (
    "{customer} told us, in their own words, what it is like to work with us.",
    "{customer} walked us through a year as our customer, with the good and the painful.",
    "A candid hour with {customer}: what works, what does not, and what they need next.",
)
SUMMARY_POINTS = (
    "Onboarding asks for the same documents several times, in different tools.",
    "Support is quick and friendly, but cannot see contracts, so billing questions wait days.",
    "Delivery windows are missed when orders change after the carrier cut-off.",
    "The ordering portal is liked by those who found it; most users never heard of it.",
    "Returns take too long for a customer that hires every week.",
    "The account team changed three times in a year, and each handover lost history.",
    "Invoices do not match delivery notes line by line, so finance rejects them.",
    "Product quality is the reason they chose us, and still the reason they stay.",
)
ACTIONS = (
    # What each item does, and the theme it answers.
    ("Collect carrier documents once, in one place, during onboarding", "Onboarding"),
    ("Give support read access to contract terms for billing questions", "Billing and invoicing"),
    ("Send a proactive alert when a delivery window will be missed", "Delivery windows"),
    ("Introduce the ordering portal in every onboarding call", "Ordering portal"),
    ("Cut the returns cycle for uniforms to under two weeks", "Sizing and returns"),
    (
        "Name one account owner per key customer and publish the handover checklist",
        "Account management",
    ),
    ("Print the delivery note number on every invoice line", "Billing and invoicing"),
    ("Publish where our fabrics come from, by product line", "Sustainability"),
    ("Offer an on-site fitting day within a month of signature", "Sizing and returns"),
    ("Review the certification quiz with three customer admins", "Onboarding"),
)
PROGRESS_NOTES = (
    "Scoped with the team; first draft shared with two customers.",
    "Pilot running in one region; early feedback is positive.",
    "Blocked on a vendor contract; escalated to the sponsor.",
    "Design agreed, build starts next sprint.",
)
DONE_NOTES = (
    "Live for all customers; announced in the newsletter.",
    "Rolled out; the customer confirmed it fixed their issue.",
    "Done. Measured a clear drop in related support tickets.",
)


@dataclass(order=True)
class _Event:
    """Progress on an action item, applied once the replay reaches its time."""

    at: datetime
    item_id: int
    note: str
    status: ActionStatus


def load_recaps(
    session: Session,
    *,
    sessions: DemoSessions,
    people: DemoPeople,
    rng: random.Random,
    now: datetime,
) -> int:
    """Write, progress and approve a recap for each completed session since the programme began.

    Written by the system: no user edited or approved the demo's recaps.
    """
    with audit.acting_as(audit.SYSTEM):
        return _load_recaps(session, sessions=sessions, people=people, rng=rng, now=now)


def _load_recaps(
    session: Session,
    *,
    sessions: DemoSessions,
    people: DemoPeople,
    rng: random.Random,
    now: datetime,
) -> int:
    from app.demo import COMPANY  # the package imports this module: read it once loaded

    start = recap_programme_start(now)
    stories = session.exec(
        select(StorySession)
        .where(
            col(StorySession.id).in_(sessions.completed_ids),
            col(StorySession.starts_at) >= start,
        )
        .order_by(col(StorySession.starts_at))
    ).all()
    owners = people.ids_by_level.get("vp", []) + people.ids_by_level.get("director", [])
    if not owners:
        owners = [people.host_id]
    events: list[_Event] = []
    made = 0
    for index, story in enumerate(stories):
        created = story.starts_at + timedelta(days=1)
        approved = story.starts_at + timedelta(days=2)
        _write(session, story, rng)
        for item in _action_items(session, story, rng, owners=owners, created=created):
            events.extend(
                _progress(item, rng, created=created, now=now, recent=index >= len(stories) - 2)
            )
        events.sort()
        while events and events[0].at <= approved:
            _apply(session, events.pop(0))
        approve_recap(
            session, story_session=story, now=min(approved, now), render=False, company_name=COMPANY
        )
        made += 1
    for event in events:
        if event.at <= now:
            _apply(session, event)
    return made


def queue_pdfs(session: Session, *, sessions: DemoSessions) -> int:
    """Have the worker render every demo recap's PDF once the demo is committed, the newest
    first (the one a visitor opens first), so nobody waits for one; return how many."""
    from app.recaps.tasks import schedule_pdf

    versions = session.exec(
        select(RecapVersion)
        .join(Recap, col(Recap.id) == RecapVersion.recap_id)
        .where(
            col(Recap.session_id).in_(sessions.completed_ids),
            RecapVersion.number == Recap.latest_version,
            col(RecapVersion.pdf_id).is_(None),
        )
        .order_by(col(RecapVersion.approved_at).desc(), col(RecapVersion.id).desc())
    ).all()
    for version in versions:
        schedule_pdf(session, version)
    return len(versions)


def _customer(session: Session, story: StorySession) -> str:
    customer = session.get(Customer, story.customer_id) if story.customer_id else None
    return customer.name if customer else "The customer"


def _write(session: Session, story: StorySession, rng: random.Random) -> None:
    customer = _customer(session, story)
    points = rng.sample(SUMMARY_POINTS, 3)
    summary = "\n".join(
        [
            rng.choice(SUMMARY_OPENINGS).format(customer=customer),
            "",
            "**What we heard**",
            "",
            *[f"- {point}" for point in points],
            "",
            f"They would recommend us today *if* we fix the first point. {customer} offered to "
            "review our plan with us next quarter.",
        ]
    )
    themes = rng.sample(THEMES, rng.randint(2, 3))
    update_recap(session, story_session=story, data=RecapUpdate(summary=summary, themes=themes))
    speakers = session.exec(
        select(SessionSpeaker).where(
            SessionSpeaker.session_id == story.id, SessionSpeaker.consent != Consent.none
        )
    ).all()
    if not speakers:
        return  # nobody agreed to be quoted: the summary paraphrases them
    for n, text in enumerate(rng.sample(QUOTES, rng.randint(2, 4))):
        speaker = speakers[n % len(speakers)]
        add_quote(
            session, story_session=story, data=QuoteCreate(speaker_id=id_of(speaker), text=text)
        )


def _action_items(
    session: Session,
    story: StorySession,
    rng: random.Random,
    *,
    owners: list[int],
    created: datetime,
) -> list[ActionItem]:
    items = []
    for description, theme in rng.sample(ACTIONS, rng.randint(2, 3)):
        due = (created + timedelta(days=rng.choice((21, 30, 45, 60, 90)))).date()
        item = create_action_item(
            session,
            story_session=story,
            data=ActionItemCreate(
                description=description, owner_id=rng.choice(owners), due_on=due, theme=theme
            ),
            now=created,
        )
        items.append(item)
    return items


def _progress(
    item: ActionItem, rng: random.Random, *, created: datetime, now: datetime, recent: bool
) -> list[_Event]:
    """What will happen to an item: closed after a while, stuck in progress, or left open."""
    assert item.id is not None
    fate = (
        "open"
        if recent and rng.random() < 0.6
        else rng.choices(("done", "stuck", "open"), (5, 3, 2))[0]
    )
    if fate == "open":
        return []
    started = created + timedelta(days=rng.randint(5, 20))
    events = [_Event(started, item.id, rng.choice(PROGRESS_NOTES), ActionStatus.in_progress)]
    if fate == "done":
        finished = started + timedelta(days=rng.randint(10, 60))
        events.append(_Event(finished, item.id, rng.choice(DONE_NOTES), ActionStatus.done))
    return [event for event in events if event.at <= now]


def _apply(session: Session, event: _Event) -> None:
    item = session.get(ActionItem, event.item_id)
    assert item is not None
    add_action_update(
        session,
        item=item,
        data=ActionUpdateCreate(note=event.note, status=event.status),
        now=event.at,
    )
