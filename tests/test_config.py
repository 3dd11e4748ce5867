from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import Environment, Settings, listen_url


def test_settings_in_production_refuse_a_missing_secret(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="STORYROOM_SECRET_KEY must be set"):
        Settings(environment=Environment.production, var_dir=tmp_path, secret_key="")


def test_settings_in_production_refuse_a_placeholder_secret(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="STORYROOM_SECRET_KEY must be set"):
        Settings(environment=Environment.production, var_dir=tmp_path, secret_key="changeme")


def test_settings_in_development_generate_and_keep_a_secret(tmp_path: Path) -> None:
    first = Settings(var_dir=tmp_path, secret_key="")
    second = Settings(var_dir=tmp_path, secret_key="")
    assert len(first.secret_key) >= 48
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").read_text() == first.secret_key


def test_settings_default_to_sqlite_files_under_var(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path, database_url="", queue_url="")
    assert settings.database_url == f"sqlite:///{tmp_path / 'storyroom.db'}"
    assert settings.queue_url == f"sqlite:///{tmp_path / 'queue.db'}"


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("STORYROOM_BASE_URL", "https://storyroom.example.com")
    monkeypatch.setenv("STORYROOM_SECRET_KEY", "x" * 50)
    settings = Settings(var_dir=tmp_path)
    assert settings.base_url == "https://storyroom.example.com"
    assert settings.secure_cookies is True


def test_base_url_defaults_to_the_address_run_or_serve_listens_on(tmp_path: Path) -> None:
    assert Settings(var_dir=tmp_path).base_url == "http://127.0.0.1:8000"
    listening = Settings(var_dir=tmp_path, listen_url="http://127.0.0.1:9000")
    assert listening.base_url == "http://127.0.0.1:9000"
    configured = Settings(
        var_dir=tmp_path, listen_url="http://127.0.0.1:9000", base_url="https://stories.example"
    )
    assert configured.base_url == "https://stories.example"


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:9000"),
        ("0.0.0.0", "http://127.0.0.1:9000"),  # noqa: S104
        ("::", "http://[::1]:9000"),
        ("::1", "http://[::1]:9000"),
        ("storyroom.lan", "http://storyroom.lan:9000"),
    ],
)
def test_listen_url_is_where_this_machine_reaches_the_server(host: str, url: str) -> None:
    assert listen_url(host, 9000) == url
