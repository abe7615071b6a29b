"""The six stages in order, the joint-review gate, 倒排工期 and overdue at the Shanghai date line."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.choices import Role
from projects import services
from projects.choices import Decision, Stage
from projects.models import Project
from tests.factories import CadreFactory, ProjectApprovalFactory, ProjectFactory, UnitFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2019, 11, 30)


@pytest.fixture
def staff(make_user, world):
    return make_user(Role.COUNTY_STAFF, world.county)


@pytest.fixture
def project(world):
    return ProjectFactory(area=world.county, areas=[world.v11, world.v21])


def complete(project, by, stage, day, evidence="已完成"):
    return services.project_stage_complete(
        project=project, by=by, stage=stage, actual_date=day, evidence=evidence, today=TODAY
    )


def approve_all(project):
    for _ in range(2):
        ProjectApprovalFactory(
            project=project, decision=Decision.APPROVED, decided_on=D(2019, 3, 2)
        )


def test_every_project_starts_with_six_empty_stages(project):
    assert [s.stage for s in project.stages.all()] == Stage.values
    assert project.get_stage_display() == "未入库"
    assert all(s.planned_date is None and s.actual_date is None for s in project.stages.all())


def test_a_project_made_on_the_page_or_through_the_api_has_its_six_stages(client, staff, world):
    """Saving a Project row alone makes no stages (no side effect in save()); project_create,
    which the page, the API, the demo and the factories call, does."""
    unit = UnitFactory(area=world.county)
    manager = CadreFactory(unit=unit)
    bare = Project.objects.create(
        name="空项目",
        project_type="industry",
        year=2019,
        area=world.county,
        unit=unit,
        manager=manager,
    )
    assert not bare.stages.exists()
    client.force_login(staff)
    data = {
        "name": "接口项目",
        "project_type": "industry",
        "year": 2019,
        "area": world.t1.pk,
        "areas": [world.v11.pk],
        "implementer": "合作社",
        "unit": unit.pk,
        "manager": manager.pk,
    }
    response = client.post("/api/v1/projects/", data, content_type="application/json")
    assert response.status_code == 201, response.content
    made = Project.objects.get(pk=response.json()["id"])
    assert [s.stage for s in made.stages.all()] == Stage.values
    assert list(made.areas.all()) == [world.v11]


def test_project_create_checks_the_area_of_whoever_makes_it(make_user, world):
    township = make_user(Role.TOWNSHIP_STAFF, world.t1)
    unit = UnitFactory(area=world.t2)
    project = Project(
        name="外乡项目",
        project_type="industry",
        year=2019,
        area=world.t2,
        unit=unit,
        manager=CadreFactory(unit=unit),
    )
    with pytest.raises(ValidationError, match="没有在该区域立项的权限"):
        services.project_create(project=project, by=township)
    assert not Project.objects.filter(name="外乡项目").exists()


def test_stages_are_reached_in_order_and_each_records_who_when_and_why(project, staff):
    approve_all(project)
    version = project.version
    for stage, day in zip(Stage.values, [D(2019, 3, m) for m in range(1, 7)], strict=True):
        row = complete(project, staff, stage, day, evidence=f"第{stage}阶段依据")
        assert (row.actual_date, row.evidence, row.recorded_by) == (
            day,
            f"第{stage}阶段依据",
            staff,
        )
    project.refresh_from_db()
    assert project.stage == Stage.EFFECTIVE and project.get_stage_display() == "见效"
    assert project.version == version + 6
    assert project.history.first().history_user == staff
    with pytest.raises(ValidationError, match="六个阶段均已完成"):
        complete(project, staff, Stage.EFFECTIVE + 1, D(2019, 3, 7))


def test_a_stage_cannot_be_skipped_or_repeated(project, staff):
    with pytest.raises(ValidationError, match="须按顺序先完成“入库”"):
        complete(project, staff, Stage.STARTED, D(2019, 3, 1))
    complete(project, staff, Stage.LISTED, D(2019, 3, 1))
    with pytest.raises(ValidationError, match="项目当前为“入库”"):
        complete(project, staff, Stage.LISTED, D(2019, 3, 2))
    project.refresh_from_db()
    assert project.stage == Stage.LISTED


@pytest.mark.parametrize(
    ("day", "evidence", "message"),
    [
        (D(2019, 2, 28), "依据", "不能早于上一阶段“入库”的完成日期2019-03-01"),
        (D(2019, 12, 1), "依据", "不能晚于今天"),
        (D(2019, 3, 5), "  ", "请填写完成情况或依据"),
    ],
)
def test_bad_dates_and_missing_evidence_are_refused(project, staff, day, evidence, message):
    approve_all(project)
    complete(project, staff, Stage.LISTED, D(2019, 3, 1))
    with pytest.raises(ValidationError, match=message):
        complete(project, staff, Stage.APPROVED, day, evidence=evidence)
    assert project.stages.get(stage=Stage.APPROVED).actual_date is None


def test_joint_review_gates_the_landing_stage(project, staff):
    complete(project, staff, Stage.LISTED, D(2019, 3, 1))
    with pytest.raises(ValidationError, match="请先添加联审单位"):
        complete(project, staff, Stage.APPROVED, D(2019, 3, 5))
    finance = ProjectApprovalFactory(
        project=project, unit=UnitFactory(area=project.area, name="县财政局")
    )
    land = ProjectApprovalFactory(
        project=project,
        unit=UnitFactory(area=project.area, name="县自然资源局"),
        decision=Decision.REJECTED,
        decided_on=D(2019, 3, 3),
        comment="用地手续不全",
    )
    with pytest.raises(ValidationError) as refused:
        complete(project, staff, Stage.APPROVED, D(2019, 3, 5))
    assert "县财政局（待审）" in str(refused.value) and "县自然资源局（不同意）" in str(
        refused.value
    )
    finance.decision, finance.decided_on = Decision.APPROVED, D(2019, 3, 3)
    finance.save()
    land.decision, land.decided_on = Decision.APPROVED, D(2019, 3, 4)
    land.save()
    complete(project, staff, Stage.APPROVED, D(2019, 3, 5))
    project.refresh_from_db()
    assert project.stage == Stage.APPROVED


def test_users_without_the_change_permission_cannot_move_a_project(project, make_user, world):
    inspector = make_user(Role.INSPECTOR, world.county)
    with pytest.raises(ValidationError, match="没有推进项目的权限"):
        complete(project, inspector, Stage.LISTED, D(2019, 3, 1))


def test_backward_plan_counts_back_from_the_deadline():
    # Durations by hand: 落地 30, 开工 30, 建设 60, 投产 90, 见效 90 days after the stage before.
    assert services.backward_plan(D(2019, 12, 31)) == {
        Stage.EFFECTIVE: D(2019, 12, 31),
        Stage.OPERATING: D(2019, 10, 2),
        Stage.BUILDING: D(2019, 7, 4),
        Stage.STARTED: D(2019, 5, 5),
        Stage.APPROVED: D(2019, 4, 5),
        Stage.LISTED: D(2019, 3, 6),
    }
    custom = services.backward_plan(D(2020, 1, 31), {Stage.EFFECTIVE: 31, Stage.OPERATING: 0})
    assert custom[Stage.OPERATING] == D(2019, 12, 31)
    assert custom[Stage.BUILDING] == D(2019, 12, 31)


def test_plan_backwards_fills_only_the_stages_not_yet_done(project, staff):
    services.project_plan_set(project=project, by=staff, plan={Stage.LISTED: D(2019, 2, 20)})
    complete(project, staff, Stage.LISTED, D(2019, 3, 1))
    services.project_plan_backwards(project=project, by=staff, deadline=D(2019, 12, 31))
    plan = dict(project.stages.values_list("stage", "planned_date"))
    assert plan[Stage.LISTED] == D(2019, 2, 20)  # done: measured against its own plan
    assert plan[Stage.APPROVED] == D(2019, 4, 5)
    assert plan[Stage.EFFECTIVE] == D(2019, 12, 31)


def test_a_plan_out_of_stage_order_is_refused_and_nothing_changes(project, staff):
    with pytest.raises(ValidationError, match="“开工”（2019-04-01）早于“落地”（2019-05-01）"):
        services.project_plan_set(
            project=project,
            by=staff,
            plan={Stage.APPROVED: D(2019, 5, 1), Stage.STARTED: D(2019, 4, 1)},
        )
    assert not project.stages.exclude(planned_date=None).exists()


def test_a_stage_is_overdue_from_the_first_minute_of_the_next_day_in_shanghai(project, staff):
    services.project_plan_set(project=project, by=staff, plan={Stage.LISTED: D(2019, 6, 30)})
    shanghai = ZoneInfo("Asia/Shanghai")
    listed = project.stages.get(stage=Stage.LISTED)
    # 23:59 on the planned day in Shanghai is 15:59 UTC: still on time.
    with time_machine.travel(datetime.datetime(2019, 6, 30, 23, 59, tzinfo=shanghai), tick=False):
        assert listed.days_overdue() == 0
        assert not Project.objects.overdue().exists()
        assert Project.objects.with_progress().get().days_overdue() == 0
    # 00:01 on 1 July in Shanghai is still 30 June in UTC, but the stage is now a day late.
    with time_machine.travel(datetime.datetime(2019, 7, 1, 0, 1, tzinfo=shanghai), tick=False):
        assert listed.days_overdue() == 1
        assert list(Project.objects.overdue()) == [project]
        assert Project.objects.with_progress().get().days_overdue() == 1
        fresh = Project.objects.get(pk=project.pk)
        assert fresh.days_overdue() == 1  # from the stages, without the annotation
    complete(project, staff, Stage.LISTED, D(2019, 7, 3))
    with time_machine.travel(datetime.datetime(2019, 7, 10, 9, 0, tzinfo=shanghai), tick=False):
        assert not Project.objects.overdue().exists()
        assert project.stages.get(stage=Stage.LISTED).days_late() == 3


def test_a_stage_step_for_a_project_outside_the_users_area_is_refused(make_user, world):
    project = ProjectFactory(area=world.t2, areas=[world.v21])
    township = make_user(Role.TOWNSHIP_STAFF, world.t1)
    assert township.has_perm(services.CHANGE_PERMISSION)
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        complete(project, township, Stage.LISTED, D(2019, 3, 1))
    assert project.stages.filter(actual_date__isnull=False).count() == 0
