"""The household search, as the list and the search box answer it, gives exactly what a plain
scan of the user's households gives: every match, in the list's order, page by page. The pages
read the page's ids first and then its rows (ScopedQuerySet.ids_first, issue 27), which must not
change a single result."""

import random

import pytest
from django.db import connection

from accounts.choices import Role
from households.models import Household, Member
from tests.factories import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db

LIST = "/registry/households/"
PICK = "/registry/households/pick/"
NAMES = ["王秀兰", "陈秀兰", "李建国", "张伟", "张秀英", "刘洋", "成员"]


@pytest.fixture
def registry(world):
    rng = random.Random(27)
    villages = [world.v11, world.v12, world.v21, world.v22]
    for n in range(45):
        household = HouseholdFactory(
            village=rng.choice(villages), code=f"S{rng.randint(0, 999):03d}-{n}"
        )
        for _ in range(rng.randint(0, 3)):
            MemberFactory(household=household, name=rng.choice(NAMES))
    return world


def scan(user, query: str) -> list[Household]:
    """The matches by hand: the user's households whose 户编号 or any member's name holds the
    text, in the list's order (village, then 户编号)."""
    mine = Household.objects.restrict(user)
    found = [
        h
        for h in mine.prefetch_related("members")
        if query.upper() in h.code.upper() or any(query in m.name for m in h.members.all())
    ]
    return sorted(found, key=lambda h: (h.village.code, h.code))


def listed(client, query: str, per_page: int = 4) -> list[int]:
    """Every row of every page of the list searched for `query`."""
    shown, page = [], 1
    while True:
        response = client.get(LIST, {"q": query, "per_page": per_page, "page": page})
        table = response.context["table"]
        shown += [row.record.pk for row in table.paginated_rows]
        if not table.page.has_next():
            return shown
        page += 1


def test_the_list_and_the_box_find_what_a_plain_scan_finds(client, registry, make_user):
    for area, role in ((registry.county, Role.COUNTY_STAFF), (registry.t1, Role.TOWNSHIP_STAFF)):
        user = make_user(role, area)
        client.force_login(user)
        for query in ("秀兰", "张", "成员", "王秀兰", "S0", "s0", "-1", "兰", "秀兰王", "无此人"):
            expected = scan(user, query)
            assert listed(client, query) == [h.pk for h in expected], (area.name, query)
            # The box: the first 20 by 户编号, and whether there are more.
            box = client.get(PICK, {"q": query}).context
            by_code = sorted(expected, key=lambda h: h.code)
            assert [h.pk for h in box["matches"]] == [h.pk for h in by_code[:20]]
            assert box["more"] == (len(by_code) > 20)
            # Each row still carries what the page shows (the head's name, the village).
            for household in box["matches"]:
                assert household.village.code and hasattr(household, "head_name")


def test_ids_first_slices_give_the_rows_a_plain_slice_gives(registry):
    households = Household.objects.with_summary()
    for ordering in (("village__code", "code"), ("-head_name", "pk"), ("-pk",)):
        plain = list(households.order_by(*ordering))
        two_step = households.order_by(*ordering).ids_first()
        for start, stop in ((0, 5), (5, 17), (40, 60), (60, 70)):
            rows = two_step[start:stop]
            assert [h.pk for h in rows] == [h.pk for h in plain[start:stop]]
            assert [h.head_name for h in rows] == [h.head_name for h in plain[start:stop]]
    # values() and counting are untouched.
    assert list(households.ids_first().values_list("pk", flat=True)[:3]) == [
        h.pk for h in list(households)[:3]
    ]
    assert households.ids_first().count() == 45


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the kept grams are PostgreSQL's")
def test_the_kept_grams_follow_the_code_and_the_names(world):
    """What the GIN index narrows by (migration 0025): every character and pair of the
    upper-cased 户编号 and names, none across a space, refreshed by PostgreSQL on each write."""

    def grams(household) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT search_grams FROM households_household WHERE id = %s", [household.pk]
            )
            return set(cursor.fetchone()[0])

    household = HouseholdFactory(village=world.v11, code="ab-1", head=False)
    MemberFactory(household=household, relation="head", name="张三")
    MemberFactory(household=household, relation="child", name="李四")
    expected = {"A", "B", "-", "1", "AB", "B-", "-1", "张", "三", "张三", "李", "四", "李四"}
    assert grams(household) == expected
    Member.objects.get(name="李四").delete()
    household.refresh_from_db()
    household.code = "AB-2"
    household.save()
    assert grams(household) == {"A", "B", "-", "2", "AB", "B-", "-2", "张", "三", "张三"}
