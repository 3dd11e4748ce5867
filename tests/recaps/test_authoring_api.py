"""The recap API: authoring, approval, versions, action items, and hostile input refused."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.models import Consent, Recap, RecapQuote, RecapVersion, User, utcnow
from tests.factories import create_person, create_speaker
from tests.recaps.authoring import acme, completed_session


def test_recap_lifecycle_over_the_api(db: Session, organizer_api: TestClient) -> None:
    story = completed_session(db, customer=acme(db))
    speaker = create_speaker(db, story, consent=Consent.company_only)
    base = f"/api/v1/sessions/{story.id}/recap"

    empty = organizer_api.get(base)
    assert empty.status_code == 200
    assert (empty.json()["id"], empty.json()["status"], empty.json()["summary"]) == (
        None,
        "draft",
        "",
    )

    saved = organizer_api.put(
        base, json={"summary": "# Heard\n\nThey *liked* it.", "themes": ["Billing"]}
    )
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["summary_html"] == "<h3>Heard</h3>\n<p>They <em>liked</em> it.</p>\n"
    assert body["themes"] == ["Billing"]

    quote = organizer_api.post(
        f"{base}/quotes", json={"speaker_id": speaker.id, "text": "Fix the invoices."}
    )
    assert quote.status_code == 201, quote.text
    assert quote.json()["attribution"] == "Acme Logistics"

    preview = organizer_api.get(f"{base}/preview").json()
    assert preview["version"] == 0
    assert preview["quotes"] == [
        {"text": "Fix the invoices.", "attribution": "Acme Logistics", "start_seconds": None}
    ]

    approved = organizer_api.post(f"{base}/approve")
    assert approved.status_code == 201, approved.text
    assert approved.json()["number"] == 1
    assert approved.json()["approved_by"] == "organizer"

    again = organizer_api.post(f"{base}/approve")
    assert again.status_code == 409
    assert "already approved" in again.json()["detail"]

    organizer_api.put(base, json={"summary": "Second take"})
    assert organizer_api.get(base).json()["status"] == "draft"
    assert organizer_api.post(f"{base}/approve").json()["number"] == 2

    versions = organizer_api.get(f"{base}/versions").json()
    assert [v["number"] for v in versions["items"]] == [2, 1]
    assert versions["total"] == 2
    first = organizer_api.get(f"{base}/versions/1").json()
    assert first["summary_html"].startswith("<h3>Heard</h3>")
    assert first["themes"] == ["Billing"]
    missing = organizer_api.get(f"{base}/versions/9")
    assert missing.status_code == 404
    assert "has no version 9" in missing.json()["detail"]


def test_version_pdf_is_served_from_the_stored_bytes(
    db: Session, organizer_api: TestClient
) -> None:
    from app.models import RenderedPdf

    story = completed_session(db)
    base = f"/api/v1/sessions/{story.id}/recap"
    organizer_api.put(base, json={"summary": "Hi"})
    organizer_api.post(f"{base}/approve")
    version = db.exec(select(RecapVersion)).one()
    if version.pdf_id is None:
        pending = organizer_api.get(f"{base}/versions/1.pdf")
        assert pending.status_code == 409
        assert "being rendered, try again in a minute" in pending.json()["detail"]
        pdf = RenderedPdf(sha256="0" * 64, content=b"%PDF-1.7 test", pages=1)
        db.add(pdf)
        db.flush()
        version.pdf_id = pdf.id
        db.add(version)
        db.flush()
    stored = db.get(RenderedPdf, version.pdf_id)
    assert stored is not None
    response = organizer_api.get(f"{base}/versions/1.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content == stored.content
    assert organizer_api.get(f"/api/v1/sessions/{story.id}/recap.pdf").content == stored.content


def test_action_items_over_the_api(db: Session, organizer_api: TestClient) -> None:
    story = completed_session(db)
    owner = create_person(db, email="grace@example.com", name="Grace Hopper")
    due = (utcnow() + timedelta(days=10)).date().isoformat()
    created = organizer_api.post(
        f"/api/v1/sessions/{story.id}/action-items",
        json={"description": "Fix onboarding", "owner_email": "grace@example.com", "due_on": due},
    )
    assert created.status_code == 201, created.text
    item = created.json()
    assert (item["owner"]["id"], item["status"], item["overdue"]) == (owner.id, "open", False)

    update = organizer_api.post(
        f"/api/v1/action-items/{item['id']}/updates", json={"note": "Shipped", "status": "done"}
    )
    assert update.status_code == 201
    assert update.json()["note"] == "Shipped"
    detail = organizer_api.get(f"/api/v1/action-items/{item['id']}").json()
    assert detail["status"] == "done"
    assert detail["done_at"] is not None
    reopened = organizer_api.patch(
        f"/api/v1/action-items/{item['id']}", json={"status": "in_progress"}
    )
    assert reopened.json()["done_at"] is None
    assert [u["note"] for u in reopened.json()["updates"]] == ["Work started.", "Shipped"]

    listed = organizer_api.get("/api/v1/action-items", params={"owner_id": owner.id, "open": True})
    assert [i["id"] for i in listed.json()["items"]] == [item["id"]]
    assert organizer_api.get("/api/v1/action-items", params={"overdue": True}).json()["total"] == 0

    past = organizer_api.post(
        f"/api/v1/sessions/{story.id}/action-items",
        json={"description": "Too late", "due_on": "2001-01-01"},
    )
    assert past.status_code == 422
    assert "is in the past" in past.json()["detail"]


def test_themes_suggest_by_prefix(db: Session, organizer_api: TestClient) -> None:
    story = completed_session(db)
    organizer_api.put(
        f"/api/v1/sessions/{story.id}/recap",
        json={"summary": "", "themes": ["Onboarding", "Billing"]},
    )
    names = [
        t["name"]
        for t in organizer_api.get("/api/v1/themes", params={"prefix": "on"}).json()["items"]
    ]
    assert names == ["Onboarding"]


def test_viewer_reads_but_cannot_write(db: Session, viewer_api: TestClient) -> None:
    story = completed_session(db)
    base = f"/api/v1/sessions/{story.id}/recap"
    assert viewer_api.get(base).status_code == 200
    assert viewer_api.get(f"{base}/preview").status_code == 200
    refused = viewer_api.put(base, json={"summary": "Mine now"})
    assert refused.status_code == 403
    assert viewer_api.post(f"{base}/approve").status_code == 403
    assert viewer_api.get(base).json()["id"] is None


# -- hostile input ----------------------------------------------------------------------------


def test_one_megabyte_of_markdown_is_refused_with_a_message(
    db: Session, organizer_api: TestClient
) -> None:
    story = completed_session(db)
    response = organizer_api.put(
        f"/api/v1/sessions/{story.id}/recap", json={"summary": "a" * 1_000_000}
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert "1,000,000 characters long; the limit is 100,000" in error["msg"]
    assert organizer_api.get(f"/api/v1/sessions/{story.id}/recap").json()["id"] is None


def test_five_hundred_quotes_are_refused_at_the_fifty_first(
    db: Session, organizer_api: TestClient
) -> None:
    story = completed_session(db)
    speaker = create_speaker(db, story)
    url = f"/api/v1/sessions/{story.id}/recap/quotes"
    statuses = []
    for n in range(500):
        response = organizer_api.post(url, json={"speaker_id": speaker.id, "text": f"Quote {n}"})
        statuses.append(response.status_code)
        if response.status_code != 201:
            break
    assert statuses == [201] * 50 + [422]
    assert "the most it can hold is 50" in response.json()["detail"]
    assert db.exec(select(func.count()).select_from(RecapQuote)).one() == 50


def test_script_in_every_field_comes_back_escaped(db: Session, organizer_api: TestClient) -> None:
    story = completed_session(db)
    speaker = create_speaker(db, story, name="<script>alert(1)</script>")
    base = f"/api/v1/sessions/{story.id}/recap"
    organizer_api.put(
        base,
        json={
            "summary": "<script>alert(1)</script> [x](javascript:alert(1)) "
            "<img src=x onerror=alert(1)>",
            "themes": ["<b onmouseover=alert(1)>"],
        },
    )
    organizer_api.post(
        f"{base}/quotes", json={"speaker_id": speaker.id, "text": "<script>x</script>"}
    )
    html = organizer_api.get(base).json()["summary_html"]
    assert "<script" not in html
    assert "<img" not in html
    assert "href" not in html
    from app.recaps.approval import preview_document
    from app.recaps.render import render_recap_html

    body = render_recap_html(preview_document(db, story_session=story))
    assert "<script" not in body
    assert "<b onmouseover" not in body
    assert "&lt;script&gt;" in body


def test_quote_text_over_the_limit_is_refused(db: Session, organizer_api: TestClient) -> None:
    story = completed_session(db)
    speaker = create_speaker(db, story)
    response = organizer_api.post(
        f"/api/v1/sessions/{story.id}/recap/quotes",
        json={"speaker_id": speaker.id, "text": "x" * 2001},
    )
    assert response.status_code == 422
    assert "at most 2000 characters" in response.json()["detail"][0]["msg"]


def test_an_api_client_quotes_speakers_by_id_and_by_name(organizer_api: TestClient) -> None:
    # Everything through the API, as an integrator would: no database, no pages.
    created = organizer_api.post(
        "/api/v1/sessions",
        json={
            "title": "How Acme runs its desk",
            "customer": "Acme Logistics",
            "speakers": [
                {"name": "Ana Ruiz", "title": "CFO", "consent": "named"},
                {"name": "Bo Chen", "consent": "company_only"},
            ],
            "starts_at": (utcnow() - timedelta(days=1)).isoformat(),
            "timezone": "Europe/Paris",
            "platform": "zoom",
            "status": "completed",
        },
    )
    assert created.status_code == 201, created.text
    ana, bo = created.json()["speakers"]
    base = f"/api/v1/sessions/{created.json()['id']}/recap"
    assert organizer_api.get(base).json()["speakers"] == [ana, bo]

    by_id = organizer_api.post(f"{base}/quotes", json={"speaker_id": ana["id"], "text": "Fast."})
    assert by_id.status_code == 201, by_id.text
    by_name = organizer_api.post(
        f"{base}/quotes", json={"speaker_name": " bo chen ", "text": "Cheaper."}
    )
    assert by_name.status_code == 201, by_name.text
    quotes = organizer_api.get(base).json()["quotes"]
    assert [(q["speaker_id"], q["speaker_name"], q["text"], q["attribution"]) for q in quotes] == [
        (ana["id"], "Ana Ruiz", "Fast.", "Ana Ruiz, CFO, Acme Logistics"),
        (bo["id"], "Bo Chen", "Cheaper.", "Acme Logistics"),
    ]
    moved = organizer_api.patch(
        f"{base}/quotes/{by_id.json()['id']}", json={"speaker_name": "Bo Chen"}
    )
    assert moved.json()["speaker_id"] == bo["id"]


def test_a_quote_naming_no_speaker_or_two_of_them_is_refused(
    db: Session, organizer_api: TestClient
) -> None:
    story = completed_session(db)
    first = create_speaker(db, story, name="Sam Lee", title="CEO")
    second = create_speaker(db, story, name="Sam Lee", title="CTO")
    url = f"/api/v1/sessions/{story.id}/recap/quotes"

    nobody = organizer_api.post(url, json={"speaker_name": "Ana Ruiz", "text": "Hi"})
    assert nobody.status_code == 422
    assert nobody.json()["detail"] == (
        f"No speaker of “{story.title}” is called 'Ana Ruiz': its speakers are 'Sam Lee', "
        "'Sam Lee'. Add them on the session's edit page."
    )
    two = organizer_api.post(url, json={"speaker_name": "sam lee", "text": "Hi"})
    assert two.status_code == 422
    assert two.json()["detail"] == (
        f"2 speakers of “{story.title}” are called 'sam lee': name the one you mean by "
        f"speaker_id ({first.id}, {second.id})."
    )
    both = organizer_api.post(
        url, json={"speaker_id": first.id, "speaker_name": "Sam Lee", "text": "Hi"}
    )
    neither = organizer_api.post(url, json={"text": "Hi"})
    for response in (both, neither):
        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert "send speaker_id (from the session's speakers) or speaker_name" in error["msg"]
    assert db.exec(select(func.count()).select_from(RecapQuote)).one() == 0


def test_put_recap_with_a_quotes_list_is_refused_naming_the_field(
    db: Session, organizer_api: TestClient
) -> None:
    story = completed_session(db)
    speaker = create_speaker(db, story)
    base = f"/api/v1/sessions/{story.id}/recap"
    response = organizer_api.put(
        base, json={"summary": "Heard", "quotes": [{"speaker_id": speaker.id, "text": "Hi"}]}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "quotes"],
            "msg": "Unknown field 'quotes': this request has no such field, so nothing was "
            "saved. Remove it (the API documentation lists the fields each request takes).",
            "type": "extra_forbidden",
        }
    ]
    recap = organizer_api.get(base).json()
    assert (recap["id"], recap["summary"], recap["quotes"]) == (None, "", [])


def test_the_signed_in_user_is_who_edits_and_follows_up(
    db: Session, organizer_api: TestClient
) -> None:
    story = completed_session(db)
    organizer = db.exec(select(User).where(User.email == "organizer@example.com")).one()
    saved = organizer_api.put(f"/api/v1/sessions/{story.id}/recap", json={"summary": "Heard"})
    assert saved.status_code == 200, saved.text
    item = organizer_api.post(
        f"/api/v1/sessions/{story.id}/action-items", json={"description": "Fix it"}
    ).json()
    update = organizer_api.post(
        f"/api/v1/action-items/{item['id']}/updates", json={"note": "Begun"}
    )
    assert update.status_code == 201, update.text
    assert update.json()["author"] == "organizer"
    assert db.exec(select(Recap)).one().updated_by_id == organizer.id
