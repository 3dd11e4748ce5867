"""Themes across ten monthly sessions, with hand-counted figures, for the themes tests.

Sessions s1..s10 are held (completed) on the 5th of January to October 2026, all for the
customer Meridian Freight; s11 (November) is still scheduled and `cancelled` was cancelled.
The last 8 sessions held are s3..s10.

    Billing     s1 s3 s5 s6 s8 s10 (and the scheduled s11)  6 sessions, 5 of the last 8
    Onboarding  s9 s10                                      2 sessions, 2 of the last 8
    Support     s1 s2                                       2 sessions, 0 of the last 8
    Pricing     no recap; one open action item (s4)         0 sessions
    Unused      nothing                                     not listed

Attendees (attended): s1 ceo, ic1 · s3 vp, ic1, ic2 · s5 dir · s9 ic2 · s10 ceo, vp.
So Billing was heard by C-suite 1, SVP/VP 1, Director 1, Individual contributor 2;
Onboarding by C-suite 1, SVP/VP 1, Individual contributor 1; Support by C-suite 1, IC 1.

Quotes (Billing's recaps): s1 Ana Ruiz (named, CFO), s3 Tom Okafor (company only), s5 Lee
(consent withdrawn: never shown). Action items: Billing s3 open, s6 in progress, s5 done;
Support s2 done; Pricing s4 open. Commitments: Billing vp after s3; Support ic1 after s2.
Figures: Billing 4 customers affected; Support 3 customers and 1,000 at risk.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, select

from app.models import (
    ActionItem,
    ActionStatus,
    Commitment,
    Consent,
    Person,
    Recap,
    RecapQuote,
    SessionStatus,
    StorySession,
    Theme,
)
from app.recaps.themes import set_themes
from tests.factories import (
    create_attendance,
    create_customer,
    create_person,
    create_session,
    create_speaker,
)

TAGS = {
    1: ["Billing", "Support"],
    2: ["Support"],
    3: ["Billing"],
    5: ["Billing"],
    6: ["Billing"],
    8: ["Billing"],
    9: ["Onboarding"],
    10: ["Billing", "Onboarding"],
    11: ["Billing"],
}


@dataclass
class ThemeOrg:
    sessions: dict[int, StorySession]
    people: dict[str, Person]
    themes: dict[str, Theme]
    recaps: dict[int, Recap]


def recap_for(db: Session, story_session: StorySession) -> Recap:
    recap = db.exec(select(Recap).where(Recap.session_id == story_session.id)).first()
    if recap is None:
        recap = Recap(session_id=story_session.id or 0, summary="What we heard.")
        db.add(recap)
        db.flush()
    return recap


def build_themes(db: Session) -> ThemeOrg:
    customer = create_customer(db, name="Meridian Freight")
    sessions = {
        n: create_session(
            db,
            title=f"Session {n}",
            starts_at=datetime(2026, n, 5, 15, 0, tzinfo=UTC),
            status=SessionStatus.completed if n <= 10 else SessionStatus.scheduled,
            customer=customer,
        )
        for n in range(1, 12)
    }
    create_session(
        db,
        title="Cancelled",
        starts_at=datetime(2026, 4, 20, 15, 0, tzinfo=UTC),
        status=SessionStatus.cancelled,
        customer=customer,
    )
    people = {
        key: create_person(db, email=f"{key}@example.com", name=key.upper(), level_key=level)
        for key, level in (
            ("ceo", "c-suite"),
            ("vp", "vp"),
            ("dir", "director"),
            ("ic1", "ic"),
            ("ic2", "ic"),
        )
    }
    for n, keys in ((1, ["ceo", "ic1"]), (3, ["vp", "ic1", "ic2"]), (5, ["dir"]), (9, ["ic2"])):
        for key in keys:
            create_attendance(db, story_session=sessions[n], person=people[key])
    for key in ("ceo", "vp"):
        create_attendance(db, story_session=sessions[10], person=people[key])
    recaps = {}
    for n, names in TAGS.items():
        recaps[n] = recap_for(db, sessions[n])
        set_themes(db, recap=recaps[n], names=names)
    themes = {theme.name: theme for theme in db.exec(select(Theme)).all()}
    for name in ("Pricing", "Unused"):
        themes[name] = Theme(name=name, key=name.lower())
        db.add(themes[name])
    db.flush()
    for n, name, title, consent, text in (
        (1, "Ana Ruiz", "CFO", Consent.named, "Every invoice needs three emails."),
        (3, "Tom Okafor", "Dispatch lead", Consent.company_only, "We stopped reading invoices."),
        (5, "Lee", "Buyer", Consent.none, "Not to be quoted."),
    ):
        speaker = create_speaker(db, sessions[n], name=name, title=title, consent=Consent.named)
        db.add(RecapQuote(recap_id=recaps[n].id or 0, speaker_id=speaker.id or 0, text=text))
        db.flush()
        # Consent withdrawn after the quote was taken: it must drop out everywhere.
        speaker.consent = consent
        db.add(speaker)
    for n, theme, description, status in (
        (3, "Billing", "Send one invoice per delivery", ActionStatus.open),
        (6, "Billing", "Show the contract to support", ActionStatus.in_progress),
        (5, "Billing", "Fix the invoice PDF", ActionStatus.done),
        (2, "Support", "Staff the phone line", ActionStatus.done),
        (4, "Pricing", "Publish the price list", ActionStatus.open),
    ):
        db.add(
            ActionItem(
                session_id=sessions[n].id or 0,
                description=description,
                status=status,
                owner_id=people["dir"].id,
                theme_id=themes[theme].id,
            )
        )
    for n, theme, key, text in (
        (3, "Billing", "vp", "My team calls every billing complaint back"),
        (2, "Support", "ic1", "I will sit with support for a day"),
    ):
        db.add(
            Commitment(
                session_id=sessions[n].id or 0,
                person_id=people[key].id or 0,
                text=text,
                theme_id=themes[theme].id,
            )
        )
    themes["Billing"].customers_affected = 4
    themes["Support"].customers_affected = 3
    themes["Support"].revenue_at_risk = 1000
    db.add_all([themes["Billing"], themes["Support"]])
    db.flush()
    return ThemeOrg(sessions=sessions, people=people, themes=themes, recaps=recaps)
