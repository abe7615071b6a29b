"""The findings and notices API: the page filters, the same refusals, notices read-only."""

import datetime

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.tokens import issue
from inspections.choices import Status
from inspections.models import Finding
from inspections.notices import make_notices
from tests.factories import (
    CadreFactory,
    FindingFactory,
    HouseholdFactory,
    InspectionFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {issue(user).key}"}


def test_findings_filter_by_status_overdue_and_unit(client, world, make_user):
    unit = UnitFactory(area=world.county)
    late = FindingFactory(area=world.v11, unit=unit, deadline=D(2019, 4, 1))
    FindingFactory(area=world.v21, deadline=D(2099, 1, 1))
    done = FindingFactory(area=world.v12, unit=unit, deadline=D(2019, 4, 1))
    Finding.objects.filter(pk=done.pk).update(status=Status.CLOSED, closed_on=D(2019, 3, 30))
    headers = bearer(make_user(Role.API_CLIENT, world.county))
    url = reverse("api:finding-list")
    body = client.get(url, {"overdue": "true"}, **headers).json()
    assert [(r["id"], r["days_overdue"] > 0, r["status_label"]) for r in body["results"]] == [
        (late.pk, True, "待整改")
    ]
    assert client.get(url, {"unit": unit.pk, "status": "closed"}, **headers).json()["count"] == 1
    # A township client sees its township only.
    township = bearer(make_user(Role.API_CLIENT, world.t2))
    assert client.get(url, **township).json()["count"] == 1


def test_an_inspector_records_a_finding_and_cannot_set_its_state(client, world, make_user):
    inspector = make_user(Role.INSPECTOR, world.county)
    client.force_login(inspector)
    unit = UnitFactory(area=world.county)
    data = {
        "inspection": InspectionFactory(area=world.county).pk,
        "category": "funds",
        "subject": "village",
        "area": world.v21.pk,
        "description": "资金拨付滞后",
        "unit": unit.pk,
        "person": CadreFactory(unit=unit).pk,
        "found_on": "2019-03-02",
        "deadline": "2019-04-01",
        "status": "closed",
    }
    response = client.post(reverse("api:finding-list"), data, content_type="application/json")
    assert response.status_code == 201, response.content
    finding = Finding.objects.get()
    assert (finding.status, finding.recorded_by) == (Status.OPEN, inspector)
    # About a household: the area is the household's village, whatever was sent.
    about = {**data, "subject": "household", "household": HouseholdFactory(village=world.v12).pk}
    response = client.post(reverse("api:finding-list"), about, content_type="application/json")
    assert response.status_code == 201, response.content
    assert (response.json()["area"], response.json()["project"]) == (world.v12.pk, None)
    del about["area"]
    about["household"] = HouseholdFactory(village=world.v11).pk
    response = client.post(reverse("api:finding-list"), about, content_type="application/json")
    assert response.json()["area"] == world.v11.pk
    data.update(deadline="2019-03-01")
    response = client.post(reverse("api:finding-list"), data, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["deadline"] == ["整改时限不能早于发现日期。"]


def test_notices_are_read_with_their_items(client, world, make_user):
    finding = FindingFactory(area=world.v11, found_on=D(2019, 3, 2), deadline=D(2019, 3, 20))
    make_notices(D(2019, 3, 1), today=D(2019, 4, 1))
    headers = bearer(make_user(Role.API_CLIENT, world.county))
    body = client.get(reverse("api:notice-list"), {"kind": "bulletin"}, **headers).json()
    [bulletin] = body["results"]
    assert (bulletin["title"], bulletin["summary"]["totals"]["overdue"]) == (
        "督导通报 2019年第3期",
        1,
    )
    assert bulletin["items"] == [
        {
            "finding": finding.pk,
            "status": "open",
            "days_overdue": 12,
            "deadline": "2019-03-20",
            "unit": finding.unit_id,
        }
    ]
    response = client.post(reverse("api:notice-list"), {}, **headers)
    assert response.status_code in (403, 405)


@pytest.mark.parametrize(
    ("url", "role"),
    [("/api/v1/findings/", Role.INSPECTOR), ("/api/v1/projects/", Role.COUNTY_STAFF)],
)
def test_json_nested_beyond_parsing_is_a_400_not_a_server_error(
    client, world, make_user, url, role
):
    client.force_login(make_user(role, world.county))
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "JSON 嵌套层数过多，无法解析。"


def test_a_body_larger_than_the_limit_is_refused_before_it_is_parsed(
    client, world, make_user, settings, monkeypatch
):
    """DATA_UPLOAD_MAX_MEMORY_SIZE holds for API bodies too, answered in JSON (413), not with
    the HTML 400 page Django gives a form."""
    import json as json_module

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    parsed = []
    real_load = json_module.load
    monkeypatch.setattr("rest_framework.utils.json.load", lambda *a, **k: parsed.append(1))
    client.force_login(make_user(Role.INSPECTOR, world.county))
    body = json_module.dumps({"description": "x" * (1024 * 1024)})
    response = client.post("/api/v1/findings/", body, content_type="application/json")
    assert response.status_code == 413 and "请求体超过1 MB" in response.json()["detail"]
    assert parsed == []  # refused before the parser saw it
    monkeypatch.setattr("rest_framework.utils.json.load", real_load)
    small = client.post("/api/v1/findings/", "{}", content_type="application/json")
    assert small.status_code == 400  # parsed, then judged: fields are missing
