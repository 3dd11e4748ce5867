"""The authoring rules: consent, limits, themes, action items, approval and versions."""

from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from app.audit import service as audit
from app.config import get_settings
from app.errors import Conflict, Invalid
from app.models import (
    ActionItem,
    ActionItemUpdate,
    ActionStatus,
    Consent,
    RecapQuote,
    RecapStatus,
    RecapVersion,
    Role,
    SessionStatus,
    StorySession,
    Theme,
    utcnow,
)
from app.recaps.action_items import (
    MAX_ACTION_ITEMS,
    action_item_detail,
    add_action_update,
    create_action_item,
    list_action_items,
    update_action_item,
)
from app.recaps.approval import (
    approve_recap,
    get_version,
    list_versions,
    preview_document,
    version_document,
)
from app.recaps.builder import local_day
from app.recaps.document import RecapDocument
from app.recaps.editing import get_recap
from app.recaps.quotes import MAX_QUOTES, add_quote, list_quotes
from app.recaps.schemas import (
    ActionItemCreate,
    ActionItemFilters,
    ActionItemPatch,
    ActionUpdateCreate,
    QuoteCreate,
    RecapUpdate,
)
from app.recaps.themes import list_themes
from app.recaps.working_copy import describe_recap, update_recap
from tests.factories import (
    create_person,
    create_series,
    create_session,
    create_speaker,
    create_user,
)
from tests.recaps.authoring import acme, completed_session


def _summary(text: str = "They liked us.", themes: list[str] | None = None) -> RecapUpdate:
    return RecapUpdate(summary=text, themes=themes)


def test_update_recap_creates_it_on_first_edit(db: Session) -> None:
    story = completed_session(db)
    assert get_recap(db, story_session=story) is None
    recap = update_recap(db, story_session=story, data=_summary("**Bold** words"))
    assert recap.summary == "**Bold** words"
    assert recap.status is RecapStatus.draft
    read = describe_recap(db, story_session=story)
    assert read.summary_html == "<p><strong>Bold</strong> words</p>\n"


def test_cancelled_session_has_no_recap(db: Session) -> None:
    story = create_session(db, status=SessionStatus.cancelled)
    with pytest.raises(Conflict, match="was cancelled"):
        update_recap(db, story_session=story, data=_summary())
    assert get_recap(db, story_session=story) is None


def test_summary_over_the_limit_is_refused_with_its_length() -> None:
    with pytest.raises(ValueError, match="100,001 characters long; the limit is 100,000"):
        RecapUpdate(summary="x" * 100_001)


@pytest.mark.parametrize(
    ("consent", "expected"),
    [
        (Consent.named, "Ana Ruiz, CFO, Acme Logistics"),
        (Consent.company_only, "Acme Logistics"),
        (Consent.anonymous, "A customer"),
    ],
)
def test_quote_attribution_follows_consent(db: Session, consent: Consent, expected: str) -> None:
    story = completed_session(db, customer=acme(db))
    speaker = create_speaker(db, story, consent=consent)
    add_quote(db, story_session=story, data=QuoteCreate(speaker_id=speaker.id or 0, text="Hi"))
    (quote,) = list_quotes(db, story_session=story)
    assert quote.attribution == expected
    (entry,) = preview_document(db, story_session=story).quotes
    assert (entry.text, entry.attribution) == ("Hi", expected)


def test_speaker_without_consent_cannot_be_quoted(db: Session) -> None:
    story = completed_session(db)
    speaker = create_speaker(db, story, name="Tom Okafor", consent=Consent.none)
    with pytest.raises(Invalid, match="Tom Okafor did not consent to being quoted"):
        add_quote(db, story_session=story, data=QuoteCreate(speaker_id=speaker.id or 0, text="x"))
    assert db.exec(select(RecapQuote)).all() == []


def test_speaker_of_another_session_cannot_be_quoted(db: Session) -> None:
    story = completed_session(db)
    other = completed_session(db, title="Another story")
    stranger = create_speaker(db, other)
    with pytest.raises(Invalid, match="did not speak at “How Acme runs its support desk”"):
        add_quote(db, story_session=story, data=QuoteCreate(speaker_id=stranger.id or 0, text="x"))


