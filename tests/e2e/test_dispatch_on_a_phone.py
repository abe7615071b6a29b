"""A township's 包联 leader, on a phone-sized screen, records this week's dispatch meeting with
who came and what was reviewed, and assigns one decision; the minutes then print it."""

import datetime

import pytest
from django.utils import timezone

from accounts.choices import Role
from command.models import Decision, DispatchMeeting
from tests.factories import (
    CadreFactory,
    FindingFactory,
    KeyTaskFactory,
    UnitFactory,
    UserFactory,
    build_world,
)

from .conftest import log_in, pick, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_township_leader_records_a_weekly_dispatch_on_a_phone(live_server, phone):
    world = build_world()
    leader = CadreFactory(unit=UnitFactory(area=world.county), name="赵副县长", is_leader=True)
    township_unit = UnitFactory(area=world.t1, name="一乡党委政府")
    mayor = CadreFactory(unit=township_unit, name="钱乡长")
    CadreFactory(unit=township_unit, name="孙书记")
    task = KeyTaskFactory(area=world.t1, title="一乡饮水安全巩固")
    finding = FindingFactory(
        area=world.v11, description="甲村两户饮水不达标", deadline=datetime.date(2026, 12, 20)
    )
    UserFactory(username="zhao", role=Role.LEADER, areas=[world.t1], cadre=leader)

    page = phone
    log_in(page, live_server, "zhao")
    page.goto(f"{live_server.url}/command/dispatchmeetings/")
    assert "未召开" in page.inner_text("#rhythm")  # no dispatch yet this week
    page.click("text=新增调度会")
    page.wait_for_load_state()
    page.select_option("select[name=area]", str(world.t1.pk))
    pick(page, "convener", "赵副", "赵副县长")
    page.fill("input[name=place]", "乡政府二楼会议室")
    page.check(f"input[name=tasks][value='{task.pk}']")
    page.check(f"input[name=findings][value='{finding.pk}']")
    page.fill("textarea[name=summary]", "听取各村饮水工程进展，研究甲村两户饮水问题。")
    pick(page, "attendees-0-cadre", "钱", "钱乡长")
    # The form fits the phone's width: nothing to scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "dispatch-form-phone")
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    meeting = DispatchMeeting.objects.get()
    assert meeting.held_on == timezone.localdate() and meeting.area == world.t1
    assert "甲村两户饮水不达标" in page.inner_text("#reviewed")
    page.click('main a.btn:has-text("交办事项")')
    page.wait_for_load_state()
    page.fill("textarea[name=text]", "甲村两户饮水问题12月15日前解决")
    pick(page, "owner", "乡长", "钱乡长")
    deadline = timezone.localdate() + datetime.timedelta(days=12)
    page.fill("input[name=deadline]", deadline.isoformat())
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    decision = Decision.objects.get()
    assert (decision.meeting, decision.owner, decision.area) == (meeting, mayor, world.t1)
    page.goto(f"{live_server.url}{meeting.get_absolute_url()}")
    assert "甲村两户饮水问题12月15日前解决" in page.inner_text("#decisions")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "dispatch-meeting-phone")
    page.goto(f"{live_server.url}/command/dispatchmeetings/")
    assert "已召开" in page.inner_text("#rhythm")
