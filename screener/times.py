"""The clinic's own time zone (CLINIC_TIMEZONE): how clinic pages show times and read days."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["CLINIC_TIMEZONE"])


def clinic_time(moment: datetime | None) -> str:
    """A timestamp in the clinic's time zone, to the minute: 2026-12-02 09:15 CST."""
    if moment is None:
        return ""
    return moment.astimezone(clinic_zone()).strftime("%Y-%m-%d %H:%M %Z")


def start_of_day(day: date) -> datetime:
    """When this day begins in the clinic's time zone, in UTC."""
    return datetime.combine(day, time.min, tzinfo=clinic_zone()).astimezone(UTC)


def today(now: datetime) -> date:
    """The clinic's calendar day at this moment."""
    return now.astimezone(clinic_zone()).date()
