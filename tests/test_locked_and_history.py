"""Closed work stays as it was closed, and every change shows who, when and field by field
before → after (poverty.common.history) on the object's page."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from accounts.tokens import issue
from households.selectors import audit_trail
from inspections import services
from inspections.choices import Status
from inspections.models import Finding
from tests.factories import FindingFactory, HouseholdFactory, IncomeRecordFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def closed_finding(world, make_user):
    township = make_user(Role.TOWNSHIP_STAFF, world.t1)
    inspector = make_user(Role.INSPECTOR, world.county)
    finding = FindingFactory(area=world.v11, deadline=datetime.date(2030, 1, 1))
    services.finding_plan_record(finding=finding, by=township, plan="方案")
    Finding.objects.filter(pk=finding.pk).update(status=Status.SUBMITTED, submitted_by=township)
    services.finding_close(
        finding=Finding.objects.get(pk=finding.pk), by=inspector, note="整改到位"
    )
    return Finding.objects.get(pk=finding.pk)


def test_a_closed_finding_cannot_be_edited_or_deleted_on_pages_or_the_api(world, make_user):
    finding = closed_finding(world, make_user)
    staff = make_user(Role.INSPECTOR, world.county)  # who may edit and delete findings
    client = Client()
    client.force_login(staff)
    page = client.get(finding.get_absolute_url()).content.decode()
    assert "已验收销号，不能再修改或删除" in page
    assert reverse("inspections:finding_edit", args=[finding.pk]) not in page
    for name in ("inspections:finding_edit", "inspections:finding_delete"):
        url = reverse(name, args=[finding.pk])
        for response in (client.get(url), client.post(url, {"deadline": "2031-01-01"})):
            assert response.status_code == 403
            assert "已验收销号" in response.content.decode()
    token = issue(staff)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    url = reverse("api:finding-detail", args=[finding.pk])
    assert (
        api.patch(url, {"deadline": "2031-01-01"}, content_type="application/json").status_code
        == 403
    )
    assert api.delete(url).status_code == 403
    kept = Finding.objects.get(pk=finding.pk)
    assert (kept.deadline, kept.status) == (datetime.date(2030, 1, 1), Status.CLOSED)


def test_an_open_finding_is_still_edited_as_before(world, make_user):
    finding = FindingFactory(area=world.v11)
    client = Client()
    client.force_login(make_user(Role.INSPECTOR, world.county))
    assert client.get(reverse("inspections:finding_edit", args=[finding.pk])).status_code == 200


def history_rows(page: str) -> str:
    return page[page.index('id="history"') :].split("</table>")[0]


def test_a_projects_page_shows_each_change_field_by_field(world, make_user):
    staff = make_user(Role.COUNTY_STAFF, world.county, last_name="周")
    project = ProjectFactory(area=world.t1, name="旧名称")
    project.name = "新名称"
    project._history_user = staff
    project.save()
    client = Client()
    client.force_login(staff)
    rows = history_rows(client.get(project.get_absolute_url()).content.decode())
    assert "周" in rows and "旧名称 → 新名称" in rows


def test_the_household_history_includes_income_changes(world, make_user):
    staff = make_user(Role.COUNTY_STAFF, world.county)
    household = HouseholdFactory(village=world.v11)
    income = IncomeRecordFactory(household=household, year=2019)
    income.wage = 8000
    income._history_user = staff
    income.save()
    entries = audit_trail(household, sensitive=False)
    changed = [e for e in entries if e.what == "2019年收入" and e.kind == "修改"]
    assert changed and any(c.old == "5000.00" and c.new == "8000.00" for c in changed[0].changes)
