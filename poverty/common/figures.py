"""How money, rates and durations are shown on pages, tables and printouts (one place for all)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

# An ISO 8601 duration as django-axes gives its cool-off time (PT30M, P1DT2H).
ISO_DURATION = re.compile(
    r"^P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


def money(value: Decimal | float | None) -> str:
    """12,345.60 (yuan, two decimals); — when there is no figure."""
    return "—" if value is None else f"{value:,.2f}"


def percent(value: Decimal | float | None) -> str:
    """A fraction as 62.5%; — when the rate is undefined (nothing to divide by)."""
    return "—" if value is None else f"{value * 100:.1f}%"


def duration(value: datetime.timedelta | str | None) -> str:
    """A duration in words: 30分钟, 1小时30分钟, 2天 (a timedelta or an ISO 8601 string such as
    PT30M); "" when there is none."""
    if isinstance(value, str):
        found = ISO_DURATION.match(value.strip())
        if not found or not any(found.groups()):
            return value
        parts = {k: int(v) for k, v in found.groupdict().items() if v}
        value = datetime.timedelta(**parts)
    if not value:
        return ""
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    units = ((days, "天"), (hours, "小时"), (minutes, "分钟"), (seconds, "秒"))
    return "".join(f"{n}{unit}" for n, unit in units if n)
