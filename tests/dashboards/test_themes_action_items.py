"""An action item filed under a theme: by id or by name (matched, else made), API and form."""

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.models import ActionItem, Theme
from tests.conftest import PageClient
from tests.dashboards.theme_support import build_themes


def _create(api: TestClient, session_id: int, **fields: object) -> dict[str, object]:
    response = api.post(
        f"/api/v1/sessions/{session_id}/action-items",
        json={"description": "Call every churned account", **fields},
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_action_item_api_files_under_an_existing_theme_by_name_or_id(
    organizer_api: TestClient, db: Session
) -> None:
    org = build_themes(db)
    billing = org.themes["Billing"]
    s10 = org.sessions[10].id or 0
    by_name = _create(organizer_api, s10, theme="  billing ")
    assert by_name["theme"] == {"id": billing.id, "name": "Billing"}
    by_id = _create(organizer_api, s10, theme_id=billing.id)
    assert by_id["theme"] == {"id": billing.id, "name": "Billing"}
    none = _create(organizer_api, s10)
    assert none["theme"] is None
    listed = organizer_api.get("/api/v1/action-items", params={"theme_id": billing.id}).json()
    assert listed["total"] == 5  # three from the fixture and these two
    assert {item["theme"]["name"] for item in listed["items"]} == {"Billing"}


def test_action_item_api_with_a_new_theme_name_makes_the_theme(
    organizer_api: TestClient, db: Session
) -> None:
    org = build_themes(db)
    body = _create(organizer_api, org.sessions[10].id or 0, theme="Invoice  disputes")
    theme = db.exec(select(Theme).where(Theme.key == "invoice disputes")).one()
    assert body["theme"] == {"id": theme.id, "name": "Invoice disputes"}
    assert organizer_api.get(f"/api/v1/themes/{theme.id}").json()["action_items_open"] == 1


def test_action_item_api_refuses_an_unknown_theme_id_or_two_themes_and_saves_nothing(
    organizer_api: TestClient, db: Session
) -> None:
    org = build_themes(db)
    s10 = org.sessions[10].id or 0
    before = db.exec(select(func.count()).select_from(ActionItem)).one()
    unknown = organizer_api.post(
        f"/api/v1/sessions/{s10}/action-items", json={"description": "X", "theme_id": 999999}
    )
    assert unknown.status_code == 422
    assert unknown.json() == {
        "detail": "There is no theme with id 999999: choose one from the list, or type a new "
        "theme's name."
    }
    both = organizer_api.post(
        f"/api/v1/sessions/{s10}/action-items",
        json={"description": "X", "theme_id": org.themes["Billing"].id, "theme": "Billing"},
    )
    assert both.status_code == 422
    assert "Name the theme one way: send theme_id or theme, not both" in both.text
    assert db.exec(select(func.count()).select_from(ActionItem)).one() == before


def test_action_item_patch_moves_the_item_to_another_theme_or_none(
    organizer_api: TestClient, db: Session
) -> None:
    org = build_themes(db)
    item = _create(organizer_api, org.sessions[10].id or 0, theme="Billing")
    moved = organizer_api.patch(f"/api/v1/action-items/{item['id']}", json={"theme": "Support"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["theme"] == {"id": org.themes["Support"].id, "name": "Support"}
    kept = organizer_api.patch(f"/api/v1/action-items/{item['id']}", json={"description": "Y"})
    assert kept.json()["theme"] == {"id": org.themes["Support"].id, "name": "Support"}
    cleared = organizer_api.patch(f"/api/v1/action-items/{item['id']}", json={"clear_theme": True})
    assert cleared.json()["theme"] is None


def test_action_item_form_files_the_item_under_the_typed_theme_and_the_list_shows_it(
    organizer_web: PageClient, db: Session
) -> None:
    org = build_themes(db)
    story = org.sessions[10]
    editor = organizer_web.get(f"/sessions/{story.id}/recap")
    assert (
        '<input id="item_theme" name="theme" list="theme-options" maxlength="80" '
        'autocomplete="off" value="">' in editor.text
    )
    response = organizer_web.submit(
        f"/sessions/{story.id}/recap/action-items",
        {"description": "Name one account owner", "owner_email": "", "theme": "ONBOARDING"},
    )
    assert response.status_code == 303, response.text
    item = db.exec(
        select(ActionItem).where(ActionItem.description == "Name one account owner")
    ).one()
    assert item.theme_id == org.themes["Onboarding"].id
    listing = organizer_web.get("/action-items")
    assert (
        f'<a class="sub item-theme" href="/themes/{org.themes["Onboarding"].id}">Theme: '
        "Onboarding</a>" in listing.text
    )
    editor = organizer_web.get(f"/sessions/{story.id}/recap")
    assert f' · theme <a href="/themes/{org.themes["Onboarding"].id}">Onboarding</a>' in editor.text


def test_action_item_form_with_an_overlong_theme_keeps_the_input_and_saves_nothing(
    organizer_web: PageClient, db: Session
) -> None:
    org = build_themes(db)
    story = org.sessions[10]
    long_name = "x" * 81
    response = organizer_web.submit(
        f"/sessions/{story.id}/recap/action-items",
        {"description": "Name one account owner", "theme": long_name},
    )
    assert response.status_code == 422
    assert "Theme: String should have at most 80 characters" in response.text
    assert f'value="{long_name}"' in response.text
    assert (
        db.exec(select(ActionItem).where(ActionItem.description == "Name one account owner")).all()
        == []
    )
