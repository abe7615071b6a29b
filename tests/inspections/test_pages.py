"""The issue's walkthrough through the pages, and what each page shows and refuses."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from accounts.choices import Role
from inspections.choices import NoticeKind, Status
from inspections.models import Finding, Inspection, Notice
from inspections.tasks import make_monthly_notices
from tests.factories import CadreFactory, FindingFactory, HouseholdFactory, UnitFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args):
    return time_machine.travel(datetime.datetime(*args, tzinfo=SHANGHAI), tick=False)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ok(response, status=302):
    form = response.context and response.context.get("form")
    assert response.status_code == status, form.errors if form else response.status_code
    return response


def test_an_unannounced_visit_from_findings_to_the_monthly_bulletin(world, make_user):
    township_gov = UnitFactory(area=world.t1, name="一乡人民政府")
    water = UnitFactory(area=world.county, name="县水利局")
    secretary = CadreFactory(unit=township_gov, name="王乡长")
    engineer = CadreFactory(unit=water, name="赵工")
    inspector = login(make_user(Role.INSPECTOR, world.county))
    township = make_user(Role.TOWNSHIP_STAFF, world.t1, cadre=secretary)
    township_client = login(township)
    household = HouseholdFactory(village=world.v11)

    with at(2026, 10, 9, 10, 0):
        ok(
            inspector.post(
                "/inspections/inspections/add/",
                {
                    "kind": "unannounced",
                    "title": "十月脱贫攻坚暗访",
                    "area": world.county.pk,
                    "areas": [world.t1.pk, world.t2.pk],
                    "leader": "县委副书记",
                    "team": "督查局三人",
                    "start_date": "2026-10-09",
                },
            )
        )
        visit = Inspection.objects.get()
        findings = [
            (
                "identification",
                "household",
                {"household": household.pk},
                township_gov,
                secretary,
                "2026-10-20",
            ),
            (
                "resident_team",
                "village",
                {"area": world.v12.pk},
                township_gov,
                secretary,
                "2026-11-30",
            ),
            ("funds", "village", {"area": world.v21.pk}, water, engineer, "2026-10-25"),
            ("projects", "village", {"area": world.v22.pk}, water, None, "2026-11-30"),
        ]
        for n, (category, subject, target, unit, person, deadline) in enumerate(findings):
            ok(
                inspector.post(
                    "/inspections/findings/add/",
                    {
                        "inspection": visit.pk,
                        "category": category,
                        "severity": "serious" if n == 2 else "minor",
                        "subject": subject,
                        **target,
                        "description": f"暗访发现问题{n + 1}",
                        "unit": unit.pk,
                        "person": person.pk if person else "",
                        "found_on": "2026-10-09",
                        "deadline": deadline,
                    },
                )
            )
    f_household, f_village, f_funds, f_project = Finding.objects.order_by("pk")
    assert f_household.area == world.v11  # placed by the household it is about
    assert visit.findings.count() == 4

    # The township government's queue: its own two findings.
    with at(2026, 10, 12, 9, 0):
        queue = township_client.get("/inspections/findings/", {"mine": "true"})
        assert {r.record for r in queue.context["table"].paginated_rows} == {f_household, f_village}
        ok(
            township_client.post(
                f"/inspections/findings/{f_village.pk}/plan/", {"plan": "补齐队员"}
            )
        )
        ok(
            township_client.post(
                f"/inspections/findings/{f_village.pk}/submit/",
                {
                    "note": "两名队员已到岗",
                    "file": SimpleUploadedFile("考勤.jpg", b"\xff\xd8\xff\xe0jpeg", "image/jpeg"),
                },
            )
        )
        # Township staff do not verify.
        assert (
            township_client.get(f"/inspections/findings/{f_village.pk}/close/").status_code == 403
        )
    with at(2026, 10, 14, 9, 0):
        ok(
            inspector.post(
                f"/inspections/findings/{f_village.pk}/reject/", {"note": "考勤记录不全"}
            )
        )
        f_village.refresh_from_db()
        assert f_village.status == Status.IN_PROGRESS
        ok(
            township_client.post(
                f"/inspections/findings/{f_village.pk}/submit/", {"note": "补齐考勤记录"}
            )
        )
        # Closing before submission is refused on the page with the reason.
        refused = inspector.post(f"/inspections/findings/{f_household.pk}/close/", {"note": "合格"})
        assert refused.status_code == 200 and "问题当前为“待整改”" in refused.content.decode()
        ok(inspector.post(f"/inspections/findings/{f_village.pk}/close/", {"note": "整改到位"}))
    f_village.refresh_from_db()
    assert (f_village.status, f_village.closed_on) == (Status.CLOSED, datetime.date(2026, 10, 14))
    page = inspector.get(f_village.get_absolute_url()).content.decode()
    assert page.count("提交验收</strong>") == 2 and "验收退回</strong>" in page

    # On the 1st the monthly job makes the notices for October.
    with at(2026, 11, 1, 1, 0):
        made = make_monthly_notices.delay().get()
        assert made == ["测试县：已生成 督导通报 2026年第10期，整改通知书2份。"]
        overdue_list = inspector.get("/inspections/findings/", {"overdue": "true"})
        assert {r.record for r in overdue_list.context["table"].paginated_rows} == {
            f_household,
            f_funds,
        }
    bulletin = Notice.objects.get(kind=NoticeKind.BULLETIN)
    page = inspector.get(bulletin.get_absolute_url()).content.decode()
    assert "督导通报 2026年第10期" in page
    assert "本月新发现问题4个，整改销号1个；月末尚未销号3个，其中逾期2个" in page
    # The overdue ones are named with their unit and person.
    for finding, unit, person, days in (
        (f_household, "一乡人民政府", "王乡长", "12"),
        (f_funds, "县水利局", "赵工", "7"),
    ):
        row = page[page.index(finding.description) :].split("</tr>")[0]
        assert unit in row and person in row and f'<td class="num">{days}</td>' in row
    printed = inspector.get(f"/inspections/notices/{bulletin.pk}/print/").content.decode()
    assert "脱贫攻坚督导通报" in printed and "2026年第10期" in printed
    download = inspector.get(f"/inspections/notices/{bulletin.pk}/xlsx/")
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert workbook.sheetnames == ["督导通报", "分乡镇", "分单位"]
    rows = list(workbook["督导通报"].iter_rows(values_only=True))
    assert [r[2] for r in rows[1:]] == [f_household.description, f_funds.description]
    assert list(workbook["分乡镇"].iter_rows(values_only=True))[1] == ("一乡", 2, 1, 1, 1)
    # The water bureau's notice lists both its open findings, the overdue one first.
    water_notice = Notice.objects.get(kind=NoticeKind.UNIT, unit=water)
    assert [i.finding for i in water_notice.items.all()] == [f_funds, f_project]
    # The township sees its government's notice, not the county bulletin.
    own = township_client.get("/inspections/notices/")
    assert [r.record.unit for r in own.context["table"].paginated_rows] == [township_gov]


def test_the_finding_page_offers_only_the_steps_the_user_may_take(world, make_user):
    finding = FindingFactory(area=world.v11)
    staff = login(make_user(Role.TOWNSHIP_STAFF, world.t1))
    inspector = login(make_user(Role.INSPECTOR, world.county))
    leader = login(make_user(Role.LEADER, world.county))
    assert "制定整改方案" in staff.get(finding.get_absolute_url()).content.decode()
    page = inspector.get(finding.get_absolute_url()).content.decode()
    assert "制定整改方案" not in page and "验收销号</a>" not in page
    assert "问责</a>" in page  # the deadline (2019) has passed
    page = leader.get(finding.get_absolute_url()).content.decode()
    assert "制定整改方案" not in page and "问责</a>" not in page


def test_an_accountability_record_returns_to_its_finding(world, make_user):
    finding = FindingFactory(area=world.v11)
    inspector = login(make_user(Role.INSPECTOR, world.county))
    form = inspector.get("/inspections/accountabilitys/add/", {"finding": finding.pk})
    assert form.context["form"].initial["finding"] == str(finding.pk)
    response = inspector.post(
        "/inspections/accountabilitys/add/",
        {
            "finding": finding.pk,
            "kind": "talk",
            "person": "王乡长",
            "decided_on": "2019-05-01",
            "reason": "逾期未整改",
        },
    )
    assert response["Location"] == finding.get_absolute_url()
    assert "王乡长" in inspector.get(finding.get_absolute_url()).content.decode()


def test_the_finding_form_names_what_is_missing(world, make_user):
    inspector = login(make_user(Role.INSPECTOR, world.county))
    visit = FindingFactory(area=world.v11).inspection
    response = inspector.post(
        "/inspections/findings/add/",
        {
            "inspection": visit.pk,
            "category": "funds",
            "severity": "minor",
            "subject": "household",
            "description": "资金未到户",
            "unit": UnitFactory(area=world.county).pk,
            "found_on": "2019-03-02",
            "deadline": "2019-03-01",
        },
    )
    errors = response.context["form"].errors
    assert errors["household"] == ["请选择涉及的贫困户。"]
    assert Finding.objects.count() == 1
