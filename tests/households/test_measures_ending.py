"""Measures that end (issue 26 item 3, in part): a loan or a contract always has an end date,
its usual term unless one is given, and the measure list finds those ending soon and those
past their end still marked under way, by the date in Asia/Shanghai."""

import datetime
import importlib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as live_apps
from django.urls import reverse

from accounts.choices import Role
from households.models import AssistanceMeasure
from poverty.sheets import KINDS
from tests.factories import AssistanceMeasureFactory, HouseholdFactory

from ..poverty.test_sheet_imports import sheet

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_loan_or_a_contract_gets_its_usual_end_unless_one_is_given(world):
    household = HouseholdFactory(village=world.v11)

    def saved(kind, start, end=None):
        return AssistanceMeasureFactory(
            household=household, measure_type=kind, start_date=start, end_date=end
        ).end_date

    # 小额信贷: three years, to the day before the start's anniversary.
    assert saved("microcredit", datetime.date(2024, 3, 1)) == datetime.date(2027, 2, 28)
    assert saved("welfare_job", datetime.date(2024, 2, 29)) == datetime.date(2025, 2, 27)
    assert saved("ecology", datetime.date(2025, 1, 1)) == datetime.date(2025, 12, 31)
    # Given: kept. Open-ended types: none invented.
    assert saved("microcredit", datetime.date(2024, 3, 1), datetime.date(2025, 6, 30)) == (
        datetime.date(2025, 6, 30)
    )
    assert saved("health", datetime.date(2024, 3, 1)) is None


def test_the_page_fills_the_usual_end_and_it_stays_editable(client, world, make_user):
    household = HouseholdFactory(village=world.v11)
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    data = {
        "household": household.pk,
        "measure_type": "microcredit",
        "description": "扶贫小额信贷5万元",
        "start_date": "2025-04-10",
        "status": "ongoing",
    }
    assert client.post(reverse("households:assistancemeasure_add"), data).status_code == 302
    loan = AssistanceMeasure.objects.get()
    assert loan.end_date == datetime.date(2028, 4, 9)
    edit = reverse("households:assistancemeasure_edit", args=[loan.pk])
    response = client.post(edit, {**data, "end_date": "2026-04-09"})
    assert response.status_code == 302, response.context["form"].errors
    loan.refresh_from_db()
    assert loan.end_date == datetime.date(2026, 4, 9)


@pytest.fixture
def loans(world):
    household = HouseholdFactory(village=world.v11)
    ends = {
        "today": datetime.date(2026, 4, 1),
        "in_30": datetime.date(2026, 5, 1),
        "in_31": datetime.date(2026, 5, 2),
        "in_90": datetime.date(2026, 6, 30),
        "yesterday": datetime.date(2026, 3, 31),
    }
    made = {
        name: AssistanceMeasureFactory(
            household=household,
            description=name,
            start_date=datetime.date(2024, 1, 1),
            end_date=end,
        )
        for name, end in ends.items()
    }
    # Finished or stopped: nobody has to act on them, whatever their dates.
    for status in ("done", "stopped"):
        AssistanceMeasureFactory(
            household=household,
            description=status,
            start_date=datetime.date(2024, 1, 1),
            end_date=ends["yesterday"],
            status=status,
        )
    return made


def listed(client, ending: str) -> set[str]:
    response = client.get(reverse("households:assistancemeasure_list"), {"ending": ending})
    return {row.record.description for row in response.context["table"].paginated_rows}


def test_the_list_finds_measures_ending_soon_and_ended_ones_still_running(
    client, world, make_user, loans
):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    # 00:30 on 1 April in Shanghai is still 31 March in UTC.
    with time_machine.travel(datetime.datetime(2026, 4, 1, 0, 30, tzinfo=SHANGHAI), tick=False):
        assert listed(client, "30") == {"today", "in_30"}
        assert listed(client, "60") == {"today", "in_30", "in_31"}
        assert listed(client, "90") == {"today", "in_30", "in_31", "in_90"}
        assert listed(client, "ended") == {"yesterday"}
    # A minute before midnight on 31 March in Shanghai: nothing has ended yet.
    with time_machine.travel(datetime.datetime(2026, 3, 31, 23, 59, tzinfo=SHANGHAI), tick=False):
        assert listed(client, "ended") == set()
        assert "yesterday" in listed(client, "30")
    page = client.get(reverse("households:assistancemeasure_list")).content.decode()
    assert "30天内到期" in page and "已到期仍在实施" in page


