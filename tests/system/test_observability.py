"""Metrics, request ids and structured logs: what an operator watches."""

import json
import logging

import pytest
from fastapi.testclient import TestClient

from app import db
from app.config import get_settings
from app.system.logs import JsonFormatter, request_id
from app.worker import huey


def test_readyz_reports_the_schema_at_this_codes_migration(anon: TestClient) -> None:
    checks = anon.get("/readyz").json()["checks"]
    assert checks == {"database": "ok", "migrations": "ok", "queue": "ok"}


def test_readyz_is_unavailable_when_the_schema_lags_the_code(
    anon: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    head, known = db.code_revisions()
    monkeypatch.setattr(db, "code_revisions", lambda: ("9999", known | {"9999"}))
    response = anon.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == f"at {head}, code needs 9999"


def test_readyz_stays_ready_when_newer_code_has_migrated_first(
    anon: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A rolling upgrade: the new release migrated, this old process has never heard of it.
    monkeypatch.setattr(db, "code_revisions", lambda: ("0001", frozenset({"0001"})))
    response = anon.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["migrations"] == "ok"


def test_metrics_are_hidden_without_the_token(anon: TestClient) -> None:
    assert anon.get("/metrics").status_code == 404
    assert anon.get("/metrics", headers={"Authorization": "Bearer guess"}).status_code == 404


def test_metrics_count_requests_by_route_template_and_read_the_database(
    anon: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "metrics_token", "scrape-me")
    anon.get("/healthz")
    anon.get("/p/check-in/some-token-value")
    anon.get("/no/such/page")
    response = anon.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert response.status_code == 200
    text = response.text
    assert 'storyroom_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    # The template, never the token in the path; unknown paths share one label.
    assert 'route="/p/check-in/{token}"' in text
    assert "some-token-value" not in text
    assert 'route="unmatched"' in text
    assert "storyroom_http_request_duration_seconds_bucket" in text
    assert "storyroom_queue_depth" in text
    assert "# TYPE storyroom_deliveries gauge" in text


def test_every_response_carries_a_request_id_and_keeps_a_valid_one(anon: TestClient) -> None:
    generated = anon.get("/healthz").headers["x-request-id"]
    assert len(generated) == 16
    kept = anon.get("/healthz", headers={"X-Request-ID": "lb-42.abc"}).headers["x-request-id"]
    assert kept == "lb-42.abc"
    hostile = anon.get("/healthz", headers={"X-Request-ID": "x\nforged line"})
    assert hostile.headers["x-request-id"] != "x\nforged line"


def test_json_log_lines_carry_the_request_id_and_extra_fields() -> None:
    record = logging.makeLogRecord(
        {"name": "storyroom.request", "levelname": "INFO", "msg": "GET %s", "args": ("/x",)}
    )
    record.request_id = "abc123"
    record.route = "/x"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET /x"
    assert line["request_id"] == "abc123"
    assert line["route"] == "/x"
    assert line["level"] == "info"


@huey.task()  # type: ignore[untyped-decorator]
def _which_request() -> str:
    return request_id.get()


def test_a_job_runs_under_the_request_id_that_queued_it() -> None:
    token = request_id.set("req-7")
    try:
        result = _which_request()
        assert request_id.get() == "req-7"  # the job's id ends with the job
    finally:
        request_id.reset(token)
    assert result() == "req-7"


def test_a_job_queued_outside_a_request_gets_its_own_id_for_its_run_only() -> None:
    result = _which_request()
    assert result().startswith("job-")
    assert request_id.get() == "-"


def test_imports_are_counted_by_outcome(
    organizer_api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "metrics_token", "scrape-me")

    def count(outcome: str) -> float:
        scraped = organizer_api.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        prefix = f'storyroom_imports_total{{kind="people",outcome="{outcome}"}} '
        line = next((x for x in scraped.text.splitlines() if x.startswith(prefix)), prefix + "0")
        return float(line.removeprefix(prefix))

    before = (count("imported"), count("rejected"))
    good = b"email,name,title\nana@example.com,Ana,CFO\n"
    organizer_api.post("/api/v1/people/import", files={"file": ("p.csv", good, "text/csv")})
    organizer_api.post(
        "/api/v1/people/import", files={"file": ("p.csv", b"name\nAna\n", "text/csv")}
    )
    assert (count("imported"), count("rejected")) == (before[0] + 1, before[1] + 1)
