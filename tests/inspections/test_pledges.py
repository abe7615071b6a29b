"""Pledge targets against live data, checked with figures worked out by hand."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.choices import Role
from households.choices import HouseholdStatus
from households.models import Household
from households.periods import follow
from inspections.choices import Metric, Status
from inspections.models import Finding, Pledge, PledgeTarget
from inspections.progress import actual, progress_of
from projects.models import Project
from tests.factories import (
    FindingFactory,
    HouseholdFactory,
    MemberFactory,
    PledgeFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


def household(village, persons, *, exited=None, identified=2014):
    h = HouseholdFactory(village=village, identified_year=identified, planned_exit_year=2020)
    for _ in range(persons - 1):
        MemberFactory(household=h)
    if exited:
        Household.objects.filter(pk=h.pk).update(status=HouseholdStatus.EXITED, exit_year=exited)
        follow([h.pk])  # as a service's save would record it
    return h


@pytest.fixture
def registry(world):
    """一乡 (t1): 1800 rural residents in its two villages (1000 + 800)."""
    household(world.v11, 3, exited=2019)
    household(world.v11, 2, exited=2019)
    household(world.v12, 4, exited=2018)
    household(world.v12, 5)  # still poor at the end of 2019
    household(world.v11, 2, identified=2020)  # registered only in 2020
    household(world.v21, 6, exited=2019)  # 二镇: not 一乡's
    world.v11.actual_exit_year = 2019
    world.v11.save()
    for stage, area in ((3, world.t1), (5, world.v11), (1, world.v12), (6, world.t2)):
        project = ProjectFactory(area=area, year=2019)
        Project.objects.filter(pk=project.pk).update(stage=stage)
    closed = FindingFactory(area=world.v11)
    Finding.objects.filter(pk=closed.pk).update(
        status=Status.CLOSED, closed_on=datetime.date(2019, 5, 3)
    )
    later = FindingFactory(area=world.v12)
    Finding.objects.filter(pk=later.pk).update(
        status=Status.CLOSED, closed_on=datetime.date(2020, 1, 3)
    )
    FindingFactory(area=world.v12)
    return world


@pytest.mark.parametrize(
    ("metric", "stage", "expected"),
    [
        (Metric.HOUSEHOLDS_EXITED, None, Decimal(2)),
        (Metric.PERSONS_EXITED, None, Decimal(5)),
        (Metric.VILLAGES_EXITED, None, Decimal(1)),
        # 5 persons still poor / 1800 rural residents = 0.2777…% → 0.28
        (Metric.INCIDENCE_AT_MOST, None, Decimal("0.28")),
        (Metric.PROJECTS_REACHED, 3, Decimal(2)),
        (Metric.PROJECTS_REACHED, 5, Decimal(1)),
        (Metric.FINDINGS_CLOSED, None, Decimal(1)),
    ],
)
def test_each_metric_counts_the_pledge_area_and_year_only(registry, metric, stage, expected):
    assert actual(metric, registry.t1, 2019, stage) == expected


def test_progress_is_actual_over_target_and_at_most_targets_are_met_below(registry):
    pledge = PledgeFactory(area=registry.t1)
    targets = [
        PledgeTarget.objects.create(pledge=pledge, metric=Metric.PERSONS_EXITED, target=10),
        PledgeTarget.objects.create(pledge=pledge, metric=Metric.HOUSEHOLDS_EXITED, target=2),
        PledgeTarget.objects.create(
            pledge=pledge, metric=Metric.INCIDENCE_AT_MOST, target=Decimal("0.20")
        ),
        PledgeTarget.objects.create(
            pledge=pledge, metric=Metric.PROJECTS_REACHED, target=4, stage=3
        ),
    ]
    persons, households, incidence, projects = progress_of(targets, pledge.area, pledge.year)
    assert (persons.actual_display, persons.ratio, persons.met, persons.percent) == (
        "5",
        Decimal("0.5"),
        False,
        50,
    )
    assert (households.ratio, households.met) == (Decimal(1), True)
    # 0.28% against "at most 0.20%": not met; 0.20 / 0.28 = 71%.
    assert (incidence.actual_display, incidence.met, incidence.percent) == ("0.28%", False, 71)
    assert incidence.target.target_display == "≤0.20%"
    assert (projects.target.label, projects.ratio) == ("年度项目达到“开工”(个)", Decimal("0.5"))


def test_incidence_needs_a_rural_population(world):
    world.v22.rural_population = None
    world.v22.save()
    assert actual(Metric.INCIDENCE_AT_MOST, world.v22, 2019) is None


def test_the_pledge_page_shows_actual_against_target(client, registry, make_user):
    pledge = PledgeFactory(area=registry.t1)
    PledgeTarget.objects.create(pledge=pledge, metric=Metric.PERSONS_EXITED, target=10)
    client.force_login(make_user(Role.LEADER, registry.t1))
    page = client.get(pledge.get_absolute_url()).content.decode()
    assert "年度脱贫人数(人)" in page
    assert '<td class="text-end">5</td>' in page and '<td class="text-end">10</td>' in page
    assert 'aria-valuenow="50"' in page


def test_the_pledge_form_saves_the_targets_with_it(client, world, make_user):
    client.force_login(make_user(Role.TOWNSHIP_STAFF, world.t1))
    data = {
        "kind": "township_village",
        "year": "2019",
        "area": world.v11.pk,
        "pledger": "甲村党支部书记 王明",
        "recipient": "一乡党委、政府",
        "signed_on": "2019-01-10",
        "targets-TOTAL_FORMS": "3",
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "1000",
        "targets-0-metric": "persons_exited",
        "targets-0-target": "30",
        "targets-1-metric": "projects_reached",
        "targets-1-target": "2",
        "targets-2-metric": "",
        "targets-2-target": "",
    }
    response = client.post("/inspections/pledges/add/", data)
    assert response.status_code == 200
    assert "请选择项目须达到的阶段" in response.content.decode()
    assert not Pledge.objects.exists()
    data["targets-1-stage"] = "3"
    response = client.post("/inspections/pledges/add/", data)
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert sorted(pledge.targets.values_list("metric", "target", "stage")) == [
        ("persons_exited", Decimal("30.00"), None),
        ("projects_reached", Decimal("2.00"), 3),
    ]
    # A village pledge is not a county → township one.
    data.update(kind="county_township")
    response = client.post("/inspections/pledges/add/", data)
    assert "责任区域应为乡镇" in response.content.decode()


def test_targets_must_be_whole_numbers_except_the_rate(world):
    pledge = PledgeFactory(area=world.t1)
    with pytest.raises(ValidationError, match="须为整数"):
        PledgeTarget(
            pledge=pledge, metric=Metric.PERSONS_EXITED, target=Decimal("3.5")
        ).full_clean()
    with pytest.raises(ValidationError, match="0到100"):
        PledgeTarget(pledge=pledge, metric=Metric.INCIDENCE_AT_MOST, target=120).full_clean()
    PledgeTarget(pledge=pledge, metric=Metric.INCIDENCE_AT_MOST, target=Decimal("2.5")).full_clean()
