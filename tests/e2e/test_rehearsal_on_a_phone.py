"""An inspector, at a sampled home with a phone, fills the rehearsal's questionnaire item by
item; the verdict and the rehearsal's rates follow."""

import datetime
from decimal import Decimal

import pytest

from accounts.choices import Role
from exits.choices import Stratum
from exits.models import Rehearsal, Survey
from exits.rehearsal import rehearsal_draw
from households.choices import HouseholdStatus
from households.models import Household, PovertyLine
from households.periods import follow
from tests.factories import HouseholdFactory, MemberFactory, UserFactory, build_world

from .conftest import log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_inspector_fills_a_questionnaire_at_the_door(live_server, phone):
    world = build_world()
    PovertyLine.objects.get_or_create(year=2019, defaults={"income_line": Decimal("3218")})
    household = HouseholdFactory(village=world.v11, identified_year=2015, planned_exit_year=2019)
    MemberFactory(household=household)
    Household.objects.filter(pk=household.pk).update(status=HouseholdStatus.EXITED, exit_year=2019)
    follow([household.pk])
    staff = UserFactory(role=Role.COUNTY_STAFF, areas=[world.county])
    rehearsal = Rehearsal.objects.create(
        area=world.county,
        year=2019,
        title="十月预评估",
        villages_wanted=1,
        exited_per_village=1,
        remaining_per_village=0,
        others_per_village=1,
        seed=1,
    )
    rehearsal_draw(rehearsal=rehearsal, by=staff)
    survey = Survey.objects.get(rehearsal=rehearsal, stratum=Stratum.EXITED)
    UserFactory(username="inspector", role=Role.INSPECTOR, areas=[world.county])

    page = phone
    log_in(page, live_server, "inspector")
    page.goto(f"{live_server.url}{survey.get_absolute_url()}")
    page.click("text=填写问卷")
    page.wait_for_load_state()
    page.fill("input[name=surveyed_on]", "2019-10-20")
    page.fill("input[name=persons]", "2")
    page.fill("input[name=wage]", "4000")
    page.fill("input[name=transfer]", "1500")
    page.fill("input[name=business_costs]", "300")
    for name in ("food", "clothing", "education", "medical", "housing", "water", "satisfied"):
        page.select_option(f"select[name={name}]", "true")
    # The questionnaire fits the phone's width: nothing to scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "rehearsal-questionnaire-phone")
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    survey.refresh_from_db()
    # (4,000 + 1,500 − 300) ÷ 2 = 2,600, below 2019's 3,218: wrongly exited.
    assert (survey.income, survey.verdict) == (Decimal("2600.00"), "wrongly_exited")
    assert "错退" in page.inner_text("h1")
    assert survey.surveyed_on == datetime.date(2019, 10, 20)
