"""Every list page and API list costs the same number of queries at 3 rows and at 30."""

import pytest
from django.urls import reverse

from accounts.choices import Role
from tests.factories import (
    CadreFactory,
    LeaderPairingFactory,
    UnitFactory,
    UnitPairingFactory,
    VillagePostingFactory,
)

pytestmark = pytest.mark.django_db


def grow(world, n):
    """n more rows of every villages model, spread over the villages."""
    unit = UnitFactory(area=world.county)
    for i in range(n):
        village = world.villages[i % 4]
        cadre = CadreFactory(unit=unit, is_leader=True)
        VillagePostingFactory(cadre=cadre, village=village)
        UnitPairingFactory(unit=UnitFactory(area=world.county), village=village)
        LeaderPairingFactory(leader=cadre, area=village)


# url name -> queries for a county user (session, user, areas, count, page, plus filter choices).
PAGES = {
    "villages:area_list": 6,
    "villages:unit_list": 6,
    "villages:cadre_list": 6,
    "villages:villageposting_list": 6,
    "villages:unitpairing_list": 7,
    "villages:leaderpairing_list": 6,
    "api:area-list": 5,
    "api:unit-list": 5,
    "api:cadre-list": 5,
    "api:villageposting-list": 5,
    "api:unitpairing-list": 5,
    "api:leaderpairing-list": 5,
    "home": 11,
}


@pytest.mark.parametrize(("name", "queries"), PAGES.items())
def test_query_count_does_not_grow_with_rows(
    client, make_user, world, django_assert_num_queries, name, queries
):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    grow(world, 3)
    with django_assert_num_queries(queries):
        assert client.get(reverse(name)).status_code == 200
    grow(world, 27)
    with django_assert_num_queries(queries):
        assert client.get(reverse(name)).status_code == 200
