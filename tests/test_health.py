from fastapi.testclient import TestClient


def test_healthz_answers_without_sign_in(anon: TestClient) -> None:
    assert anon.get("/healthz").json() == {"status": "ok"}


def test_readyz_reports_database_and_queue(anon: TestClient) -> None:
    response = anon.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "queue": "ok"}}
