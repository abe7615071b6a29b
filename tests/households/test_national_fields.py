"""What else the national form carries is kept, not dropped: 人编号, 民族, 政治面貌, 务工时间,
the three insurances, 危房户 and 饮水安全 (or 饮水困难, its negation) are read in the spellings
in use, stored, shown on the household page, given by the API, exported, and re-imported with
zero changes; blank is "not known", never "no"."""

import datetime

import pytest
from django.urls import reverse

from accounts.choices import Role
from households.models import Household, Member
from households.roster import export_roster, import_roster
from households.services import income_record_save

from .test_roster import family, write

pytestmark = pytest.mark.django_db

EXTRA = ["人编号", "民族", "政治面貌", "务工时间（月）", "是否参加大病保险", "新农合", "危房户"]


@pytest.fixture
def staff(make_user, world):
    return make_user(Role.COUNTY_STAFF, world.county)


def national(world):
    head, wife = family(world)
    head.update(
        {
            "人编号": "P3307220001",
            "民族": "汉",
            "政治面貌": "党员",
            "务工时间（月）": "6个月",
            "是否参加大病保险": "√",
            "新农合": "是",
            "危房户": "否",
            "饮水是否困难": "是",
        }
    )
    wife.update({"民族": "土家族", "务工时间（月）": 0, "是否参加大病保险": "×"})
    return [head, wife]


def headers():
    from households.excel import HEADERS

    return [*HEADERS[:22], *EXTRA, "饮水是否困难"]


def test_national_columns_are_read_in_their_spellings_and_kept(tmp_path, world, staff):
    result = import_roster(write(tmp_path, national(world), headers=headers()), user=staff)
    assert result.ok, result.errors
    assert result.unknown_columns == []
    head = Member.objects.get(name="王建国")
    assert (
        head.person_code,
        head.get_ethnicity_display(),
        head.get_political_status_display(),
        head.work_months,
        head.critical_illness,
        head.basic_medical,
        head.basic_pension,
    ) == ("P3307220001", "汉族", "中共党员", 6, True, True, None)
    wife = Member.objects.get(name="李秀兰")
    assert (wife.get_ethnicity_display(), wife.work_months, wife.critical_illness) == (
        "土家族",
        0,
        False,
    )
    household = Household.objects.get()
    # 饮水是否困难 = 是: the water is not safe.
    assert (household.dilapidated_house, household.safe_water) == (False, False)


def test_they_are_exported_and_re_imported_with_zero_changes(tmp_path, world, staff, client):
    import_roster(write(tmp_path, national(world), headers=headers()), user=staff)
    out = tmp_path / "export.xlsx"
    export_roster(out, Household.objects.all(), user=staff)
    again = import_roster(out, user=staff)
    assert again.ok, again.errors
    assert (again.counts["households_unchanged"], again.counts["members_unchanged"]) == (1, 2)
    assert again.rows_changed == 0

    client.force_login(staff)
    page = client.get(Household.objects.get().get_absolute_url()).content.decode()
    assert "P3307220001" in page and "土家族" in page and "中共党员" in page
    api = client.get(reverse("api:household-detail", args=[Household.objects.get().pk])).json()
    assert api["safe_water"] is False and api["dilapidated_house"] is False
    head = next(m for m in api["members"] if m["name"] == "王建国")
    assert (head["ethnicity"], head["work_months"], head["basic_pension"]) == ("01", 6, None)


def test_bad_values_name_their_row_and_column(tmp_path, world, staff):
    rows = national(world)
    rows[0]["务工时间（月）"] = "13"
    rows[1]["是否参加大病保险"] = "参加了"
    rows[1]["民族"] = "火星族"
    result = import_roster(write(tmp_path, rows, headers=headers()), user=staff)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "务工时间（月）", "“13”应为0至12的整数（月数）。"),
        (3, "是否参加大病保险", "“参加了”应为“是”或“否”（也可写√或×，不清楚的留空）。"),
        (3, "民族", result.errors[2].message),
    ]
    assert result.errors[2].message.startswith("“火星族”不在代码表中")
    assert not Household.objects.exists()


def test_the_household_form_records_them(client, world, staff):
    from tests.factories import new_id_number

    from .test_pages import household_post

    client.force_login(staff)
    number = new_id_number("male", datetime.date(1970, 1, 1))
    response = client.post(
        reverse("households:household_add"),
        household_post(
            world.v11,
            {
                "name": "王建国",
                "relation": "head",
                "id_number": number,
                "ethnicity": "09",
                "political_status": "masses",
                "work_months": "8",
                "basic_medical": "true",
                "critical_illness": "false",
                "basic_pension": "unknown",
            },
            dilapidated_house="true",
            safe_water="unknown",
        ),
    )
    assert response.status_code == 302
    household = Household.objects.get(code="HH-NEW-1")
    assert (household.dilapidated_house, household.safe_water) == (True, None)
    head = household.members.get()
    assert (head.get_ethnicity_display(), head.political_status, head.work_months) == (
        "布依族",
        "masses",
        8,
    )
    assert (head.basic_medical, head.critical_illness, head.basic_pension) == (True, False, None)


def test_the_years_income_is_kept_exported_and_never_overwrites_a_cadres_accounting(
    tmp_path, world, staff
):
    from decimal import Decimal

    from households.models import IncomeRecord

    rows = national(world)
    for row in rows:
        row["年人均纯收入"] = "3,120.5"
    path = write(tmp_path, rows, headers=headers())
    # No 收入年度 column: the figure is for the year the upload names.
    result = import_roster(path, user=staff, income_year=2019)
    assert result.ok, result.errors
    assert result.counts["incomes_created"] == 1
    income = IncomeRecord.objects.get()
    assert (income.year, income.per_capita_net, income.reported, income.persons) == (
        2019,
        Decimal("3120.50"),
        True,
        2,
    )
    # Exported with its year, it re-imports with zero changes.
    out = tmp_path / "export.xlsx"
    export_roster(out, Household.objects.all())
    again = import_roster(out, user=staff)
    assert again.ok, again.errors
    assert (again.counts["incomes_unchanged"], again.changes_anything) == (1, False)

    # A later file's figure for the same year replaces a figure a file gave...
    for row in rows:
        row["年人均纯收入"] = "3300"
    result = import_roster(
        write(tmp_path, rows, "b.xlsx", headers=headers()), user=staff, income_year=2019
    )
    assert result.counts["incomes_updated"] == 1
    assert IncomeRecord.objects.get().per_capita_net == Decimal("3300.00")
    # ...but never a cadre's own accounting of the year (its items say more than a total).
    income = IncomeRecord.objects.get()
    income.wage, income.persons = Decimal("8000"), 2
    income_record_save(record=income, by=staff)
    assert (income.reported, income.per_capita_net) == (False, Decimal("4000.00"))
    for row in rows:
        row["年人均纯收入"] = "3500"
    result = import_roster(
        write(tmp_path, rows, "c.xlsx", headers=headers()), user=staff, income_year=2019
    )
    assert result.counts["incomes_kept"] == 1
    assert IncomeRecord.objects.get().per_capita_net == Decimal("4000.00")


def test_a_bad_income_names_its_row(tmp_path, world, staff):
    rows = national(world)
    rows[0]["年人均纯收入"] = "三千"
    rows[0]["收入年度"] = "2050年"
    result = import_roster(write(tmp_path, rows, headers=[*headers(), "收入年度"]), user=staff)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "年人均纯收入", "应为数字。"),
        (2, "收入年度", "年份2050超出范围（2013至2035）。"),
    ]
