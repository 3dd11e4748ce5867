"""Every API operation, fuzzed from the OpenAPI document: no 500s, no response off its schema.

Runs in process (ASGI) against the test transaction, signed in as an admin. Revoking tokens
and changing users are left out: the fuzzer would revoke or disable its own credentials.
"""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlmodel import Session

from app.auth.service import issue_token
from app.main import create_app
from app.models import Role
from tests.factories import create_user

APP = create_app()
schema = schemathesis.openapi.from_dict(APP.openapi())
schema.app = APP


@pytest.fixture
def admin_token(db: Session) -> str:
    user = create_user(db, email="fuzz@example.com", role=Role.admin)
    _, plain = issue_token(db, user=user, name="fuzz")
    return plain


@schema.exclude(path_regex=r"^/api/v1/(tokens|users)/").parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_operation_never_errors(case: schemathesis.Case[Any], admin_token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {admin_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
