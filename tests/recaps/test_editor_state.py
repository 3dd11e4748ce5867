"""The recap editor: its badge and its preview tell the same state; approving asks first and
shows who the recap will go to; a version's PDF that is not made yet is waited for on a page
that refreshes itself."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.distribution.lists import set_list_series
from app.models import Recap, RecapStatus, RecapVersion, RenderedPdf, StorySession
from app.recaps import tasks
from app.recaps.approval import approve_recap, editor_preview, get_version, recap_state
from app.recaps.editing import get_recap
from app.recaps.schemas import RecapUpdate
from app.recaps.working_copy import update_recap
from tests.conftest import PageClient
from tests.distribution.helpers import create_list, create_series
from tests.factories import create_person
from tests.recaps.authoring import completed_session

REFRESH = re.compile(r'<meta http-equiv="refresh" content="5; url=([^"]+)">')
STATES = ("draft", "approved", "sent", "changed")


@pytest.fixture
def render_jobs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The version ids whose render was queued (nothing is rendered)."""
    queued: list[int] = []
    monkeypatch.setattr(tasks, "render_version_pdf", queued.append)
    return queued


def _recap_in(db: Session, story: StorySession, state: str) -> Recap:
    """The session's recap brought to `state` the way an organizer gets it there."""
    update_recap(db, story_session=story, data=RecapUpdate(summary="First words"))
    if state != "draft":
        approve_recap(db, story_session=story)
    recap = get_recap(db, story_session=story)
    assert recap is not None
    if state == "sent":
        recap.status = RecapStatus.sent  # as sending marks it
        db.add(recap)
        db.flush()
    if state == "changed":
        update_recap(db, story_session=story, data=RecapUpdate(summary="Second words"))
    return recap


def _attribute(page: str, element_id: str) -> tuple[str, str]:
    """An element's data-state and its text."""
    match = re.search(rf'id="{element_id}"[^>]*data-state="([^"]+)">(.*?)</', page, re.S)
    assert match is not None, element_id
    return match.group(1), " ".join(match.group(2).split())


@pytest.mark.parametrize("state", STATES)
def test_badge_and_preview_tell_the_same_state(
    db: Session, organizer_web: PageClient, render_jobs: list[int], state: str
) -> None:
    story = completed_session(db)
    recap = _recap_in(db, story, state)
    expected = recap_state(recap)
    assert expected.key == state

    page = organizer_web.get(f"/sessions/{story.id}/recap").text

    badge = _attribute(page, "recap-state")
    heading = _attribute(page, "preview-state")
    preview = re.search(r'id="recap-preview" data-state="([^"]+)"', page)
    assert preview is not None
    assert badge == (
        state,
        {"draft": "draft", "approved": "approved", "sent": "sent"}.get(
            state, "changed since approval"
        ),
    )
    assert heading[0] == preview.group(1) == badge[0]
    assert (
        heading[1]
        == {
            "draft": "draft, as it will be approved",
            "approved": "version 1, as approved",
            "sent": "version 1, as approved and sent",
            "changed": "changed since version 1, as it will be approved",
        }[state]
    )
    # What the preview shows is that state: the frozen version, or the recap as it stands.
    document = editor_preview(db, story_session=story, state=expected)
    assert document.version == (1 if state in ("approved", "sent") else 0)
    words = "Second words" if state == "changed" else "First words"
    assert words in document.summary_html
    assert words in page.split('id="recap-preview"', 1)[1]


def test_recap_state_of_a_recap_not_yet_written_is_draft() -> None:
    assert recap_state(None).key == "draft"
    assert (recap_state(None).label, recap_state(None).version) == ("draft", 0)


def test_unsaved_preview_says_it_shows_unsaved_changes(
    db: Session, organizer_web: PageClient, render_jobs: list[int]
) -> None:
    story = completed_session(db)
    _recap_in(db, story, "approved")
    page = organizer_web.submit(
        f"/sessions/{story.id}/recap", {"summary": "Not saved yet", "action": "preview"}
    ).text
    assert _attribute(page, "recap-state")[0] == "approved"  # saved: nothing changed yet
    assert _attribute(page, "preview-state") == (
        "draft",
        "with your unsaved changes, as it would be approved",
    )
    assert "Not saved yet" in page.split('id="recap-preview"', 1)[1]


# -- approving asks first --------------------------------------------------------------------


def test_approve_asks_first_and_shows_who_the_recap_will_go_to(
    db: Session, organizer_web: PageClient, render_jobs: list[int]
) -> None:
    series = create_series(db)
    story = completed_session(db, series=series)
    people = [
        create_person(db, email=f"exec{index}@example.com", name=f"Exec {index}")
        for index in range(3)
    ]
    committee = create_list(db, people=people, outsiders=["chair@board.example"])
    set_list_series(db, dlist=committee, series_ids=[series.id or 0])
    update_recap(db, story_session=story, data=RecapUpdate(summary="Heard"))
    base = f"/sessions/{story.id}/recap"

    editor = organizer_web.get(base).text
    assert f'<form method="get" action="{base}#approve-confirm"' in editor
    assert "Approve as version 1…" in editor
    assert "Yes, approve version 1" not in editor

    confirm = organizer_web.get(f"{base}?approve=confirm").text

    section = confirm.split('id="approve-confirm"', 1)[1].split("</section>", 1)[0]
    assert "This recap goes to 4 people on “Operating committee”." in section
    assert "Show the 4 recipients" in section
    for email in ("exec0@example.com", "exec1@example.com", "exec2@example.com"):
        assert email in section
    assert "chair@board.example" in section
    assert f'<form method="post" action="{base}/approve"' in section
    assert "Yes, approve version 1" in section
    recap = get_recap(db, story_session=story)
    assert recap is not None
    assert recap.latest_version == 0  # asking approves nothing

    approved = organizer_web.submit(f"{base}/approve")
    assert approved.status_code == 303
    db.refresh(recap)
    assert recap.latest_version == 1


