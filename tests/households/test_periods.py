"""What happened stays what happened: a household's exits, returns to poverty, new members,
moves and deadline changes are recorded from the year they happened (households.periods), and
every figure of an earlier year (the exit statistics, the tallies, pledge progress, the battle
map) stays what it was."""

import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.choices import Role
from households import services
from households.choices import Cause, HouseholdStatus
from households.models import Household, HouseholdPeriod
from households.periods import Span, apply, follow
from inspections.choices import Metric, PledgeKind
from inspections.models import PledgeTarget
from inspections.progress import progress_of
from poverty.dashboard import selectors, tallies
from poverty.dashboard.stats import exit_statistics, tallied_per_village, village_rows
from tests.factories import HouseholdFactory, MemberFactory, PledgeFactory

pytestmark = pytest.mark.django_db
THIS_YEAR = timezone.localdate().year
YEARS = range(2014, THIS_YEAR + 1)


def periods(household) -> list[tuple]:
    return list(
        HouseholdPeriod.objects.filter(household=household)
        .order_by("from_year")
        .values_list("from_year", "until_year", "exit_year", "persons")
    )


def entered_last_year(*households) -> None:
    """As if the households had been registered here before this year: from now on a change is
    an event of the year it is made, not a correction of the move-in."""
    Household.objects.filter(pk__in=[h.pk for h in households]).update(
        created_at=timezone.now() - datetime.timedelta(days=400)
    )


def exited(household, year, by) -> None:
    """销号 as the procedure's last step writes it (the earlier steps are tested elsewhere)."""
    household = Household.objects.get(pk=household.pk)
    household.status, household.exit_year = HouseholdStatus.EXITED, year
    household._history_user = by
    household.save()


class TestApply:
    def test_an_event_splits_the_year_it_happened_and_leaves_earlier_years(self):
        spans = [Span(None, 2014, None, 1, None, 4, 2016)]
        apply(spans, 2016, exit_year=2016)
        apply(spans, 2021, exit_year=None)
        apply(spans, 2023, exit_year=2023)
        assert [(s.from_year, s.until_year, s.exit_year) for s in spans] == [
            (2014, 2016, None),
            (2016, 2021, 2016),
            (2021, 2023, None),
            (2023, None, 2023),
        ]

    def test_a_change_back_to_the_earlier_facts_merges_the_periods(self):
        spans = [Span(None, 2014, None, 1, None, 4, 2016)]
        apply(spans, 2019, persons=5)
        apply(spans, 2019, persons=4)
        assert [(s.from_year, s.until_year, s.persons) for s in spans] == [(2014, None, 4)]

    def test_an_event_before_the_first_year_starts_at_identification(self):
        spans = [Span(None, 2016, None, 1, None, 4, 2018)]
        apply(spans, 2015, exit_year=2015)
        assert [(s.from_year, s.until_year, s.exit_year) for s in spans] == [(2016, None, 2015)]


def test_exit_return_and_exit_again_each_from_its_year(world, make_user):
    by = make_user(Role.COUNTY_STAFF, world.county)
    h = HouseholdFactory(village=world.v11, identified_year=2014, planned_exit_year=2016)
    MemberFactory.create_batch(3, household=h)
    entered_last_year(h)
    exited(h, 2016, by)
    services.household_poverty_return(household=h, by=by, year=2021, reason="因病返贫")
    assert periods(h) == [(2014, 2016, None, 4), (2016, 2021, 2016, 4), (2021, None, None, 4)]
    h.refresh_from_db()
    assert (h.status, h.exit_year, h.returned_year) == (HouseholdStatus.ASSISTED, None, 2021)
    exited(h, 2023, by)
    MemberFactory(household=h)  # a child born this year
    assert periods(h) == [
        (2014, 2016, None, 4),
        (2016, 2021, 2016, 4),
        (2021, 2023, None, 4),
        (2023, THIS_YEAR, 2023, 4),
        (THIS_YEAR, None, 2023, 5),
    ]


