"""/docs works without internet (Swagger UI from this site only) and /openapi.json takes the
credentials an API client has: a bearer token, as well as a browser's session cookie."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.service import issue_token
from app.models import Role
from app.system.headers import CONTENT_SECURITY_POLICY
from tests.conftest import PageClient
from tests.factories import create_user

CONTENT_TYPES = {
    ".css": "text/css",
    ".js": "text/javascript",
    ".png": "image/png",
}


def _referenced_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]*)"', html)


def test_docs_page_references_only_this_site(organizer_web: PageClient) -> None:
    page = organizer_web.get("/docs")
    assert page.status_code == 200
    urls = _referenced_urls(page.text)
    assert sorted(urls) == [
        "/static/api-docs.js",
        "/static/swagger-ui/favicon-32x32.png",
        "/static/swagger-ui/swagger-ui-bundle.js",
        "/static/swagger-ui/swagger-ui.css",
    ]
    assert "http" not in page.text
    assert 'data-openapi-url="/openapi.json"' in page.text


def test_docs_assets_are_served_with_their_type(organizer_web: PageClient) -> None:
    for url in _referenced_urls(organizer_web.get("/docs").text):
        response = organizer_web.get(url)
        assert response.status_code == 200, url
        expected = CONTENT_TYPES[url[url.rindex(".") :]]
        assert response.headers["content-type"].split(";")[0] == expected, url
    bundle = organizer_web.get("/static/swagger-ui/swagger-ui-bundle.js").text
    assert "SwaggerUIBundle" in bundle


def test_docs_page_keeps_the_strict_policy_with_no_other_host(organizer_web: PageClient) -> None:
    csp = organizer_web.get("/docs").headers["content-security-policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "http" not in csp
    assert "cdn" not in csp
    assert "'sha256-" not in csp
    assert "'unsafe-inline'" not in csp


def test_openapi_answers_an_api_token(anon: TestClient, db: Session) -> None:
    user = create_user(db, email="generator@example.com", role=Role.viewer)
    _, plain = issue_token(db, user=user, name="codegen")
    response = anon.get("/openapi.json", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Storyroom"
    assert "/api/v1/people" in response.json()["paths"]


def test_openapi_answers_an_oauth_token(organizer_api: TestClient) -> None:
    response = organizer_api.get("/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/sessions/{session_id}" in response.json()["paths"]


def test_openapi_answers_a_signed_in_browser(organizer_web: PageClient) -> None:
    response = organizer_web.get("/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Storyroom"


@pytest.mark.parametrize(
    "headers",
    [
        {"Accept": "application/json"},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic b3JnOnB3"},
    ],
)
def test_openapi_refuses_an_api_client_without_a_valid_token_with_401(
    anon: TestClient, db: Session, headers: dict[str, str]
) -> None:
    response = anon.get("/openapi.json", headers=headers, follow_redirects=False)
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Send a valid bearer token (POST /api/v1/auth/token) or sign in."
    }
    assert response.headers["www-authenticate"] == "Bearer"


def test_openapi_sends_a_browser_without_a_session_to_sign_in(
    anon: TestClient, db: Session
) -> None:
    response = anon.get(
        "/openapi.json", headers={"Accept": "text/html,*/*;q=0.8"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/openapi.json"


def test_openapi_refuses_a_revoked_token(anon: TestClient, db: Session) -> None:
    user = create_user(db, email="generator@example.com", role=Role.viewer)
    token, plain = issue_token(db, user=user, name="codegen")
    token.revoked_at = token.created_at
    db.add(token)
    db.flush()
    response = anon.get("/openapi.json", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 401