def test_a_reimported_loan_without_an_end_date_is_unchanged(tmp_path, world, make_user):
    staff = make_user(Role.COUNTY_STAFF, world.county)
    HouseholdFactory(village=world.v11, code="4201-0101")
    header = ["户编号", "措施类别", "措施内容", "开始日期", "结束日期"]
    row = ("4201-0101", "小额信贷", "扶贫小额信贷5万元", "2025-04-10", "")
    first = KINDS["measures"](staff).run(sheet(tmp_path, header, [row]))
    assert first.ok and AssistanceMeasure.objects.get().end_date == datetime.date(2028, 4, 9)
    again = KINDS["measures"](staff).run(sheet(tmp_path, header, [row], name="again.xlsx"))
    assert again.counts() == {"created": 0, "updated": 0, "unchanged": 1}


def test_loans_recorded_before_get_their_usual_end_from_the_migration(world):
    household = HouseholdFactory(village=world.v11)
    loan = AssistanceMeasureFactory(household=household, start_date=datetime.date(2023, 7, 1))
    job = AssistanceMeasureFactory(household=household, measure_type="industry")
    AssistanceMeasure.objects.filter(pk__in=[loan.pk, job.pk]).update(end_date=None)
    migration = importlib.import_module("households.migrations.0020_measure_usual_end")
    migration.usual_end_dates(live_apps, None)
    loan.refresh_from_db()
    job.refresh_from_db()
    assert (loan.end_date, job.end_date) == (datetime.date(2026, 6, 30), None)


def test_the_dashboard_counts_what_the_list_finds_under_its_area(client, world, make_user, loans):
    """One rule: the dashboard's 到期提醒 counts the list's 到期 filter, for the area shown."""
    elsewhere = HouseholdFactory(village=world.v21)
    AssistanceMeasureFactory(
        household=elsewhere,
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2026, 4, 2),
    )
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    with time_machine.travel(datetime.datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
        for area, extra in ((world.county, 1), (world.t1, 0)):
            page = client.get(f"/dashboard/{area.code}/", {"year": 2026})
            ending = page.context["ending"]
            assert ending == {"30": 2 + extra, "60": 3 + extra, "90": 4 + extra, "ended": 1}
            for key, count in ending.items():
                response = client.get(
                    reverse("households:assistancemeasure_list"), {"within": area.pk, "ending": key}
                )
                assert len(response.context["table"].rows) == count, (area.name, key)
            html = page.content.decode()
            assert f"?within={area.pk}&amp;ending=ended" in html and "已到期仍在实施 1 项" in html


def test_exited_households_whose_measure_runs_out_are_listed_for_follow_up(
    client, world, make_user
):
    """巩固: the household list, 已脱贫 and 措施到期, gives the cadre those to check."""
    exited = HouseholdFactory(village=world.v11, status="exited", exit_year=2025)
    still_poor = HouseholdFactory(village=world.v11)
    finished = HouseholdFactory(village=world.v12, status="exited", exit_year=2025)
    for household, status in ((exited, "ongoing"), (still_poor, "ongoing"), (finished, "done")):
        AssistanceMeasureFactory(
            household=household,
            start_date=datetime.date(2023, 6, 1),
            end_date=datetime.date(2026, 5, 15),
            status=status,
        )
    client.force_login(make_user(Role.VILLAGE_CADRE, world.v11))
    with time_machine.travel(datetime.datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
        response = client.get(
            reverse("households:household_list"), {"status": "exited", "measure_ending": "60"}
        )
        assert [row.record for row in response.context["table"].paginated_rows] == [exited]
        response = client.get(reverse("households:household_list"), {"measure_ending": "30"})
        assert list(response.context["table"].paginated_rows) == []
        response = client.get(reverse("households:household_list"), {"measure_ending": "90"})
        rows = {row.record for row in response.context["table"].paginated_rows}
        assert rows == {exited, still_poor}  # the cadre's own village only, running measures
