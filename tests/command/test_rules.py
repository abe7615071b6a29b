"""The command app's rules, each defined once: when a milestone, a key task and a decision are
overdue (by the Asia/Shanghai date), and that every page, filter, panel and notice that counts
them reads the same rule."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from accounts.choices import Role
from command.choices import TaskState
from command.models import Decision, KeyTask, Milestone
from command.selectors import key_task_panel
from tests.factories import DecisionFactory, KeyTaskFactory, MeetingFactory, filtered

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
D = datetime.date


def at(year, month, day, hour, minute):
    """Travel to a Shanghai wall-clock time (UTC is eight hours behind)."""
    return time_machine.travel(
        datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI), tick=False
    )


def test_a_milestone_is_overdue_from_the_shanghai_day_after_its_planned_date(world):
    task = KeyTaskFactory(area=world.t1)
    milestone = task.milestones.create(title="完成入户摸底", planned=D(2026, 6, 30))
    # 23:59 in Shanghai on the planned day is 15:59 UTC: still on time.
    with at(2026, 6, 30, 23, 59):
        assert not Milestone.objects.overdue().exists()
        assert KeyTask.objects.with_state().get().state == TaskState.ON_PLAN
    # 00:01 on 1 July in Shanghai is still 30 June in UTC: overdue all the same.
    with at(2026, 7, 1, 0, 1):
        assert list(Milestone.objects.overdue()) == [milestone]
        assert KeyTask.objects.with_state().get().state == TaskState.BEHIND
        assert milestone.days_overdue() == 1


def test_a_done_milestone_or_task_is_never_overdue(world):
    task = KeyTaskFactory(area=world.t1, deadline=D(2026, 9, 30))
    task.milestones.create(title="完成", planned=D(2026, 6, 30), done_on=D(2026, 7, 5))
    assert not Milestone.objects.overdue(D(2026, 8, 1)).exists()
    assert KeyTask.objects.with_state(D(2026, 8, 1)).get().state == TaskState.ON_PLAN
    assert KeyTask.objects.with_state(D(2026, 10, 1)).get().state == TaskState.BEHIND
    KeyTask.objects.update(done_on=D(2026, 9, 29))
    assert KeyTask.objects.with_state(D(2026, 10, 1)).get().state == TaskState.DONE


def test_past_days_are_replayed_from_the_dates(world):
    """Overdue as things stood on a day: a milestone done later was still overdue then."""
    task = KeyTaskFactory(area=world.t1)
    milestone = task.milestones.create(title="完成", planned=D(2026, 9, 10), done_on=D(2026, 10, 5))
    assert list(Milestone.objects.overdue_on(D(2026, 10, 1))) == [milestone]
    assert not Milestone.objects.overdue_on(D(2026, 11, 1)).exists()
    assert not Milestone.objects.overdue_on(D(2026, 9, 10)).exists()  # due that day: not yet
    decision = DecisionFactory(meeting=MeetingFactory(area=world.t1), deadline=D(2026, 11, 20))
    Decision.objects.filter(pk=decision.pk).update(status="done", done_on=D(2026, 12, 3))
    assert list(Decision.objects.overdue_on(D(2026, 12, 1))) == [decision]
    assert not Decision.objects.overdue(D(2026, 12, 10)).exists()


def test_a_decision_is_overdue_from_the_shanghai_day_after_its_deadline(world):
    decision = DecisionFactory(meeting=MeetingFactory(area=world.t1), deadline=D(2026, 11, 20))
    with at(2026, 11, 20, 23, 59):
        assert not Decision.objects.overdue().exists()
        assert not decision.is_overdue
    with at(2026, 11, 21, 0, 1):
        assert list(Decision.objects.overdue()) == [decision]
        assert decision.days_overdue() == 1


def test_the_panel_the_list_filter_and_the_api_agree(world, client, make_user):
    """The dashboard's key-task panel, the list's 滞后 filter and the API's state count the
    same tasks."""
    today = D(2026, 8, 1)
    on_plan = KeyTaskFactory(area=world.t1)
    on_plan.milestones.create(title="下半年", planned=D(2026, 10, 1))
    behind = KeyTaskFactory(area=world.t1)
    behind.milestones.create(title="上半年", planned=D(2026, 6, 30))
    KeyTaskFactory(area=world.t2, done_on=D(2026, 7, 1))
    late = KeyTaskFactory(area=world.t2, deadline=D(2026, 7, 31))
    user = make_user(Role.LEADER, world.county)
    with time_machine.travel(datetime.datetime(2026, 8, 1, 9, tzinfo=SHANGHAI), tick=False):
        panel = key_task_panel(world.county, 2026, user, today)
        assert panel.counts == {"done": 1, "on_plan": 1, "behind": 2}
        assert {t.pk for t in panel.behind} == {behind.pk, late.pk}
        from command.filtersets import KeyTaskFilterSet

        listed = filtered(KeyTaskFilterSet, {"behind": "true"}, user)
        assert {t.pk for t in listed} == {behind.pk, late.pk}
        stated = filtered(KeyTaskFilterSet, {"state": "behind"}, user)
        assert set(stated) == set(listed)
        client.force_login(user)
        rows = client.get(reverse("api:keytask-list")).json()["results"]
        assert {r["id"] for r in rows if r["state"] == "behind"} == {behind.pk, late.pk}
    # A township leader's panel holds only its own township's tasks.
    township = key_task_panel(world.t2, 2026, make_user(Role.LEADER, world.t2), today)
    assert township.counts == {"done": 1, "on_plan": 0, "behind": 1}
