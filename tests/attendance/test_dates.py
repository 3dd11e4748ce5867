"""Date-time cells: every supported layout read back exactly, and the day/month decision."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.attendance.parsing.dates import DateOrder, DateReader, decide_order

# naive wall-clock times, as the files write them
instants = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2099, 12, 31),  # noqa: DTZ001
)
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _clock(value: datetime, *, twelve_hour: bool, pad: bool, seconds: bool) -> str:
    hour = value.hour % 12 or 12 if twelve_hour else value.hour
    text = f"{hour:02d}" if pad else str(hour)
    text += f":{value.minute:02d}" + (f":{value.second:02d}" if seconds else "")
    return text + (" AM" if value.hour < 12 else " PM") if twelve_hour else text


@given(
    value=instants,
    order=st.sampled_from(["dmy", "mdy"]),
    four_digit_year=st.booleans(),
    twelve_hour=st.booleans(),
    pad=st.booleans(),
    seconds=st.booleans(),
    separator=st.sampled_from(["/", ".", "-"]),
    between=st.sampled_from([" ", ", "]),
)
def test_numeric_layouts_read_back(
    value: datetime,
    order: DateOrder,
    four_digit_year: bool,
    twelve_hour: bool,
    pad: bool,
    seconds: bool,
    separator: str,
    between: str,
) -> None:
    value = value.replace(microsecond=0, second=value.second if seconds else 0)
    day, month = (
        (f"{value.day:02d}", f"{value.month:02d}")
        if pad
        else (
            str(value.day),
            str(value.month),
        )
    )
    year = str(value.year) if four_digit_year else f"{value.year % 100:02d}"
    first, second = (day, month) if order == "dmy" else (month, day)
    text = f"{first}{separator}{second}{separator}{year}{between}" + _clock(
        value, twelve_hour=twelve_hour, pad=pad, seconds=seconds
    )

    assert DateReader(tz=UTC, order=order).parse(text) == value.replace(tzinfo=UTC)


@given(value=instants, twelve_hour=st.booleans(), seconds=st.booleans())
def test_month_name_layouts_read_back(value: datetime, twelve_hour: bool, seconds: bool) -> None:
    value = value.replace(microsecond=0, second=value.second if seconds else 0)
    clock = _clock(value, twelve_hour=twelve_hour, pad=True, seconds=seconds)
    zoom = f"{MONTHS[value.month - 1]} {value.day:02d}, {value.year} {clock}"
    european = f"{value.day} {MONTHS[value.month - 1]} {value.year} {clock}"
    reader = DateReader(tz=UTC)

    assert reader.parse(zoom) == value.replace(tzinfo=UTC)
    assert reader.parse(european) == value.replace(tzinfo=UTC)


@given(value=instants, offset_minutes=st.integers(-12 * 60, 14 * 60).map(lambda m: m - m % 15))
def test_iso_and_year_first_layouts_read_back(value: datetime, offset_minutes: int) -> None:
    zone = timezone(timedelta(minutes=offset_minutes))
    reader = DateReader(tz=zone)
    aware = value.replace(tzinfo=zone)

    assert reader.parse(aware.isoformat()) == aware
    assert reader.parse(f"{value:%Y-%m-%d %H:%M:%S}") == aware.replace(microsecond=0)
    excel = f"{value.year}/{value.month}/{value.day} {value.hour}:{value.minute:02d}"
    assert reader.parse(excel) == aware.replace(second=0, microsecond=0)


def test_times_without_zone_are_read_in_the_given_zone() -> None:
    from zoneinfo import ZoneInfo

    reader = DateReader(tz=ZoneInfo("Europe/Paris"), order="mdy")

    # CET in winter, CEST in summer
    assert reader.parse("1/15/2024 10:00:00 AM") == datetime(2024, 1, 15, 9, tzinfo=UTC)
    assert reader.parse("7/15/2024 10:00:00 AM") == datetime(2024, 7, 15, 8, tzinfo=UTC)
    # an explicit zone wins
    assert reader.parse("2024-07-15T10:00:00Z") == datetime(2024, 7, 15, 10, tzinfo=UTC)


def test_time_of_day_is_anchored_to_the_session() -> None:
    start = datetime(2024, 5, 15, 5, 30, tzinfo=UTC)  # 10:30 PM on 14 May in Los Angeles
    from zoneinfo import ZoneInfo

    reader = DateReader(tz=ZoneInfo("America/Los_Angeles"), session_start=start)

    assert reader.parse("10:45\u202fPM") == datetime(2024, 5, 15, 5, 45, tzinfo=UTC)
    assert reader.parse("12:10 AM") == datetime(2024, 5, 15, 7, 10, tzinfo=UTC)
    assert reader.parse("22:50") == datetime(2024, 5, 15, 5, 50, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["13/13/2024 10:00", "2/30/2024 10:00", "1/2/2024 25:00", "1/2/2024 13:00 PM", "soon"]
)
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="date"):
        DateReader(tz=UTC, order="mdy").parse(text)


SESSION = datetime(2020, 12, 11, 12, tzinfo=UTC)


def _decide(*texts: str, date_order: str = "auto") -> tuple[str, bool, str | None]:
    return decide_order(
        enumerate(texts, start=2),
        session_start=SESSION,
        session_end=SESSION + timedelta(hours=1),
        tz=UTC,
        date_order=date_order,  # type: ignore[arg-type]
    )


def test_decide_order_unambiguous_rows_win() -> None:
    assert _decide("11/12/2020 10:00", "25/12/2020 10:00") == (
        "dmy",
        True,
        "Dates read day-first: row 3 has 25/12/2020 10:00.",
    )
    assert _decide("12/25/2020 10:00", date_order="dmy")[:2] == ("mdy", True)


def test_decide_order_majority_wins_over_a_stray_row() -> None:
    order, strong, note = _decide("25/12/2020 1:00", "26/12/2020 1:00", "12/27/2020 1:00")

    assert (order, strong) == ("dmy", True)
    assert note == (
        "Dates read day-first: row 2 has 25/12/2020 1:00. Row 4 has 12/27/2020 1:00, which "
        "only fits month-first; rows like it are skipped."
    )


def test_decide_order_session_date_then_option_then_month_first() -> None:
    assert _decide("11/12/2020 10:00")[:2] == ("dmy", False)  # 11 December is the session
    assert _decide("12/11/2020 10:00")[:2] == ("mdy", False)
    assert _decide("3/4/2020 10:00", date_order="dmy")[:2] == ("dmy", False)
    assert _decide("3/4/2020 10:00")[:2] == ("mdy", False)
    assert _decide("2020/12/11 10:00", "Dec 11, 2020 10:00 AM") == ("mdy", False, None)
