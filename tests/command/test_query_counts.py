"""Every new list page and API list, and the detail pages, cost the same at 3 rows and at 30."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from accounts.choices import Role
from command import services
from command.models import BodyMember, FollowUp, MeetingAttendee
from tests.factories import (
    BodyFactory,
    CadreFactory,
    DecisionFactory,
    FindingFactory,
    KeyTaskFactory,
    MeetingFactory,
    UnitFactory,
)
from tests.test_query_counts import assert_same_at_3_and_30

pytestmark = pytest.mark.django_db
D = datetime.date


def grow(world, n, parent=None):
    """n more rows of every command model, over the county and its townships."""
    unit = UnitFactory(area=world.county)
    for i in range(n):
        area = [world.county, *world.townships][i % 3]
        body = BodyFactory(area=area, parent=parent)
        cadre = CadreFactory(unit=unit, is_leader=True)
        BodyMember.objects.create(body=body, cadre=cadre, role="member")
        task = KeyTaskFactory(area=area, body=body, lead=cadre)
        task.milestones.create(title="节点", planned=D(2026, 3, 1))
        task.reports.create(text="进展", percent=10)
        meeting = MeetingFactory(area=area, convener=cadre, held_on=D(2026, 11, 2 + i % 20))
        meeting.tasks.add(task)
        meeting.findings.add(FindingFactory(area=world.villages[i % 4]))
        MeetingAttendee.objects.create(meeting=meeting, cadre=cadre)
        decision = DecisionFactory(meeting=meeting, owner=cadre, owner_unit=unit)
        FollowUp.objects.create(meeting=meeting, decision=decision, note="推进中")


# url name -> queries for a county user (session, user, areas, count, page, filter choices…)
PAGES = {
    "command:body_list": 6,
    "command:body_tree": 5,
    "command:bodymember_list": 7,  # and the bodies to filter by
    "command:keytask_list": 8,  # and the units and bodies to filter by (leaders: a search box)
    "command:progressreport_list": 6,
    "command:dispatchmeeting_list": 8,  # the rhythm: townships, last meetings
    "command:decision_list": 7,  # and the units to filter by (owners: a search box)
    "api:body-list": 7,  # and the areas and units of the page's bodies
    "api:bodymember-list": 5,
    "api:keytask-list": 7,  # and the page's milestones and units
    "api:dispatchmeeting-list": 5,
    "api:decision-list": 5,
}


@pytest.mark.parametrize(("name", "queries"), PAGES.items())
def test_lists_cost_the_same_at_3_and_30_rows(
    client, make_user, world, django_assert_num_queries, name, queries
):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    assert_same_at_3_and_30(client, world, django_assert_num_queries, name, queries, grow)


def test_detail_pages_cost_the_same_with_more_rows(
    client, make_user, world, django_assert_num_queries
):
    user = make_user(Role.COUNTY_STAFF, world.county)
    client.force_login(user)
    top = BodyFactory(area=world.county)
    task = KeyTaskFactory(area=world.county, body=top)
    leader = task.lead
    meeting = MeetingFactory(area=world.county, convener=leader, held_on=D(2026, 11, 30))
    first = DecisionFactory(meeting=meeting, owner=leader)

    def add(n):
        for i in range(n):
            BodyFactory(area=world.county, parent=top)
            BodyMember.objects.create(body=top, cadre=CadreFactory(unit=leader.unit), role="member")
            milestone = task.milestones.create(title=f"节点{i}", planned=D(2026, 12, 30))
            services.report_progress(
                task=task, by=user, text=f"进展{i}", percent=i % 90, milestone=milestone
            )
            earlier = MeetingFactory(area=world.county, held_on=D(2026, 10, 1 + i % 28))
            carried = DecisionFactory(meeting=earlier, owner=leader)
            FollowUp.objects.create(meeting=meeting, decision=carried, note="推进")
            DecisionFactory(meeting=meeting, owner=leader)
            MeetingAttendee.objects.create(meeting=meeting, cadre=CadreFactory(unit=leader.unit))
            meeting.tasks.add(KeyTaskFactory(area=world.county))
            meeting.findings.add(FindingFactory(area=world.villages[i % 4]))

    add(2)
    urls = {
        # … each with its history, field by field (the rows, and related objects' names)
        reverse("command:body_detail", args=[top.pk]): 11,
        reverse("command:keytask_detail", args=[task.pk]): 12,
        reverse("command:dispatchmeeting_detail", args=[meeting.pk]): 15,
        reverse("command:dispatchmeeting_minutes", args=[meeting.pk]): 12,
        reverse("command:decision_detail", args=[first.pk]): 10,
        reverse("command:cadre_duties", args=[leader.pk]): 10,
    }
    for url, queries in urls.items():
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200
    add(20)
    for url, queries in urls.items():
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200
