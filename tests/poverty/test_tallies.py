"""The dashboard's village tallies: the same figures as the live statistics for every year,
recounted when a change commits (also after a roster import and a household moving village), by
the command and the nightly job, and the page saying as of when."""

import datetime
import random
from collections import Counter

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_celery_results.models import TaskResult

from accounts.choices import Role
from households.choices import CAUSE_MEASURES, Cause, HouseholdStatus, MeasureStatus, MeasureType
from households.models import AssistanceMeasure, Household, RecountDue
from households.periods import follow
from households.quality import find_issues
from households.roster import import_roster
from poverty.dashboard import selectors, tallies
from poverty.dashboard.models import MeasureTally, VillageTally
from poverty.dashboard.stats import (
    _live_per_village,
    exit_statistics,
    tallied_per_village,
    village_rows,
)
from tests.factories import AssistanceMeasureFactory, HouseholdFactory, MemberFactory

from ..households.test_roster import family, write

pytestmark = pytest.mark.django_db


def tallied(area, year) -> dict:
    """The exit statistics from the tallies alone."""
    villages = village_rows(area)
    return exit_statistics(
        area, year, villages=villages, per_village=tallied_per_village(list(villages), year)
    )


def all_live(area, year) -> dict:
    """The exit statistics counted from the households' periods, every village live."""
    villages = village_rows(area)
    return exit_statistics(
        area, year, villages=villages, per_village=_live_per_village(list(villages), year)
    )


def random_registry(world, seed: int, n: int = 40) -> None:
    rng = random.Random(seed)
    villages = [world.v11, world.v12, world.v21, world.v22]
    for _ in range(n):
        identified = rng.randint(2014, 2019)
        h = HouseholdFactory(
            village=rng.choice(villages),
            identified_year=identified,
            planned_exit_year=rng.randint(identified, 2021),
            primary_cause=rng.choice(Cause.values),
        )
        for _ in range(rng.randint(0, 4)):
            MemberFactory(household=h)
        for _ in range(rng.choice((0, 0, 1, 2))):
            AssistanceMeasureFactory(
                household=h,
                measure_type=rng.choice(MeasureType.values),
                status=rng.choice(MeasureStatus.values),
            )
        if rng.random() < 0.6:
            Household.objects.filter(pk=h.pk).update(
                status=HouseholdStatus.EXITED, exit_year=rng.randint(identified, 2021)
            )
            follow([h.pk])  # as a service's save would record it
        elif rng.random() < 0.3:
            Household.objects.filter(pk=h.pk).update(status=HouseholdStatus.PROPOSED)
            follow([h.pk])  # as a service's save would record it


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_tallies_give_the_live_figures_of_every_area_and_year(world, seed):
    random_registry(world, seed)
    tallies.refresh()
    assert not RecountDue.objects.exists()
    for area in (world.county, world.t1, world.v21):
        for year in range(2013, 2023):
            assert tallied(area, year) == all_live(area, year), (area.name, year)
            assert exit_statistics(area, year) == all_live(area, year), (area.name, year)


@pytest.mark.parametrize("seed", [4, 5])
def test_no_one_reads_a_figure_older_than_the_last_committed_change(
    world, seed, monkeypatch, django_capture_on_commit_callbacks
):
    """The recount job after a change has not run (queued, lost with the broker, or slow): the
    villages it changed are counted live, so the API, the dashboard and pledge progress give
    the figures of the last commit for every area and year; the tallies alone would not."""
    random_registry(world, seed)
    tallies.refresh()
    monkeypatch.setattr("poverty.dashboard.signals.refresh_tallies.delay", lambda *a: None)
    this_year = datetime.date.today().year
    with django_capture_on_commit_callbacks(execute=True):
        moved = Household.objects.filter(village=world.v11).first()
        moved.village = world.v22  # moved to another township this year
        moved.save()
        HouseholdFactory(village=world.v12, identified_year=2015, planned_exit_year=2016)
        MemberFactory(household=Household.objects.filter(village=world.v21).first())
        Household.objects.filter(village=world.v22).exclude(pk=moved.pk).first().delete()
    assert set(RecountDue.objects.values_list("village_id", flat=True)) == {
        world.v11.pk,
        world.v12.pk,
        world.v21.pk,
        world.v22.pk,
    }
    stale = 0
    for area in (world.county, world.t1, world.t2, world.v12, world.v22):
        for year in (*range(2013, 2023), this_year, this_year + 1):
            assert exit_statistics(area, year) == all_live(area, year), (area.name, year)
            stale += tallied(area, year) != all_live(area, year)
    assert stale  # the tallies alone are behind: the test would notice reading them
    tallies.refresh(tallies.villages_of(Household.objects.values_list("pk", flat=True)))
    assert not RecountDue.objects.exists()
    for area in (world.county, world.t2):
        for year in range(2013, 2023):
            assert tallied(area, year) == all_live(area, year) == exit_statistics(area, year)