def test_a_return_cannot_predate_the_exit(world, make_user):
    by = make_user(Role.COUNTY_STAFF, world.county)
    h = HouseholdFactory(village=world.v11, identified_year=2014)
    exited(h, 2016, by)
    with pytest.raises(ValidationError, match="返贫年度不能早于脱贫年度"):
        services.household_poverty_return(household=h, by=by, year=2015, reason="x")


def test_what_is_entered_in_the_move_in_year_held_since_identification(world):
    h = HouseholdFactory(village=world.v11, identified_year=2015, planned_exit_year=2017)
    MemberFactory.create_batch(2, household=h)
    h.refresh_from_db()
    h.planned_exit_year = 2018
    h.save()
    assert list(
        HouseholdPeriod.objects.filter(household=h).values_list(
            "from_year", "until_year", "persons", "planned_exit_year"
        )
    ) == [(2015, None, 3, 2018)]


def test_a_move_counts_in_the_new_village_from_this_year_only(world):
    h = HouseholdFactory(village=world.v11, identified_year=2015)
    entered_last_year(h)
    h.refresh_from_db()
    h.village = world.v21
    h.save()
    assert list(
        HouseholdPeriod.objects.filter(household=h).values_list(
            "village_id", "from_year", "until_year"
        )
    ) == [(world.v11.pk, 2015, THIS_YEAR), (world.v21.pk, THIS_YEAR, None)]
    before = exit_statistics(world.county, THIS_YEAR - 1)["children"]
    assert [t["registered"]["households"] for t in before] == [1, 0]
    now = exit_statistics(world.county, THIS_YEAR)["children"]
    assert [t["registered"]["households"] for t in now] == [0, 1]


def test_the_migration_replays_the_recorded_exits_and_returns(world, make_user):
    """A household whose periods are lost (as before migration 0016) gets them back from its
    销号 and 返贫 records, not from today's row alone."""
    by = make_user(Role.COUNTY_STAFF, world.county)
    h = HouseholdFactory(village=world.v11, identified_year=2014, planned_exit_year=2016)
    entered_last_year(h)
    h.exit_records.create(step="close", year=2016, taken_by=by)
    exited(h, 2016, by)
    services.household_poverty_return(household=h, by=by, year=2021, reason="因灾返贫")
    kept = periods(h)
    HouseholdPeriod.objects.filter(household=h).delete()
    follow([h.pk])
    assert (
        periods(h) == kept == [(2014, 2016, None, 1), (2016, 2021, 2016, 1), (2021, None, None, 1)]
    )


def every_figure(world, county_pledge) -> dict:
    """Every figure a user can read for every year: the API's statistics for the county and
    each child, the dashboard's tallies, pledge progress and the battle map's marks."""
    tallies.refresh()
    figures = {}
    for year in YEARS:
        for area in (world.county, world.t1, world.v11):
            villages = village_rows(area)
            figures[("api", area.code, year)] = exit_statistics(area, year)
            figures[("tallies", area.code, year)] = exit_statistics(
                area, year, villages=villages, per_village=tallied_per_village(list(villages), year)
            )
        # The battle map lists who lives in the village now; their marks are the year's.
        figures[("battle", year)] = {
            row["code"]: (row["behind"], row["out"])
            for row in selectors.battle_map(world.v11, year, "/{pk}/", None)
        }
    targets = county_pledge.targets.all()
    figures["pledge"] = [p.actual for p in progress_of(targets, world.county, 2019)]
    return figures


