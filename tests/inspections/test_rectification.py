"""Rectification of a finding step by step (DESIGN §4), every refusal, and overdue at the
Asia/Shanghai date line."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role
from inspections import services
from inspections.choices import Status, StepKind
from inspections.models import Accountability, Finding
from tests.factories import CadreFactory, FindingFactory, HouseholdFactory, UnitFactory

pytestmark = pytest.mark.django_db

D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


def photo(name="整改后.jpg"):
    return SimpleUploadedFile(name, b"\xff\xd8\xff\xe0 jpeg", content_type="image/jpeg")


@pytest.fixture
def finding(world):
    return FindingFactory(area=world.v11, deadline=D(2030, 4, 1))


@pytest.fixture
def staff(make_user, world):
    """Staff of the township where the finding lies (the responsible side)."""
    return make_user(Role.TOWNSHIP_STAFF, world.t1)


@pytest.fixture
def inspector(make_user, world):
    return make_user(Role.INSPECTOR, world.county)


def submitted(finding, by):
    services.finding_plan_record(finding=finding, by=by, plan="补齐驻村工作队员，建立考勤制度")
    services.finding_submit(finding=finding, by=by, note="已补齐两名队员", file=photo())
    finding.refresh_from_db()
    return finding


def test_a_finding_goes_from_plan_to_closed_with_a_record_of_every_step(finding, staff, inspector):
    assert finding.status == Status.OPEN
    services.finding_plan_record(finding=finding, by=staff, plan="补齐驻村工作队员")
    services.finding_progress_record(finding=finding, by=staff, note="已调整一名队员", file=photo())
    services.finding_submit(finding=finding, by=staff, note="两名队员已到岗")
    services.finding_reject(finding=finding, by=inspector, note="考勤记录不全")
    finding.refresh_from_db()
    assert finding.status == Status.IN_PROGRESS
    services.finding_submit(finding=finding, by=staff, note="补齐考勤记录", file=photo())
    services.finding_close(
        finding=finding, by=inspector, note="经核查已整改到位", today=D(2030, 3, 20)
    )
    finding.refresh_from_db()
    assert (finding.status, finding.closed_on, finding.closed_by) == (
        Status.CLOSED,
        D(2030, 3, 20),
        inspector,
    )
    assert finding.plan == "补齐驻村工作队员"
    steps = [(s.kind, s.by) for s in finding.steps.all()]
    assert steps == [
        (StepKind.PLAN, staff),
        (StepKind.PROGRESS, staff),
        (StepKind.SUBMIT, staff),
        (StepKind.REJECT, inspector),
        (StepKind.SUBMIT, staff),
        (StepKind.CLOSE, inspector),
    ]
    assert finding.steps.get(kind=StepKind.PROGRESS).file.name.endswith(".jpg")
    # Each step is in the audit history with its author.
    assert finding.history.first().history_user == inspector
    assert finding.version == 7


def test_the_submitter_cannot_verify_their_own_rectification(finding, make_user, world):
    # The administrator holds both permissions: still not both steps on one finding.
    admin = make_user(Role.COUNTY_STAFF, world.county, is_superuser=True)
    submitted(finding, admin)
    with pytest.raises(ValidationError, match="不能验收自己提交的整改"):
        services.finding_close(finding=finding, by=admin, note="合格")
    with pytest.raises(ValidationError, match="不能验收自己提交的整改"):
        services.finding_reject(finding=finding, by=admin, note="不合格")
    finding.refresh_from_db()
    assert finding.status == Status.SUBMITTED
    services.finding_close(finding=finding, by=make_user(Role.INSPECTOR, world.t1), note="合格")


def test_steps_out_of_order_are_refused_and_change_nothing(finding, staff, inspector):
    with pytest.raises(ValidationError, match="请先制定整改方案"):
        services.finding_submit(finding=finding, by=staff, note="完成", file=photo())
    with pytest.raises(ValidationError, match="请先制定整改方案"):
        services.finding_progress_record(finding=finding, by=staff, note="进展")
    with pytest.raises(ValidationError, match="验收销号：问题当前为“待整改”"):
        services.finding_close(finding=finding, by=inspector, note="合格")
    with pytest.raises(ValidationError, match="请填写整改措施"):
        services.finding_plan_record(finding=finding, by=staff, plan="  ")
    services.finding_plan_record(finding=finding, by=staff, plan="补齐队员")
    with pytest.raises(ValidationError, match="请上传整改佐证材料"):
        services.finding_submit(finding=finding, by=staff, note="完成")
    with pytest.raises(ValidationError, match="退回整改：问题当前为“整改中”"):
        services.finding_reject(finding=finding, by=inspector, note="不合格")
    finding.refresh_from_db()
    assert finding.status == Status.IN_PROGRESS
    assert list(finding.steps.values_list("kind", flat=True)) == [StepKind.PLAN]


def test_a_closed_finding_takes_no_more_steps(finding, staff, inspector):
    submitted(finding, staff)
    services.finding_close(finding=finding, by=inspector, note="合格")
    for step in (
        lambda: services.finding_plan_record(finding=finding, by=staff, plan="再改"),
        lambda: services.finding_submit(finding=finding, by=staff, note="再交", file=photo()),
        lambda: services.finding_close(finding=finding, by=inspector, note="再验"),
    ):
        with pytest.raises(ValidationError, match="已销号"):
            step()


def test_who_may_take_which_step(finding, staff, inspector, make_user, world):
    with pytest.raises(ValidationError, match="没有整改督查问题的权限"):
        services.finding_plan_record(finding=finding, by=inspector, plan="代为整改")
    with pytest.raises(ValidationError, match="没有整改督查问题的权限"):
        services.finding_plan_record(
            finding=finding, by=make_user(Role.LEADER, world.county), plan="x"
        )
    other_township = make_user(Role.TOWNSHIP_STAFF, world.t2)
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        services.finding_plan_record(finding=finding, by=other_township, plan="越界整改")
    submitted(finding, staff)
    with pytest.raises(ValidationError, match="没有验收销号的权限"):
        services.finding_close(
            finding=finding, by=make_user(Role.COUNTY_STAFF, world.county), note="x"
        )
    outside = make_user(Role.INSPECTOR, world.t2)
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        services.finding_close(finding=finding, by=outside, note="越界验收")
    # A first secretary of the village may answer for it.
    cadre = make_user(Role.VILLAGE_CADRE, world.v11)
    other = FindingFactory(area=world.v11)
    assert services.finding_plan_record(finding=other, by=cadre, plan="驻村队逐户走访").status == (
        Status.IN_PROGRESS
    )


def test_evidence_must_be_a_scan_or_photo(finding, staff):
    services.finding_plan_record(finding=finding, by=staff, plan="补齐队员")
    script = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError):
        services.finding_submit(finding=finding, by=staff, note="完成", file=script)
    finding.refresh_from_db()
    assert finding.status == Status.IN_PROGRESS


def test_overdue_starts_the_day_after_the_deadline_in_shanghai(world):
    finding = FindingFactory(area=world.v11, found_on=D(2019, 3, 1), deadline=D(2019, 4, 1))
    # 2019-04-01 23:59 in Shanghai is still the deadline day; 00:01 on the 2nd is overdue.
    with time_machine.travel(datetime.datetime(2019, 4, 1, 23, 59, tzinfo=SHANGHAI), tick=False):
        assert finding.days_overdue() == 0
        assert not Finding.objects.overdue().exists()
    with time_machine.travel(datetime.datetime(2019, 4, 2, 0, 1, tzinfo=SHANGHAI), tick=False):
        assert finding.days_overdue() == 1
        assert list(Finding.objects.overdue()) == [finding]
    # Closing ends overdue.
    Finding.objects.filter(pk=finding.pk).update(status=Status.CLOSED, closed_on=D(2019, 4, 5))
    finding.refresh_from_db()
    assert finding.days_overdue(D(2019, 5, 1)) == 0
    assert not Finding.objects.overdue(D(2019, 5, 1)).exists()


def test_accountability_only_for_overdue_or_late_closed_findings(world):
    unit = UnitFactory(area=world.county)
    on_time = FindingFactory(area=world.v11, found_on=D(2030, 1, 1), deadline=D(2030, 4, 1))
    record = Accountability(finding=on_time, kind="talk", person="李四", reason="拖延")
    with pytest.raises(ValidationError, match="尚未逾期"):
        record.full_clean()
    late = FindingFactory(area=world.v11, deadline=D(2019, 4, 1))
    Accountability(finding=late, kind="talk", person="李四", unit=unit, reason="逾期").full_clean()
    Finding.objects.filter(pk=on_time.pk).update(
        status=Status.CLOSED, deadline=D(2019, 4, 1), closed_on=D(2019, 4, 9)
    )
    on_time.refresh_from_db()
    Accountability(finding=on_time, kind="talk", person="李四", reason="逾期8天销号").full_clean()


def test_a_finding_takes_its_place_from_what_it_is_about(world):
    cadre = CadreFactory(unit=UnitFactory(area=world.county))
    finding = FindingFactory.build(
        inspection=FindingFactory(area=world.v11).inspection,
        area=world.t2,
        subject="household",
        unit=cadre.unit,
        person=cadre,
    )
    with pytest.raises(ValidationError, match="请选择涉及的贫困户"):
        finding.full_clean()
    finding.household = HouseholdFactory(village=world.v21)
    finding.full_clean()
    assert finding.area == world.v21
    finding.person = CadreFactory(unit=UnitFactory(area=world.county))
    with pytest.raises(ValidationError, match="责任人须是责任单位的干部"):
        finding.full_clean()
