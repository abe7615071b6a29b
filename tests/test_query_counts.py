"""Every list page and API list costs the same number of queries at 3 rows and at 30."""

import datetime
import itertools

import pytest
from django.urls import reverse

from accounts.choices import Role
from households.models import QualityIssue, RosterExport, RosterImport, RosterMapping
from inspections.models import Accountability, FindingStep, Notice, NoticeItem, PledgeTarget
from projects.models import Beneficiary, Objection
from tests.factories import (
    AssessmentFactory,
    AssistanceMeasureFactory,
    CadreFactory,
    DisclosureFactory,
    FindingFactory,
    FundEntryFactory,
    HouseholdFactory,
    HouseholdPairingFactory,
    IncomeRecordFactory,
    LeaderPairingFactory,
    MemberFactory,
    PledgeFactory,
    ProjectApprovalFactory,
    ProjectFactory,
    UnitFactory,
    UnitPairingFactory,
    UserFactory,
    VillagePostingFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db
SERIAL = itertools.count()


def grow(world, n):
    """n more rows of every villages model, spread over the villages."""
    unit = UnitFactory(area=world.county)
    for i in range(n):
        village = world.villages[i % 4]
        cadre = CadreFactory(unit=unit, is_leader=True)
        VillagePostingFactory(cadre=cadre, village=village)
        UnitPairingFactory(unit=UnitFactory(area=world.county), village=village)
        LeaderPairingFactory(leader=cadre, area=village)


# url name -> queries for a county user (session, user, areas, count, page, plus filter choices).
PAGES = {
    "villages:area_list": 6,
    "villages:unit_list": 6,
    "villages:cadre_list": 7,  # and one INSERT: the phones it shows, in the access log
    "villages:villageposting_list": 6,
    "villages:unitpairing_list": 7,
    "villages:leaderpairing_list": 6,
    "api:area-list": 5,
    "api:unit-list": 5,
    "api:cadre-list": 6,  # and the access log's INSERT
    "api:villageposting-list": 5,
    "api:unitpairing-list": 5,
    "api:leaderpairing-list": 5,
}


@pytest.mark.parametrize(("name", "queries"), PAGES.items())
def test_query_count_does_not_grow_with_rows(
    client, make_user, world, django_assert_num_queries, name, queries
):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    assert_same_at_3_and_30(client, world, django_assert_num_queries, name, queries, grow)


def cadre_user(world):
    return UserFactory(areas=[world.county])


def grow_registry(world, n):
    """n more households, each with its rows, spread over the villages."""
    cadre = CadreFactory(unit=UnitFactory(area=world.county))
    for i in range(n):
        household = HouseholdFactory(village=world.villages[i % 4])
        MemberFactory(household=household)
        HouseholdPairingFactory(household=household, cadre=cadre)
        AssistanceMeasureFactory(household=household, cadre=cadre)
        VisitFactory(household=household, cadre=cadre)
        IncomeRecordFactory(household=household)
        AssessmentFactory(household=household, assessor=cadre)
        QualityIssue.objects.create(household=household, rule="no_recent_visit", detail="x")
        RosterImport.objects.create(
            user=cadre_user(world), area=world.county, file="imports/x.xlsx", file_name="x.xlsx"
        )
        RosterExport.objects.create(user=cadre_user(world), area=world.county)
        RosterMapping.objects.create(
            area=world.villages[i % 4].parent, name=f"模板{next(SERIAL)}", columns={"家": ""}
        )


# session, user, areas, count, page, plus the filter's choice lists.
REGISTRY_PAGES = {
    "households:household_list": 7,  # the page's ids, then its rows (ids_first)
    "households:visit_list": 6,
    "households:assistancemeasure_list": 6,
    "households:householdpairing_list": 6,
    "households:incomerecord_list": 6,
    "households:assessment_list": 6,
    "households:qualityissue_list": 7,  # plus the per-rule counts
    "households:povertyline_list": 4,
    "households:rosterimport_list": 5,
    "households:rosterexport_list": 5,
    "households:rostermapping_list": 5,
    # session, user, areas, count, page, then members, measures and incomes in one query each.
    "api:household-list": 9,  # … and one INSERT logging the full numbers read
    "api:visit-list": 5,
    "api:householdpairing-list": 5,
}


@pytest.mark.parametrize(("name", "queries"), REGISTRY_PAGES.items())
def test_registry_lists_cost_the_same_at_3_and_30_households(
    client, make_user, world, django_assert_num_queries, name, queries
):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    grow_registry(world, 3)
    with django_assert_num_queries(queries):
        assert client.get(reverse(name)).status_code == 200
    grow_registry(world, 27)
    with django_assert_num_queries(queries):
        response = client.get(reverse(name))
    assert response.status_code == 200
    if name.startswith("api:"):
        assert response.json()["count"] >= 30
    else:
        assert response.context["table"].paginator.count >= 30 or name.endswith("povertyline_list")


def test_the_household_file_costs_the_same_with_more_members_measures_and_visits(
    client, make_user, world, django_assert_num_queries
):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    household = HouseholdFactory(village=world.v11)
    cadre = CadreFactory(unit=UnitFactory(area=world.county))

    def add(n):
        for _ in range(n):
            MemberFactory(household=household)
            AssistanceMeasureFactory(household=household, cadre=cadre)
            VisitFactory(household=household, cadre=cadre)

    add(2)
    url = reverse("households:household_detail", args=[household.pk])
    audit = reverse("households:household_audit", args=[household.pk])
    client.get(url)
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(url)
    with django_assert_num_queries(AUDIT_QUERIES):
        client.get(audit)
    add(20)
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(url)
    with django_assert_num_queries(AUDIT_QUERIES):
        assert "成员" in client.get(audit).content.decode()


# … the periods (历年状态), and the exit readiness (its states, the line, the members, which the
# page lists too: 3; the year's income and the latest assessment come from the page's own lists).
# The 变更记录 is loaded apart (AUDIT_QUERIES).
DETAIL_QUERIES = 16
AUDIT_QUERIES = 9


def grow_projects(world, n):
    """n more projects, each with stages, funds, a beneficiary, an approval and a disclosure."""
    for i in range(n):
        village = world.villages[i % 4]
        project = ProjectFactory(area=village.parent, areas=[village])
        for kind in ("planned", "allocated", "disbursed"):
            FundEntryFactory(project=project, kind=kind, amount=1000)
        Beneficiary.objects.create(project=project, household=HouseholdFactory(village=village))
        ProjectApprovalFactory(project=project)
        disclosure = DisclosureFactory(project=project)
        Objection.objects.create(disclosure=disclosure, content="异议")


# session, user, areas, count, page, the filters' choice lists, plus the fund totals.
PROJECT_PAGES = {
    "projects:project_list": 8,
    "projects:fundentry_list": 6,
    "projects:beneficiary_list": 6,
    "projects:projectapproval_list": 7,
    "projects:disclosure_list": 6,
    "api:project-list": 7,
    "api:projectstage-list": 5,
    "api:fundentry-list": 5,
    "api:disclosure-list": 6,
}


def assert_same_at_3_and_30(client, world, assert_queries, name, queries, grow) -> None:
    grow(world, 3)
    with assert_queries(queries):
        assert client.get(reverse(name)).status_code == 200
    grow(world, 27)
    with assert_queries(queries):
        assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize(("name", "queries"), PROJECT_PAGES.items())
def test_project_lists_cost_the_same_at_3_and_30_projects(
    client, make_user, world, django_assert_num_queries, name, queries
):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    assert_same_at_3_and_30(client, world, django_assert_num_queries, name, queries, grow_projects)


def test_the_project_page_costs_the_same_with_more_funds_beneficiaries_and_disclosures(
    client, make_user, world, django_assert_num_queries
):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    project = ProjectFactory(area=world.county, areas=world.villages)

    def add(n):
        for i in range(n):
            FundEntryFactory(project=project, source=["county", "central"][i % 2])
            Beneficiary.objects.create(
                project=project, household=HouseholdFactory(village=world.villages[i % 4])
            )
            ProjectApprovalFactory(project=project)
            DisclosureFactory(project=project)

    add(2)
    url = reverse("projects:project_detail", args=[project.pk])
    with django_assert_num_queries(PROJECT_DETAIL_QUERIES):
        client.get(url)
    add(20)
    with django_assert_num_queries(PROJECT_DETAIL_QUERIES):
        client.get(url)


PROJECT_DETAIL_QUERIES = 13


def grow_inspections(world, n):
    """n more pledges (with targets), findings (with a person, steps and a sanction) and notices."""
    unit = UnitFactory(area=world.county)
    for i in range(n):
        village = world.villages[i % 4]
        pledge = PledgeFactory(area=village.parent)
        PledgeTarget.objects.create(pledge=pledge, metric="persons_exited", target=10)
        finding = FindingFactory(area=village, unit=unit, person=CadreFactory(unit=unit))
        FindingStep.objects.create(finding=finding, kind="plan", note="方案")
        Accountability.objects.create(finding=finding, kind="talk", person="张三", reason="逾期")
        notice = Notice.objects.create(
            kind="unit",
            county=world.county,
            area=world.county,
            unit=UnitFactory(area=world.county),
            month=datetime.date(2019, 3, 1),
            year=2019,
            number=Notice.objects.count() + 1,
            issued_on=datetime.date(2019, 4, 1),
        )
        NoticeItem.objects.create(notice=notice, finding=finding, status="open", days_overdue=3)


# session, user, areas, count, page, the filters' choice lists.
INSPECTION_PAGES = {
    # Inspectors read pledges only: the add button's check falls through to the per-user
    # grants an administrator may give (user and group permissions, one query per request).
    "inspections:pledge_list": 7,
    "inspections:inspection_list": 6,
    "inspections:finding_list": 7,
    "inspections:accountability_list": 6,
    "inspections:notice_list": 6,
    "api:finding-list": 5,
    "api:notice-list": 6,
}


@pytest.mark.parametrize(("name", "queries"), INSPECTION_PAGES.items())
def test_inspection_lists_cost_the_same_at_3_and_30_rows(
    client, make_user, world, django_assert_num_queries, name, queries
):
    client.force_login(make_user(Role.INSPECTOR, world.county))
    assert_same_at_3_and_30(
        client, world, django_assert_num_queries, name, queries, grow_inspections
    )


def test_finding_inspection_and_notice_pages_cost_the_same_with_more_rows(
    client, make_user, world, django_assert_num_queries
):
    client.force_login(make_user(Role.INSPECTOR, world.county))
    unit = UnitFactory(area=world.county)
    finding = FindingFactory(area=world.v11, unit=unit, person=CadreFactory(unit=unit))
    notice = Notice.objects.create(
        kind="bulletin",
        county=world.county,
        area=world.county,
        month=datetime.date(2019, 3, 1),
        year=2019,
        number=1,
        issued_on=datetime.date(2019, 4, 1),
    )

    def add(n):
        for i in range(n):
            FindingStep.objects.create(finding=finding, kind="progress", note=f"进展{i}")
            Accountability.objects.create(
                finding=finding, kind="talk", person="张三", reason="逾期"
            )
            other = FindingFactory(
                area=world.villages[i % 4], inspection=finding.inspection, person=None
            )
            NoticeItem.objects.create(notice=notice, finding=other, status="open")

    add(2)
    urls = {
        reverse("inspections:finding_detail", args=[finding.pk]): 11,
        # … and its history, field by field (the rows, and the names of related objects)
        reverse("inspections:inspection_detail", args=[finding.inspection_id]): 9,
        reverse("inspections:notice_detail", args=[notice.pk]): 5,
        reverse("inspections:notice_print", args=[notice.pk]): 5,
        reverse("inspections:notice_xlsx", args=[notice.pk]): 5,
    }
    for url, queries in urls.items():
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200
    add(20)
    for url, queries in urls.items():
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200
