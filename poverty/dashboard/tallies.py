"""Counting the village tallies (models.py) from the registry.

`refresh(villages)` recounts the given villages (all with None) in one transaction: the
households are read in one grouped query per chunk of villages, each year's figures a conditional
count by the same rules as the live statistics (households.periods.counted and .overdue),
grouped by village, primary cause and whether the household has any measure / one that answers its cause; the rows are
then replaced. Years run from the first registry year to next year (so New Year's Day finds its
rows) or the latest planned exit year, whichever is later.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, Exists, F, OuterRef, Q, Sum, Value, When
from django.utils import timezone

from households.choices import CAUSE_MEASURES
from households.models import AssistanceMeasure, Household, HouseholdPeriod, RecountDue
from households.periods import counted, held_in, overdue
from poverty.common import bulk
from villages.choices import AreaLevel
from villages.models import YEAR_VALIDATORS, Area

from .models import MeasureTally, VillageTally
from .stats import FIGURES

FIRST_YEAR = YEAR_VALIDATORS[0].limit_value
# Villages counted per query: bounds the rows held in memory during a full recount.
CHUNK = 500


def years_to_count(villages: list[int]) -> range:
    latest = (
        Household.objects.filter(village_id__in=villages)
        .order_by("-planned_exit_year")
        .values_list("planned_exit_year", flat=True)
        .first()
    )
    return range(FIRST_YEAR, max(timezone.localdate().year + 1, latest or 0) + 1)


def _grouped(villages: list[int], years: range):
    """The periods of these villages' households (households.periods), each year's figures a
    conditional count, grouped by village, primary cause and measures."""
    measures = AssistanceMeasure.objects.live().filter(household=OuterRef("household_id"))
    answered = Case(
        *(
            When(
                household__primary_cause=cause, then=Exists(measures.filter(measure_type__in=types))
            )
            for cause, types in CAUSE_MEASURES.items()
        ),
        default=Value(True),
        output_field=BooleanField(),
    )
    aggregates = {}
    for year in years:
        for key, rule in counted(year).items():
            aggregates[f"{key}_households_{year}"] = Count("pk", filter=rule)
            aggregates[f"{key}_persons_{year}"] = Sum("persons", filter=rule)
        aggregates[f"overdue_households_{year}"] = Count("pk", filter=overdue(year))
        aggregates[f"planned_households_{year}"] = Count(
            "pk", filter=held_in(year) & Q(planned_exit_year=year)
        )
    return (
        HouseholdPeriod.objects.filter(village_id__in=villages)
        .order_by()
        .annotate(
            measured=Exists(measures),
            answered=answered,
            primary_cause=F("household__primary_cause"),
        )
        .values("village_id", "primary_cause", "measured", "answered")
        .annotate(**aggregates)
    )


# The counted columns of a village tally, and the columns a tally row is written with.
COUNTS = [
    *(f"{key}_{kind}" for key in FIGURES for kind in ("households", "persons")),
    "overdue_households",
    "planned_households",
    "unmeasured_households",
    "unanswered_households",
]
TALLY_FIELDS = ["village_id", "year", "cause", *COUNTS, "refreshed_at"]
MEASURE_FIELDS = ["village_id", "measure_type", "households", "refreshed_at"]


def _tally_rows(villages: list[int], now) -> list[tuple]:
    """The tally rows of these villages, as tuples in the order of TALLY_FIELDS."""
    years = years_to_count(villages)
    tallies: dict[tuple, dict[str, int]] = {}
    for group in _grouped(villages, years):
        for year in years:
            values = {
                f"{key}_{kind}": group[f"{key}_{kind}_{year}"] or 0
                for key in FIGURES
                for kind in ("households", "persons")
            }
            values["overdue_households"] = group[f"overdue_households_{year}"]
            values["planned_households"] = group[f"planned_households_{year}"]
            if not any(values.values()):
                continue
            key = (group["village_id"], year, group["primary_cause"])
            tally = tallies.get(key)
            if tally is None:
                tally = tallies[key] = dict.fromkeys(COUNTS, 0)
            for name, value in values.items():
                tally[name] += value
            poor = values["registered_households"] - values["exited_cumulative_households"]
            if not group["measured"]:
                tally["unmeasured_households"] += poor
            if not group["answered"]:
                tally["unanswered_households"] += poor
    return [(*key, *(tally[name] for name in COUNTS), now) for key, tally in tallies.items()]


def _measure_rows(villages: list[int], now) -> list[tuple]:
    """The measure tally rows of these villages, as tuples in the order of MEASURE_FIELDS."""
    rows = (
        AssistanceMeasure.objects.live()
        .filter(household__village_id__in=villages)
        .order_by()
        .values_list("household__village_id", "measure_type")
        .annotate(n=Count("household", distinct=True))
    )
    return [(village, kind, n, now) for village, kind, n in rows]


def refresh(villages: Iterable[int] | None = None) -> int:
    """Recount the tallies of these village ids (every village with None), in one transaction.
    Returns the number of villages counted."""
    if villages is None:
        ids = list(
            Area.objects.filter(level=AreaLevel.VILLAGE).order_by("pk").values_list("pk", flat=True)
        )
    else:
        ids = sorted(set(villages))
    now = timezone.now()
    with transaction.atomic():
        # The marks of changes committed before this point are what this recount covers; a change
        # committed while it counts leaves a mark of its own for the next one.
        due = RecountDue.objects.all() if villages is None else due_among(ids)
        seen = list(due.values_list("pk", flat=True))
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            VillageTally.objects.filter(village_id__in=chunk).delete()
            MeasureTally.objects.filter(village_id__in=chunk).delete()
            # Written as bulk.py writes the roster (COPY on PostgreSQL): bulk_create spent as
            # long building and sending 66,000 rows as the grouped query took to count them.
            bulk.insert(VillageTally, TALLY_FIELDS, _tally_rows(chunk, now), now=now)
            bulk.insert(MeasureTally, MEASURE_FIELDS, _measure_rows(chunk, now), now=now)
        for start in range(0, len(seen), 2000):
            RecountDue.objects.filter(pk__in=seen[start : start + 2000]).delete()
    if villages is None and connection.vendor == "postgresql":
        # Every row replaced: fresh planner statistics and, outside a transaction, the old rows
        # vacuumed away at once, so the pages do not wade through them until autovacuum comes.
        tables = f"{VillageTally._meta.db_table}, {MeasureTally._meta.db_table}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"{'ANALYZE' if connection.in_atomic_block else 'VACUUM ANALYZE'} {tables}"
            )
    return len(ids)


def due_among(villages: list[int]):
    """The recount marks (households.RecountDue) of these villages."""
    return RecountDue.objects.filter(village_id__in=villages)


def villages_of(households: Iterable[int]) -> set[int]:
    """The villages these households are or were counted in (any of their periods)."""
    ids = list(households)
    found: set[int] = set()
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        found.update(
            Household.objects.filter(pk__in=chunk)
            .order_by()
            .values_list("village_id", flat=True)
            .distinct()
        )
        found.update(
            HouseholdPeriod.objects.filter(household_id__in=chunk)
            .order_by()
            .values_list("village_id", flat=True)
            .distinct()
        )
    return found
