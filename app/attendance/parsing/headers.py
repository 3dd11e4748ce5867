"""Column names: normalised, then mapped to fields through aliases in several languages."""

import re
import unicodedata

NAME = "name"
FIRST_NAME = "first_name"
LAST_NAME = "last_name"
EMAIL = "email"
UPN = "upn"
JOIN = "join"
LEAVE = "leave"
FIRST_JOIN = "first_join"
LAST_LEAVE = "last_leave"
DURATION = "duration"
ROLE = "role"
ACTION = "action"
TIMESTAMP = "timestamp"
SESSION_ID = "session_id"
PARTICIPANT_ID = "participant_id"
ATTENDED = "attended"
WAITING_ROOM = "waiting_room"

TIME_FIELDS = (JOIN, LEAVE, FIRST_JOIN, LAST_LEAVE, TIMESTAMP)

# Zoom writes "Name (Original Name)": current display name, then the original in brackets.
ZOOM_NAMES = frozenset(
    {
        "name (original name)",
        "user name (original name)",
        "名前 (元の名前)",
        "名前(元の名前)",
        "이름(원래 이름)",
        "이름 (원래 이름)",
    }
)

_ALIASES: dict[str, tuple[str, ...]] = {
    NAME: (
        *ZOOM_NAMES,
        "name",
        "full name",
        "display name",
        "participant name",
        "attendee name",
        "user name",
        "imię i nazwisko",
    ),
    FIRST_NAME: ("first name", "given name", "imię"),
    LAST_NAME: ("last name", "surname", "family name", "nazwisko"),
    EMAIL: (
        "email",
        "e-mail",
        "email address",
        "e-mail address",
        "user email",
        "participant email",
        "attendee email",
        "work email",
        "mail",
        "adres e-mail",
        "ユーザーメール",
        "メール",
        "メールアドレス",
        "이메일",
    ),
    UPN: ("participant id (upn)", "identyfikator uczestnika (upn)", "upn", "user principal name"),
    JOIN: (
        "join time",
        "joined time",
        "time joined",
        "join",
        "joined",
        "joined at",
        "first seen",
        "参加時刻",
        "참가 시간",
        "godzina dołączenia",
    ),
    LEAVE: (
        "leave time",
        "left time",
        "time exited",
        "time left",
        "exit time",
        "leave",
        "left",
        "left at",
        "last seen",
        "退出時刻",
        "나간 시간",
        "godzina opuszczenia",
    ),
    FIRST_JOIN: ("first join", "pierwsze dołączenie"),
    LAST_LEAVE: ("last leave", "ostatnie wyjście"),
    DURATION: (
        "duration (minutes)",
        "total duration (minutes)",
        "time in session (minutes)",
        "duration (min)",
        "duration",
        "in-meeting duration",
        "minutes",
        "mins",
        "minutes present",
        "attendance minutes",
        "total minutes",
        "所要時間(分)",
        "合計時間(分)",
        "기간(분)",
        "czas udziału w spotkaniu",
        "czas trwania",
    ),
    ROLE: ("role", "rola", "participant type", "attendee type"),
    ACTION: ("user action", "action", "akcja użytkownika"),
    TIMESTAMP: ("timestamp", "utc event timestamp", "event timestamp", "sygnatura czasowa"),
    SESSION_ID: ("session id",),
    PARTICIPANT_ID: ("participant id",),
    ATTENDED: ("attended",),
    WAITING_ROOM: ("in waiting room",),
}
ALIASES: dict[str, str] = {alias: field for field, names in _ALIASES.items() for alias in names}

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def normalize_header(cell: str) -> str:
    """Case, width, spacing and camelCase folded: 'UtcEventTimestamp' → 'utc event timestamp'."""
    text = _CAMEL.sub(" ", cell.replace("\ufeff", ""))
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(text.split()).strip(" :")


def map_columns(normalized: list[str]) -> dict[str, int]:
    """Field → column index. A repeated field takes its first column at or after the name.

    Zoom's account-admin export repeats the meeting's `User Email` and `Duration (Minutes)`
    before the participant's own columns.
    """
    positions: dict[str, list[int]] = {}
    for index, cell in enumerate(normalized):
        field = ALIASES.get(cell)
        if field is not None:
            positions.setdefault(field, []).append(index)
    zoom_names = [i for i, cell in enumerate(normalized) if cell in ZOOM_NAMES]
    name_at = zoom_names[0] if zoom_names else positions.get(NAME, [0])[0]
    columns: dict[str, int] = {}
    for field, indexes in positions.items():
        after = [i for i in indexes if i >= name_at]
        columns[field] = after[0] if after else indexes[0]
    return columns
