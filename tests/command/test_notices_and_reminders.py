"""Overdue milestones and decisions are named in the monthly notices beside the findings, and
milestones and decisions coming due are reminded to those who answer for them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from accounts.choices import Role
from command.models import Decision
from inspections.models import Notice
from inspections.notices import make_notices
from poverty.work.choices import ReminderKind as K
from poverty.work.models import Notification
from poverty.work.reminders import send_reminders
from tests.factories import (
    CadreFactory,
    DecisionFactory,
    KeyTaskFactory,
    MeetingFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def october(world):
    """A key task of the county with a milestone due in September and still open, and a
    decision of 一乡's dispatch meeting due 20 October, done on 3 November."""
    unit = UnitFactory(area=world.county, name="县农业农村局")
    lead = CadreFactory(unit=UnitFactory(area=world.county), name="周副县长", is_leader=True)
    task = KeyTaskFactory(area=world.county, title="产业扶贫全覆盖", lead=lead, lead_unit=unit)
    task.milestones.create(title="产业项目全部开工", planned=D(2026, 9, 30))
    task.milestones.create(title="产业项目验收", planned=D(2026, 11, 30))
    owner = CadreFactory(unit=UnitFactory(area=world.t1, name="一乡政府"), name="吴乡长")
    decision = DecisionFactory(
        meeting=MeetingFactory(area=world.t1, held_on=D(2026, 10, 12)),
        text="甲村饮水工程10月底前通水",
        owner=owner,
        deadline=D(2026, 10, 20),
    )
    Decision.objects.filter(pk=decision.pk).update(status="done", done_on=D(2026, 11, 3))
    return task, decision


def test_the_bulletin_and_the_units_notices_name_them(october, world, client, make_user):
    make_notices(D(2026, 10, 1), today=D(2026, 11, 5))
    bulletin = Notice.objects.get(kind="bulletin")
    others = bulletin.summary["others"]
    assert [(o["section"], o["owner"], o["days_overdue"]) for o in others] == [
        ("重点工作节点", "周副县长", 32),  # 30 Sept → 1 Nov
        ("交办事项", "吴乡长", 12),  # done on 3 Nov: still open at the cutoff
    ]
    units = {n.unit.name: n for n in Notice.objects.filter(kind="unit")}
    assert set(units) == {"县农业农村局", "一乡政府"}
    assert units["一乡政府"].area == world.t1  # read in the township it concerns
    assert units["县农业农村局"].summary["others"][0]["title"] == "产业扶贫全覆盖：产业项目全部开工"
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    page = client.get(bulletin.get_absolute_url()).content.decode()
    assert "逾期未完成的重点工作节点和交办事项（2项）" in page and "甲村饮水工程" in page
    print_page = client.get(reverse("inspections:notice_print", args=[units["一乡政府"].pk]))
    assert "你单位负责的1项重点工作节点或交办事项已超过时限" in print_page.content.decode()
    from openpyxl import load_workbook

    xlsx = client.get(reverse("inspections:notice_xlsx", args=[bulletin.pk]))
    import io

    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert [row[2] for row in book["其他逾期事项"].iter_rows(min_row=2, values_only=True)] == [
        "产业扶贫全覆盖：产业项目全部开工",
        "甲村饮水工程10月底前通水（10月12日调度会交办）",
    ]


def test_a_month_made_late_reads_as_it_stood(october):
    """Bulletins made in December, after the September milestone was finished on 20 November:
    October's still names it (it was open on 1 November), November's does not, and names the
    milestone due on 30 November instead."""
    task, _ = october
    task.milestones.filter(title="产业项目全部开工").update(done_on=D(2026, 11, 20))
    make_notices(D(2026, 10, 1), today=D(2026, 12, 5))
    october_bulletin = Notice.objects.get(kind="bulletin", month=D(2026, 10, 1))
    assert len(october_bulletin.summary["others"]) == 2
    make_notices(D(2026, 11, 1), today=D(2026, 12, 5))
    november = Notice.objects.get(kind="bulletin", month=D(2026, 11, 1))
    assert [o["title"] for o in november.summary["others"]] == ["产业扶贫全覆盖：产业项目验收"]


def test_milestones_and_decisions_due_are_reminded(world, make_user):
    unit = UnitFactory(area=world.county)
    worker = CadreFactory(unit=unit)
    staff = make_user(Role.COUNTY_STAFF, world.county, cadre=worker)
    task = KeyTaskFactory(area=world.county, lead_unit=unit)
    milestone = task.milestones.create(title="完成培训", planned=D(2026, 12, 5))
    task.milestones.create(title="太远", planned=D(2026, 12, 30))
    owner = CadreFactory(unit=UnitFactory(area=world.t1))
    owner_user = make_user(Role.TOWNSHIP_STAFF, world.t1, cadre=owner)
    decision = DecisionFactory(
        meeting=MeetingFactory(area=world.t1, held_on=D(2026, 11, 30)),
        owner=owner,
        deadline=D(2026, 12, 4),
    )
    send_reminders(D(2026, 12, 2))
    mine = Notification.objects.get(user=staff, kind=K.MILESTONE_DUE)
    assert mine.subject == milestone and "完成培训" in mine.message
    theirs = Notification.objects.get(user=owner_user, kind=K.DECISION_DUE)
    assert theirs.subject == decision and "2天后" in theirs.message
    assert not Notification.objects.filter(user=staff, kind=K.DECISION_DUE).exists()
    send_reminders(D(2026, 12, 3))  # once only
    assert Notification.objects.filter(kind__in=[K.MILESTONE_DUE, K.DECISION_DUE]).count() == 2
