"""延期申请: a finding's deadline moves only by an extension request with a reason, approved by
someone else who may verify; the step is recorded, the bulletin shows 延期, and a month's notice
made later still reads that month's deadline."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from accounts.tokens import issue
from inspections import notices, services
from inspections.choices import StepKind
from inspections.models import Finding, NoticeItem
from tests.factories import FindingFactory, UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def people(world, make_user):
    return {
        "township": make_user(Role.TOWNSHIP_STAFF, world.t1, last_name="乡干部"),
        "inspector": make_user(Role.INSPECTOR, world.county, last_name="督查员"),
    }


def test_a_deadline_moves_only_when_someone_else_approves_the_request(world, people):
    finding = FindingFactory(area=world.v11, found_on=D(2026, 9, 1), deadline=D(2026, 9, 30))
    with pytest.raises(ValidationError, match="须晚于现整改时限（2026-09-30）"):
        services.finding_extension_request(
            finding=finding, by=people["township"], deadline=D(2026, 9, 1), reason="x"
        )
    with pytest.raises(ValidationError, match="请填写延期理由"):
        services.finding_extension_request(
            finding=finding, by=people["township"], deadline=D(2026, 10, 14), reason=" "
        )
    services.finding_extension_request(
        finding=finding, by=people["township"], deadline=D(2026, 10, 14), reason="雨季施工受阻"
    )
    with pytest.raises(ValidationError, match="已有待审批的延期申请"):
        services.finding_extension_request(
            finding=finding, by=people["township"], deadline=D(2026, 11, 1), reason="再延"
        )
    assert Finding.objects.get(pk=finding.pk).deadline == D(2026, 9, 30)  # not yet
    with pytest.raises(ValidationError, match="您没有审批延期申请的权限"):
        services.finding_extension_decide(
            finding=finding, by=people["township"], approve=True, note="同意"
        )
    services.finding_extension_decide(
        finding=finding, by=people["inspector"], approve=True, note="同意延期两周"
    )
    finding.refresh_from_db()
    assert finding.deadline == D(2026, 10, 14)
    approval = finding.steps.get(kind=StepKind.EXTEND_APPROVE)
    assert (approval.previous_deadline, approval.requested_deadline) == (
        D(2026, 9, 30),
        D(2026, 10, 14),
    )
    # A refused request leaves the deadline where it is.
    services.finding_extension_request(
        finding=finding, by=people["township"], deadline=D(2026, 12, 1), reason="再延"
    )
    services.finding_extension_decide(
        finding=finding, by=people["inspector"], approve=False, note="理由不充分"
    )
    assert Finding.objects.get(pk=finding.pk).deadline == D(2026, 10, 14)


def test_the_requester_cannot_approve_their_own_request(world):
    boss = UserFactory(is_superuser=True, areas=[world.county])
    finding = FindingFactory(area=world.v11, deadline=D(2026, 9, 30))
    services.finding_extension_request(
        finding=finding, by=boss, deadline=D(2026, 10, 30), reason="理由"
    )
    with pytest.raises(ValidationError, match="不能审批自己提出的延期申请"):
        services.finding_extension_decide(finding=finding, by=boss, approve=True, note="同意")


def test_the_edit_form_and_the_api_do_not_move_a_deadline(world, people):
    finding = FindingFactory(area=world.v11, deadline=D(2026, 9, 30))
    client = Client()
    client.force_login(people["inspector"])
    page = client.get(reverse("inspections:finding_edit", args=[finding.pk])).content.decode()
    assert "整改时限只能通过“申请延期”并经审批后变更" in page
    token = issue(people["inspector"])
    response = client.patch(
        reverse("api:finding-detail", args=[finding.pk]),
        {"deadline": "2027-06-30"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 400 and "延期申请" in response.json()["deadline"][0]
    assert Finding.objects.get(pk=finding.pk).deadline == D(2026, 9, 30)


def test_the_pages_take_a_request_and_its_decision(world, people):
    finding = FindingFactory(area=world.v11, deadline=D(2030, 9, 30))
    township, inspector = Client(), Client()
    township.force_login(people["township"])
    inspector.force_login(people["inspector"])
    extend = reverse("inspections:finding_extend", args=[finding.pk])
    assert extend in township.get(finding.get_absolute_url()).content.decode()
    response = township.post(extend, {"deadline": "2030-10-31", "reason": "设备未到货"})
    assert response.status_code == 302
    decide = reverse("inspections:finding_extension", args=[finding.pk])
    assert decide in inspector.get(finding.get_absolute_url()).content.decode()
    page = inspector.get(decide).content.decode()
    assert "申请将整改时限由2030-09-30延至<strong>2030-10-31</strong>" in page
    assert "设备未到货" in page
    assert inspector.post(decide, {"approve": "1", "note": "同意"}).status_code == 302
    detail = inspector.get(finding.get_absolute_url()).content.decode()
    assert "批准延期</strong>（由2030-09-30至2030-10-31）" in detail


def extended_on_25_august(finding, people) -> None:
    """The township asks for 30 September and the inspector approves, both on 25 August 2026."""
    with time_machine.travel(datetime.datetime(2026, 8, 25, 10, tzinfo=datetime.UTC)):
        services.finding_extension_request(
            finding=finding, by=people["township"], deadline=D(2026, 9, 30), reason="资金未到位"
        )
        services.finding_extension_decide(
            finding=finding, by=people["inspector"], approve=True, note="同意"
        )


def test_the_bulletin_shows_extended_findings_and_a_late_month_keeps_its_deadline(world, people):
    early = FindingFactory(area=world.v11, found_on=D(2026, 8, 3), deadline=D(2026, 8, 20))
    late = FindingFactory(area=world.v11, found_on=D(2026, 8, 5), deadline=D(2026, 9, 10))
    extended_on_25_august(early, people)
    with time_machine.travel(datetime.datetime(2026, 9, 20, 10, tzinfo=datetime.UTC)):
        # Past its deadline (10 September) when September ended; extended only afterwards.
        services.finding_extension_request(
            finding=late, by=people["township"], deadline=D(2026, 11, 30), reason="冬季停工"
        )
    with time_machine.travel(datetime.datetime(2026, 10, 8, 10, tzinfo=datetime.UTC)):
        services.finding_extension_decide(
            finding=late, by=people["inspector"], approve=True, note="同意"
        )
    # August's and September's notices made only now, in October.
    notices.make_notices(D(2026, 8, 1), today=D(2026, 10, 9))
    notices.make_notices(D(2026, 9, 1), today=D(2026, 10, 9))
    items = {
        (i.notice.month, i.finding_id): (i.deadline, i.extended, i.days_overdue)
        for i in NoticeItem.objects.filter(notice__kind="unit").select_related("notice")
    }
    assert items[(D(2026, 8, 1), early.pk)] == (D(2026, 9, 30), True, 0)
    assert items[(D(2026, 9, 1), late.pk)] == (D(2026, 9, 10), False, 21)  # 10 Sep to 1 Oct
    client = Client()
    client.force_login(people["inspector"])
    august = (
        NoticeItem.objects.filter(notice__month=D(2026, 8, 1), notice__kind="unit", finding=early)
        .get()
        .notice
    )
    assert "（延期）" in client.get(august.get_absolute_url()).content.decode()


def test_the_bulletin_names_the_extended_findings(world, people):
    finding = FindingFactory(area=world.v11, found_on=D(2026, 8, 3), deadline=D(2026, 8, 20))
    extended_on_25_august(finding, people)
    [result] = notices.make_notices(D(2026, 8, 1), today=D(2026, 9, 1))
    bulletin = result.bulletin
    assert bulletin.summary["totals"]["extended"] == 1
    assert [(i.finding_id, i.extended) for i in bulletin.items.all()] == [(finding.pk, True)]
    client = Client()
    client.force_login(people["inspector"])
    page = client.get(bulletin.get_absolute_url()).content.decode()
    assert "经批准延期1个" in page and "（延期）" in page