def test_withdrawn_consent_drops_the_quote_from_the_document(db: Session) -> None:
    story = completed_session(db)
    speaker = create_speaker(db, story)
    add_quote(db, story_session=story, data=QuoteCreate(speaker_id=speaker.id or 0, text="x"))
    speaker.consent = Consent.none
    db.add(speaker)
    db.flush()
    assert preview_document(db, story_session=story).quotes == []
    assert list_quotes(db, story_session=story)[0].attribution == "Not quoted: consent withdrawn"


def test_the_fifty_first_quote_is_refused(db: Session) -> None:
    story = completed_session(db)
    speaker = create_speaker(db, story)
    data = QuoteCreate(speaker_id=speaker.id or 0, text="Again")
    for _ in range(MAX_QUOTES):
        add_quote(db, story_session=story, data=data)
    with pytest.raises(Invalid, match="already has 50 quotes, the most it can hold is 50"):
        add_quote(db, story_session=story, data=data)
    assert len(list_quotes(db, story_session=story)) == 50


def test_themes_are_reused_case_insensitively_and_suggested_by_prefix(db: Session) -> None:
    first = completed_session(db, title="One")
    second = completed_session(db, title="Two")
    update_recap(db, story_session=first, data=_summary(themes=["Onboarding", "Billing"]))
    update_recap(
        db, story_session=second, data=_summary(themes=["  onboarding ", "ONBOARDING", "Support"])
    )
    assert [t.key for t in db.exec(select(Theme).order_by(Theme.key)).all()] == [
        "billing",
        "onboarding",
        "support",
    ]
    assert describe_recap(db, story_session=second).themes == ["Onboarding", "Support"]
    suggestions, total = list_themes(db, prefix="ON")
    assert [(t.name, t.recaps) for t in suggestions] == [("Onboarding", 2)]
    assert total == 1
    everything, _ = list_themes(db)
    assert [t.name for t in everything] == ["Onboarding", "Billing", "Support"]


def test_theme_prefix_is_not_a_pattern(db: Session) -> None:
    story = completed_session(db)
    update_recap(db, story_session=story, data=_summary(themes=["Billing"]))
    assert list_themes(db, prefix="%")[0] == []
    assert list_themes(db, prefix="_illing")[0] == []


# -- approval ---------------------------------------------------------------------------------


def test_approval_freezes_a_version_and_edits_make_the_next(db: Session) -> None:
    approver = create_user(db, email="boss@example.com", role=Role.organizer)
    audit.act_as(db, approver)
    story = completed_session(db)
    update_recap(db, story_session=story, data=_summary("First"))
    v1 = approve_recap(db, story_session=story)
    recap = get_recap(db, story_session=story)
    assert recap is not None
    assert (v1.number, recap.latest_version, recap.status) == (1, 1, RecapStatus.approved)
    assert v1.approved_by_id == approver.id
    assert v1.document["summary_html"] == "<p>First</p>\n"
    assert v1.document["version"] == 1
    assert v1.document["approved_by"] == "boss"

    with pytest.raises(Conflict, match="Version 1 of this recap is already approved"):
        approve_recap(db, story_session=story)

    update_recap(db, story_session=story, data=_summary("Second"))
    assert recap.status is RecapStatus.draft
    v2 = approve_recap(db, story_session=story)
    assert v2.number == 2
    # Version 1 is kept exactly as it was frozen.
    assert version_document(get_version(db, story_session=story, number=1)).summary_html == (
        "<p>First</p>\n"
    )
    assert [v.number for v in list_versions(db, story_session=story)] == [2, 1]


