"""Alembic is the only way the schema is made: it must match the models and undo cleanly."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app.db import make_engine
from app.people.levels import title_matches
from tests.conftest import migrate

SCRATCH_DATABASE = "storyroom_migration_test"


@pytest.fixture
def scratch_url(engine: Engine, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as the test database."""
    if engine.dialect.name == "postgresql":
        admin = make_engine(engine.url.render_as_string(hide_password=False)).execution_options(
            isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH_DATABASE}"))
            connection.execute(text(f"CREATE DATABASE {SCRATCH_DATABASE}"))
        yield engine.url.set(database=SCRATCH_DATABASE).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH_DATABASE} WITH (FORCE)"))
        admin.dispose()
    else:
        yield f"sqlite:///{tmp_path / 'scratch.db'}"


def test_upgrade_head_matches_the_models_and_downgrade_base_empties(scratch_url: str) -> None:
    migrate(scratch_url)
    engine = make_engine(scratch_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
        levels = connection.execute(text("SELECT key FROM level ORDER BY position")).scalars().all()
    assert differences == []
    assert levels == ["c-suite", "vp", "director", "manager", "ic", "unknown"]

    migrate(scratch_url, "base", down=True)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30000
    engine.dispose()


def test_upgrade_rewrites_the_shipped_lookahead_c_suite_rule_for_re2(scratch_url: str) -> None:
    shipped = r"\bchief\b|^c[a-z]o\b|^(?!.*\bvice\b).*\bpresident\b|\bfounder\b"
    migrate(scratch_url, "0007")
    engine = make_engine(scratch_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE level SET title_pattern = :p WHERE key = 'c-suite'"), {"p": shipped}
        )
        connection.execute(text("UPDATE level SET title_pattern = 'own' WHERE key = 'director'"))
    migrate(scratch_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT key, title_pattern FROM level")).all()
    rules = {str(key): str(pattern) for key, pattern in rows}
    engine.dispose()

    assert rules["director"] == "own"
    assert "(?!" not in rules["c-suite"]
    assert title_matches(rules["c-suite"], "President")
    assert not title_matches(rules["c-suite"], "Vice President, Sales")
