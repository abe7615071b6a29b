"""The registry extract: households with members, causes, measures, income and status, visits
and pairings; masked without the sensitive-data permission; the pages' filters; page by page."""

import pytest

from accounts.choices import Role
from accounts.tokens import issue
from households.choices import HouseholdStatus
from households.models import Household
from tests.factories import (
    AssistanceMeasureFactory,
    CadreFactory,
    HouseholdFactory,
    HouseholdPairingFactory,
    IncomeRecordFactory,
    MemberFactory,
    UnitFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db


def get(client, user, path, **params):
    token = issue(user).key
    return client.get(path, params, HTTP_AUTHORIZATION=f"Token {token}")


@pytest.fixture
def household(world):
    cadre = CadreFactory(unit=UnitFactory(area=world.county))
    h = HouseholdFactory(
        village=world.v11, phone="13812345678", primary_cause="illness", other_causes="no_labour"
    )
    MemberFactory(household=h, name="王小明", health="chronic")
    AssistanceMeasureFactory(household=h, cadre=cadre, measure_type="industry")
    IncomeRecordFactory(household=h, year=2019)
    VisitFactory(household=h, cadre=cadre)
    HouseholdPairingFactory(household=h, cadre=cadre)
    return h


def test_a_client_without_the_sensitive_permission_sees_masks(client, world, make_user, household):
    body = get(client, make_user(Role.API_CLIENT, world.county), "/api/v1/households/").json()
    [row] = body["results"]
    assert row["code"] == household.code and row["village_name"] == "一乡甲村"
    assert row["phone"] == "138****5678"
    assert (row["primary_cause"], row["other_causes"]) == ("illness", ["no_labour"])
    members = {m["name"]: m for m in row["members"]}
    assert set(members) == {f"户主{household.code}", "王小明"}
    child = members["王小明"]
    assert child["id_number"].count("*") == 10 and child["health"] is None
    assert [m["measure_type"] for m in row["measures"]] == ["industry"]
    assert [i["year"] for i in row["incomes"]] == [2019]


def test_staff_with_the_permission_see_the_full_numbers(client, world, make_user, household):
    row = get(client, make_user(Role.COUNTY_STAFF, world.county), "/api/v1/households/").json()
    row = row["results"][0]
    assert row["phone"] == "13812345678"
    child = next(m for m in row["members"] if m["name"] == "王小明")
    assert "*" not in child["id_number"] and len(child["id_number"]) == 18
    assert child["health"] == "chronic"


def test_the_extract_filters_like_the_page_and_reads_page_by_page(client, world, make_user):
    user = make_user(Role.API_CLIENT, world.county)
    for i in range(7):
        h = HouseholdFactory(village=world.villages[i % 4], primary_cause="illness")
        if i < 3:
            Household.objects.filter(pk=h.pk).update(status=HouseholdStatus.EXITED, exit_year=2019)
    HouseholdFactory(village=world.v21, primary_cause="no_water")
    assert get(client, user, "/api/v1/households/", status="exited").json()["count"] == 3
    assert get(client, user, "/api/v1/households/", cause="no_water").json()["count"] == 1
    assert get(client, user, "/api/v1/households/", within=world.t2.pk).json()["count"] == 4
    seen, page = [], 1
    while True:
        body = get(client, user, "/api/v1/households/", page_size=3, page=page).json()
        seen += [r["code"] for r in body["results"]]
        if not body["next"]:
            break
        page += 1
    assert seen == sorted(Household.objects.values_list("code", flat=True)) and page == 3
    bad = get(client, user, "/api/v1/households/", status="gone")
    assert bad.status_code == 400 and "status" in bad.json()


def test_visits_and_pairings_follow_the_clients_area(client, world, make_user, household):
    other = HouseholdFactory(village=world.v21)
    VisitFactory(household=other, cadre=CadreFactory(unit=UnitFactory(area=world.county)))
    township = make_user(Role.API_CLIENT, world.t1)
    visits = get(client, township, "/api/v1/visits/").json()
    assert [v["household"] for v in visits["results"]] == [household.pk]
    pairings = get(client, township, "/api/v1/household-pairings/").json()
    assert [p["household"] for p in pairings["results"]] == [household.pk]
    assert get(client, township, f"/api/v1/households/{other.pk}/").status_code == 404


def test_a_search_by_id_number_is_posted_and_refused_in_the_address(
    client, world, make_user, household
):
    """Issue 28 item 6: the number travels in the body, never in a URL that access logs,
    proxies and histories keep; the search reads like the list (scope, masks, pages)."""
    number = household.members.get(name="王小明").id_number
    elsewhere = HouseholdFactory(village=world.v21)
    hidden = elsewhere.members.get().id_number
    reader = make_user(Role.API_CLIENT, world.t1)  # may only read, in township 1
    token = issue(reader).key
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}

    def search(body, **query):
        path = "/api/v1/households/search/"
        if query:
            path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        return client.post(path, body, content_type="application/json", **auth)

    found = search({"q": f" {number.lower()} "})
    assert found.status_code == 200
    [row] = found.json()["results"]
    assert row["code"] == household.code and row["phone"] == "138****5678"
    assert search({"q": hidden}).json()["results"] == []  # another township's: not found
    assert search({"q": "王小明", "status": "assisted"}, page_size=1).json()["count"] == 1

    refused = client.get("/api/v1/households/", {"q": number}, **auth)
    assert refused.status_code == 400
    assert "POST /api/v1/households/search/" in refused.json()["q"][0]
    assert client.get("/api/v1/households/", {"q": "王小明"}, **auth).json()["count"] == 1
    # The search is a read: the list itself still takes no writes, even from county staff.
    staff = issue(make_user(Role.COUNTY_STAFF, world.county)).key
    created = client.post("/api/v1/households/", {}, HTTP_AUTHORIZATION=f"Token {staff}")
    assert created.status_code == 405
    bad = search({"status": "gone"})
    assert bad.status_code == 400 and "status" in bad.json()


def test_the_extract_reads_by_cursor_to_the_end_in_order(
    client, world, make_user, django_assert_num_queries
):
    """Issue 27 item 2: a cursor page costs the same at any depth; old page links still work."""
    user = make_user(Role.API_CLIENT, world.county)
    for i in range(9):
        HouseholdFactory(village=world.villages[i % 4])
    HouseholdFactory(village=world.v21, primary_cause="no_water")
    auth = {"HTTP_AUTHORIZATION": f"Token {issue(user).key}"}
    client.get("/api/v1/households/", **auth)  # the token and the user's areas, looked up once

    seen, url, pages = [], "/api/v1/households/?cursor=&page_size=3", 0
    while url:
        # the same queries at every depth: no count, no rows read and thrown away
        with django_assert_num_queries(7):
            body = client.get(url, **auth).json()
        assert body["count"] is None
        seen += [row["code"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    assert seen == sorted(Household.objects.values_list("code", flat=True)) and pages == 4
    # Filters go along with the cursor.
    filtered = client.get("/api/v1/households/?cursor=&cause=no_water", **auth).json()
    assert [row["primary_cause"] for row in filtered["results"]] == ["no_water"]
    both = client.get("/api/v1/households/?cursor=&page=2", **auth)
    assert both.status_code == 400 and "page 与 cursor" in both.json()["cursor"][0]
    assert client.get("/api/v1/households/?page=2&page_size=3", **auth).json()["count"] == 10
