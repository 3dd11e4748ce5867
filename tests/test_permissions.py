"""Walk every route the app registers: none is open by accident, no viewer can write.

A route is public only if it is listed in PUBLIC with a reason; anything new is checked
automatically, so a forgotten guard fails here.
"""

import re
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.dependencies import require_admin
from tests.conftest import PageClient

PUBLIC = {
    ("POST", "/api/v1/auth/token"),  # signing in
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/healthz"),  # load balancers
    ("GET", "/readyz"),
    ("GET", "/metrics"),  # STORYROOM_METRICS_TOKEN, else 404
}
PERSONAL = {  # every signed-in user, viewers too, does these for themselves
    ("POST", "/logout"),
    ("POST", "/account/password"),
    ("POST", "/api/v1/tokens"),
    ("DELETE", "/api/v1/tokens/{token_id}"),
    ("POST", "/api/v1/calendar-feed"),
    ("DELETE", "/api/v1/calendar-feed"),
    ("POST", "/calendar/feed"),
    ("POST", "/calendar/feed/revoke"),
}
PUBLIC_PREFIXES = ("/p/",)  # signed links: the signature is the authorization
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _routes(app: object) -> Iterator[tuple[str, str, APIRoute]]:
    """(method, full path, route) for every endpoint, through included routers."""
    for context in iter_route_contexts(app.routes):  # type: ignore[attr-defined]
        route = context.original_route
        if isinstance(route, APIRoute) and context.path and context.methods:
            for method in sorted(context.methods - {"HEAD"}):
                yield method, context.path, route


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def _is_admin_only(route: APIRoute) -> bool:
    stack = list(route.dependant.dependencies)
    while stack:
        dependency = stack.pop()
        if dependency.call is require_admin:
            return True
        stack.extend(dependency.dependencies)
    return False


def test_every_route_is_guarded_or_deliberately_public(app: object, anon: TestClient) -> None:
    checked = 0
    for method, path, _route in _routes(app):
        if (method, path) in PUBLIC or path.startswith(PUBLIC_PREFIXES):
            continue
        response = anon.request(method, _concrete(path), follow_redirects=False)
        if path.startswith("/api/"):
            assert response.status_code == 401, f"{method} {path} answered {response.status_code}"
            assert response.headers["www-authenticate"] == "Bearer"
        else:
            assert response.status_code == 303, f"{method} {path} answered {response.status_code}"
            assert response.headers["location"].startswith("/login?next=")
        checked += 1
    assert checked >= 5


def test_every_public_route_exists(app: object) -> None:
    registered = {(method, path) for method, path, _ in _routes(app)}
    assert registered >= PUBLIC


def test_viewer_cannot_write_through_any_route(
    app: object, viewer_api: TestClient, viewer_web: PageClient
) -> None:
    writes = [
        (m, p)
        for m, p, _ in _routes(app)
        if m in WRITE_METHODS and (m, p) not in PUBLIC and (m, p) not in PERSONAL
    ]
    assert writes
    for method, path in writes:
        if path.startswith(PUBLIC_PREFIXES):
            continue
        if path.startswith("/api/"):
            response = viewer_api.request(method, _concrete(path), json={})
        else:
            response = viewer_web.request(
                method, _concrete(path), data={"csrf_token": viewer_web.csrf}
            )
        assert response.status_code == 403, f"{method} {path} answered {response.status_code}"


def test_viewers_manage_what_is_their_own(
    viewer_api: TestClient, viewer_web: PageClient, app: object
) -> None:
    registered = {(method, path) for method, path, _ in _routes(app)}
    assert registered >= PERSONAL
    token = viewer_api.post("/api/v1/tokens", json={"name": "laptop"})
    assert token.status_code == 201
    assert viewer_api.delete(f"/api/v1/tokens/{token.json()['id']}").status_code == 200
    assert viewer_api.post("/api/v1/calendar-feed").status_code == 201
    assert viewer_api.delete("/api/v1/calendar-feed").status_code == 200
    feed = viewer_web.submit("/calendar/feed")
    assert feed.status_code == 200
    assert "/p/calendar/" in feed.text
    signed_out = viewer_web.submit("/logout")
    assert signed_out.status_code == 303
    assert viewer_web.get("/dashboard").status_code == 303


def test_admin_routes_refuse_organizers(
    app: object, organizer_api: TestClient, organizer_web: PageClient
) -> None:
    admin_routes = [(m, p) for m, p, route in _routes(app) if _is_admin_only(route)]
    assert ("GET", "/api/v1/users") in admin_routes
    assert ("GET", "/admin/audit") in admin_routes
    for method, path in admin_routes:
        if path.startswith("/api/"):
            response = organizer_api.request(method, _concrete(path), json={})
            assert response.status_code == 403, f"{method} {path} answered {response.status_code}"
            assert response.json() == {"detail": "Only an admin can do this."}
        else:
            response = organizer_web.request(
                method, _concrete(path), data={"csrf_token": organizer_web.csrf}
            )
            assert response.status_code == 403, f"{method} {path} answered {response.status_code}"
            assert "Only an admin can do this." in response.text


def test_page_forms_without_csrf_token_are_refused(organizer_web: PageClient) -> None:
    response = organizer_web.post("/logout", data={})
    assert response.status_code == 403
    assert "form expired" in response.text


@pytest.mark.parametrize("path", ["/docs", "/openapi.json"])
def test_api_docs_need_sign_in(anon: TestClient, path: str, db: Session) -> None:
    response = anon.get(path, follow_redirects=False)
    assert response.status_code == 303
