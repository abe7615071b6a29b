"""Keeping each household's periods (HouseholdPeriod): what held for it year by year.

The statistics of a year count the facts that held at that year's end, so a later event never
changes an earlier year. Every write of a household or its members ends in `follow(ids)`, which
compares each household's current facts with its last period and records the difference as from
the year it happened:

- an exit, from its exit year (销号 for 2016 recorded in January 2017 still counts in 2016);
- a return to poverty, from its 返贫 year;
- anything else counted (the village, the household's size, the 脱贫时限), from this year;
  but in the year the household was entered here, from its identification (the office is
  moving its records in: a member added to a household entered this year was always there).

A change from year Y splits the period covering Y and applies to every period from Y on; years
before Y keep their rows untouched. A period whose facts equal its predecessor's merges into it.
The identification year is the first period's start: correcting it moves that start (a
correction of the registry, not an event).

A household seen for the first time (a new one, or one written before periods existed, which
migration 0016 gave theirs) starts from its 销号 and 返贫 records replayed (`first_periods`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from poverty.common import bulk

from .choices import ExitStep, HouseholdStatus

# The facts a period holds, in the order of Span's fields after the years.
FACTS = ("village_id", "exit_year", "persons", "planned_exit_year")
CHUNK = 2000


@dataclass
class Span:
    """A period as this module edits it (pk None until written)."""

    pk: int | None
    from_year: int
    until_year: int | None
    village_id: int
    exit_year: int | None
    persons: int
    planned_exit_year: int

    @property
    def facts(self) -> tuple:
        return tuple(getattr(self, name) for name in FACTS)

    def covers(self, year: int) -> bool:
        return self.from_year <= year and (self.until_year is None or year < self.until_year)


def facts_of(household) -> dict:
    """The counted facts of a household row (a model instance or an object with its fields)."""
    exited = household.status == HouseholdStatus.EXITED
    return {
        "village_id": household.village_id,
        "exit_year": household.exit_year if exited else None,
        "persons": household.persons,
        "planned_exit_year": household.planned_exit_year,
    }


def apply(spans: list[Span], at: int, **facts) -> None:
    """Make `facts` hold from year `at` on: the period covering `at` is split there, and every
    period from `at` on takes the facts. Years before `at` are not touched."""
    at = max(at, spans[0].from_year)
    for i, span in enumerate(spans):
        if span.covers(at) and span.from_year < at:
            later = Span(None, at, span.until_year, *span.facts)
            span.until_year = at
            spans.insert(i + 1, later)
            break
    for span in spans:
        if span.from_year >= at:
            for name, value in facts.items():
                setattr(span, name, value)
    _merge(spans)


def _merge(spans: list[Span]) -> None:
    i = 1
    while i < len(spans):
        if spans[i].facts == spans[i - 1].facts:
            spans[i - 1].until_year = spans[i].until_year
            del spans[i]
        else:
            i += 1


def reconcile(spans: list[Span], household, this_year: int) -> list[Span]:
    """The household's periods once its current facts are recorded (a new list; `spans` as read,
    ordered by from_year, possibly empty)."""
    facts = facts_of(household)
    identified = household.identified_year
    if not spans:
        spans = first_periods(household, ())
    spans = [Span(**vars(s)) for s in spans]
    # A corrected identification year moves the first period's start.
    while len(spans) > 1 and spans[0].until_year <= identified:
        del spans[0]
    spans[0].from_year = identified
    last = spans[-1]
    exit_year = facts["exit_year"]
    if last.exit_year != exit_year:
        if exit_year is None:  # 返贫
            apply(spans, household.returned_year or this_year, exit_year=None)
        else:
            if last.exit_year is not None:  # the exit year corrected: poor until the new one
                apply(spans, min(last.exit_year, exit_year), exit_year=None)
            apply(spans, exit_year, exit_year=exit_year)
    others = {k: v for k, v in facts.items() if k != "exit_year" and getattr(last, k) != v}
    if others:
        apply(spans, this_year if entered_year(household) < this_year else identified, **others)
    return spans


def entered_year(household) -> int:
    """The year the household was entered here. Until that year ends, what the office enters or
    corrects (members, village, deadline) is taken to have held since identification: it is
    moving its records in, not reporting a change."""
    created = getattr(household, "created_at", None)
    return timezone.localtime(created).year if created else timezone.localdate().year


def first_periods(household, events: Iterable[tuple[str, int | None]]) -> list[Span]:
    """The periods of a household seen for the first time: registered from its identification
    with its facts of today, then its 销号 and 返贫 records, (step, year) in the order they were
    taken, replayed (`reconcile` then adds whatever else its row says)."""
    spans = [
        Span(
            None,
            household.identified_year,
            None,
            household.village_id,
            None,
            household.persons,
            household.planned_exit_year,
        )
    ]
    for step, year in events:
        if year is None:
            continue
        if step == ExitStep.CLOSE:
            apply(spans, year, exit_year=year)
        elif step == ExitStep.RETURN:
            apply(spans, year, exit_year=None)
    return spans


def events_of(households: Sequence[int]) -> dict[int, list[tuple[str, int | None]]]:
    """The 销号 and 返贫 records of these households, (step, year) in the order taken."""
    from .models import ExitRecord

    events: dict[int, list] = {}
    for household_id, step, year in (
        ExitRecord.objects.filter(
            household_id__in=households, step__in=(ExitStep.CLOSE, ExitStep.RETURN)
        )
        .order_by("household_id", "taken_at", "pk")
        .values_list("household_id", "step", "year")
    ):
        events.setdefault(household_id, []).append((step, year))
    return events


def follow(households: Iterable[int]) -> int:
    """Record the current facts of these households (ids) in their periods, in chunks; returns
    how many periods were written or changed. Call it inside the transaction that changed them."""
    from .models import Household, HouseholdPeriod

    ids = sorted(set(households))
    this_year = timezone.localdate().year
    written = 0
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            found = Household.objects.filter(pk__in=chunk).only(
                "pk",
                "village_id",
                "status",
                "exit_year",
                "returned_year",
                "persons",
                "planned_exit_year",
                "identified_year",
                "created_at",
            )
            stored: dict[int, list[Span]] = {}
            for pk, household_id, *values in (
                HouseholdPeriod.objects.filter(household_id__in=chunk)
                .order_by("household_id", "from_year")
                .values_list("pk", "household_id", "from_year", "until_year", *FACTS)
            ):
                stored.setdefault(household_id, []).append(Span(pk, *values))
            rows = list(found)
            events = events_of([h.pk for h in rows if h.pk not in stored])
            changes: dict[int, tuple[Sequence[Span], Sequence[Span]]] = {}
            for h in rows:
                before = stored.get(h.pk, [])
                spans = before or first_periods(h, events.get(h.pk, ()))
                changes[h.pk] = (before, reconcile(spans, h, this_year))
            written += _store(changes)
    return written


def _store(changes: dict[int, tuple[Sequence[Span], Sequence[Span]]]) -> int:
    """Write the difference between each household's stored and wanted periods, and mark the
    villages of every period written or removed as due for a recount of their kept counts."""
    from .models import HouseholdPeriod

    fields = ["from_year", "until_year", *FACTS]
    gone: list[int] = []
    changed: list[HouseholdPeriod] = []
    new: list[tuple] = []
    touched: set[int] = set()
    for household_id, (before, after) in changes.items():
        kept = {s.pk for s in after if s.pk is not None}
        for span in before:
            if span.pk is not None and span.pk not in kept:
                gone.append(span.pk)
                touched.add(span.village_id)
        old = {s.pk: s for s in before}
        for span in after:
            values = (span.from_year, span.until_year, *span.facts)
            if span.pk is None:
                new.append((household_id, *values))
                touched.add(span.village_id)
            elif vars(old[span.pk]) != vars(span):
                changed.append(
                    HouseholdPeriod(pk=span.pk, **dict(zip(fields, values, strict=True)))
                )
                touched.update((span.village_id, old[span.pk].village_id))
    recount_due(touched)
    if gone:
        HouseholdPeriod.objects.filter(pk__in=gone).delete()
    # Starts move before new periods take them (one household's periods are unique by start).
    if changed:
        HouseholdPeriod.objects.bulk_update(changed, fields, batch_size=CHUNK)
    if new:
        bulk.insert(HouseholdPeriod, ["household_id", *fields], new)
    return len(gone) + len(changed) + len(new)


def recount_due(villages: Iterable[int]) -> None:
    """Mark these villages' kept counts as behind the registry (RecountDue), in the caller's
    transaction: readers count them live until the recount that follows the commit is done."""
    from .models import RecountDue

    ids = sorted({v for v in villages if v})
    if ids:
        RecountDue.objects.bulk_create([RecountDue(village_id=v) for v in ids])


# The rules that count periods: the one home of "registered", "exited", "still poor" and
# "overdue" in a year, for the exit statistics, the tallies, the battle map, pledge progress and
# the household list's 超过脱贫时限 filter alike.


def held_in(year: int) -> Q:
    """The household period (households.HouseholdPeriod) that held at the end of `year`: one per
    household registered by then."""
    return Q(from_year__lte=year) & (Q(until_year__isnull=True) | Q(until_year__gt=year))


def counted(year: int) -> dict[str, Q]:
    """Which household periods each figure (registered, exited, exited_cumulative; the
    statistics' FIGURES) counts in `year`: the one rule for the live
    figures, the tallies, the battle map and pledge progress. A period's facts are those of the
    year's end, so a later exit, return or new member never changes an earlier year."""
    held = held_in(year)
    return {
        "registered": held,
        "exited": held & Q(exit_year=year),
        "exited_cumulative": held & Q(exit_year__isnull=False),
    }


def still_poor(year: int) -> Q:
    """Registered by the end of `year` and not exited then (registered − exited_cumulative)."""
    return held_in(year) & Q(exit_year__isnull=True)


def overdue(year: int) -> Q:
    """Past the 脱贫时限 (planned to exit before `year`) and still poor."""
    return still_poor(year) & Q(planned_exit_year__lt=year)


def of_household(rule: Q) -> Exists:
    """`rule` (one of the above) as a condition on households: a period of the household meets
    it."""
    from .models import HouseholdPeriod

    return Exists(HouseholdPeriod.objects.filter(rule, household=OuterRef("pk")))
