"""factory-boy factories; `build_world` makes the two-township, four-village world every test uses."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal

import factory

from accounts.choices import Role
from accounts.models import User
from assessments.models import Scheme
from command.choices import BodyKind
from command.models import Body, Decision, DispatchMeeting, KeyTask
from households.choices import Category, Cause, Health, LabourSkill, MeasureType, Relation
from households.models import (
    Assessment,
    AssistanceMeasure,
    Household,
    HouseholdPairing,
    IncomeRecord,
    Member,
    RosterImport,
    Visit,
)
from households.services import income_record_save, measure_save
from inspections.choices import Category as FindingCategory
from inspections.choices import InspectionKind, PledgeKind, Subject
from inspections.models import Finding, Inspection, Pledge
from poverty.common.models import ImportStatus
from poverty.personal import idnumber
from projects.choices import FundKind, FundSource, ProjectType
from projects.models import Disclosure, FundEntry, Project, ProjectApproval
from villages.choices import PostingRole
from villages.models import (
    Area,
    Cadre,
    LeaderPairing,
    SheetImportJob,
    Unit,
    UnitPairing,
    VillagePosting,
)

TEST_PASSWORD = "pw-for-tests"  # every factory-made user's


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
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)
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


# --- the registry -------------------------------------------------------------------------

_id_serial = itertools.count(1)


def new_id_number(gender: str = "male", birth: datetime.date = datetime.date(1970, 5, 17)) -> str:
    """A valid, unused ID number born on `birth` (sequence numbers keep the gender parity; past
    499 of them the region code moves on, so the birth date stays what the test asked for)."""
    n = next(_id_serial)
    seq = (n % 499) * 2 + (1 if gender == "male" else 0)
    return idnumber.make(f"{990123 + n // 499:06d}", birth, seq)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"成员{n}")
    relation = Relation.CHILD
    gender = "male"
    birth_date = datetime.date(1970, 5, 17)
    health = Health.HEALTHY
    labour_skill = LabourSkill.ORDINARY

    id_number = factory.LazyAttribute(lambda m: new_id_number(m.gender, m.birth_date))

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        # A given number decides the birth date and gender, as the member form does; the
        # member is then saved once, like a real one (not saved and saved again).
        info = idnumber.parse(kwargs["id_number"])
        kwargs["birth_date"], kwargs["gender"] = info.birth_date, info.gender
        return kwargs


class HouseholdFactory(factory.django.DjangoModelFactory):
    """A household with a head (pass head=False for none)."""

    class Meta:
        model = Household
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"HH{n:06d}")
    category = Category.GENERAL
    primary_cause = Cause.NO_CAPITAL
    identified_year = 2014
    planned_exit_year = 2018

    @factory.post_generation
    def head(self, create, extracted, **kwargs):
        if create and extracted is not False:
            MemberFactory(household=self, relation=Relation.HEAD, name=f"户主{self.code}")


def with_exit_facts(household: Household) -> Household:
    """The facts the exit standard reads beside income and the assessment (households.readiness):
    not a 危房户, safe water, every member in the basic medical insurance."""
    Household.objects.filter(pk=household.pk).update(dilapidated_house=False, safe_water=True)
    household.members.update(basic_medical=True)
    household.refresh_from_db()
    return household


class IncomeRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncomeRecord

    year = 2018
    persons = 1
    wage = Decimal("5000")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Saved as the page saves one (the per-capita figure follows).
        return income_record_save(record=model_class(*args, **kwargs), by=None)


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    assessed_on = datetime.date(2018, 10, 1)
    food = clothing = education = medical = housing = water = True


class AssistanceMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssistanceMeasure

    measure_type = MeasureType.MICROCREDIT
    description = "扶贫小额信贷"
    start_date = datetime.date(2017, 1, 1)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Saved as the page saves one (a loan's usual end date).
        return measure_save(measure=model_class(*args, **kwargs), by=None)


class HouseholdPairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdPairing

    start_date = datetime.date(2018, 1, 1)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    findings = "家中情况正常。"


# --- projects -----------------------------------------------------------------------------


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project managed in `area` (default: the county of the world) serving `areas`."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试项目{n}")
    project_type = ProjectType.INDUSTRY
    year = 2019
    implementer = "专业合作社"
    unit = factory.LazyAttribute(lambda o: UnitFactory(area=o.area))
    manager = factory.LazyAttribute(lambda o: CadreFactory(unit=o.unit))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from projects.services import project_create

        return project_create(project=model_class(*args, **kwargs), by=None)

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create:
            self.areas.set(extracted if extracted is not None else [self.area])


class FundEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundEntry

    source = FundSource.COUNTY
    kind = FundKind.PLANNED
    amount = Decimal("100000.00")
    date = datetime.date(2019, 3, 1)


class ProjectApprovalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectApproval

    unit = factory.LazyAttribute(lambda o: UnitFactory(area=o.project.area))


class DisclosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Disclosure

    title = "项目计划"
    location = "村委会公示栏"
    start_date = datetime.date(2019, 3, 1)
    end_date = datetime.date(2019, 3, 10)


# --- inspections ----------------------------------------------------------------------------


class PledgeFactory(factory.django.DjangoModelFactory):
    """A county → township pledge by default (pass area=<a village> and kind for others)."""

    class Meta:
        model = Pledge

    kind = PledgeKind.COUNTY_TOWNSHIP
    year = 2019
    pledger = factory.Sequence(lambda n: f"乡镇党委书记{n}")
    recipient = "县委、县政府"
    signed_on = datetime.date(2019, 1, 10)


class InspectionFactory(factory.django.DjangoModelFactory):
    """An inspection organised in `area` (default: pass the county)."""

    class Meta:
        model = Inspection

    kind = InspectionKind.UNANNOUNCED
    title = factory.Sequence(lambda n: f"第{n}轮暗访")
    start_date = datetime.date(2019, 3, 1)


class FindingFactory(factory.django.DjangoModelFactory):
    """A finding about a village (`area`), in the county's inspection, for a unit of the county."""

    class Meta:
        model = Finding

    inspection = factory.LazyAttribute(
        lambda o: InspectionFactory(area=Area.objects.get(code=o.area.code[:6] + "000000"))
    )
    category = FindingCategory.RESIDENT_TEAM
    subject = Subject.VILLAGE
    description = factory.Sequence(lambda n: f"驻村工作队员在岗不足，问题{n}")
    unit = factory.LazyAttribute(lambda o: UnitFactory(area=o.inspection.area))
    found_on = datetime.date(2019, 3, 2)
    deadline = datetime.date(2019, 4, 1)


