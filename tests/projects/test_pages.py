"""The project pages as county staff use them, end to end, and what they refuse."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.choices import Role
from households.choices import MeasureType
from households.models import AssistanceMeasure, Member
from projects.choices import Decision, Stage
from projects.models import Beneficiary, Disclosure, Project
from tests.factories import (
    CadreFactory,
    HouseholdFactory,
    ProjectApprovalFactory,
    ProjectFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
AT_WORK = datetime.datetime(2019, 4, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def staff_client(client, make_user, world):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    return client


def project_form(world, **overrides):
    unit = UnitFactory(area=world.county, name="县农业农村局")
    data = {
        "name": "湾里三村养羊项目",
        "project_type": "industry",
        "year": "2019",
        "area": world.county.pk,
        "areas": [world.v11.pk, world.v12.pk, world.v21.pk],
        "implementer": "县绿源养殖专业合作社",
        "unit": unit.pk,
        "manager": CadreFactory(unit=unit, name="王建国").pk,
        "description": "新建标准化羊舍3处，购进基础母羊600只。",
        "expected_households": "40",
        "expected_persons": "120",
        "expected_income_increase": "1500",
    }
    data.update(overrides)
    return data


@time_machine.travel(AT_WORK, tick=False)
def test_county_staff_run_a_sheep_project_from_registration_to_the_printed_notice(
    staff_client, world
):
    # Register the project for three villages.
    response = staff_client.post(reverse("projects:project_add"), project_form(world))
    assert response.status_code == 302, response.context["form"].errors
    project = Project.objects.get(name="湾里三村养羊项目")
    assert set(project.areas.values_list("code", flat=True)) == {
        world.v11.code,
        world.v12.code,
        world.v21.code,
    }
    assert project.stages.count() == 6

    # Lay the plan backwards from the December deadline.
    url = reverse("projects:project_plan", args=[project.pk])
    assert staff_client.get(url).status_code == 200
    plan = {
        "deadline": "2019-12-15",
        "days_2": 30,
        "days_3": 30,
        "days_4": 60,
        "days_5": 90,
        "days_6": 90,
    }
    assert staff_client.post(url, plan).status_code == 302
    planned = dict(project.stages.values_list("stage", "planned_date"))
    assert planned[Stage.EFFECTIVE] == datetime.date(2019, 12, 15)
    assert planned[Stage.LISTED] == datetime.date(2019, 2, 18)  # 300 days earlier

    # Money: planned, in place, and two disbursements.
    add_fund = reverse("projects:fundentry_add")
    for kind, amount, date in [
        ("planned", "600000", "2019-03-01"),
        ("allocated", "400000", "2019-03-10"),
        ("disbursed", "150000", "2019-03-20"),
        ("disbursed", "100000", "2019-03-28"),
    ]:
        data = {
            "project": project.pk,
            "source": "county",
            "kind": kind,
            "amount": amount,
            "date": date,
        }
        response = staff_client.post(add_fund, data)
        assert response.status_code == 302, response.context["form"].errors
        assert response["Location"] == project.get_absolute_url()
    # A third payment beyond the money in place is refused with the reason.
    response = staff_client.post(
        add_fund,
        {
            "project": project.pk,
            "source": "county",
            "kind": "disbursed",
            "amount": "150000.01",
            "date": "2019-03-30",
        },
    )
    assert response.status_code == 200
    assert "本次最多可拨付150000.00元" in str(response.context["form"].errors)

    page = staff_client.get(project.get_absolute_url()).content.decode()
    funds = page[page.index('id="funds"') :]
    assert "250,000.00" in funds and "62.5%" in funds  # 250,000 / 400,000 in place

    # Forty beneficiaries from the served villages (not from the fourth village).
    served = [
        HouseholdFactory(village=v) for v in (world.v11, world.v12, world.v21) for _ in range(15)
    ]
    outside = HouseholdFactory(village=world.v22)
    url = reverse("projects:project_beneficiaries", args=[project.pk])
    form = staff_client.get(url).context["form"]
    offered = set(form.fields["households"].queryset.values_list("pk", flat=True))
    assert offered == {h.pk for h in served} and outside.pk not in offered
    chosen = served[:40]
    response = staff_client.post(
        url, {"households": [h.pk for h in chosen], "note": "入股分红", "with_measure": "on"}
    )
    assert response.status_code == 302
    links = Beneficiary.objects.filter(project=project).select_related("measure")
    assert links.count() == 40
    assert {b.household_id for b in links} == {h.pk for h in chosen}
    assert all(b.measure.measure_type == MeasureType.INDUSTRY for b in links)
    assert AssistanceMeasure.objects.filter(project_links__project=project).count() == 40
    # The same households cannot be added twice.
    response = staff_client.post(url, {"households": [chosen[0].pk]})
    assert response.status_code == 200 and Beneficiary.objects.filter(project=project).count() == 40

    # Disclose it, with one objection answered, and print the notice.
    response = staff_client.post(
        reverse("projects:disclosure_add"),
        {
            "project": project.pk,
            "title": "项目及受益户",
            "location": "湾里村委会公示栏",
            "start_date": "2019-03-25",
            "end_date": "2019-04-03",
            "phone": "0354-1234567",
            "objections-TOTAL_FORMS": "1",
            "objections-INITIAL_FORMS": "0",
            "objections-MIN_NUM_FORMS": "0",
            "objections-MAX_NUM_FORMS": "1000",
            "objections-0-received_on": "2019-03-27",
            "objections-0-raised_by": "村民",
            "objections-0-content": "受益户名单是否完整",
            "objections-0-answer": "已核实，名单完整",
            "objections-0-answered_on": "2019-03-29",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    disclosure = Disclosure.objects.get(project=project)
    assert disclosure.objections.get().answered_on == datetime.date(2019, 3, 29)
    notice = staff_client.get(reverse("projects:disclosure_notice", args=[disclosure.pk]))
    text = notice.content.decode()
    assert "湾里三村养羊项目" in text and "40户" in text and "250,000.00" in text
    heads = Member.objects.filter(household__in=chosen, relation="head")
    assert heads.count() == 40 and all(m.name in text for m in heads)
    # A public notice never shows ID numbers (full or masked) or household phones.
    assert not any(m.id_number in text or m.id_number_masked in text for m in heads)
    assert not re.search(r"1[3-9]\d{9}", text)

    # Not overdue yet; when 入库 slips past its plan the project is flagged.
    assert project.days_overdue(datetime.date(2019, 2, 18)) == 0
    with time_machine.travel(datetime.datetime(2019, 4, 1, 10, tzinfo=SHANGHAI), tick=False):
        page = staff_client.get(project.get_absolute_url()).content.decode()
        assert "滞后42天" in page  # 入库 planned 2019-02-18, not done by 2019-04-01
        listed = staff_client.get(reverse("projects:project_list"), {"overdue": "true"})
        assert [row.record.pk for row in listed.context["table"].rows] == [project.pk]


def test_served_areas_must_lie_inside_the_managing_area(staff_client, world):
    data = project_form(world, area=world.t1.pk, areas=[world.v11.pk, world.v21.pk])
    response = staff_client.post(reverse("projects:project_add"), data)
    assert response.status_code == 200
    assert "受益区域须在所属区域“一乡”内：二镇甲村" in str(response.context["form"].errors)
    assert not Project.objects.exists()


def test_a_beneficiary_outside_the_served_areas_is_refused(staff_client, world):
    project = ProjectFactory(area=world.t1, areas=[world.v11])
    response = staff_client.post(
        reverse("projects:beneficiary_add"),
        {"project": project.pk, "household": HouseholdFactory(village=world.v12).pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["household"] == [
        f"所选贫困户不在项目“{project.name}”覆盖的村内。"
    ]
    assert not Beneficiary.objects.exists()


def test_the_beneficiary_search_offers_only_the_chosen_projects_households(
    client, make_user, world
):
    project = ProjectFactory(area=world.t1, areas=[world.v11])
    served = HouseholdFactory(village=world.v11, code="SERVED-01")
    HouseholdFactory(village=world.v12, code="SERVED-02")  # the same township, not served
    HouseholdFactory(village=world.v21, code="SERVED-03")  # another township
    elsewhere = ProjectFactory(area=world.t2, areas=[world.v21])
    client.force_login(make_user(Role.TOWNSHIP_STAFF, world.t1))

    # The form's search box sends the chosen project along with what is typed.
    page = client.get(reverse("projects:beneficiary_add"), {"project": project.pk})
    box = re.search(r'<input type="search"[^>]*>', page.content.decode()).group()
    assert reverse("projects:beneficiary_household_pick") in box
    assert 'hx-include="[name=&#x27;project&#x27;]"' in box

    def found(**params):
        response = client.get(reverse("projects:beneficiary_household_pick"), params)
        return [h.code for h in response.context["matches"]]

    assert found(q="SERVED", project=project.pk) == [served.code]
    # No project chosen yet: every household the user may see.
    assert found(q="SERVED") == ["SERVED-01", "SERVED-02"]
    # Another township's project is not the user's to narrow by: it is ignored, nothing leaks.
    assert found(q="SERVED", project=elsewhere.pk) == ["SERVED-01", "SERVED-02"]
    assert found(q="SERVED", project="x") == ["SERVED-01", "SERVED-02"]


def test_the_stage_page_explains_the_joint_review_gate(staff_client, world):
    project = ProjectFactory(area=world.county)
    url = reverse("projects:project_stage", args=[project.pk])
    assert (
        staff_client.post(url, {"actual_date": "2019-03-01", "evidence": "入库批复"}).status_code
        == 302
    )
    assert "请先添加联审单位" in staff_client.get(url).content.decode()
    response = staff_client.post(url, {"actual_date": "2019-03-05", "evidence": "联审会议纪要"})
    assert response.status_code == 200 and "请先添加联审单位" in str(
        response.context["form"].errors
    )
    ProjectApprovalFactory(
        project=project, decision=Decision.APPROVED, decided_on=datetime.date(2019, 3, 4)
    )
    assert (
        staff_client.post(
            url, {"actual_date": "2019-03-05", "evidence": "联审会议纪要"}
        ).status_code
        == 302
    )
    project.refresh_from_db()
    assert project.get_stage_display() == "落地"


def test_an_edit_opened_before_a_stage_step_is_refused(staff_client, world):
    project = ProjectFactory(area=world.county)
    edit = reverse("projects:project_edit", args=[project.pk])
    stale = project_form(world, name="改名", seen_version=project.version)
    staff_client.post(
        reverse("projects:project_stage", args=[project.pk]),
        {"actual_date": "2019-03-01", "evidence": "入库批复"},
    )
    response = staff_client.post(edit, stale)
    assert response.status_code == 200 and "已被他人修改" in str(response.context["form"].errors)
    project.refresh_from_db()
    assert project.name != "改名" and project.stage == Stage.LISTED