def test_version_documents_are_not_recomputed(db: Session) -> None:
    user = create_user(db, email="x@example.com")
    audit.act_as(db, user)
    story = completed_session(db)
    update_recap(db, story_session=story, data=_summary("Frozen"))
    version = approve_recap(db, story_session=story)
    story.title = "Renamed later"
    db.add(story)
    db.flush()
    document = version_document(get_version(db, story_session=story, number=version.number))
    assert isinstance(document, RecapDocument)
    assert document.session_title == "How Acme runs its support desk"


@pytest.mark.parametrize("edit", ["quote", "theme", "action item", "new action item"])
def test_any_edit_after_approval_returns_the_recap_to_draft(db: Session, edit: str) -> None:
    user = create_user(db, email="x@example.com")
    audit.act_as(db, user)
    story = completed_session(db)
    speaker = create_speaker(db, story)
    item = create_action_item(db, story_session=story, data=ActionItemCreate(description="Fix it"))
    update_recap(db, story_session=story, data=_summary("Done"))
    approve_recap(db, story_session=story)
    if edit == "quote":
        add_quote(db, story_session=story, data=QuoteCreate(speaker_id=speaker.id or 0, text="q"))
    elif edit == "theme":
        update_recap(db, story_session=story, data=_summary("Done", ["New"]))
    elif edit == "action item":
        update_action_item(db, item=item, data=ActionItemPatch(description="Fix it now"))
    else:
        create_action_item(db, story_session=story, data=ActionItemCreate(description="Another"))
    recap = get_recap(db, story_session=story)
    assert recap is not None
    assert recap.status is RecapStatus.draft
    assert approve_recap(db, story_session=story).number == 2


def test_approving_without_a_recap_is_a_conflict(db: Session) -> None:
    user = create_user(db, email="x@example.com")
    audit.act_as(db, user)
    story = completed_session(db)
    with pytest.raises(Conflict, match="has no recap yet"):
        approve_recap(db, story_session=story)
    assert db.exec(select(RecapVersion)).all() == []


# -- action items -----------------------------------------------------------------------------


def test_action_item_owner_by_email_and_due_date_not_in_the_past(db: Session) -> None:
    story = completed_session(db)
    owner = create_person(db, email="Grace@Example.com", name="Grace Hopper")
    item = create_action_item(
        db,
        story_session=story,
        data=ActionItemCreate(description="Call them", owner_email="GRACE@example.com"),
    )
    assert item.owner_id == owner.id
    with pytest.raises(Invalid, match=r"No one in the directory has the email nobody@example\.com"):
        create_action_item(
            db,
            story_session=story,
            data=ActionItemCreate(description="x", owner_email="nobody@example.com"),
        )
    yesterday = utcnow().date() - timedelta(days=2)
    with pytest.raises(Invalid, match=f"The due date {yesterday.isoformat()} is in the past"):
        create_action_item(
            db, story_session=story, data=ActionItemCreate(description="x", due_on=yesterday)
        )


def test_done_sets_and_reopening_clears_done_at_with_dated_updates(db: Session) -> None:
    story = completed_session(db)
    item = create_action_item(db, story_session=story, data=ActionItemCreate(description="x"))
    add_action_update(
        db, item=item, data=ActionUpdateCreate(note="Shipped", status=ActionStatus.done)
    )
    assert item.status is ActionStatus.done
    assert item.done_at is not None
    update_action_item(db, item=item, data=ActionItemPatch(status=ActionStatus.open))
    assert item.status is ActionStatus.open  # type: ignore[comparison-overlap]
    assert item.done_at is None
    notes = [u.note for u in action_item_detail(db, item=item).updates]
    assert notes == ["Reopened.", "Shipped"]
    assert len(db.exec(select(ActionItemUpdate)).all()) == 2


def test_the_hundred_and_first_action_item_is_refused(db: Session) -> None:
    story = completed_session(db)
    for n in range(MAX_ACTION_ITEMS):
        create_action_item(db, story_session=story, data=ActionItemCreate(description=f"#{n}"))
    with pytest.raises(Invalid, match="already has 100 action items"):
        create_action_item(db, story_session=story, data=ActionItemCreate(description="one more"))


