"""The work page (工作台): each role's lists, scoped, linked to lists that agree, and read in a
number of queries that does not grow with the data."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from households import periods
from households.choices import HouseholdStatus, MeasureStatus
from households.models import Household
from inspections.choices import Status as FindingStatus
from inspections.choices import StepKind
from inspections.models import Finding, FindingStep
from poverty.work.selectors import todos
from tests.factories import (
    AssistanceMeasureFactory,
    CadreFactory,
    DecisionFactory,
    FindingFactory,
    HouseholdFactory,
    HouseholdPairingFactory,
    KeyTaskFactory,
    MeetingFactory,
    RosterImportFactory,
    SheetImportJobFactory,
    UnitFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def populate(world, cadre, n):
    """n households in each village: the even ones paired with `cadre` (V11) and visited long
    ago, each with a follow-up due, a loan ending next month and an open finding (the odd
    ones' not yet due, the even ones' overdue)."""
    other = CadreFactory(unit=cadre.unit)
    for village in world.villages:
        for i in range(n):
            household = HouseholdFactory(village=village, planned_exit_year=TODAY.year)
            mine = village == world.v11 and i % 2 == 0
            HouseholdPairingFactory(household=household, cadre=cadre if mine else other)
            VisitFactory(
                household=household,
                cadre=cadre if mine else other,
                visited_on=TODAY - 40 * DAY,
                follow_up="补办低保材料",
                follow_up_due=TODAY - DAY,
            )
            AssistanceMeasureFactory(
                household=household,
                start_date=TODAY - 700 * DAY,
                end_date=TODAY + 20 * DAY,
                status=MeasureStatus.ONGOING,
            )
            FindingFactory(
                area=village,
                unit=cadre.unit,
                found_on=TODAY - 10 * DAY,
                deadline=TODAY + (DAY if i % 2 else -DAY),
            )
            meeting = MeetingFactory(area=village, held_on=TODAY - 20 * DAY)
            DecisionFactory(
                meeting=meeting, owner=cadre if mine else other, deadline=TODAY - DAY * (i % 2)
            )
            task = KeyTaskFactory(area=village.parent, deadline=TODAY + 60 * DAY)
            task.milestones.create(title="完成摸底", planned=TODAY - 5 * DAY)
            task.milestones.create(title="完成验收", planned=TODAY + 3 * DAY)


@pytest.fixture
def cadre(world):
    return CadreFactory(unit=UnitFactory(area=world.county))


def by_key(entries):
    return {t.key: t for t in entries}


def test_a_village_cadre_sees_her_own_work_and_nothing_of_other_villages(world, make_user, cadre):
    populate(world, cadre, 4)
    user = make_user(Role.VILLAGE_CADRE, world.v11, cadre=cadre)
    entries = by_key(todos(user))
    # Her two paired households, neither visited in 30 days; two of her own follow-ups due.
    assert entries["unvisited"].count == 2
    assert entries["follow_ups"].count == 2
    assert entries["measures"].count == 2
    # The village's findings and households (all four), not V12's or V21's.
    assert entries["findings"].count == 4
    assert entries["near_deadline"].count == 4
    assert all("一乡甲村" in r.text or r.url for r in entries["findings"].rows)
    assert entries["follow_ups"].level == "danger"  # overdue comes first
    assert todos(user)[0].level == "danger"


def test_the_cadres_links_list_what_was_counted(client, world, make_user, cadre):
    populate(world, cadre, 4)
    user = make_user(Role.VILLAGE_CADRE, world.v11, cadre=cadre)
    client.force_login(user)
    entries = by_key(todos(user))
    for key in ("unvisited", "follow_ups", "measures", "findings", "near_deadline"):
        page = client.get(entries[key].url)
        assert page.status_code == 200, key
        assert page.context["table"].page.paginator.count == entries[key].count, key


def test_the_summary_counts_agree_with_the_lists_they_link_to(client, world, make_user, cadre):
    """Staff read some household and measure entries from a shared grouped query: every entry
    counts what its link lists (through the queryset rules), village by village."""
    populate(world, cadre, 3)
    households = list(Household.objects.filter(village__in=[world.v11, world.v12]))
    Household.objects.filter(pk=households[0].pk).update(planned_exit_year=TODAY.year - 2)
    Household.objects.filter(pk__in=[h.pk for h in households[1:3]]).update(
        status=HouseholdStatus.PUBLICISED
    )
    ended = AssistanceMeasureFactory(
        household=households[3], start_date=TODAY - 400 * DAY, end_date=TODAY - 3 * DAY
    )
    ended.status = MeasureStatus.ONGOING
    ended.save()
    periods.follow([h.pk for h in households])
    user = make_user(Role.TOWNSHIP_STAFF, world.t1)
    client.force_login(user)
    entries = by_key(todos(user))
    keys = ("unvisited", "overdue", "near_deadline", "publicity", "measures", "measures_ended")
    assert set(keys) <= set(entries)
    for key in keys:
        page = client.get(entries[key].url)
        assert page.status_code == 200, key
        assert page.context["table"].page.paginator.count == entries[key].count, key
        villages = dict(entries[key].villages)
        assert sum(villages.values()) == entries[key].count, key
        assert set(villages) <= {"一乡甲村", "一乡乙村"}, key
    assert entries["overdue"].count == 1 and entries["publicity"].count == 2


def test_township_staff_see_their_villages_summarised(world, make_user, cadre):
    populate(world, cadre, 3)
    user = make_user(Role.TOWNSHIP_STAFF, world.t1)
    entries = by_key(todos(user))
    assert entries["unvisited"].count == 6  # every paired household of t1's two villages
    assert dict(entries["unvisited"].villages) == {"一乡甲村": 3, "一乡乙村": 3}
    assert entries["findings"].count == 6
    assert "二镇甲村" not in dict(entries["findings"].villages)
    # The exit steps that wait for them, and their own upload waiting to be confirmed.
    Household.objects.filter(village=world.v12).update(status=HouseholdStatus.PROPOSED)
    RosterImportFactory(user=user, area=world.t1, file_name="一乡花名册.xlsx")
    SheetImportJobFactory(user=user, area=world.t1)
    someone_elses = make_user(Role.TOWNSHIP_STAFF, world.t1)
    RosterImportFactory(user=someone_elses, area=world.t1, file_name="别人的.xlsx")
    entries = by_key(todos(user))
    assert entries["exit_proposed"].count == 3
    assert [r.text for r in entries["roster_jobs"].rows] == ["一乡花名册.xlsx"]
    assert [r.text for r in entries["sheet_jobs"].rows] == ["帮扶单位：单位.xlsx"]


def test_an_inspector_sees_submissions_to_verify_but_not_her_own(world, make_user, cadre):
    inspector = make_user(Role.INSPECTOR, world.county)
    mine, theirs = (
        FindingFactory(area=world.v11, unit=cadre.unit, deadline=TODAY + 5 * DAY) for _ in range(2)
    )
    Finding.objects.filter(pk__in=[mine.pk, theirs.pk]).update(status=FindingStatus.SUBMITTED)
    FindingStep.objects.create(finding=mine, kind=StepKind.SUBMIT, note="已整改", by=inspector)
    FindingFactory(area=world.v21, unit=cadre.unit, deadline=TODAY - 3 * DAY)
    entries = by_key(todos(inspector))
    assert [r.url for r in entries["to_verify"].rows] == [theirs.get_absolute_url()]
    assert entries["findings_overdue"].count == 1
    assert entries["findings_overdue"].rows[0].note == "逾期3天"


def test_a_leader_reads_the_areas_red_items(world, make_user, cadre):
    populate(world, cadre, 2)
    leader = make_user(Role.LEADER, world.t2)
    entries = by_key(todos(leader))
    assert entries["follow_ups"].count == 4 and entries["unvisited"].count == 4
    assert set(dict(entries["unvisited"].villages)) == {"二镇甲村", "二镇乙村"}


@pytest.mark.parametrize(
    ("role", "area"),
    [
        (Role.VILLAGE_CADRE, "v11"),
        (Role.TOWNSHIP_STAFF, "t1"),
        (Role.COUNTY_STAFF, "county"),
        (Role.INSPECTOR, "county"),
        (Role.LEADER, "county"),
    ],
)
def test_the_work_page_reads_the_same_number_of_queries_for_any_amount_of_work(
    client, world, make_user, cadre, django_assert_max_num_queries, role, area
):
    user = make_user(role, world.by_key(area), cadre=cadre if role == Role.VILLAGE_CADRE else None)
    client.force_login(user)
    populate(world, cadre, 1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("home")).status_code == 200
    populate(world, cadre, 6)
    with django_assert_max_num_queries(len(few)):
        page = client.get(reverse("home")).content.decode()
    assert 'data-todo="' in page
    # A fixed ceiling too: staff read 16 entries, the key tasks', milestones' and decisions'
    # among them (two household and two measure entries of a summary share a grouped query),
    # and a few more for the session and the page.
    assert len(few) <= 23


def test_a_cadre_is_asked_to_check_her_offline_visits_of_changed_households(
    client, world, make_user, cadre
):
    user = make_user(Role.VILLAGE_CADRE, world.v11, cadre=cadre)
    household = HouseholdFactory(village=world.v11)
    VisitFactory(household=household, cadre=cadre, visited_on=TODAY, needs_review=True)
    VisitFactory(household=household, cadre=cadre, visited_on=TODAY)
    entry = by_key(todos(user))["visits_to_review"]
    assert entry.count == 1
    client.force_login(user)
    listed = client.get(entry.url).context["table"].page.paginator.count
    assert listed == 1


def test_the_county_sets_how_long_a_paired_household_may_go_unvisited(
    client, world, make_user, cadre
):
    user = make_user(Role.VILLAGE_CADRE, world.v11, cadre=cadre)
    household = HouseholdFactory(village=world.v11)
    HouseholdPairingFactory(household=household, cadre=cadre)
    VisitFactory(household=household, cadre=cadre, visited_on=TODAY - 20 * DAY)
    assert "unvisited" not in by_key(todos(user))  # 30 days by default
    world.county.visit_interval_days = 14
    world.county.save()
    user = type(user).objects.get(pk=user.pk)  # a new request's user
    entry = by_key(todos(user))["unvisited"]
    assert (entry.label, entry.count) == ("14天内未走访的结对户", 1)
    client.force_login(user)
    assert client.get(entry.url).context["table"].page.paginator.count == 1


def test_only_a_county_sets_the_visit_interval(client, world, make_user):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    response = client.post(
        reverse("villages:area_edit", args=[world.t1.pk]),
        {"code": world.t1.code, "name": world.t1.name, "visit_interval_days": "14"},
    )
    assert "走访周期由县级设置" in response.content.decode()
    response = client.post(
        reverse("villages:area_edit", args=[world.county.pk]),
        {"code": world.county.code, "name": world.county.name, "visit_interval_days": "3"},
    )
    assert response.status_code == 200  # fewer than 7 days is refused
    world.county.refresh_from_db()
    assert world.county.visit_interval_days is None