def test_a_change_committed_during_a_recount_keeps_its_mark(world, monkeypatch):
    household = HouseholdFactory(village=world.v11)
    assert RecountDue.objects.filter(village=world.v11).exists()
    counting = tallies._tally_rows

    def meanwhile(villages, now):
        rows = counting(villages, now)
        # Another transaction commits a change of the same village while this one counts.
        MemberFactory(household=household)
        return rows

    monkeypatch.setattr(tallies, "_tally_rows", meanwhile)
    tallies.refresh([world.v11.pk])
    assert RecountDue.objects.filter(village=world.v11).count() == 1  # the later change's
    year = datetime.date.today().year
    assert exit_statistics(world.v11, year)["registered"]["persons"] == 2  # counted live


def live(household) -> list:
    """The household's measures that count: a stopped one answers nothing."""
    return [m for m in household.measures.all() if m.status != MeasureStatus.STOPPED]


def test_the_cause_and_measure_figures_match_the_households(world):
    random_registry(world, 4)
    tallies.refresh()
    villages = {pk: row[0] for pk, row in village_rows(world.county).items()}
    households = Household.objects.all()
    for year in (2016, 2019):
        poor = [
            h
            for h in households.prefetch_related("measures")
            if h.identified_year <= year
            and not (h.status == HouseholdStatus.EXITED and h.exit_year <= year)
        ]
        causes = {c["label"]: c for c in selectors.by_cause(villages, year)}
        for code, label in Cause.choices:
            mine = [h for h in poor if h.primary_cause == code]
            registered = households.filter(primary_cause=code, identified_year__lte=year).count()
            if not registered:
                assert label not in causes
                continue
            assert (causes[label]["n"], causes[label]["poor"]) == (registered, len(mine))
            assert causes[label]["no_measure"] == sum(1 for h in mine if not live(h))
            answers = selectors.CAUSE_MEASURES.get(code)
            expected_gap = (
                sum(1 for h in mine if not any(m.measure_type in answers for m in live(h)))
                if answers
                else None
            )
            assert causes[label]["gap"] == expected_gap
    measured = {
        MeasureType(t).label: households.filter(
            measures__in=AssistanceMeasure.objects.live().filter(measure_type=t)
        )
        .distinct()
        .count()
        for t in MeasureType.values
    }
    assert dict(selectors.by_measure(villages)) == {k: v for k, v in measured.items() if v}
    planned_and_done = {
        y: (
            households.filter(planned_exit_year=y).count(),
            households.filter(status=HouseholdStatus.EXITED, exit_year=y).count(),
        )
        for y in range(2013, 2036)
    }
    assert selectors.exits_by_year(villages)[0] == [
        (y, p, d) for y, (p, d) in planned_and_done.items() if p or d
    ]