def test_action_item_list_filters_and_puts_overdue_first(db: Session) -> None:
    story = completed_session(db)
    owner = create_person(db)
    late = create_action_item(db, story_session=story, data=ActionItemCreate(description="late"))
    late.due_on = utcnow().date() - timedelta(days=3)  # was due before today
    soon = create_action_item(
        db,
        story_session=story,
        data=ActionItemCreate(
            description="soon", owner_id=owner.id, due_on=utcnow().date() + timedelta(days=3)
        ),
    )
    create_action_item(
        db, story_session=story, data=ActionItemCreate(description="done", status=ActionStatus.done)
    )
    db.flush()
    items, total = list_action_items(db, filters=ActionItemFilters(open=True))
    assert [i.description for i in items] == ["late", "soon"]
    assert total == 2
    assert items[0].overdue
    assert not items[1].overdue
    assert [
        i.description for i in list_action_items(db, filters=ActionItemFilters(overdue=True))[0]
    ] == ["late"]
    assert [
        i.id for i in list_action_items(db, filters=ActionItemFilters(owner_id=owner.id))[0]
    ] == [soon.id]
    done, _ = list_action_items(db, filters=ActionItemFilters(status=ActionStatus.done))
    assert [i.description for i in done] == ["done"]
    assert done[0].latest_update is not None
    assert done[0].latest_update.note == "Marked done."


# -- how it is being addressed ----------------------------------------------------------------


def _item(db: Session, story: StorySession, description: str, **kwargs: Any) -> ActionItem:
    return create_action_item(
        db, story_session=story, data=ActionItemCreate(description=description, **kwargs)
    )


def test_open_items_carry_over_within_the_series_by_default(db: Session) -> None:
    series = create_series(db)
    earlier = completed_session(db, title="Earlier in series", days_ago=30, series=series)
    elsewhere = completed_session(db, title="Outside the series", days_ago=20)
    later_one = completed_session(db, title="Later", days_ago=1, series=series)
    owner = create_person(db, name="Grace Hopper")
    _item(
        db, earlier, "Fix onboarding", owner_id=owner.id, due_on=utcnow().date() + timedelta(days=9)
    )
    _item(db, elsewhere, "Not this series")
    _item(db, later_one, "This session's own")
    document = preview_document(db, story_session=later_one)
    assert [(e.description, e.owner, e.session_title) for e in document.open_items] == [
        ("Fix onboarding", "Grace Hopper", "Earlier in series")
    ]
    assert [e.description for e in document.action_items] == ["This session's own"]


def test_carry_over_all_includes_every_earlier_session(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "recap_carry_over", "all")
    series = create_series(db)
    earlier = completed_session(db, title="Earlier", days_ago=30, series=series)
    elsewhere = completed_session(db, title="Outside", days_ago=20)
    later_one = completed_session(db, title="Later", days_ago=1, series=series)
    _item(db, earlier, "In series")
    _item(db, elsewhere, "Outside series")
    assert {e.description for e in preview_document(db, story_session=later_one).open_items} == {
        "In series",
        "Outside series",
    }


