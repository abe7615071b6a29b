"""Calendar months, as the office counts them (a month is named by its 1st): the monthly notices
and the visit coverage both read their month through these."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(first: datetime.date) -> datetime.date:
    return (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    """The last day of the month `day` lies in."""
    return next_month(month_start(day)) - datetime.timedelta(days=1)


def previous_month(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return month_start(month_start(today) - datetime.timedelta(days=1))


def parse_month(value: str) -> datetime.date:
    """ "2026-10" → 2026-10-01; anything else is refused with the expected form."""
    try:
        return datetime.datetime.strptime(value.strip(), "%Y-%m").date()
    except ValueError:
        raise ValidationError(f"月份“{value}”格式不对，应为YYYY-MM，如2026-10。") from None
