"""Implausible input is refused wherever it comes in (forms, the API, imports), with what and
where named: control characters (a bell, an escape sequence pasted from a terminal), dates
outside the registry's time, negative amounts, text of a book's length. Text stored before the
rule cannot break an export (issue 28 items 2 and 7)."""

import csv
import datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.choices import Role
from households.models import Household
from households.roster import export_roster, import_roster
from tests.factories import HouseholdFactory
from tests.scoping import _finding_data

from ..households.test_roster import family

pytestmark = pytest.mark.django_db

BELL = "村委会旁\x07"


def test_a_form_names_the_invisible_character_and_saves_nothing(client, make_user, world):
    household = HouseholdFactory(village=world.v11, group="一组")
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    url = reverse("households:household_edit", args=[household.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update({"group": "二组\x1b[0m", "members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0"})
    data["seen_version"] = household.version
    response = client.post(url, data)
    assert response.status_code == 200
    assert "第3个字符是看不见的控制字符（\\x1b）" in response.content.decode()
    household.refresh_from_db()
    assert household.group == "一组"


def test_the_api_refuses_it_with_a_400_naming_the_field(client, make_user, world):
    client.force_login(make_user(Role.INSPECTOR, world.county))
    data = {**_finding_data(world, world.v11), "description": "饮水\x07工程"}
    response = client.post("/api/v1/findings/", data, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["description"][0].startswith("第3个字符是看不见的控制字符（\\x07）")


def test_a_roster_names_the_row_and_column_and_writes_nothing(tmp_path, make_user, world):
    rows = family(world)
    rows[1]["自然村"] = "2组\x07"  # the same group as the head's row, with a bell
    path = tmp_path / "roster.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = import_roster(path, user=make_user(Role.COUNTY_STAFF, world.county))
    assert not result.ok and not Household.objects.exists()
    assert [(e.row, e.column) for e in result.errors] == [(3, "自然村")]
    assert result.errors[0].message.startswith("第3个字符是看不见的控制字符（\\x07）")


def test_text_stored_before_the_rule_exports_without_it(tmp_path, world):
    household = HouseholdFactory(village=world.v11)
    Household.objects.filter(pk=household.pk).update(group=BELL)  # as an older release kept it
    out = tmp_path / "export.xlsx"
    assert export_roster(out, Household.objects.all()) == 1
    values = [c for row in load_workbook(out).active.iter_rows(values_only=True) for c in row]
    assert "村委会旁" in values
    assert not any(isinstance(v, str) and "\x07" in v for v in values)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("found_on", "0001-01-01", "日期0001-01-01早于2010年，请检查是否填错。"),
        ("deadline", "2999-01-01", "日期2999-01-01晚于2100年，请检查是否填错。"),
        ("description", "字" * 10_001, "内容过长（10001字），请精简到10000字以内。"),
    ],
)
def test_implausible_dates_and_book_length_text_are_refused(
    client, make_user, world, field, value, message
):
    """Issue 28 item 7: stored, a finding dated 0001-01-01 showed as open in every notice."""
    client.force_login(make_user(Role.INSPECTOR, world.county))
    data = {**_finding_data(world, world.v11), field: value}
    response = client.post("/api/v1/findings/", data, content_type="application/json")
    assert response.status_code == 400
    assert response.json()[field] == [message]


def test_a_negative_amount_is_refused_and_a_member_may_be_born_long_ago(make_user, world):
    from django.core.exceptions import ValidationError

    from tests.factories import MemberFactory, ProjectFactory

    project = ProjectFactory(area=world.county)
    project.expected_income_increase = -1
    with pytest.raises(ValidationError) as refused:
        project.full_clean()
    assert refused.value.message_dict["expected_income_increase"] == ["不能为负数。"]
    member = MemberFactory(household=HouseholdFactory(village=world.v11, head=False))
    member.full_clean()  # born 1970: a birth date is not a registry event


def test_a_visit_before_the_household_was_identified_is_refused(world):
    from django.core.exceptions import ValidationError

    from households.models import Visit
    from tests.factories import CadreFactory, UnitFactory

    household = HouseholdFactory(village=world.v11, identified_year=2016)
    cadre = CadreFactory(unit=UnitFactory(area=world.county))
    visit = Visit(
        household=household, cadre=cadre, visited_on=datetime.date(2015, 12, 31), findings="在家"
    )
    with pytest.raises(ValidationError) as refused:
        visit.full_clean()
    assert refused.value.message_dict["visited_on"] == [
        "走访日期不能早于该户的识别年度（2016年）。"
    ]
    visit.visited_on = datetime.date(2016, 1, 1)
    visit.full_clean()