def test_a_one_off_session_carries_nothing_by_default_and_everything_with_all(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    series = create_series(db)
    in_series = completed_session(db, title="In a series", days_ago=30, series=series)
    earlier_lone = completed_session(db, title="Earlier one-off", days_ago=20)
    lone = completed_session(db, title="One-off", days_ago=1)
    _item(db, in_series, "Series item")
    _item(db, earlier_lone, "One-off item")
    assert preview_document(db, story_session=lone).open_items == []
    monkeypatch.setattr(get_settings(), "recap_carry_over", "all")
    assert {e.description for e in preview_document(db, story_session=lone).open_items} == {
        "Series item",
        "One-off item",
    }


def test_open_items_show_overdue_and_latest_update(db: Session) -> None:
    series = create_series(db)
    earlier = completed_session(db, title="Earlier", days_ago=30, series=series)
    later_one = completed_session(db, title="Later", days_ago=1, series=series)
    item = _item(db, earlier, "Late one")
    _item(db, earlier, "Fine one", due_on=utcnow().date() + timedelta(days=30))
    item.due_on = date(2020, 1, 1)
    add_action_update(db, item=item, data=ActionUpdateCreate(note="Vendor chosen"))
    first, second = preview_document(db, story_session=later_one).open_items
    assert (first.description, first.overdue, first.latest_update) == (
        "Late one",
        True,
        "Vendor chosen",
    )
    assert first.latest_update_on == utcnow().date() or first.latest_update_on is not None
    assert (second.description, second.overdue, second.latest_update) == ("Fine one", False, "")


def test_done_since_previous_recap_approval(db: Session) -> None:
    user = create_user(db, email="x@example.com")
    audit.act_as(db, user)
    series = create_series(db)
    first = completed_session(db, title="First", days_ago=30, series=series)
    second = completed_session(db, title="Second", days_ago=1, series=series)
    before = _item(db, first, "Closed before the first recap was approved")
    after = _item(db, first, "Closed after it")
    still_open = _item(db, first, "Still open")
    add_action_update(
        db,
        item=before,
        data=ActionUpdateCreate(note="Done early", status=ActionStatus.done),
        now=utcnow() - timedelta(days=10),
    )
    update_recap(db, story_session=first, data=_summary("First"))
    approve_recap(db, story_session=first, now=utcnow() - timedelta(days=5))
    add_action_update(
        db,
        item=after,
        data=ActionUpdateCreate(note="Shipped the fix", status=ActionStatus.done),
        now=utcnow() - timedelta(days=2),
    )
    document = preview_document(db, story_session=second)
    assert [(e.description, e.latest_update) for e in document.done_since_previous] == [
        ("Closed after it", "Shipped the fix")
    ]
    done_on = local_day(utcnow() - timedelta(days=2), second.timezone)
    assert document.done_since_previous[0].latest_update_on == done_on
    assert [e.description for e in document.open_items] == [still_open.description]


def test_progress_on_action_items_keeps_the_recap_approved(db: Session) -> None:
    user = create_user(db, email="x@example.com")
    audit.act_as(db, user)
    story = completed_session(db)
    item = create_action_item(db, story_session=story, data=ActionItemCreate(description="Fix it"))
    update_recap(db, story_session=story, data=_summary("Done"))
    approve_recap(db, story_session=story)
    add_action_update(db, item=item, data=ActionUpdateCreate(note="Started"))
    update_action_item(db, item=item, data=ActionItemPatch(status=ActionStatus.done))
    recap = get_recap(db, story_session=story)
    assert recap is not None
    assert recap.status is RecapStatus.approved


def test_edits_progress_and_approval_are_by_the_acting_user(db: Session) -> None:
    story = completed_session(db)
    user = create_user(db, email="dana@example.com")
    with audit.acting_as(user):
        recap = update_recap(db, story_session=story, data=_summary("Heard"))
        item = create_action_item(
            db,
            story_session=story,
            data=ActionItemCreate(description="Fix it", status=ActionStatus.in_progress),
        )
        update = add_action_update(db, item=item, data=ActionUpdateCreate(note="Vendor chosen"))
        version = approve_recap(db, story_session=story)
    assert (recap.updated_by_id, update.author_id) == (user.id, user.id)
    assert [u.author for u in action_item_detail(db, item=item).updates] == ["dana", "dana"]
    assert (version.approved_by_id, version.document["approved_by"]) == (user.id, "dana")


def test_without_an_acting_user_no_one_edited_and_the_team_approves(db: Session) -> None:
    story = completed_session(db)
    recap = update_recap(db, story_session=story, data=_summary("Heard"))
    item = _item(db, story, "Fix it")
    update = add_action_update(db, item=item, data=ActionUpdateCreate(note="Started"))
    version = approve_recap(db, story_session=story)
    assert (recap.updated_by_id, update.author_id) == (None, None)
    assert (version.approved_by_id, version.document["approved_by"]) == (
        None,
        "Customer Experience team",
    )
