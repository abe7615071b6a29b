"""对口帮扶 (一帮三出): the 1 % rule against the commitment and the money in place, the money
read from the projects' own 对口帮扶 fund entries (counted once), the team on site, and the
pages a county and a city's liaison read."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.choices import Role
from projects.choices import FundKind, FundSource
from projects.models import HelpPairing, HelpTeamMember, HelpYear
from projects.selectors import help_years, pairing_summary
from tests.factories import FundEntryFactory, ProjectFactory
from villages.models import Area

pytestmark = pytest.mark.django_db


@pytest.fixture
def pairing(world) -> HelpPairing:
    return HelpPairing.objects.create(
        helper="晋中市榆次区",
        township=world.t1,
        start=datetime.date(2019, 1, 1),
        end=datetime.date(2020, 12, 31),
    )


def team(pairing, n: int, *, leader=True, left=None):
    for i in range(n):
        HelpTeamMember.objects.create(
            pairing=pairing,
            name=f"队员{i}",
            role="leader" if i == 0 else "member",
            county_leader=leader and i == 0,
            on_site_from=datetime.date(2019, 3, 1),
            on_site_until=left,
        )


def money(project, kind, yuan, day=datetime.date(2019, 6, 1), source=FundSource.PAIRING):
    FundEntryFactory(project=project, kind=kind, amount=Decimal(yuan), date=day, source=source)


def test_the_one_percent_rule_on_the_commitment_and_on_the_money_in_place(world, pairing):
    """榆社's 2019 figure: 1 % of a revenue of 959,500 万元 is 9,595 万元."""
    HelpYear.objects.create(pairing=pairing, year=2019, revenue=959500, committed=9594)
    project = ProjectFactory(
        area=world.t1, areas=[world.v11], help_pairing=pairing, help_deliverable="industry"
    )
    money(project, FundKind.ALLOCATED, "90000000")  # 9,000 万元
    money(project, FundKind.ALLOCATED, "5950000")  # 595 万元: 9,595 in all
    money(project, FundKind.DISBURSED, "40000000")
    # Not the helper's money: another source, another year, a project not linked to it.
    money(project, FundKind.ALLOCATED, "1000000", source=FundSource.COUNTY)
    money(project, FundKind.ALLOCATED, "1000000", day=datetime.date(2020, 1, 2))
    other = ProjectFactory(area=world.t1, areas=[world.v12])
    money(other, FundKind.ALLOCATED, "3000000")
    rows = {y.year: y for y in help_years(pairing)}
    y2019 = rows[2019]
    assert (y2019.required, y2019.committed, y2019.allocated) == (
        Decimal("9595.00"),
        Decimal("9594"),
        Decimal("9595.00"),
    )
    assert y2019.committed_ok is False and y2019.allocated_ok is True
    assert y2019.disbursed == Decimal("4000.00")
    # A year with money but no revenue stated: shown, the rule unknown.
    assert rows[2020].allocated == Decimal("100.00") and rows[2020].allocated_ok is None


def test_the_team_needs_six_on_site_led_by_a_county_level_leader(world, pairing):
    team(pairing, 6)
    assert pairing_summary([pairing], 2019)[0]["team_ok"]
    HelpTeamMember.objects.filter(pairing=pairing, role="member").first().delete()
    assert not pairing_summary([pairing], 2019)[0]["team_ok"]
    team(pairing, 2, leader=False, left=datetime.date(2019, 5, 1))  # left before the year's end
    row = pairing_summary([pairing], 2019)[0]
    assert row["team"] == 5 and not row["team_ok"]


def test_a_project_of_the_pairing_names_its_deliverable(world, pairing):
    project = ProjectFactory(area=world.t1, areas=[world.v11])
    project.help_pairing = pairing
    with pytest.raises(ValidationError, match="帮扶成果类别"):
        project.clean()
    ProjectFactory(
        area=world.t1, areas=[world.v11], help_pairing=pairing, help_deliverable="model_village"
    )
    assert pairing_summary([pairing], 2019)[0]["delivered"] == {"样板村": 1}


def test_a_pairing_is_with_a_township_and_for_a_period(world):
    bad = HelpPairing(
        helper="某区",
        township=world.v11,
        start=datetime.date(2020, 1, 1),
        end=datetime.date(2019, 1, 1),
    )
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert "请选择乡镇。" in str(exc.value)
    bad.township = world.t1
    with pytest.raises(ValidationError, match="不能早于"):
        bad.full_clean()
    bad.end, bad.helper_area = datetime.date(2021, 1, 1), world.county
    with pytest.raises(ValidationError, match="不能是受帮扶乡镇本身或其上级"):
        bad.full_clean()


def test_the_city_liaison_sees_every_county_pairing_and_who_falls_short(
    client, world, pairing, make_user
):
    HelpYear.objects.create(pairing=pairing, year=2019, revenue=100000, committed=500)
    team(pairing, 6)
    other = HelpPairing.objects.create(
        helper="介休市",
        township=world.t2,
        start=datetime.date(2019, 1, 1),
        end=datetime.date(2020, 12, 31),
    )
    HelpYear.objects.create(pairing=other, year=2019, revenue=50000, committed=600)
    project = ProjectFactory(
        area=world.t2, areas=[world.v21], help_pairing=other, help_deliverable="livelihood"
    )
    money(project, FundKind.ALLOCATED, "6000000")
    city = Area.objects.get(code=world.county.code[:4] + "00000000")
    client.force_login(make_user(Role.COUNTY_STAFF, city))
    page = client.get(reverse("projects:helppairing_list"), {"year": 2019})
    rows = {r["pairing"].helper: r for r in page.context["summary"]}
    assert set(rows) == {"晋中市榆次区", "介休市"}
    assert rows["晋中市榆次区"]["year"].committed_ok is False  # 500 < 1,000
    assert rows["晋中市榆次区"]["year"].allocated_ok is False  # nothing in place
    assert rows["介休市"]["year"].allocated_ok is True  # 600 ≥ 500
    text = page.content.decode()
    assert "不足1%" in text and "民生工程1个" in text
    # A township sees its own pairing only.
    client.force_login(make_user(Role.TOWNSHIP_STAFF, world.t1))
    page = client.get(reverse("projects:helppairing_list"), {"year": 2019})
    assert [r["pairing"].helper for r in page.context["summary"]] == ["晋中市榆次区"]
    detail = client.get(pairing.get_absolute_url()).content.decode()
    assert "在岗6人" in detail and "承诺不足1%" in detail


@pytest.mark.parametrize("pairings", [1, 4])
def test_the_pairing_list_costs_the_same_with_more_pairings(
    client, world, make_user, django_assert_max_num_queries, pairings
):
    for n in range(pairings):
        p = HelpPairing.objects.create(
            helper=f"帮扶区{n}",
            township=world.t1 if n % 2 else world.t2,
            start=datetime.date(2019, 1, 1),
            end=datetime.date(2020, 12, 31),
        )
        HelpYear.objects.create(pairing=p, year=2019, revenue=1000, committed=10)
        team(p, 2)
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("projects:helppairing_list"), {"year": 2019}).status_code == 200
