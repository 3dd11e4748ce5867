"""One Settings object, read from STORYROOM_* environment variables and `.env`."""

import secrets
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, PositiveInt, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "development"}
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
ISO_4217 = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD
    BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP
    ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK
    JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK
    MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN
    PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS
    TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG
    XOF XPF YER ZAR ZMW ZWG""".split()  # noqa: SIM905 - a list of 170 codes reads better so
)
"""The currencies in use (ISO 4217's list one, without precious metals and test codes)."""


class Environment(StrEnum):
    development = "development"
    production = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="STORYROOM_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Environment = Environment.development
    var_dir: Path = Path("var")
    database_url: str = ""
    """Default: a SQLite file under var_dir."""
    secret_key: str = ""
    """Signs session cookies and public links. Generated under var_dir in development."""
    base_url: str = ""
    """The address in links (emails, QR codes, RSVP, feeds). Default: listen_url, else
    DEFAULT_BASE_URL."""
    listen_url: str = ""
    """Set by `storyroom run` and `serve` from their --host and --port (see `listen_url`)."""
    company_name: str = "Storyroom"
    currency: str = "USD"
    """ISO 4217 code of the amounts organizers record (revenue at risk or saved), e.g. EUR."""

    queue_url: str = ""
    """`redis://…` for a Redis-backed queue; default: a SQLite queue file under var_dir."""

    smtp_url: str = ""
    """`smtp://`, `smtp+starttls://` or `smtps://user:pass@host:port`; empty writes .eml files."""
    mail_from: str = "Storyroom <storyroom@localhost>"
    mail_timeout_seconds: float = Field(default=30, gt=0)
    """How long to wait for the SMTP server (connect and each reply) before trying again later."""
    mail_batch_size: int = Field(default=50, gt=0)
    """Deliveries a worker claims at once; a worker that dies leaves at most these to the sweep."""
    mail_max_attempts: int = Field(default=8, gt=0)
    """Tries before a delivery that keeps failing transiently is marked failed."""
    mail_claim_timeout_seconds: int = Field(default=600, gt=0)
    """A delivery claimed longer ago than this is requeued by the sweep (its worker died)."""

    upload_max_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    body_max_bytes: int = Field(default=1024 * 1024, gt=0)
    """Largest request body other than an upload (JSON, forms); larger ones get a 413."""
    max_active_requests: int = Field(default=4, ge=1, le=30)
    """Requests one web process lets use the database at once; the others wait their turn, in
    order. At most the connection pool (30), and below AnyIO's thread pool (40): see
    `app.db.get_session`."""
    attendance_min_minutes: int = Field(default=5, ge=0)
    check_in_opens_minutes: int = Field(default=30, ge=0)
    """Minutes before a session starts that its self check-in link starts working."""
    check_in_closes_minutes: int = Field(default=120, ge=0)
    """Minutes after a session ends that its self check-in link stops working."""
    check_in_rate_per_link: str = "2000/10minutes"
    """Self check-ins one link takes (`limits` notation); a whole session fits, a flood not."""
    check_in_rate_per_address: str = "100/10minutes"
    """Self check-ins from one client address; a room on one office network still fits."""
    token_ttl_hours: int = Field(default=12, gt=0)

    recap_paper: Literal["A4", "Letter"] = "A4"
    recap_logo: Path | None = None
    """A local PNG or SVG file shown in the PDF's running header (embedded, never fetched)."""
    render_timeout_seconds: int = Field(default=60, gt=0)
    """A PDF render taking longer is stopped and reported."""
    recap_carry_over: Literal["series", "all"] = "series"
    """Which earlier sessions' open action items a recap carries: the same series, or all."""
    recap_named_levels: str = ""
    """Comma-separated level keys whose attendees a recap names; empty: the executive levels."""

    metrics_token: str = ""
    """Bearer token that unlocks /metrics; empty turns that endpoint off."""
    metrics_port: int | None = None
    """Serve metrics on this port instead (`storyroom serve`); keep it on a private network."""
    log_format: Literal["auto", "json", "text"] = "auto"
    """auto: JSON lines in production, readable lines otherwise."""

    reminder_offsets_minutes: list[PositiveInt] = Field(default=[1440, 15])
    """Minutes before each session that invitees get a reminder (env: a JSON list)."""
    rsvp_link_days: int = Field(default=1, ge=0)
    """Days after a session ends that the RSVP links in its invitations keep working."""

    recap_reminder_hours: int = Field(default=48, gt=0)
    """Hours after a completed session ends before its organizer is reminded to send the recap."""
    recap_link_days: int = Field(default=90, gt=0)
    """Days the signed link in a recap email keeps opening the online recap."""
    transcript_retention_days: int = Field(default=0, ge=0)
    """Days after a session that its transcript and chat are kept; 0 keeps them. The quotes an
    approved recap used outlive them."""

    @field_validator("check_in_rate_per_link", "check_in_rate_per_address")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse

        parse(value)  # a ValueError naming the value, e.g. for "100 per ten minutes"
        return value

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        code = value.strip().upper()
        if code not in ISO_4217:
            raise ValueError(
                f"STORYROOM_CURRENCY must be an ISO 4217 currency code such as USD, EUR or "
                f"GBP, not {value!r}."
            )
        return code

    @model_validator(mode="after")
    def _fill_defaults(self) -> "Settings":
        if not self.database_url:
            self.database_url = f"sqlite:///{self.var_dir / 'storyroom.db'}"
        if not self.base_url:
            self.base_url = self.listen_url or DEFAULT_BASE_URL
        if not self.queue_url:
            self.queue_url = f"sqlite:///{self.var_dir / 'queue.db'}"
        if self.secret_key.strip().lower() in PLACEHOLDER_SECRETS:
            if self.environment is Environment.production:
                raise ValueError(
                    "STORYROOM_SECRET_KEY must be set to a long random value in production "
                    "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)."
                )
            self.secret_key = _development_secret(self.var_dir)
        return self

    @property
    def json_logs(self) -> bool:
        if self.log_format == "auto":
            return self.environment is Environment.production
        return self.log_format == "json"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def outbox_dir(self) -> Path:
        return self.var_dir / "outbox"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


def listen_url(host: str, port: int) -> str:
    """The address of a server bound to host:port, as this machine reaches it: a wildcard
    bind (0.0.0.0, ::) is reached on loopback; elsewhere, set STORYROOM_BASE_URL."""
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _development_secret(var_dir: Path) -> str:
    """Keep one generated secret per checkout so logins survive restarts."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
