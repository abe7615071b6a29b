"""The registry pages as users meet them: forms, the household file, the phone visit form,
printouts, list filters and concurrent edits."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from households.filtersets import HouseholdSearchFilter
from households.models import Household, Member, Visit
from tests.factories import (
    CadreFactory,
    HouseholdFactory,
    HouseholdPairingFactory,
    MemberFactory,
    UnitFactory,
    VillagePostingFactory,
    new_id_number,
)
from tests.scoping import MEMBER_FORMSET

pytestmark = pytest.mark.django_db


def household_post(village, *members, code="HH-NEW-1", **extra):
    data = {
        "code": code,
        "village": village.pk,
        "group": "3组",
        "category": "general",
        "primary_cause": "illness",
        "other_causes": ["no_skills"],
        "identified_year": "2014",
        "planned_exit_year": "2018",
        **MEMBER_FORMSET,
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0",
        **extra,
    }
    for i, m in enumerate(members):
        for key, value in m.items():
            data[f"members-{i}-{key}"] = value
        data.setdefault(f"members-{i}-health", "healthy")
    return data


@pytest.fixture
def staff_client(client, make_user, world):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    return client


def test_create_a_household_with_members(staff_client, world):
    head = new_id_number("male", datetime.date(1965, 3, 2))
    wife = new_id_number("female", datetime.date(1968, 7, 9))
    response = staff_client.post(
        reverse("households:household_add"),
        household_post(
            world.v11,
            {"name": "王建国", "relation": "head", "id_number": head},
            {"name": "李秀兰", "relation": "spouse", "id_number": wife.lower()},
        ),
    )
    assert response.status_code == 302
    household = Household.objects.get(code="HH-NEW-1")
    assert household.other_cause_list == ["no_skills"]
    members = {m.name: m for m in household.members.all()}
    # Gender and birth date come from the ID number when left empty.
    assert members["王建国"].gender == "male"
    assert members["李秀兰"].birth_date == datetime.date(1968, 7, 9)
    assert members["李秀兰"].id_number == wife.upper()


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([{"name": "甲", "relation": "child"}], "每户须有且只有一名户主，现在有0名"),
        (
            [{"name": "甲", "relation": "head"}, {"name": "乙", "relation": "head"}],
            "每户须有且只有一名户主，现在有2名",
        ),
        ([{"name": "甲", "relation": "head", "id_number": "110105194912310021"}], "校验位错误"),
        ([{"name": "甲", "relation": "head", "id_number": "110105491231002"}], "15位旧身份证号码"),
        (
            [{"name": "甲", "relation": "head", "gender": "female"}],
            "性别与证件号码不符",
        ),
        (
            [{"name": "甲", "relation": "head", "birth_date": "1970-01-01"}],
            "出生日期与证件号码不符",
        ),
    ],
)
def test_bad_members_are_refused_with_the_reason_and_nothing_is_saved(
    staff_client, world, members, message
):
    for m in members:
        m.setdefault("id_number", new_id_number("male", datetime.date(1971, 2, 3)))
    response = staff_client.post(
        reverse("households:household_add"), household_post(world.v11, *members)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Household.objects.exists() and not Member.objects.exists()


def test_one_person_belongs_to_one_household(staff_client, world):
    existing = HouseholdFactory(village=world.v11, code="HH-OLD")
    number = existing.members.get().id_number
    response = staff_client.post(
        reverse("households:household_add"),
        household_post(world.v12, {"name": "重复", "relation": "head", "id_number": number}),
    )
    assert "该证件号码已登记在贫困户HH-OLD" in response.content.decode()
    assert Household.objects.count() == 1


def test_a_duplicate_outside_the_users_area_does_not_name_the_other_household(
    client, make_user, world
):
    existing = HouseholdFactory(village=world.v21, code="HH-OTHER-TOWNSHIP")
    client.force_login(make_user(Role.TOWNSHIP_STAFF, world.t1))
    response = client.post(
        reverse("households:household_add"),
        household_post(
            world.v11,
            {"name": "重复", "relation": "head", "id_number": existing.members.get().id_number},
        ),
    )
    page = response.content.decode()
    assert "该证件号码已在其他地区登记" in page and "请与县扶贫办核实" in page
    assert "HH-OTHER-TOWNSHIP" not in page and world.v21.name not in page


def edit_post(household, **changes):
    head = household.members.get(relation="head")
    data = household_post(
        household.village,
        {"id": head.pk, "name": head.name, "relation": "head", "id_number": ""},
        code=household.code,
        seen_version=household.version,
        **{"members-INITIAL_FORMS": "1"},
    )
    data.update(changes)
    return data


def test_the_second_of_two_concurrent_edits_is_refused(make_user, world):
    household = HouseholdFactory(village=world.v11)
    first, second = Client(), Client()
    first.force_login(make_user(Role.COUNTY_STAFF, world.county, last_name="张三"))
    second.force_login(make_user(Role.TOWNSHIP_STAFF, world.t1, last_name="李四"))
    url = reverse("households:household_edit", args=[household.pk])
    # Both open the form at the same version.
    form_a = edit_post(household, address="张三改的地址")
    form_b = edit_post(household, address="李四改的地址")
    assert first.post(url, form_a).status_code == 302
    response = second.post(url, form_b)
    assert response.status_code == 200
    text = response.content.decode()
    assert "在您编辑期间，该记录已被他人修改" in text and "张三" in text
    assert Household.objects.get(pk=household.pk).address == "张三改的地址"
    # Reopened at the new version, the second edit goes through.
    household.refresh_from_db()
    assert second.post(url, edit_post(household, address="李四改的地址")).status_code == 302


def test_editing_keeps_the_id_number_when_left_empty_and_records_history(staff_client, world):
    household = HouseholdFactory(village=world.v11)
    head = household.members.get()
    number = head.id_number
    data = edit_post(household, address="新地址")
    data["members-0-labour_skill"] = "skilled"
    assert (
        staff_client.post(
            reverse("households:household_edit", args=[household.pk]), data
        ).status_code
        == 302
    )
    head.refresh_from_db()
    assert head.id_number == number and head.labour_skill == "skilled"
    page = staff_client.get(household.get_absolute_url()).content.decode()
    audit = reverse("households:household_audit", args=[household.pk])
    assert f'hx-get="{audit}" hx-trigger="revealed"' in page  # loaded when scrolled to
    page = staff_client.get(audit).content.decode()
    assert "住址：（空） → 新地址" in page
    assert "劳动技能：普通劳动力 → 技能劳动力" in page


def test_household_list_filters_search_and_overdue(staff_client, world):
    ill = HouseholdFactory(village=world.v11, primary_cause="illness", planned_exit_year=2018)
    other = HouseholdFactory(
        village=world.v21, primary_cause="no_skills", other_causes="illness", planned_exit_year=2035
    )
    plain = HouseholdFactory(village=world.v12, primary_cause="no_capital", planned_exit_year=2035)
    url = reverse("households:household_list")

    def rows(**params):
        response = staff_client.get(url, params)
        return {r.record for r in response.context["table"].paginated_rows}

    page = staff_client.get(url).content.decode()
    # The head's name, the persons and the paired cadre come from the summary annotations.
    assert ill.members.get().name in page and "超期" in page
    assert rows(cause="illness") == {ill, other}
    assert rows(within=world.t1.pk) == {ill, plain}
    # The area choices read as a tree: the county, its townships, their villages.
    assert f'<option value="{world.county.pk}">测试县</option>' in page
    assert f'<option value="{world.t1.pk}">\u3000一乡</option>' in page
    assert f'<option value="{world.v11.pk}">\u3000\u3000一乡甲村</option>' in page
    assert rows(overdue="true") == {ill}
    assert rows(q=plain.code) == {plain}
    assert rows(q=other.members.get().name) == {other}
    # Any member's name, in part, finds the household, within the other filters.
    MemberFactory(household=plain, relation="child", name="欧阳小满")
    assert rows(q="小满") == {plain}
    assert rows(q="小满", within=world.t2.pk) == set()
    assert rows(q=ill.members.get().id_number) == {ill}
    assert rows(q=ill.members.get().id_number.lower()) == {ill}


def test_household_search_finds_the_same_when_many_match(client, make_user, world, monkeypatch):
    """Up to HouseholdSearchFilter.FEW matches are looked up by id, more are filtered row by
    row: both find the user's households and no other township's."""
    client.force_login(make_user(Role.TOWNSHIP_STAFF, world.t1))
    mine = {HouseholdFactory(village=world.v11, code=f"MANY-{n}") for n in range(3)}
    HouseholdFactory(village=world.v21, code="MANY-9")  # another township's
    for few in (10, 2):
        monkeypatch.setattr(HouseholdSearchFilter, "FEW", few)
        response = client.get(reverse("households:household_list"), {"q": "MANY"})
        assert {r.record for r in response.context["table"].paginated_rows} == mine, few


def test_masked_numbers_for_roles_without_the_permission(client, make_user, world):
    household = HouseholdFactory(village=world.v11, phone="13912345678")
    client.force_login(make_user(Role.LEADER, world.county))
    page = client.get(household.get_absolute_url()).content.decode()
    assert "13912345678" not in page and "139****5678" in page


@pytest.fixture
def cadre_setup(world):
    """A village cadre (a user tied to a Cadre) paired with one household of two in v11."""
    cadre = CadreFactory(unit=UnitFactory(area=world.county), name="赵书记", phone="13700001111")
    VillagePostingFactory(cadre=cadre, village=world.v11, role="first_secretary")
    mine = HouseholdFactory(village=world.v11, code="MINE")
    HouseholdFactory(village=world.v11, code="NOT-MINE")
    HouseholdPairingFactory(household=mine, cadre=cadre)
    return cadre, mine


def test_the_visit_form_puts_the_cadres_own_households_first(client, make_user, world, cadre_setup):
    cadre, mine = cadre_setup
    user = make_user(Role.VILLAGE_CADRE, world.v11, cadre=cadre)
    client.force_login(user)
    response = client.get(reverse("households:visit_add"))
    form = response.context["form"]
    groups = [label for label, _ in form.fields["household"].choices if label]
    assert groups[0] == "我结对的户" and form.initial["household"] == mine.pk
    assert form.initial["cadre"] == cadre.pk
    response = client.post(
        reverse("households:visit_add"),
        {
            "household": mine.pk,
            "cadre": cadre.pk,
            "visited_on": "2024-05-06",
            "findings": "户主在家，已了解医保报销进度。",
        },
    )
    assert response.status_code == 302 and response["Location"] == mine.get_absolute_url()
    visit = Visit.objects.get()
    assert visit.recorded_by == user
    # A household of another village cannot be chosen, nor opened by changing the URL.
    elsewhere = HouseholdFactory(village=world.v21)
    response = client.post(
        reverse("households:visit_add"),
        {"household": elsewhere.pk, "cadre": cadre.pk, "visited_on": "2024-05-06", "findings": "x"},
    )
    assert response.status_code == 200 and Visit.objects.count() == 1
    assert client.get(elsewhere.get_absolute_url()).status_code == 404


def test_visits_in_the_future_are_refused(client, make_user, world, cadre_setup):
    cadre, mine = cadre_setup
    client.force_login(make_user(Role.VILLAGE_CADRE, world.v11, cadre=cadre))
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    response = client.post(
        reverse("households:visit_add"),
        {"household": mine.pk, "cadre": cadre.pk, "visited_on": tomorrow, "findings": "x"},
    )
    assert "走访日期不能晚于今天" in response.content.decode()


def test_the_card_shows_the_cadres_phone_in_full_and_nothing_sensitive_of_the_household(
    client, make_user, world, cadre_setup
):
    _cadre, mine = cadre_setup
    mine.phone = "13955556666"
    mine.save()
    client.force_login(make_user(Role.LEADER, world.county))  # a role that sees masked numbers
    page = client.get(reverse("households:household_card", args=[mine.pk])).content.decode()
    assert "明白卡" in page and "赵书记" in page and "13700001111" in page
    assert mine.members.get().id_number_masked not in page
    assert "13955556666" not in page and "健康" not in page


def test_the_village_notice_lists_households_in_publicity_without_personal_numbers(
    client, make_user, world
):
    from decimal import Decimal

    from tests.factories import AssessmentFactory, IncomeRecordFactory, with_exit_facts
    from tests.households.test_exit_procedure import run_to

    staff = make_user(Role.COUNTY_STAFF, world.county)
    h = with_exit_facts(HouseholdFactory(village=world.v11, phone="13800002222"))
    IncomeRecordFactory(household=h, year=2018, persons=1, wage=Decimal("5000"))
    AssessmentFactory(household=h)
    head = h.members.get()
    head.health = "serious"
    head.save()
    run_to("publicise", h, staff)
    HouseholdFactory(village=world.v11, code="NOT-IN-PUBLICITY")
    client.force_login(staff)
    page = client.get(reverse("households:exit_notice", args=[world.v11.pk])).content.decode()
    assert head.name in page and "2018年11月1日至2018年11月7日" in page and "5000.00" in page
    assert "NOT-IN-PUBLICITY" not in page
    for secret in (head.id_number, head.id_number_masked, "13800002222", "大病", "健康"):
        assert secret not in page
    with open("static/poverty/print.css") as css:
        assert re.search(r"@page\s*{\s*size:\s*A4", css.read())


def test_phone_sized_pages_use_the_viewport_and_stacked_form(client, make_user, world, cadre_setup):
    cadre, _mine = cadre_setup
    client.force_login(make_user(Role.VILLAGE_CADRE, world.v11, cadre=cadre))
    page = client.get(reverse("households:visit_add")).content.decode()
    assert 'name="viewport"' in page and "btn-lg" in page
    assert 'capture="environment"' in page  # the phone camera opens for the photo


def test_members_of_other_households_cannot_be_posted_into_an_edit(staff_client, world):
    household = HouseholdFactory(village=world.v11)
    stranger = MemberFactory(household=HouseholdFactory(village=world.v12), relation="child")
    data = edit_post(household)
    data["members-0-id"] = stranger.pk
    response = staff_client.post(reverse("households:household_edit", args=[household.pk]), data)
    assert response.status_code == 200
    assert "这一行不属于正在编辑的记录" in response.content.decode()
    stranger.refresh_from_db()
    assert stranger.household != household


def test_the_household_form_has_a_plain_title(client, world, make_user):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    page = client.get("/registry/households/add/").content.decode()
    assert "<title>新增贫困户 · 县扶贫办业务系统</title>" in page
