"""A cadre's phone shown in full is logged like a household's personal data, on the pages and
in the API; shown masked, it is not (poverty.personal.access)."""

import pytest
from django.urls import reverse

from accounts.choices import Role
from households.models import SensitiveAccess
from tests.factories import CadreFactory, UnitFactory
from villages.views import CADRE_PHONES

pytestmark = pytest.mark.django_db


@pytest.fixture
def cadres(world):
    unit = UnitFactory(area=world.t1)
    return [CadreFactory(unit=unit, phone="13912345678") for _ in range(3)] + [
        CadreFactory(unit=unit, phone="")
    ]


def logged(user):
    return sorted(
        SensitiveAccess.objects.filter(user=user, what__startswith="查看干部").values_list(
            "cadre_id", flat=True
        )
    )


def test_the_detail_page_logs_a_phone_shown_in_full(client, world, make_user, cadres):
    staff = make_user(Role.TOWNSHIP_STAFF, world.t1)
    client.force_login(staff)
    page = client.get(reverse("villages:cadre_detail", args=[cadres[0].pk])).content.decode()
    assert "13912345678" in page
    assert logged(staff) == [cadres[0].pk]
    assert SensitiveAccess.objects.get(user=staff).what == CADRE_PHONES
    client.get(reverse("villages:cadre_detail", args=[cadres[3].pk]))  # no phone: nothing shown
    assert logged(staff) == [cadres[0].pk]


def test_the_list_logs_each_phone_it_shows(client, world, make_user, cadres):
    staff = make_user(Role.TOWNSHIP_STAFF, world.t1)
    client.force_login(staff)
    client.get(reverse("villages:cadre_list"))
    assert logged(staff) == sorted(c.pk for c in cadres[:3])


def test_a_masked_phone_is_not_logged(client, world, make_user, cadres):
    leader = make_user(Role.LEADER, world.t1)
    client.force_login(leader)
    page = client.get(reverse("villages:cadre_detail", args=[cadres[0].pk])).content.decode()
    assert "13912345678" not in page and "139****5678" in page
    client.get(reverse("villages:cadre_list"))
    assert not SensitiveAccess.objects.exists()


def test_the_api_logs_each_cadre_it_shows_in_full(client, world, make_user, cadres):
    staff = make_user(Role.TOWNSHIP_STAFF, world.t1)
    client.force_login(staff)
    rows = client.get(reverse("api:cadre-list")).json()["results"]
    assert {r["phone"] for r in rows} == {"13912345678", ""}
    assert sorted(
        SensitiveAccess.objects.filter(user=staff).values_list("cadre_id", flat=True)
    ) == (sorted(c.pk for c in cadres))
    leader = make_user(Role.LEADER, world.t1)
    client.force_login(leader)
    client.get(reverse("api:cadre-list"))
    assert not SensitiveAccess.objects.filter(user=leader).exists()
