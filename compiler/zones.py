"""The time zone an audit reads its timestamps in, and the audit moment in it.

Timestamps are stored as the wall clock of one zone (the pack's `time_zone:`, which the
configuration may override; Europe/Amsterdam by default), so that every pack and export
without offsets means what it meant before zones existed. The zone is needed where the
wall clock alone is not enough: to read a timestamp written with an offset, to count real
hours across a clock change, and to say what "today" is.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, available_timezones

from .diagnostics import did_you_mean

DEFAULT_ZONE = "Europe/Amsterdam"
# The audit moment as `--as-of` takes it: a date, or a date and a time of day (seconds optional, a `T` or a
# space), with an offset or `Z` or without one (the zone's wall clock).
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?)?")


def zone_problem(name: object) -> tuple[str, str | None] | None:
    """Why `name` is no time zone of the IANA database (message, did-you-mean), or None when it is one."""
    if isinstance(name, str) and name in _names():
        return None
    return (f"'{name}' is not a time zone of the IANA database",
            did_you_mean(str(name), sorted(_names())) or "write a zone such as Europe/Amsterdam or UTC")


@cache
def _names() -> frozenset[str]:
    return frozenset(available_timezones())


@cache
def zone_info(name: str) -> ZoneInfo:
    """The zone as the `tzdata` package has it (the IANA database's main data, as DuckDB's ICU and Java
    have it), before the system's: Debian's adds the pre-1970 history of zones the main data folds into
    another (Amsterdam kept +00:19:32 until 1937 there, Brussels' +00:00 in the main data), and the engines
    must count the same hours for a timestamp of 1926 too."""
    try:
        with resources.files("tzdata.zoneinfo").joinpath(*name.split("/")).open("rb") as data:
            return ZoneInfo.from_file(data, key=name)
    except (ImportError, OSError, ValueError):
        return ZoneInfo(name)


def wall_clock(moment: dt.datetime, zone: str) -> dt.datetime:
    """A moment as the naive wall clock of `zone`: one with an offset converted, a naive one as it is."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(zone_info(zone)).replace(tzinfo=None)


def exists(wall: dt.datetime, zone: str) -> bool:
    """Whether the zone's clocks ever show `wall` (not in the hour skipped when they spring forward)."""
    there = wall.replace(tzinfo=zone_info(zone))
    return there.astimezone(dt.UTC).astimezone(there.tzinfo).replace(tzinfo=None) == wall


def moment_of(as_of: dt.date) -> dt.datetime:
    """An audit date or moment as a moment: a date is the start of its day."""
    return as_of if isinstance(as_of, dt.datetime) else dt.datetime.combine(as_of, dt.time())


def today(zone: str) -> dt.date:
    """Today's date in `zone`, not the machine's."""
    return dt.datetime.now(zone_info(zone)).date()


def audit_moment(text: str | None, zone: str) -> dt.datetime:
    """The audit moment `--as-of` names, as the zone's wall clock: a date is the start of that day
    (as a date compares to a timestamp), a time of day with or without an offset is that moment;
    None is the start of today in the zone. ValueError for text that is none of these, or a
    wall clock the zone skips."""
    if text is None:
        return moment_of(today(zone))
    if not MOMENT.fullmatch(text):
        raise ValueError(f"'{text}' is not a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM[:SS][+HH:MM])")
    if len(text) == 10:
        return moment_of(dt.date.fromisoformat(text))
    parsed = dt.datetime.fromisoformat(text)
    wall = wall_clock(parsed, zone)
    if parsed.tzinfo is None and not exists(wall, zone):
        raise ValueError(f"{text} does not exist in {zone}: the clocks skip that hour")
    return wall


@cache
def gap_hours(zone: str) -> tuple[int, ...]:
    """The hours of the day (0–23) in which the zone's clocks ever skipped time, springing forward, from 1900
    to 2100: a wall clock in another hour exists for certain, and needs no asking of the zone. Found by
    comparing the offset fortnight by fortnight, and narrowing each change down to the second."""
    info = zone_info(zone)

    def offset(seconds: int) -> dt.timedelta:
        return dt.datetime.fromtimestamp(seconds, dt.UTC).astimezone(info).utcoffset()

    start = int(dt.datetime(1900, 1, 1, tzinfo=dt.UTC).timestamp())
    end = int(dt.datetime(2100, 1, 1, tzinfo=dt.UTC).timestamp())
    step, hours = 14 * 86400, set()
    for at in range(start, end, step):
        before, after = offset(at), offset(at + step)
        low, high = at, at + step
        while before < after and high - low > 1:  # the change is in (low, high]
            middle = (low + high) // 2
            low, high = (middle, high) if offset(middle) == before else (low, middle)
        if before < after:  # from the old wall clock at the change to the new: skipped
            first = dt.datetime.fromtimestamp(high, dt.UTC).replace(tzinfo=None) + before
            last = first + (after - before) - dt.timedelta(seconds=1)
            moment = first.replace(minute=0, second=0)
            while moment <= last:
                hours.add(moment.hour)
                moment += dt.timedelta(hours=1)
    return tuple(sorted(hours))
