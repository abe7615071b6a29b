"""Key tasks, dispatch meetings and decisions as their users work them, through the pages."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.choices import Role
from command import services
from command.models import (
    Body,
    BodyMember,
    Decision,
    DispatchMeeting,
    FollowUp,
    KeyTask,
    MeetingAttendee,
)
from tests.factories import (
    BodyFactory,
    CadreFactory,
    DecisionFactory,
    FindingFactory,
    KeyTaskFactory,
    MeetingFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def staff(make_user, world, area=None):
    return make_user(Role.COUNTY_STAFF, area or world.county)


# --- key tasks ------------------------------------------------------------------------------


def test_a_report_completes_its_milestone_and_the_last_one_the_task(world, make_user):
    user = staff(make_user, world)
    task = KeyTaskFactory(area=world.county, deadline=D(2026, 12, 31))
    first = task.milestones.create(title="摸底", planned=D(2026, 3, 31))
    second = task.milestones.create(title="验收", planned=D(2026, 9, 30))
    services.report_progress(
        task=task, by=user, text="摸底完成", percent=40, milestone=first, on=D(2026, 3, 30)
    )
    first.refresh_from_db()
    task.refresh_from_db()
    assert first.done_on == D(2026, 3, 30) and task.percent == 40 and task.done_on is None
    with pytest.raises(ValidationError, match="还有1个节点未完成（验收）"):
        services.report_progress(task=task, by=user, text="基本完成", percent=100)
    task.refresh_from_db()
    assert task.percent == 40 and task.reports.count() == 1  # the refused report left nothing
    services.report_progress(
        task=task, by=user, text="验收完成", percent=100, milestone=second, on=D(2026, 9, 29)
    )
    task.refresh_from_db()
    assert task.done_on == D(2026, 9, 29)
    assert "完成" in task.locked_reason()
    with pytest.raises(ValidationError):
        services.report_progress(task=task, by=user, text="再报", percent=100)


def test_a_milestone_of_another_task_or_already_done_is_refused(world, make_user):
    user = staff(make_user, world)
    task, other = KeyTaskFactory(area=world.county), KeyTaskFactory(area=world.county)
    foreign = other.milestones.create(title="别的", planned=D(2026, 5, 1))
    with pytest.raises(ValidationError, match="不属于"):
        services.report_progress(task=task, by=user, text="x", percent=10, milestone=foreign)
    mine = task.milestones.create(title="摸底", planned=D(2026, 5, 1), done_on=D(2026, 4, 1))
    with pytest.raises(ValidationError, match="已于2026-04-01完成"):
        services.report_progress(task=task, by=user, text="x", percent=10, milestone=mine)


def _task_form(world, **extra):
    unit = UnitFactory(area=world.county)
    data = {
        "area": world.county.pk,
        "year": "2026",
        "number": "3",
        "title": "产业扶贫全覆盖",
        "lead": CadreFactory(unit=unit, is_leader=True).pk,
        "lead_unit": unit.pk,
        "deadline": "2026-12-31",
        "milestones-TOTAL_FORMS": "2",
        "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "1000",
        "milestones-0-title": "完成产业规划",
        "milestones-0-planned": "2026-04-30",
        "milestones-1-title": "产业项目全部开工",
        "milestones-1-planned": "2026-08-31",
    }
    data.update(extra)
    return data


def test_the_secretary_sets_up_a_task_with_milestones_and_reports_on_it(
    world, client, make_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff(make_user, world))
    response = client.post(reverse("command:keytask_add"), _task_form(world))
    assert response.status_code == 302, response.context["form"].errors
    task = KeyTask.objects.get()
    assert [m.title for m in task.milestones.all()] == ["完成产业规划", "产业项目全部开工"]
    # The lead is picked among leaders only: a clerk is not offered, and refused if sent.
    clerk = CadreFactory(unit=task.lead_unit, name="王科员")
    form = client.get(reverse("command:keytask_add")).context["form"]
    assert clerk not in form.fields["lead"].queryset
    response = client.post(
        reverse("command:keytask_add"), _task_form(world, number="4", lead=clerk.pk)
    )
    assert "lead" in response.context["form"].errors and KeyTask.objects.count() == 1
    # The report page completes the first milestone, with a photo as evidence.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.poverty.test_evidence import jpeg

    milestone = task.milestones.first()
    response = client.post(
        reverse("command:keytask_report", args=[task.pk]),
        {
            "text": "规划已经县政府常务会审定",
            "percent": "30",
            "milestone": milestone.pk,
            "reported_on": "2026-04-28",
            "file": SimpleUploadedFile("规划.jpg", jpeg(), "image/jpeg"),
            "seen_version": task.version,
        },
    )
    assert response.status_code == 302
    page = client.get(task.get_absolute_url()).content.decode()
    assert "规划已经县政府常务会审定" in page and "/files/command/progressreport/" in page
    milestone.refresh_from_db()
    assert milestone.done_on == D(2026, 4, 28)


def test_a_milestone_date_that_has_passed_cannot_be_moved(world, client, make_user):
    client.force_login(staff(make_user, world))
    task = KeyTaskFactory(area=world.county, number=7)
    late = task.milestones.create(title="完成摸底", planned=D(2020, 3, 31))
    data = _task_form(world, number="7", title=task.title, lead=task.lead_id)
    data.update(
        {
            "lead_unit": task.lead_unit_id,
            "seen_version": task.version,
            "milestones-TOTAL_FORMS": "1",
            "milestones-INITIAL_FORMS": "1",
            "milestones-0-id": late.pk,
            "milestones-0-title": late.title,
            "milestones-0-planned": "2026-12-01",
        }
    )
    response = client.post(reverse("command:keytask_edit", args=[task.pk]), data)
    assert response.status_code == 200
    assert "已过或节点已完成，不能再改期" in response.content.decode()
    late.refresh_from_db()
    assert late.planned == D(2020, 3, 31)


# --- the command structure -----------------------------------------------------------------


def test_the_tree_puts_each_body_under_its_parent_and_a_person_sees_their_seats(
    world, client, make_user
):
    user = staff(make_user, world)
    client.force_login(user)
    top = BodyFactory(area=world.county, name="脱贫攻坚行动总指挥部", kind="headquarters")
    sub = BodyFactory(area=world.county, name="产业扶贫指挥部", parent=top, sort=1)
    BodyFactory(area=world.county, name="健康扶贫指挥部", parent=top, sort=2)
    BodyFactory(area=world.t1, name="一乡脱贫攻坚指挥部", parent=top, sort=9)
    leader = CadreFactory(unit=UnitFactory(area=world.county), name="李县长", is_leader=True)
    BodyMember.objects.create(body=top, cadre=leader, role="chair", start_date=D(2018, 1, 1))
    BodyMember.objects.create(
        body=sub, cadre=leader, role="member", start_date=D(2018, 1, 1), end_date=D(2019, 1, 1)
    )
    response = client.get(reverse("command:body_tree"))
    rows = [(r.record.name, r.record.depth) for r in response.context["table"].paginated_rows]
    assert rows == [
        ("脱贫攻坚行动总指挥部", 0),
        ("产业扶贫指挥部", 1),
        ("健康扶贫指挥部", 1),
        ("一乡脱贫攻坚指挥部", 1),
    ]
    assert "李县长" in response.content.decode()  # the chair, on the tree
    # A second chair for the same period is refused.
    other = CadreFactory(unit=leader.unit, is_leader=True)
    response = client.post(
        reverse("command:bodymember_add"),
        {"body": top.pk, "cadre": other.pk, "role": "chair", "start_date": "2020-01-01"},
    )
    assert "已有组长" in response.content.decode()
    # The person's page lists the seat held and the one left.
    page = client.get(reverse("command:cadre_duties", args=[leader.pk])).content.decode()
    assert "脱贫攻坚行动总指挥部" in page and "产业扶贫指挥部" in page and "2019-01-01" in page
    # The township sees the county's bodies (they direct it), and may not change them.
    township = make_user(Role.TOWNSHIP_STAFF, world.t1)
    client.force_login(township)
    assert client.get(top.get_absolute_url()).status_code == 200
    assert client.get(reverse("command:body_edit", args=[top.pk])).status_code == 404


def test_a_body_cannot_be_put_under_its_own_child(world, client, make_user):
    client.force_login(staff(make_user, world))
    top = BodyFactory(area=world.county)
    child = BodyFactory(area=world.county, parent=top)
    response = client.post(
        reverse("command:body_edit", args=[top.pk]),
        {
            "name": top.name,
            "kind": top.kind,
            "area": world.county.pk,
            "parent": child.pk,
            "sort": 0,
        },
    )
    assert "不能是它的下级机构" in response.content.decode()
    assert Body.objects.get(pk=top.pk).parent is None


# --- dispatch meetings ---------------------------------------------------------------------


def test_a_leader_records_a_weekly_dispatch_and_assigns_a_decision(world, client, make_user):
    leader_user = make_user(Role.LEADER, world.t1)
    client.force_login(leader_user)
    convener = CadreFactory(unit=UnitFactory(area=world.county), is_leader=True, name="赵副县长")
    present = CadreFactory(unit=UnitFactory(area=world.t1), name="钱乡长")
    absent = CadreFactory(unit=present.unit, name="孙书记")
    finding = FindingFactory(area=world.v11, deadline=D(2026, 12, 1))
    task = KeyTaskFactory(area=world.t1)
    response = client.post(
        reverse("command:dispatchmeeting_add"),
        {
            "area": world.t1.pk,
            "held_on": "2026-11-30",
            "topic": "脱贫攻坚工作周调度会",
            "convener": convener.pk,
            "place": "乡政府二楼会议室",
            "tasks": [task.pk],
            "findings": [finding.pk],
            "summary": "听取各村进展",
            "attendees-TOTAL_FORMS": "2",
            "attendees-INITIAL_FORMS": "0",
            "attendees-MIN_NUM_FORMS": "0",
            "attendees-MAX_NUM_FORMS": "1000",
            "attendees-0-cadre": present.pk,
            "attendees-0-present": "on",
            "attendees-1-cadre": absent.pk,
            "attendees-1-note": "参加县里培训",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    meeting = DispatchMeeting.objects.get()
    assert meeting.recorded_by == leader_user
    assert list(meeting.findings.all()) == [finding]
    assert MeetingAttendee.objects.get(cadre=absent).present is False
    response = client.post(
        reverse("command:decision_add"),
        {
            "meeting": meeting.pk,
            "text": "一乡甲村两户危房改造12月10日前完工",
            "owner": present.pk,
            "deadline": "2026-12-10",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.area == world.t1  # the meeting's own area, left empty on the form
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "危房改造" in page and "孙书记（参加县里培训）" in page
    minutes = client.get(reverse("command:dispatchmeeting_minutes", args=[meeting.pk]))
    text = minutes.content.decode()
    assert "会议纪要" in text and "赵副县长主持" in text and "危房改造" in text


def test_a_meeting_in_the_future_is_refused(world, client, make_user):
    client.force_login(staff(make_user, world))
    response = client.post(
        reverse("command:dispatchmeeting_add"),
        {
            "area": world.t1.pk,
            "held_on": "2099-01-01",
            "topic": "调度会",
            "convener": CadreFactory(unit=UnitFactory(area=world.county), is_leader=True).pk,
            "attendees-TOTAL_FORMS": "0",
            "attendees-INITIAL_FORMS": "0",
        },
    )
    assert "会议日期不能晚于今天" in response.content.decode()
    assert not DispatchMeeting.objects.exists()


def test_the_next_meeting_carries_forward_what_is_still_open(world, client, make_user):
    user = make_user(Role.TOWNSHIP_STAFF, world.t1)
    client.force_login(user)
    first = MeetingFactory(area=world.t1, held_on=D(2026, 11, 2))
    done_before = DecisionFactory(meeting=first, text="已办结的事", deadline=D(2026, 11, 5))
    services.decision_done(decision=done_before, by=user, note="已完成", on=D(2026, 11, 4))
    still_open = DecisionFactory(meeting=first, text="仍在办的事", deadline=D(2026, 11, 20))
    elsewhere = DecisionFactory(meeting=MeetingFactory(area=world.t2, held_on=D(2026, 11, 2)))
    second = MeetingFactory(area=world.t1, held_on=D(2026, 11, 9))
    later = DecisionFactory(meeting=MeetingFactory(area=world.t1, held_on=D(2026, 11, 16)))
    assert list(Decision.objects.carried_to(second)) == [still_open]
    assert elsewhere not in Decision.objects.carried_to(second)
    assert later not in Decision.objects.carried_to(second)
    url = reverse("command:dispatchmeeting_follow_up", args=[second.pk])
    response = client.post(
        url,
        {
            f"note_{still_open.pk}": "已完成验收，资料已归档",
            f"done_{still_open.pk}": "on",
            "seen_version": second.version,
        },
    )
    assert response.status_code == 302
    still_open.refresh_from_db()
    assert still_open.status == "done" and still_open.done_on == D(2026, 11, 9)
    assert FollowUp.objects.get().note == "已完成验收，资料已归档"
    # Done at the second meeting, it is carried no further; the second meeting still shows it.
    third = MeetingFactory(area=world.t1, held_on=D(2026, 11, 23))
    assert not Decision.objects.carried_to(third).filter(pk=still_open.pk).exists()
    assert "已完成验收" in client.get(second.get_absolute_url()).content.decode()
    # A done decision is locked.
    assert client.get(reverse("command:decision_edit", args=[still_open.pk])).status_code == 403


def test_the_meeting_list_shows_which_townships_have_not_held_one_this_week(
    world, client, make_user
):
    import time_machine

    MeetingFactory(area=world.v11, held_on=D(2026, 11, 30))  # Monday, a village of 一乡
    MeetingFactory(area=world.t2, held_on=D(2026, 11, 27))  # the Friday before
    client.force_login(make_user(Role.LEADER, world.county))
    with time_machine.travel(datetime.datetime(2026, 12, 2, 2, 0), tick=False):
        response = client.get(reverse("command:dispatchmeeting_list"))
    rhythm = {r.area.name: (r.this_week, r.this_month) for r in response.context["rhythm"]}
    assert rhythm == {"一乡": (True, False), "二镇": (False, False)}
    assert next(r.area.name for r in response.context["rhythm"]) == "二镇"  # not held first


def test_the_meeting_form_offers_the_live_lists_of_the_meeting_area_only(world, client, make_user):
    client.force_login(staff(make_user, world))
    mine = FindingFactory(area=world.v11, deadline=D(2026, 12, 1))
    other = FindingFactory(area=world.v21, deadline=D(2026, 12, 1))
    url = reverse("command:dispatchmeeting_add")
    form = client.get(url, {"area": world.t1.pk}).context["form"]
    assert list(form.fields["findings"].queryset) == [mine]
    assert form.initial["area"] == str(world.t1.pk)
    # A county user who has not chosen the area yet is told how to get the lists.
    blank = client.get(url).context["form"]
    assert not blank.fields["findings"].queryset.exists()
    assert "先选择调度区域" in blank.fields["findings"].help_text
    # Posting another township's finding with 一乡's meeting is refused.
    response = client.post(
        url,
        {
            "area": world.t1.pk,
            "held_on": "2026-11-30",
            "topic": "调度会",
            "convener": CadreFactory(unit=UnitFactory(area=world.county), is_leader=True).pk,
            "findings": [other.pk],
            "attendees-TOTAL_FORMS": "0",
            "attendees-INITIAL_FORMS": "0",
        },
    )
    assert "findings" in response.context["form"].errors
    assert not DispatchMeeting.objects.exists()
