import datetime

import pytest
from django.core.exceptions import ValidationError

from tests.factories import (
    CadreFactory,
    LeaderPairingFactory,
    UnitFactory,
    VillagePostingFactory,
)
from villages.choices import PostingRole
from villages.models import Area, VillagePosting

pytestmark = pytest.mark.django_db


def test_level_and_parent_follow_from_the_code(world):
    assert world.v11.level == "village"
    assert world.v11.parent == world.t1
    assert world.t1.parent == world.county
    assert world.v11.full_name() == "测试县一乡一乡甲村"


def test_a_township_cannot_be_a_poor_village(world):
    world.t1.is_poor = True
    world.t1.planned_exit_year = 2018
    with pytest.raises(ValidationError) as exc:
        world.t1.full_clean()
    assert "只有行政村可以标记为贫困村" in str(exc.value)


def test_a_poor_village_needs_a_planned_exit_year(world):
    village = Area(code="990123100203", name="丙村", is_poor=True)
    with pytest.raises(ValidationError) as exc:
        village.full_clean()
    assert "计划退出年度" in str(exc.value)


def test_only_poor_villages_exit(world):
    world.v12.actual_exit_year = 2019
    with pytest.raises(ValidationError, match="非贫困村没有退出年度"):
        world.v12.full_clean()


def test_a_village_needs_its_township_first(world):
    orphan = Area(code="990123555201", name="孤村")
    with pytest.raises(ValidationError, match="找不到上级区划"):
        orphan.full_clean()


def test_code_must_be_twelve_digits(world):
    with pytest.raises(ValidationError, match="12位数字"):
        Area(code="99012310020", name="短码村").full_clean()


def test_unit_cannot_belong_to_a_village(world):
    with pytest.raises(ValidationError, match="县或乡镇"):
        UnitFactory.build(area=world.v11).full_clean()


def test_posting_periods_of_the_same_role_may_not_overlap(world):
    cadre = CadreFactory(unit=UnitFactory(area=world.county))
    VillagePostingFactory(
        cadre=cadre,
        village=world.v11,
        start_date=datetime.date(2018, 1, 1),
        end_date=datetime.date(2018, 12, 31),
    )
    overlapping = VillagePosting(
        cadre=cadre,
        village=world.v11,
        role=PostingRole.TEAM_MEMBER,
        start_date=datetime.date(2018, 6, 1),
    )
    with pytest.raises(ValidationError, match="时间段不能重叠"):
        overlapping.full_clean()
    after = VillagePosting(
        cadre=cadre,
        village=world.v11,
        role=PostingRole.TEAM_MEMBER,
        start_date=datetime.date(2019, 1, 1),
    )
    after.full_clean()


def test_end_date_before_start_date_is_refused(world):
    cadre = CadreFactory(unit=UnitFactory(area=world.county))
    posting = VillagePosting(
        cadre=cadre,
        village=world.v11,
        role=PostingRole.TEAM_MEMBER,
        start_date=datetime.date(2019, 1, 1),
        end_date=datetime.date(2018, 1, 1),
    )
    with pytest.raises(ValidationError, match="结束日期不能早于开始日期"):
        posting.full_clean()


def test_one_first_secretary_per_village_at_a_time(world):
    unit = UnitFactory(area=world.county)
    VillagePostingFactory(
        cadre=CadreFactory(unit=unit), village=world.v11, role=PostingRole.FIRST_SECRETARY
    )
    second = VillagePosting(
        cadre=CadreFactory(unit=unit),
        village=world.v11,
        role=PostingRole.FIRST_SECRETARY,
        start_date=datetime.date(2019, 1, 1),
    )
    with pytest.raises(ValidationError, match="已有在任第一书记"):
        second.full_clean()


def test_postings_go_to_villages_only(world):
    cadre = CadreFactory(unit=UnitFactory(area=world.county))
    posting = VillagePosting(cadre=cadre, village=world.t1, role=PostingRole.TEAM_MEMBER)
    with pytest.raises(ValidationError, match="请选择行政村"):
        posting.full_clean()


def test_leader_pairing_needs_a_leader_and_a_township_or_village(world):
    staff = CadreFactory(unit=UnitFactory(area=world.county), is_leader=False)
    with pytest.raises(ValidationError, match="只有领导干部"):
        LeaderPairingFactory.build(leader=staff, area=world.t1).full_clean()
    leader = CadreFactory(unit=UnitFactory(area=world.county), is_leader=True)
    with pytest.raises(ValidationError, match="乡镇或行政村"):
        LeaderPairingFactory.build(leader=leader, area=world.county).full_clean()


def test_active_relations_are_those_in_force_today(world):
    cadre = CadreFactory(unit=UnitFactory(area=world.county))
    ended = VillagePostingFactory(
        cadre=cadre,
        village=world.v11,
        start_date=datetime.date(2017, 1, 1),
        end_date=datetime.date(2017, 12, 31),
    )
    current = VillagePostingFactory(
        cadre=cadre, village=world.v11, start_date=datetime.date(2018, 1, 1)
    )
    assert list(VillagePosting.objects.active()) == [current]
    assert not ended.is_active and current.is_active


def test_area_changes_are_kept_in_history(world):
    world.v12.rural_population = 1234
    world.v12.save()
    assert world.v12.history.count() == 2
    assert world.v12.history.first().rural_population == 1234
