"""Every table, imported here so Alembic and the app share one metadata."""

from app.models.attendance import Attendance, AttendanceImport, AttendanceSource
from app.models.auth import ApiToken, Role, User
from app.models.base import utcnow
from app.models.dashboards import EngagementStage, LeaderStage
from app.models.people import AliasKind, Level, Person, PersonAlias
from app.models.story_sessions import (
    Consent,
    Customer,
    Platform,
    Series,
    SessionSpeaker,
    SessionStatus,
    StorySession,
)

__all__ = [
    "AliasKind",
    "ApiToken",
    "Attendance",
    "AttendanceImport",
    "AttendanceSource",
    "Consent",
    "Customer",
    "EngagementStage",
    "LeaderStage",
    "Level",
    "Person",
    "PersonAlias",
    "Platform",
    "Role",
    "Series",
    "SessionSpeaker",
    "SessionStatus",
    "StorySession",
    "User",
    "utcnow",
]
