"""Transcripts over the JSON API: importing, listing, paging and searching cues, speakers."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import get_settings
from app.models import StorySession, utcnow
from tests.factories import create_person, create_session, create_speaker
from tests.transcripts.support import (
    ZOOM_CHAT,
    ZOOM_TRANSCRIPT,
    counts,
    held_session,
    zoom_vtt,
)


def _upload(
    client: TestClient, story_session: StorySession | int, data: bytes, name: str = "t.vtt"
) -> None:
    session_id = story_session if isinstance(story_session, int) else story_session.id
    response = client.post(
        f"/api/v1/sessions/{session_id}/transcripts",
        files={"file": (name, data, "text/vtt")},
    )
    assert response.status_code == 201, response.text


def test_importing_the_zoom_sample_answers_201_with_the_import(
    organizer_api: TestClient, db: Session
) -> None:
    story_session = held_session(db)
    create_speaker(db, story_session, name="Paul McCartney")

    response = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/transcripts",
        files={"file": (ZOOM_TRANSCRIPT.name, ZOOM_TRANSCRIPT.read_bytes(), "text/vtt")},
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert {k: body[k] for k in ("kind", "format", "format_label", "filename", "cue_count")} == {
        "kind": "transcript",
        "format": "zoom-vtt",
        "format_label": "Zoom transcript (WebVTT)",
        "filename": ZOOM_TRANSCRIPT.name,
        "cue_count": 300,
    }
    assert [(s["label"], s["match"], s["who"], s["cue_count"]) for s in body["speakers"]] == [
        ("Paul McCartney", "storyteller", "Paul McCartney", 242),
        ("Andrew Knight", "unknown", "", 45),
        ("John Lennon", "unknown", "", 7),
        ("George Harrison", "unknown", "", 3),
        ("Ringo Starr", "unknown", "", 1),
    ]
    assert body["speakers"][0]["seconds_spoken"] == pytest.approx(2275.05)
    assert (body["warnings"], body["unchanged"]) == ([], False)


def test_importing_the_same_file_again_answers_200_unchanged(
    organizer_api: TestClient, db: Session
) -> None:
    story_session = held_session(db)
    data = ZOOM_CHAT.read_bytes()
    first = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/transcripts",
        files={"file": ("chat.txt", data, "text/plain")},
    )

    again = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/transcripts",
        files={"file": ("chat.txt", data, "text/plain")},
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "unchanged": True}
    assert counts(db) == (1, 5, 10)


def test_a_file_that_is_no_transcript_is_422_with_what_was_expected_and_nothing_stored(
    organizer_api: TestClient, db: Session
) -> None:
    story_session = held_session(db)

    response = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/transcripts",
        files={
            "file": ("report.csv", b"Name,Email,Duration\nAda,ada@example.com,60\n", "text/csv")
        },
    )

    assert response.status_code == 422
    assert response.json()["detail"] == (
        "The file looks like an attendance report (CSV), not a transcript: import it as the "
        "session's attendance instead. Expected a transcript or chat saved from the meeting: a "
        "Zoom transcript (.vtt) or saved chat (.txt), a Microsoft Teams transcript (.vtt or "
        ".docx), a Google Meet transcript (.docx or .txt), or subtitles (.srt)."
    )
    assert counts(db) == (0, 0, 0)


def test_a_file_over_the_upload_limit_is_413_and_nothing_stored(
    organizer_api: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "upload_max_bytes", 1000)
    story_session = held_session(db)

    response = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/transcripts",
        files={"file": ("big.vtt", ZOOM_TRANSCRIPT.read_bytes(), "text/vtt")},
    )

    assert response.status_code == 413
    assert response.json()["detail"].endswith(
        "larger than the 1000 bytes limit: send a smaller file."
    )
    assert counts(db) == (0, 0, 0)


def test_a_session_still_to_come_is_409_and_nothing_stored(
    organizer_api: TestClient, db: Session
) -> None:
    story_session = create_session(db, title="Next week", starts_at=utcnow() + timedelta(days=7))

    response = organizer_api.post(
        f"/api/v1/sessions/{story_session.id}/transcripts",
        files={"file": ("t.vtt", ZOOM_TRANSCRIPT.read_bytes(), "text/vtt")},
    )

    assert response.status_code == 409
    assert response.json()["detail"].startswith("“Next week” has not taken place yet (it starts ")
    assert counts(db) == (0, 0, 0)


def test_an_unknown_session_or_transcript_is_404(organizer_api: TestClient, db: Session) -> None:
    story_session = held_session(db)
    other = held_session(db, title="Other")
    other_transcript = organizer_api.post(
        f"/api/v1/sessions/{other.id}/transcripts",
        files={"file": ("t.vtt", ZOOM_TRANSCRIPT.read_bytes(), "text/vtt")},
    ).json()["id"]

    no_session = organizer_api.post(
        "/api/v1/sessions/424242/transcripts",
        files={"file": ("t.vtt", ZOOM_TRANSCRIPT.read_bytes(), "text/vtt")},
    )
    not_its_own = organizer_api.get(
        f"/api/v1/sessions/{story_session.id}/transcripts/{other_transcript}"
    )
    no_cues = organizer_api.get(f"/api/v1/sessions/{story_session.id}/transcripts/999999/cues")

    assert (no_session.status_code, no_session.json()) == (
        404,
        {"detail": "There is no session with id 424242."},
    )
    assert (not_its_own.status_code, not_its_own.json()) == (
        404,
        {
            "detail": f"Session {story_session.id} has no transcript or chat with id "
            f"{other_transcript}."
        },
    )
    assert no_cues.json() == {
        "detail": f"Session {story_session.id} has no transcript or chat with id 999999."
    }


def test_transcripts_are_listed_read_with_suggestions_and_deleted(
    organizer_api: TestClient, db: Session
) -> None:
    story_session = held_session(db)
    create_speaker(db, story_session, name="Paul McCartney")
    base = f"/api/v1/sessions/{story_session.id}/transcripts"
    chat = organizer_api.post(
        base, files={"file": ("chat.txt", ZOOM_CHAT.read_bytes(), "text/plain")}
    ).json()
    transcript = organizer_api.post(
        base, files={"file": ("t.vtt", ZOOM_TRANSCRIPT.read_bytes(), "text/vtt")}
    ).json()

    listed = organizer_api.get(base).json()
    detail = organizer_api.get(f"{base}/{transcript['id']}").json()
    deleted = organizer_api.delete(f"{base}/{chat['id']}")

    assert [(t["id"], t["kind"], t["speaker_count"], t["cue_count"]) for t in listed] == [
        (transcript["id"], "transcript", 5, 300),
        (chat["id"], "chat", 5, 10),
    ]
    assert detail["speakers"] == transcript["speakers"]
    assert detail["suggestions"]["quotes"] != []
    assert {q["speaker"] for q in detail["suggestions"]["quotes"]} == {"Paul McCartney"}
    assert deleted.status_code == 204
    assert [t["kind"] for t in organizer_api.get(base).json()] == ["transcript"]
    assert organizer_api.get(f"{base}/{chat['id']}").status_code == 404
    assert counts(db) == (1, 5, 300)


def test_viewers_read_transcripts_but_cannot_import_or_delete(
    organizer_api: TestClient, viewer_api: TestClient, db: Session
) -> None:
    story_session = held_session(db)
    base = f"/api/v1/sessions/{story_session.id}/transcripts"
    transcript = organizer_api.post(
        base, files={"file": ("t.vtt", ZOOM_TRANSCRIPT.read_bytes(), "text/vtt")}
    ).json()

    imported = viewer_api.post(
        base, files={"file": ("c.txt", ZOOM_CHAT.read_bytes(), "text/plain")}
    )
    deleted = viewer_api.delete(f"{base}/{transcript['id']}")

    assert (imported.status_code, deleted.status_code) == (403, 403)
    assert viewer_api.get(f"{base}/{transcript['id']}/cues?limit=1").json()["total"] == 300
    assert counts(db) == (1, 5, 300)


def _cue_search(db: Session, client: TestClient) -> str:
    story_session = held_session(db)
    transcript = client.post(
        f"/api/v1/sessions/{story_session.id}/transcripts",
        files={
            "file": (
                "t.vtt",
                zoom_vtt(
                    ("Ana Ruiz", 1, 2, "We pay 100% of invoices late."),
                    ("Ana Ruiz", 2, 3, "The INVOICE_ID field is blank."),
                    ("Lee Park", 3, 4, "Which invoices?"),
                    ("Ana Ruiz", 4, 5, "Invoices from March, 10 percent of them."),
                    ("", 5, 6, "Applause."),
                    ("Lee Park", 6, 7, "Thanks."),
                    ("Lee Park", 7, 8, "Bye."),
                ),
                "text/vtt",
            )
        },
    ).json()
    return f"/api/v1/sessions/{story_session.id}/transcripts/{transcript['id']}/cues"


def test_cues_are_paged_in_order_with_a_total(organizer_api: TestClient, db: Session) -> None:
    url = _cue_search(db, organizer_api)

    page = organizer_api.get(f"{url}?limit=2&offset=2").json()

    assert page == {
        "items": [
            {
                "position": 3,
                "speaker": "Lee Park",
                "start_seconds": 3.0,
                "end_seconds": 4.0,
                "text": "Which invoices?",
                "is_question": True,
            },
            {
                "position": 4,
                "speaker": "Ana Ruiz",
                "start_seconds": 4.0,
                "end_seconds": 5.0,
                "text": "Invoices from March, 10 percent of them.",
                "is_question": False,
            },
        ],
        "total": 7,
        "limit": 2,
        "offset": 2,
    }


def test_cue_search_ignores_case_and_takes_percent_and_underscore_literally(
    organizer_api: TestClient, db: Session
) -> None:
    url = _cue_search(db, organizer_api)
    expected = {
        "invoice": [1, 2, 3, 4],
        "INVOICES": [1, 3, 4],
        "100%": [1],
        "0%": [1],
        "%": [1],
        "e_i": [2],
        "_": [2],
        "  march ": [4],
        "nowhere": [],
    }

    found = {}
    for query in expected:
        page = organizer_api.get(url, params={"q": query}).json()
        assert page["total"] == len(page["items"])
        found[query] = [c["position"] for c in page["items"]]

    assert found == expected


def test_cues_are_filtered_by_speaker_with_the_search(
    organizer_api: TestClient, db: Session
) -> None:
    url = _cue_search(db, organizer_api)

    ana = organizer_api.get(url, params={"speaker": "Ana Ruiz", "q": "invoices"}).json()
    nobody = organizer_api.get(url, params={"speaker": ""}).json()
    stranger = organizer_api.get(url, params={"speaker": "Zed"}).json()
    nul = organizer_api.get(url, params={"speaker": "Ana\x00", "q": "in\x00voice"}).json()

    assert ([c["position"] for c in ana["items"]], ana["total"]) == ([1, 4], 2)
    assert [c["text"] for c in nobody["items"]] == ["Applause."]
    assert stranger["total"] == 0
    assert nul["total"] == 0


def test_speakers_are_listed_and_confirmed_by_their_url_encoded_label(
    organizer_api: TestClient, db: Session
) -> None:
    story_session = held_session(db)
    lee = create_person(db, email="lee@example.com", name="Lee Park", level_key="vp")
    label = "Lee P. (Acme/Paris) 100%"
    _upload(
        organizer_api,
        story_session,
        zoom_vtt((label, 0, 10, "Welcome."), (label, 10, 12, "Thanks."), ("Bo", 12, 13, "Hi.")),
    )
    base = f"/api/v1/sessions/{story_session.id}/transcript-speakers"

    before = organizer_api.get(base).json()
    confirmed = organizer_api.put(f"{base}/{quote(label, safe='')}", json={"person_id": lee.id})

    assert [(s["label"], s["match"], s["confirmed"]) for s in before] == [
        (label, "unknown", False),
        ("Bo", "unknown", False),
    ]
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert (body["label"], body["match"], body["person"], body["level"]["key"]) == (
        label,
        "person",
        "Lee Park",
        "vp",
    )
    assert [(s["label"], s["confirmed"]) for s in organizer_api.get(base).json()] == [
        (label, True),
        ("Bo", False),
    ]
    people = organizer_api.get(f"/api/v1/people/{lee.id}/aliases")
    assert [a["value"] for a in people.json()["items"]] == [label]


def test_confirming_a_speaker_refuses_a_bad_body_an_unknown_label_and_viewers(
    organizer_api: TestClient, viewer_api: TestClient, db: Session
) -> None:
    story_session = held_session(db)
    _upload(organizer_api, story_session, zoom_vtt(("Bo", 0, 1, "Hi."), ("Bo", 1, 2, "Yes.")))
    base = f"/api/v1/sessions/{story_session.id}/transcript-speakers"

    both = organizer_api.put(f"{base}/Bo", json={"person_id": 1, "unknown": True})
    unknown_label = organizer_api.put(f"{base}/Zed", json={"unknown": True})
    viewer = viewer_api.put(f"{base}/Bo", json={"unknown": True})
    nul = organizer_api.put(f"{base}/B%00o", json={"unknown": True})

    assert both.status_code == 422
    assert [e["msg"] for e in both.json()["detail"]] == [
        "Value error, Send exactly one of person_id, session_speaker_id or unknown: true."
    ]
    assert (unknown_label.status_code, unknown_label.json()["detail"]) == (
        404,
        f"Nobody is named “Zed” in the transcript or chat of “{story_session.title}”.",
    )
    assert viewer.status_code == 403
    assert (nul.status_code, nul.json()["detail"]) == (
        404,
        f"Nobody is named “B\x00o” in the transcript or chat of “{story_session.title}”.",
    )
    assert [s["confirmed"] for s in organizer_api.get(base).json()] == [False]


def test_the_openapi_documents_the_import_errors(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    responses = paths["/api/v1/sessions/{session_id}/transcripts"]["post"]["responses"]

    assert sorted(responses) == ["200", "201", "400", "401", "403", "404", "409", "413", "422"]
    assert "/api/v1/sessions/{session_id}/transcript-speakers/{label}" in paths
