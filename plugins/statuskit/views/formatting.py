"""Dates, times and durations written for readers in one locale and one time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time, format_timedelta
from babel.numbers import format_decimal, format_percent

from ..core.i18n import language_name


@dataclass(frozen=True)
class TimeText:
    """A moment for templates: machine-readable ISO and localized text with its offset."""

    iso: str
    text: str

    def __str__(self) -> str:
        return self.text


class Formatter:
    """Formats for one locale and zone; every shown time carries its UTC offset."""

    def __init__(self, locale: str, zone: ZoneInfo) -> None:
        self.locale = Locale.parse(locale.replace("-", "_"))
        self.zone = zone
        # One moment is shown on many pages (its incident, lists, feeds): format it once; and
        # Babel's formatting is slow, so each day and each clock reading is formatted once too.
        self._times: dict[datetime, TimeText] = {}
        self._days: dict[date, str] = {}
        self._clocks: dict[tuple[int, int, timedelta | None], str] = {}
        self._durations: dict[int, str] = {}
        self._offsets: dict[timedelta | None, str] = {}
        self._pattern = str(self.locale.datetime_formats["medium"])

    def offset(self, moment: datetime) -> str:
        local = moment.astimezone(self.zone)
        known = self._offsets.get(local.utcoffset())
        if known is None:
            raw = local.strftime("%z")
            known = self._offsets[local.utcoffset()] = f"UTC{raw[:3]}:{raw[3:]}"
        return known

    def time(self, moment: datetime) -> TimeText:
        known = self._times.get(moment)
        if known is not None:  # equal instants print alike: the text is in this zone
            return known
        local = moment.astimezone(self.zone)
        day = self._days.get(local.date())
        if day is None:
            day = self._days[local.date()] = format_date(local, "medium", locale=self.locale)
        reading = (local.hour, local.minute, local.utcoffset())
        clock = self._clocks.get(reading)
        if clock is None:
            clock = format_time(local, "short", tzinfo=self.zone, locale=self.locale)
            self._clocks[reading] = clock
        text = self._pattern.replace("{1}", day).replace("{0}", clock)
        shown = self._times[moment] = TimeText(local.isoformat(), f"{text} ({self.offset(local)})")
        return shown

    def day(self, value: date) -> str:
        return format_date(value, "medium", locale=self.locale)

    def month(self, value: date) -> str:
        return format_skeleton("yMMMM", datetime(value.year, value.month, 1), locale=self.locale)

    def duration(self, value: timedelta) -> str:
        """Hours and minutes, never rounded to a vague 'about 2 hours'."""
        minutes = max(0, int(value.total_seconds() // 60))
        known = self._durations.get(minutes)
        if known is None:
            known = self._durations[minutes] = self._duration(minutes)
        return known

    def _duration(self, minutes: int) -> str:
        days, rest = divmod(minutes, 1440)
        hours, mins = divmod(rest, 60)
        parts = []
        units: tuple[tuple[int, Literal["day", "hour", "minute"]], ...] = (
            (days, "day"),
            (hours, "hour"),
            (mins, "minute"),
        )
        for amount, unit in units:
            if amount:
                parts.append(
                    format_timedelta(
                        timedelta(**{f"{unit}s": amount}),
                        threshold=1000,
                        granularity=unit,
                        locale=self.locale,
                    )
                )
        if not parts:
            return format_timedelta(timedelta(minutes=0), granularity="minute", locale=self.locale)
        return " ".join(parts[:2])

    def percent(self, value: float) -> str:
        return format_decimal(value, format="#,##0.00", locale=self.locale) + "%"

    def share(self, fraction: float) -> str:
        """A share of a whole (0 to 1) as a whole percent, e.g. "53%": never "52.94%"."""
        return format_percent(fraction, format="#,##0%", locale=self.locale)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.locale)

    def language_name(self, code: str) -> str:
        return language_name(code, self.locale)