def test_approve_confirm_without_default_lists_says_so(
    db: Session, organizer_web: PageClient
) -> None:
    story = completed_session(db)
    update_recap(db, story_session=story, data=RecapUpdate(summary="Heard"))
    confirm = organizer_web.get(f"/sessions/{story.id}/recap?approve=confirm").text
    assert "No list gets this session's recaps by default" in confirm
    assert "Yes, approve version 1" in confirm


def test_approved_recap_offers_a_test_and_no_approval(
    db: Session, organizer_web: PageClient, render_jobs: list[int]
) -> None:
    story = completed_session(db)
    _recap_in(db, story, "approved")
    page = organizer_web.get(f"/sessions/{story.id}/recap?approve=confirm").text
    assert f'action="/sessions/{story.id}/recap/send-test"' in page
    assert 'id="approve-confirm"' not in page  # nothing to approve


# -- waiting for a version's PDF -------------------------------------------------------------


def _approved_version(db: Session) -> tuple[StorySession, RecapVersion]:
    story = completed_session(db)
    update_recap(db, story_session=story, data=RecapUpdate(summary="Heard"))
    version = approve_recap(db, story_session=story)
    return story, version


def test_version_pdf_waits_on_a_refreshing_page_then_serves_the_pdf(
    db: Session, organizer_web: PageClient, render_jobs: list[int]
) -> None:
    story, version = _approved_version(db)
    render_jobs.clear()  # the approval's own job
    url = f"/sessions/{story.id}/recap/versions/1.pdf"

    waiting = organizer_web.get(url)

    assert waiting.status_code == 202
    assert waiting.headers["retry-after"] == "5"
    assert "The PDF is being made" in waiting.text
    refresh = REFRESH.search(waiting.text)
    assert refresh is not None
    assert refresh.group(1) == f"{url}?waited=1"
    assert render_jobs == [version.id]
    assert "try again in a minute" not in waiting.text
    # The site's policy leaves a meta refresh alone (CSP has no directive that blocks one).
    assert "navigate-to" not in waiting.headers["content-security-policy"]

    pdf = RenderedPdf(sha256="0" * 64, content=b"%PDF-1.7 made", pages=1)
    db.add(pdf)
    db.flush()
    version.pdf_id = pdf.id
    db.add(version)
    db.flush()
    served = organizer_web.get(refresh.group(1))
    assert served.status_code == 200
    assert served.headers["content-type"] == "application/pdf"
    assert served.content == b"%PDF-1.7 made"


def test_version_pdf_page_asks_for_the_render_again_each_minute(
    db: Session, organizer_web: PageClient, render_jobs: list[int]
) -> None:
    story, version = _approved_version(db)
    render_jobs.clear()
    url = f"/sessions/{story.id}/recap/versions/1.pdf"
    for waited in range(1, 13):
        assert organizer_web.get(f"{url}?waited={waited}").status_code == 202
    assert render_jobs == [version.id]  # the 12th refresh, a minute on: a lost job is replaced


def test_version_pdf_that_failed_says_why_and_stops_refreshing(
    db: Session, organizer_web: PageClient, render_jobs: list[int]
) -> None:
    story, version = _approved_version(db)
    render_jobs.clear()
    version.render_error = "The recap took longer than 60 s to render, so it was stopped."
    db.add(version)
    db.flush()
    url = f"/sessions/{story.id}/recap/versions/1.pdf"

    failed = organizer_web.get(f"{url}?waited=3")
    assert failed.status_code == 422
    assert "The PDF could not be made" in failed.text
    assert "took longer than 60 s" in failed.text
    assert REFRESH.search(failed.text) is None
    assert f'<a href="{url}">Try again</a>' in failed.text
    assert render_jobs == []

    retried = organizer_web.get(url)
    assert retried.status_code == 202
    assert REFRESH.search(retried.text) is not None
    assert render_jobs == [version.id]
    db.refresh(version)
    assert version.render_error == ""


def test_api_pdf_not_made_yet_is_still_409_with_retry_after(
    db: Session, organizer_api: TestClient, render_jobs: list[int]
) -> None:
    story, version = _approved_version(db)
    response = organizer_api.get(f"/api/v1/sessions/{story.id}/recap/versions/1.pdf")
    assert response.status_code == 409
    assert response.headers["retry-after"] == "60"
    assert "being rendered" in response.json()["detail"]
    assert get_version(db, story_session=story, number=1).pdf_id is None
    assert db.exec(select(RenderedPdf)).all() == []
    assert version.id in render_jobs
