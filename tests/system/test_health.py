from fastapi.testclient import TestClient


def test_healthz_answers_without_sign_in(anon: TestClient) -> None:
    assert anon.get("/healthz").json() == {"status": "ok"}


def test_pages_link_their_stylesheet_where_it_is_served(anon: TestClient) -> None:
    page = anon.get("/login").text
    href = page.split('<link rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    response = anon.get(href)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")


def test_every_response_carries_security_headers(anon: TestClient) -> None:
    for response in (anon.get("/login"), anon.get("/healthz"), anon.get("/static/style.css")):
        csp = response.headers["content-security-policy"]
        assert "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
