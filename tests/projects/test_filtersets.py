"""ProjectFilterSet, filter by filter (the projects list and the API share it)."""

import datetime

import pytest

from projects.filtersets import ProjectFilterSet
from projects.models import ProjectStage
from tests.factories import FundEntryFactory, ProjectFactory, filtered

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(world):
    sheep = ProjectFactory(
        area=world.t1, areas=[world.v11], name="养羊项目", implementer="湾里合作社", year=2019
    )
    road = ProjectFactory(
        area=world.county, areas=[world.v21], name="通村道路", project_type="infrastructure"
    )
    road.year = 2020
    road.stage = 2
    road.save()
    FundEntryFactory(project=road, source="central")
    FundEntryFactory(project=sheep, source="county")
    ProjectStage.objects.filter(project=sheep, stage=1).update(
        planned_date=datetime.date(2019, 1, 31)  # not done, long past: behind plan
    )
    return {"sheep": sheep, "road": road}


def found(data: dict) -> set[str]:
    return set(filtered(ProjectFilterSet, data).values_list("name", flat=True))


def test_search_type_year_stage_source_and_unit(projects):
    assert found({"q": "湾里"}) == {"养羊项目"}
    assert found({"project_type": "infrastructure"}) == {"通村道路"}
    assert found({"year": 2020}) == {"通村道路"}
    assert found({"stage": 2}) == {"通村道路"}
    assert found({"source": "central"}) == {"通村道路"}
    assert found({"unit": projects["sheep"].unit_id}) == {"养羊项目"}


def test_behind_plan_is_a_stage_past_its_date_and_not_done(projects):
    assert found({"overdue": "true"}) == {"养羊项目"}
    assert found({"overdue": "false"}) == {"通村道路"}


def test_an_area_finds_the_projects_managed_there_and_those_serving_it(projects, world):
    assert found({"within": world.t2.pk}) == {"通村道路"}  # managed by the county, serves v21
    assert found({"within": world.v11.pk}) == {"养羊项目"}
    assert found({"within": world.county.pk}) == {"养羊项目", "通村道路"}
