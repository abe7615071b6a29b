"""Reads for the household file (一户一档): the audit trail across the household's rows."""

from __future__ import annotations

from poverty.common import history

from .models import AssistanceMeasure, Household, IncomeRecord, Member


def audit_trail(household: Household, *, sensitive: bool, limit: int = 60) -> list[history.Entry]:
    """Changes to the household, its members, measures and income records, newest first, field
    by field (poverty.common.history; a fixed number of queries)."""
    sources = [
        (Household, household.history.all(), lambda r: "户信息"),
        (Member, Member.history.filter(household_id=household.pk), lambda r: f"成员 {r.name}"),
        (
            AssistanceMeasure,
            AssistanceMeasure.history.filter(household_id=household.pk),
            lambda r: f"措施 {r.description}",
        ),
        (
            IncomeRecord,
            IncomeRecord.history.filter(household_id=household.pk),
            lambda r: f"{r.year}年收入",
        ),
    ]
    found = []
    for model, records, what in sources:
        found += history.entries(model, records, sensitive=sensitive, what=what, limit=limit)
    found.sort(key=lambda e: e.when, reverse=True)
    return found[:limit]