def test_the_worklist_and_the_dashboard_find_the_same_gaps(world):
    """One rule for which measures answer a cause (households.choices.CAUSE_MEASURES) and which
    measures count (AssistanceMeasure.objects.live()): the 疑点 worklist flags exactly the still
    poor households the dashboard counts as gaps (these households have one cause each, the one
    the dashboard groups by)."""
    random_registry(world, 5, n=80)
    tallies.refresh()
    villages = {pk: row[0] for pk, row in village_rows(world.county).items()}
    dashboard = {
        c["label"]: c["gap"]
        for c in selectors.by_cause(villages, datetime.date.today().year)
        if c["gap"]
    }
    hits = [
        hit for rule, hit in find_issues(Household.objects.all()) if rule == "cause_without_measure"
    ]
    worklist = Counter(
        Household.objects.get(pk=hit.household_id).get_primary_cause_display() for hit in hits
    )
    assert sum(dashboard.values()) >= 5
    assert dashboard == dict(worklist)
    # A stopped measure no longer answers the cause, on both.
    answered = next(
        m
        for m in AssistanceMeasure.objects.live().select_related("household")
        if m.measure_type in CAUSE_MEASURES.get(m.household.primary_cause, ())
        and m.household.status != HouseholdStatus.EXITED
        and not any(
            o.measure_type in CAUSE_MEASURES[m.household.primary_cause]
            for o in AssistanceMeasure.objects.live().filter(household=m.household).exclude(pk=m.pk)
        )
    )
    AssistanceMeasure.objects.filter(pk=answered.pk).update(status=MeasureStatus.STOPPED)
    tallies.refresh()
    label = answered.household.get_primary_cause_display()
    after = {c["label"]: c["gap"] for c in selectors.by_cause(villages, datetime.date.today().year)}
    hits = [
        hit for rule, hit in find_issues(Household.objects.all()) if rule == "cause_without_measure"
    ]
    assert after[label] == dashboard.get(label, 0) + 1
    assert answered.household_id in {hit.household_id for hit in hits}


def test_overdue_is_one_rule_for_the_list_its_rows_and_the_dashboard(client, make_user, world):
    """Past the 脱贫时限 and still poor: the household list's filter, its red rows and the
    dashboard's 超期 count are the same households."""
    random_registry(world, 6, n=60)
    tallies.refresh()
    year = datetime.date.today().year
    listed = set(Household.objects.overdue().values_list("pk", flat=True))
    red_rows = {h.pk for h in Household.objects.all() if h.is_overdue}
    dashboard = sum(
        VillageTally.objects.filter(year=year).values_list("overdue_households", flat=True)
    )
    assert len(listed) >= 5
    assert listed == red_rows
    assert dashboard == len(listed)
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    page = client.get(reverse("households:household_list"), {"overdue": "true", "per_page": 500})
    assert {row.record.pk for row in page.context["table"].rows} == listed
    # An earlier year counts what held then: 2018's overdue are those planned before 2018 and
    # not exited by its end, whatever happened after.
    in_2018 = set(Household.objects.overdue(2018).values_list("pk", flat=True))
    assert in_2018 == {
        h.pk
        for h in Household.objects.all()
        if h.identified_year <= 2018
        and h.planned_exit_year < 2018
        and not (h.status == HouseholdStatus.EXITED and h.exit_year <= 2018)
    }


