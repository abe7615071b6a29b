"""The project API: totals and overdue per project, re-planning stages, and the same refusals
as the pages."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.choices import Role
from projects.choices import FundKind, FundSource, Stage
from projects.models import FundEntry, Project
from tests.factories import CadreFactory, FundEntryFactory, ProjectFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, make_user, world):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    return client


def test_projects_carry_their_fund_totals_and_delay(api, world):
    project = ProjectFactory(area=world.t1, areas=[world.v11])
    FundEntryFactory(project=project, kind=FundKind.PLANNED, amount=Decimal("1000"))
    FundEntryFactory(project=project, kind=FundKind.ALLOCATED, amount=Decimal("800"))
    FundEntryFactory(project=project, kind=FundKind.DISBURSED, amount=Decimal("200"))
    listed = project.stages.get(stage=Stage.LISTED)
    listed.planned_date = datetime.date(2019, 1, 1)
    listed.save()
    ProjectFactory(area=world.t2)
    body = api.get(reverse("api:project-list"), {"overdue": "true"}).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["planned_total"], row["allocated_total"], row["disbursed_total"]) == (
        "1000.00",
        "800.00",
        "200.00",
    )
    assert row["next_due"] == "2019-01-01" and row["days_overdue"] > 0
    assert row["stage_label"] == "未入库"


def test_a_stage_is_replanned_through_the_api_in_order_only(api, world):
    project = ProjectFactory(area=world.county)
    stages = {s.stage: s for s in project.stages.all()}
    url = lambda stage: reverse("api:projectstage-detail", args=[stages[stage].pk])  # noqa: E731
    assert (
        api.patch(
            url(Stage.STARTED), {"planned_date": "2019-06-01"}, "application/json"
        ).status_code
        == 200
    )
    response = api.patch(url(Stage.BUILDING), {"planned_date": "2019-05-01"}, "application/json")
    assert response.status_code == 400
    assert "早于“开工”" in response.json()["planned_date"][0]
    # Actual dates are not written here: they come from the stage step.
    api.patch(url(Stage.LISTED), {"actual_date": "2019-01-01"}, "application/json")
    assert project.stages.get(stage=Stage.LISTED).actual_date is None
    assert api.post(reverse("api:projectstage-list"), {}, "application/json").status_code == 405
    project.refresh_from_db()
    assert project.version == 2


def test_the_api_refuses_what_the_pages_refuse(api, world):
    project = ProjectFactory(area=world.county)
    FundEntryFactory(project=project, kind=FundKind.ALLOCATED, amount=Decimal("100"))
    response = api.post(
        reverse("api:fundentry-list"),
        {
            "project": project.pk,
            "source": FundSource.COUNTY,
            "kind": "disbursed",
            "amount": "100.01",
            "date": "2019-05-01",
        },
        "application/json",
    )
    assert response.status_code == 400 and "最多可拨付100.00元" in str(response.json())
    assert FundEntry.objects.filter(kind="disbursed").count() == 0
    unit = UnitFactory(area=world.county)
    response = api.post(
        reverse("api:project-list"),
        {
            "name": "跨乡项目",
            "project_type": "industry",
            "year": 2019,
            "area": world.t1.pk,
            "areas": [world.v21.pk],
            "implementer": "合作社",
            "unit": unit.pk,
            "manager": CadreFactory(unit=unit).pk,
        },
        "application/json",
    )
    assert response.status_code == 400 and "受益区域须在所属区域" in str(response.json())
    assert not Project.objects.filter(name="跨乡项目").exists()


def test_a_township_client_sees_only_its_projects(client, make_user, world):
    mine = ProjectFactory(area=world.t1, areas=[world.v11])
    ProjectFactory(area=world.t2, areas=[world.v21])
    ProjectFactory(area=world.county, areas=[world.v11, world.v21])
    client.force_login(make_user(Role.API_CLIENT, world.t1))
    ids = [row["id"] for row in client.get(reverse("api:project-list")).json()["results"]]
    assert ids == [mine.pk]
