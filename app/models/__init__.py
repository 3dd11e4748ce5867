"""Every table, imported here so Alembic and the app share one metadata."""

from app.models.attendance import Attendance, AttendanceImport, AttendanceSource, PendingCheckIn
from app.models.audit import AuditEntry
from app.models.auth import ApiToken, Role, User
from app.models.base import utcnow
from app.models.commitments import Commitment, CommitmentStatus, CommitmentUpdate
from app.models.dashboards import EngagementStage, LeaderStage
from app.models.distribution import (
    Cadence,
    Digest,
    DigestRecap,
    DistributionList,
    ListMember,
    ScheduledSend,
    Scorecard,
    ScorecardCadence,
    SeriesList,
)
from app.models.follow_ups import FollowUp, FollowUpReply
from app.models.invitations import CalendarFeed, Invitation, Rsvp
from app.models.mail import Delivery, DeliveryKind, DeliveryStatus
from app.models.people import AliasKind, Level, Person, PersonAlias
from app.models.recaps import (
    ActionItem,
    ActionItemUpdate,
    ActionStatus,
    Recap,
    RecapQuote,
    RecapStatus,
    RecapTheme,
    RecapVersion,
    RenderedPdf,
    Theme,
)
from app.models.story_sessions import (
    Consent,
    Customer,
    Platform,
    Series,
    SessionSpeaker,
    SessionStatus,
    StorySession,
)
from app.models.transcripts import (
    RecapQuestion,
    SpeakerMatch,
    Transcript,
    TranscriptCue,
    TranscriptKind,
    TranscriptSpeaker,
)

__all__ = [
    "ActionItem",
    "ActionItemUpdate",
    "ActionStatus",
    "AliasKind",
    "ApiToken",
    "Attendance",
    "AttendanceImport",
    "AttendanceSource",
    "AuditEntry",
    "Cadence",
    "CalendarFeed",
    "Commitment",
    "CommitmentStatus",
    "CommitmentUpdate",
    "Consent",
    "Customer",
    "Delivery",
    "DeliveryKind",
    "DeliveryStatus",
    "Digest",
    "DigestRecap",
    "DistributionList",
    "EngagementStage",
    "FollowUp",
    "FollowUpReply",
    "Invitation",
    "LeaderStage",
    "Level",
    "ListMember",
    "PendingCheckIn",
    "Person",
    "PersonAlias",
    "Platform",
    "Recap",
    "RecapQuestion",
    "RecapQuote",
    "RecapStatus",
    "RecapTheme",
    "RecapVersion",
    "RenderedPdf",
    "Role",
    "Rsvp",
    "ScheduledSend",
    "Scorecard",
    "ScorecardCadence",
    "Series",
    "SeriesList",
    "SessionSpeaker",
    "SessionStatus",
    "SpeakerMatch",
    "StorySession",
    "Theme",
    "Transcript",
    "TranscriptCue",
    "TranscriptKind",
    "TranscriptSpeaker",
    "User",
    "utcnow",
]