def test_a_committed_change_recounts_the_village(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        h = HouseholdFactory(village=world.v11, planned_exit_year=2018)
    year = datetime.date.today().year

    def registered(village) -> int:
        return sum(
            VillageTally.objects.filter(village=village, year=year).values_list(
                "registered_households", flat=True
            )
        )

    assert (registered(world.v11), registered(world.v12)) == (1, 0)
    with django_capture_on_commit_callbacks(execute=True):
        MemberFactory(household=h)
    assert VillageTally.objects.get(village=world.v11, year=year).registered_persons == 2
    with django_capture_on_commit_callbacks(execute=True):
        AssistanceMeasureFactory(household=h, measure_type="health")
    assert MeasureTally.objects.get(village=world.v11).households == 1
    # Moved to another village: both are recounted.
    with django_capture_on_commit_callbacks(execute=True):
        h = Household.objects.get(pk=h.pk)
        h.village = world.v12
        h.save()
    assert (registered(world.v11), registered(world.v12)) == (0, 1)
    with django_capture_on_commit_callbacks(execute=True):
        h.delete()
    assert not VillageTally.objects.exists() and not MeasureTally.objects.exists()


def test_many_changes_in_one_transaction_queue_one_recount(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        "poverty.dashboard.signals.refresh_tallies.delay", lambda *a: queued.append(a)
    )
    with django_capture_on_commit_callbacks(execute=True):
        for village in (world.v11, world.v11, world.v21):
            HouseholdFactory(village=village)
    assert len(queued) == 1
    villages, households = queued[0]
    assert set(villages) == {world.v11.pk, world.v21.pk} and len(households) == 3  # the heads


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_is_not_recounted_with_the_next_commit(monkeypatch):
    from django.db import transaction

    from tests.factories import build_world

    world = build_world()
    queued = []
    monkeypatch.setattr(
        "poverty.dashboard.signals.refresh_tallies.delay", lambda *a: queued.append(a)
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        HouseholdFactory(village=world.v21, head=False)
        raise RuntimeError("the form failed after the save")
    assert queued == []
    with transaction.atomic():
        h = HouseholdFactory(village=world.v11, head=False)
        with pytest.raises(RuntimeError), transaction.atomic():  # a savepoint rolled back
            HouseholdFactory(village=world.v12, head=False)
            raise RuntimeError
        MemberFactory(household=h)
    # One job. A savepoint rolled back inside a kept transaction may add its village: a recount
    # of an unchanged village is harmless, a lost one would not be.
    assert len(queued) == 1 and world.v11.pk in queued[0][0] and queued[0][1] == [h.pk]
    assert world.v21.pk not in queued[0][0]


def test_a_broker_that_is_down_does_not_lose_the_change(
    world, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def down(*args):
        raise ConnectionError("broker down")

    monkeypatch.setattr("poverty.dashboard.signals.refresh_tallies.delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        HouseholdFactory(village=world.v11)
    assert Household.objects.count() == 1
    assert "could not queue the tally recount" in caplog.text


def test_a_roster_import_recounts_its_villages(
    tmp_path, world, make_user, django_capture_on_commit_callbacks
):
    staff = make_user(Role.COUNTY_STAFF, world.county)
    rows = family(world) + family(world, code="H-0002", 脱贫状态="已脱贫", 脱贫年度=2018)
    with django_capture_on_commit_callbacks(execute=True):
        assert import_roster(write(tmp_path, rows), user=staff).ok
    figures = tallied(world.v11, 2019)
    assert figures["registered"] == {"households": 2, "persons": 4}
    assert figures["exited_cumulative"]["households"] == 1
    # The edited file moves H-0002 to another village: both villages are recounted.
    for row in rows[2:]:
        row.update(乡镇=world.t2.name, 行政村=world.v21.name)
    with django_capture_on_commit_callbacks(execute=True):
        assert import_roster(write(tmp_path, rows, "moved.xlsx"), user=staff).ok
    assert tallied(world.v11, 2019)["registered"]["households"] == 1
    assert tallied(world.v21, 2019)["registered"]["households"] == 1


def test_the_command_recounts_an_area_or_everything(world, capsys):
    HouseholdFactory(village=world.v11)
    HouseholdFactory(village=world.v21)
    call_command("refresh_tallies", "--area", world.t1.code)
    assert "2 个行政村" in capsys.readouterr().out
    assert set(VillageTally.objects.values_list("village", flat=True)) == {world.v11.pk}
    call_command("refresh_tallies")
    assert set(VillageTally.objects.values_list("village", flat=True)) == {
        world.v11.pk,
        world.v21.pk,
    }
    with pytest.raises(CommandError, match="找不到区划代码 990999000000"):
        call_command("refresh_tallies", "--area", "990999000000")


def test_the_nightly_job_recounts_every_village_and_the_status_page_says_when(world, make_user):
    schedule = settings.CELERY_BEAT_SCHEDULE["refresh-tallies"]
    assert schedule["task"] == "dashboard.tasks.recount_tallies"
    HouseholdFactory(village=world.v22)
    from poverty.dashboard.tasks import recount_tallies

    assert recount_tallies.delay().get() == 4  # every village, with or without households
    assert VillageTally.objects.filter(village=world.v22).exists()
    # What the worker's result backend records (eager runs record nothing).
    TaskResult.objects.create(
        task_id="nightly", task_name="dashboard.tasks.recount_tallies", status="SUCCESS", result="4"
    )
    client = Client()
    client.force_login(make_user(Role.COUNTY_STAFF, world.county, is_staff=True))
    page = client.get("/system/").content.decode()
    assert "最近一次全量重算" in page and "4 个行政村" in page


def test_the_page_says_as_of_when(world, make_user):
    client = Client()
    client.force_login(make_user(Role.LEADER, world.county))
    page = client.get("/dashboard/").content.decode()
    assert "该地区暂无统计数据" in page
    HouseholdFactory(village=world.v11)
    tallies.refresh()
    stamp = VillageTally.objects.first().refreshed_at.astimezone(
        datetime.timezone(datetime.timedelta(hours=8))
    )
    page = client.get("/dashboard/").content.decode()
    assert f"统计数据截至 {stamp:%Y-%m-%d %H:%M}" in page
