"""Fixtures for audit tests: an admin page client."""

import pytest
from sqlmodel import Session

from app.models import Role
from tests.conftest import PageClient, _page_client


@pytest.fixture
def admin_web(app: object, db: Session) -> PageClient:
    """A page client signed in as an admin."""
    return _page_client(app, db, Role.admin)
