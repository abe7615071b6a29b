"""Every new list page and API list of 出列/摘帽, the rehearsal and 对口帮扶 costs the same at
3 rows and at 30."""

from __future__ import annotations

import datetime
import itertools

import pytest

from accounts.choices import Role
from exits.models import ExitStep, Item, Reading, Rehearsal, Standard, Survey
from projects.models import HelpPairing, HelpTeamMember, HelpYear
from tests.factories import UserFactory
from tests.test_query_counts import assert_same_at_3_and_30

pytestmark = pytest.mark.django_db
SERIAL = itertools.count()


def grow(world, n):
    """n more rows of every model of these pages, over the villages and townships."""
    by = UserFactory(areas=[world.county])
    for i in range(n):
        k = next(SERIAL)
        village, township = world.villages[i % 4], world.townships[i % 2]
        standard, _ = Standard.objects.get_or_create(
            area=world.county, level="village", year=2013 + k % 23, defaults={"title": f"标准{k}"}
        )
        item = Item.objects.create(standard=standard, name="卫生室", kind="yes")
        Reading.objects.create(item=item, area=village, met=True, recorded_by=by)
        ExitStep.objects.create(area=village, year=2019, step="propose", taken_by=by)
        rehearsal = Rehearsal.objects.create(
            area=world.county, year=2019, title=f"预评估{k}", status="drawn"
        )
        Survey.objects.create(rehearsal=rehearsal, village=village, stratum="other", slot=1)
        pairing = HelpPairing.objects.create(
            helper=f"帮扶区{k}",
            township=township,
            start=datetime.date(2019, 1, 1),
            end=datetime.date(2020, 12, 31),
        )
        HelpYear.objects.create(pairing=pairing, year=2019, revenue=1000, committed=10)
        HelpTeamMember.objects.create(
            pairing=pairing, name="队长", role="leader", on_site_from=datetime.date(2019, 3, 1)
        )


# url name -> queries for a county user (session, user, areas, count, page, filter choices…)
PAGES = {
    "exits:standard_list": 6,  # and the areas to filter by
    "exits:reading_list": 7,  # and the standards
    "exits:exitstep_list": 6,
    "exits:rehearsal_list": 6,
    "exits:survey_list": 7,  # and the rehearsals
    "projects:helppairing_list": 11,  # the year's summary: years, money, team, deliverables
    "projects:helpteammember_list": 7,  # and the pairings with their townships
    "api:standard-list": 5,
    "api:reading-list": 5,
    "api:exitstep-list": 5,
    "api:helppairing-list": 5,
}


@pytest.mark.parametrize(("name", "queries"), PAGES.items())
def test_lists_cost_the_same_at_3_and_30_rows(
    client, make_user, world, django_assert_num_queries, name, queries
):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    assert_same_at_3_and_30(client, world, django_assert_num_queries, name, queries, grow)
