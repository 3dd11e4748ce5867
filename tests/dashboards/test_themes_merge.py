"""Merging one theme into another keeps everything filed under it, once; into itself, nothing."""

from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.models import ActionItem, AuditEntry, Commitment, Recap, RecapTheme, Theme
from app.recaps.themes import set_themes
from tests.conftest import PageClient
from tests.dashboards.theme_support import ThemeOrg, build_themes


def _filed(db: Session, theme_id: int | None) -> tuple[list[int], int, int]:
    """(the sessions whose recap carries the theme, its action items, its commitments)."""
    sessions = db.exec(
        select(Recap.session_id)
        .join(RecapTheme, col(RecapTheme.recap_id) == Recap.id)
        .where(RecapTheme.theme_id == theme_id)
        .order_by(col(Recap.session_id))
    ).all()
    items = db.exec(select(func.count()).where(ActionItem.theme_id == theme_id)).one()
    commitments = db.exec(select(func.count()).where(Commitment.theme_id == theme_id)).one()
    return list(sessions), items, commitments


def _numbers(org: ThemeOrg, *ns: int) -> list[int]:
    return [org.sessions[n].id or 0 for n in ns]


def test_merge_moves_tags_once_items_commitments_sums_figures_and_is_audited(
    organizer_api: TestClient, db: Session
) -> None:
    org = build_themes(db)
    billing, support = org.themes["Billing"], org.themes["Support"]
    billing_id, support_id = billing.id, support.id
    assert _filed(db, billing_id) == (_numbers(org, 1, 3, 5, 6, 8, 10, 11), 3, 1)
    assert _filed(db, support_id) == (_numbers(org, 1, 2), 1, 1)

    response = organizer_api.post(f"/api/v1/themes/{support_id}/merge", json={"into": billing_id})

    assert response.status_code == 200, response.text
    db.expire_all()  # the app wrote through its own session
    assert response.json() == {
        "id": billing_id,
        "name": "Billing",
        "recaps": 2,
        "action_items": 1,
        "commitments": 1,
    }
    # s1's recap had both: it now carries Billing once.
    assert _filed(db, billing_id) == (_numbers(org, 1, 2, 3, 5, 6, 8, 10, 11), 4, 2)
    assert db.exec(select(func.count()).where(RecapTheme.theme_id == support_id)).one() == 0
    assert db.get(Theme, support_id) is None
    merged = db.get(Theme, billing_id)
    assert merged is not None
    # Both had customers affected: summed (4 + 3); only Support had revenue at risk: kept.
    assert (merged.customers_affected, merged.revenue_at_risk) == (7, 1000)
    (entry,) = db.exec(select(AuditEntry).where(AuditEntry.action == "merged")).all()
    assert (entry.entity, entry.entity_id, entry.actor) == (
        "theme",
        billing_id,
        "organizer@example.com",
    )
    assert entry.summary == (
        "Merged the theme “Support” into “Billing”: 2 recaps, 1 action item and 1 commitment moved"
    )
    assert entry.changes == {
        "merged_theme": [f"Support (#{support_id})", None],
        "customers_affected": [4, 7],
        "revenue_at_risk": [None, 1000],
    }

    view = organizer_api.get(f"/api/v1/themes/{billing_id}").json()
    # Support's one quote (s1) was already Billing's: still two, each once.
    assert (view["sessions"], view["quotes"], view["action_items_open"]) == (7, 2, 2)
    assert (view["action_items_done"], view["commitments"]) == (2, 2)
    assert organizer_api.get(f"/api/v1/themes/{support_id}").status_code == 404


def test_after_a_merge_a_recap_tagged_with_the_old_name_makes_a_new_theme(
    organizer_api: TestClient, db: Session
) -> None:
    org = build_themes(db)
    support_id = org.themes["Support"].id
    organizer_api.post(
        f"/api/v1/themes/{support_id}/merge", json={"into": org.themes["Billing"].id}
    )
    set_themes(db, recap=org.recaps[2], names=["Support"])
    again = db.exec(select(Theme).where(Theme.key == "support")).one()
    assert again.id != support_id
    assert (again.customers_affected, again.revenue_at_risk) == (None, None)


def test_merging_a_theme_into_itself_is_refused_and_changes_nothing(
    organizer_api: TestClient, db: Session
) -> None:
    org = build_themes(db)
    billing_id = org.themes["Billing"].id
    before = _filed(db, billing_id)
    response = organizer_api.post(f"/api/v1/themes/{billing_id}/merge", json={"into": billing_id})
    assert response.status_code == 409
    db.expire_all()
    assert response.json() == {
        "detail": "“Billing” cannot be merged into itself: choose another theme to merge it into."
    }
    assert _filed(db, billing_id) == before
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "merged")).all() == []


def test_merging_into_a_theme_that_does_not_exist_is_a_422(
    organizer_api: TestClient, db: Session
) -> None:
    org = build_themes(db)
    response = organizer_api.post(
        f"/api/v1/themes/{org.themes['Support'].id}/merge", json={"into": 999999}
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "There is no theme with id 999999 to merge “Support” into."
    }
    db.expire_all()
    assert db.get(Theme, org.themes["Support"].id) is not None


def test_merge_body_with_an_unknown_field_is_refused(
    organizer_api: TestClient, db: Session
) -> None:
    org = build_themes(db)
    response = organizer_api.post(
        f"/api/v1/themes/{org.themes['Support'].id}/merge", json={"target": 1}
    )
    assert response.status_code == 422
    db.expire_all()
    assert db.get(Theme, org.themes["Support"].id) is not None


def test_merge_form_redirects_to_the_target_with_a_message(
    organizer_web: PageClient, db: Session
) -> None:
    org = build_themes(db)
    billing_id, support_id = org.themes["Billing"].id, org.themes["Support"].id
    response = organizer_web.submit(f"/themes/{support_id}/merge", {"into": str(billing_id)})
    assert response.status_code == 303
    assert response.headers["location"] == f"/themes/{billing_id}?done=merged"
    page = organizer_web.get(response.headers["location"])
    db.expire_all()
    assert (
        '<p class="notice" role="status">Merged: the sessions, quotes, action items and '
        "commitments of the other theme are now filed under this one.</p>" in page.text
    )
    assert db.get(Theme, support_id) is None


def test_merge_form_into_itself_or_nothing_shows_the_page_again_with_why(
    organizer_web: PageClient, db: Session
) -> None:
    org = build_themes(db)
    billing_id = org.themes["Billing"].id
    itself = organizer_web.submit(f"/themes/{billing_id}/merge", {"into": str(billing_id)})
    assert itself.status_code == 409
    assert "cannot be merged into itself: choose another theme to merge it into." in itself.text
    assert "<h1>Billing</h1>" in itself.text
    nothing = organizer_web.submit(f"/themes/{billing_id}/merge", {"into": ""})
    assert nothing.status_code == 422
    assert "Choose the theme to merge this one into." in nothing.text
    assert _filed(db, billing_id)[0] == _numbers(org, 1, 3, 5, 6, 8, 10, 11)


def test_a_viewer_cannot_merge_themes(viewer_api: TestClient, db: Session) -> None:
    org = build_themes(db)
    response = viewer_api.post(
        f"/api/v1/themes/{org.themes['Support'].id}/merge",
        json={"into": org.themes["Billing"].id},
    )
    assert response.status_code == 403
    db.expire_all()
    assert db.get(Theme, org.themes["Support"].id) is not None
