"""poverty.common.bulk: rows and their history inserted without the ORM (COPY on PostgreSQL)."""

import datetime

import pytest

from households.models import Household, Member
from poverty.common import bulk
from tests.factories import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db

AWKWARD = ["tab\there", "two\nlines", "back\\slash", "\\N", "", "回车\r", "普通"]


def test_rows_and_their_history_keep_every_character_and_get_defaults(world, make_user):
    household = HouseholdFactory(village=world.v11)
    user = make_user()
    ids = bulk.reserve_ids(Member, len(AWKWARD))
    rows = [
        (pk, household.pk, name, "female", datetime.date(1970, 1, n + 1), "other", f"h{n}")
        for n, (pk, name) in enumerate(zip(ids, AWKWARD, strict=True))
    ]
    fields = ["id", "household_id", "name", "gender", "birth_date", "relation", "id_number_hash"]
    bulk.insert_with_history(Member, fields, rows, user=user)

    members = Member.objects.filter(pk__in=ids).order_by("pk")
    assert [m.name for m in members] == AWKWARD
    first = members[0]
    assert first.health == "healthy"  # the field's default
    assert first.education == "" and first.created_at is not None
    assert first.birth_date == datetime.date(1970, 1, 1)
    history = Member.history.filter(id__in=ids).order_by("id")
    assert [h.name for h in history] == AWKWARD
    assert {(h.history_type, h.history_user_id) for h in history} == {("+", user.pk)}
    assert history[0].created_at == first.created_at


def test_reserved_ids_are_never_handed_out_again(world):
    household = HouseholdFactory(village=world.v11)
    ids = bulk.reserve_ids(Member, 3)
    assert ids == sorted(ids) and len(set(ids)) == 3
    # Reserved but not (yet) written: the ORM's next row still comes after them.
    assert MemberFactory(household=household).pk > ids[-1]
    assert bulk.reserve_ids(Member, 2)[0] > ids[-1]
    assert bulk.reserve_ids(Member, 0) == []


def test_history_leaves_out_what_the_model_excludes_from_it(world, make_user):
    # Household history excludes "persons": its rows come from the kept values only.
    user = make_user()
    (pk,) = bulk.reserve_ids(Household, 1)
    fields = ["id", "code", "village_id", "persons", "category", "primary_cause"]
    fields += ["status", "identified_year", "planned_exit_year"]
    row = (pk, "TAB\tCODE", world.v11.pk, 4, "general", "illness", "assisted", 2015, 2018)
    bulk.insert_with_history(Household, fields, [row], user=user)

    household = Household.objects.get(pk=pk)
    assert (household.code, household.persons, household.village_id) == (
        "TAB\tCODE",
        4,
        world.v11.pk,
    )
    (history,) = Household.history.filter(id=pk)
    assert (history.code, history.village_id, history.primary_cause) == (
        "TAB\tCODE",
        world.v11.pk,
        "illness",
    )
    assert (history.history_type, history.history_user_id) == ("+", user.pk)
    assert history.created_at == household.created_at


def test_the_collector_comes_back_on_after_a_failed_bulk_job():
    import gc

    assert gc.isenabled()
    with pytest.raises(RuntimeError), bulk.gc_paused():
        assert not gc.isenabled()
        raise RuntimeError("the job failed")
    assert gc.isenabled()