@pytest.mark.parametrize("seed", [1, 2])
def test_later_events_leave_every_earlier_year_as_it_was(world, make_user, seed):
    rng = random.Random(seed)
    by = make_user(Role.COUNTY_STAFF, world.county)
    villages = [world.v11, world.v12, world.v21, world.v22]
    households = []
    for i in range(24):
        identified = rng.randint(2014, 2018)
        h = HouseholdFactory(
            village=villages[i % 4],
            identified_year=identified,
            planned_exit_year=identified + rng.randint(1, 3),
            primary_cause=rng.choice(Cause.values),
        )
        MemberFactory.create_batch(rng.randint(0, 4), household=h)
        if rng.random() < 0.7:
            exited(h, rng.randint(identified, 2020), by)
        households.append(h)
    entered_last_year(*households)
    pledge = PledgeFactory(area=world.county, kind=PledgeKind.OTHER, year=2019)
    for metric in (Metric.PERSONS_EXITED, Metric.HOUSEHOLDS_EXITED, Metric.INCIDENCE_AT_MOST):
        PledgeTarget.objects.create(pledge=pledge, metric=metric, target=10)
    world.county.rural_population = 5000
    world.county.save()
    before = every_figure(world, pledge)
    assert before[("api", world.county.code, 2019)] == before[("tallies", world.county.code, 2019)]

    # Later events: returns to poverty in 2021 and 2022, one household exiting again in 2023,
    # a member born and one moving away this year, a deadline extended, a household moving.
    gone = [h for h in households if Household.objects.get(pk=h.pk).is_exited]
    returned = gone[:3]
    for h, year in zip(returned, (2021, 2021, 2022), strict=True):
        exit_year = Household.objects.get(pk=h.pk).exit_year
        services.household_poverty_return(
            household=h, by=by, year=max(year, exit_year), reason="因病返贫"
        )
    exited(returned[0], 2023, by)
    for h in households[:5]:
        MemberFactory(household=h)
    leaving = households[6].members.exclude(relation="head").first()
    if leaving:
        leaving.delete()
    late = Household.objects.get(pk=households[7].pk)
    late.planned_exit_year += 3
    late.save()
    moved = Household.objects.get(pk=households[8].pk)
    moved.village = world.v22 if moved.village_id != world.v22.pk else world.v11
    moved.save()

    after = every_figure(world, pledge)
    changed_from = 2021  # the first year any event happened in
    for key, value in before.items():
        year = key[-1] if isinstance(key[-1], int) else 2019
        if year >= changed_from:
            continue
        if key[0] == "battle":
            common = after[key].keys() & value.keys()
            assert len(common) >= len(value) - 1  # one household moved out
            assert {c: after[key][c] for c in common} == {c: value[c] for c in common}, key
        else:
            assert after[key] == value, key
    # …and the later years did change: the events are counted where they happened.
    assert after[("api", world.county.code, 2021)] != before[("api", world.county.code, 2021)]
    county_now = (
        before[("api", world.county.code, THIS_YEAR)],
        after[("api", world.county.code, THIS_YEAR)],
    )
    assert county_now[1]["registered"]["persons"] == (
        county_now[0]["registered"]["persons"] + 5 - (1 if leaving else 0)
    )
    for year in YEARS:
        for area in (world.county, world.t1, world.v11):
            assert after[("api", area.code, year)] == after[("tallies", area.code, year)]


def test_the_household_page_shows_each_years_state(client, world, make_user):
    by = make_user(Role.COUNTY_STAFF, world.county)
    h = HouseholdFactory(village=world.v11, identified_year=2014, planned_exit_year=2016)
    entered_last_year(h)
    exited(h, 2016, by)
    services.household_poverty_return(household=h, by=by, year=2021, reason="因病返贫")
    client.force_login(by)
    page = client.get(h.get_absolute_url()).content.decode()
    table = page[page.index('id="periods"') :].split("</table>")[0]
    rows = [r.split("</td>")[0:2] for r in table.split("<tr><td>")[1:]]
    assert [(a.strip(), b.replace("<td>", "").strip()) for a, b in rows] == [
        ("2014–2015", "未脱贫"),
        ("2016–2020", "已脱贫（2016年）"),
        ("2021–至今", "未脱贫"),
    ]