def filtered(filterset_class, data: dict, user=None):
    """The rows a FilterSet keeps from its model's table for `data`, as `user` (default: a
    superuser) would filter them; the form must be valid."""
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user or UserFactory(is_superuser=True)
    model = filterset_class._meta.model
    filterset = filterset_class(data, queryset=model.objects.all(), request=request)
    assert filterset.is_valid(), filterset.errors
    return filterset.qs


# --- command ----------------------------------------------------------------------------------


def _leader_in(area: Area) -> Cadre:
    county = Area.objects.get(code=area.code[:6] + "000000")
    return CadreFactory(unit=UnitFactory(area=county), is_leader=True)


class BodyFactory(factory.django.DjangoModelFactory):
    """A body of `area` (a county or township)."""

    class Meta:
        model = Body

    name = factory.Sequence(lambda n: f"脱贫攻坚专项指挥部{n}")
    kind = BodyKind.SUB_COMMAND


class KeyTaskFactory(factory.django.DjangoModelFactory):
    """A key task of `area` for 2026, led by a county leader, with no milestones."""

    class Meta:
        model = KeyTask

    year = 2026
    number = factory.Sequence(lambda n: n % 900 + 1)
    title = factory.Sequence(lambda n: f"重点工作{n}")
    lead = factory.LazyAttribute(lambda o: _leader_in(o.area))
    lead_unit = factory.LazyAttribute(lambda o: UnitFactory(area=o.area))
    deadline = datetime.date(2026, 12, 31)


class MeetingFactory(factory.django.DjangoModelFactory):
    """A dispatch meeting held for `area`, chaired by a county leader."""

    class Meta:
        model = DispatchMeeting

    held_on = datetime.date(2026, 11, 2)
    convener = factory.LazyAttribute(lambda o: _leader_in(o.area))


class DecisionFactory(factory.django.DjangoModelFactory):
    """A decision of `meeting` for its area, owned by a cadre of a county unit."""

    class Meta:
        model = Decision

    area = factory.LazyAttribute(lambda o: o.meeting.area)
    text = factory.Sequence(lambda n: f"交办事项{n}：组织产业培训")
    owner = factory.LazyAttribute(lambda o: _leader_in(o.meeting.area))
    deadline = datetime.date(2026, 11, 20)


# --- assessments ------------------------------------------------------------------------------


class SchemeFactory(factory.django.DjangoModelFactory):
    """The first half of 2026's assessment of the townships of `area` (a county)."""

    class Meta:
        model = Scheme

    title = factory.Sequence(lambda n: f"2026年上半年乡镇脱贫攻坚考核{n}")
    assessee = "township"
    start = datetime.date(2026, 1, 1)
    end = datetime.date(2026, 6, 30)


class SheetImportJobFactory(factory.django.DjangoModelFactory):
    """A failed upload of the units sheet (pass user and area)."""

    class Meta:
        model = SheetImportJob

    kind = "units"
    title = "帮扶单位"
    file = "imports/sheets/u.xlsx"
    file_name = "单位.xlsx"
    status = ImportStatus.FAILED


class RosterImportFactory(factory.django.DjangoModelFactory):
    """A roster upload waiting to be confirmed (pass user and area)."""

    class Meta:
        model = RosterImport

    file = "imports/x.xlsx"
    file_name = "花名册.xlsx"
    status = ImportStatus.PREVIEWED
