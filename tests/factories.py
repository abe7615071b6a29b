"""factory-boy factories; `build_world` makes the two-township, four-village world every test uses."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import factory

from accounts.choices import Role
from accounts.models import User
from villages.choices import PostingRole
from villages.models import Area, Cadre, LeaderPairing, Unit, UnitPairing, VillagePosting


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"地区{n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")
    contact_phone = "13800001111"


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadre

    name = factory.Sequence(lambda n: f"干部{n}")
    phone = "13912345678"
    position = "科员"


class VillagePostingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VillagePosting

    role = PostingRole.TEAM_MEMBER
    start_date = datetime.date(2018, 1, 1)


class UnitPairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitPairing

    start_date = datetime.date(2018, 1, 1)


class LeaderPairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeaderPairing

    start_date = datetime.date(2018, 1, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests")
    role = Role.COUNTY_STAFF

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)
        self.save()


@dataclass
class World:
    county: Area
    t1: Area
    t2: Area
    v11: Area
    v12: Area
    v21: Area
    v22: Area

    @property
    def townships(self) -> list[Area]:
        return [self.t1, self.t2]

    @property
    def villages(self) -> list[Area]:
        return [self.v11, self.v12, self.v21, self.v22]

    @property
    def areas(self) -> list[Area]:
        return [self.county, *self.townships, *self.villages]

    def by_key(self, key: str) -> Area:
        return getattr(self, key.lower())


def build_world() -> World:
    """A county with two townships of two villages each (V11 and V21 poor)."""
    province = AreaFactory(code="990000000000", name="测试省")
    city = AreaFactory(code="990100000000", name="测试市")
    assert city.parent == province
    county = AreaFactory(code="990123000000", name="测试县", rural_population=20000)
    t1 = AreaFactory(code="990123100000", name="一乡")
    t2 = AreaFactory(code="990123101000", name="二镇")
    v11 = AreaFactory(
        code="990123100201",
        name="一乡甲村",
        is_poor=True,
        planned_exit_year=2018,
        rural_population=1000,
    )
    v12 = AreaFactory(code="990123100202", name="一乡乙村", rural_population=800)
    v21 = AreaFactory(
        code="990123101201",
        name="二镇甲村",
        is_poor=True,
        planned_exit_year=2019,
        rural_population=1200,
    )
    v22 = AreaFactory(code="990123101202", name="二镇乙村", rural_population=900)
    return World(county, t1, t2, v11, v12, v21, v22)
