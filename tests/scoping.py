"""The registry the generic scoping test reads: how to place each scoped model in an area.

A new model is covered by adding a `ModelCase` here: where its objects live (`places`), how to
make one there, and valid form/API data that puts a new object in a given area. The test then
walks every URL that serves the model. Expectations are computed from the area tree by walking
parents, independently of the code-prefix logic under test.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from dataclasses import dataclass

from assessments.models import Adjustment, Group, Indicator, Scheme, Score
from command.models import (
    Body,
    BodyMember,
    Decision,
    DispatchMeeting,
    FollowUp,
    KeyTask,
    MeetingAttendee,
    Milestone,
    ProgressReport,
)
from exits.models import ExitStep, Item, Reading, Rehearsal, Standard, Survey
from households.models import (
    Assessment,
    AssistanceMeasure,
    ExitRecord,
    Household,
    HouseholdPairing,
    IncomeRecord,
    Member,
    PovertyLine,
    QualityIssue,
    RosterExport,
    RosterImport,
    RosterMapping,
    Visit,
)
from inspections.models import (
    Accountability,
    Finding,
    FindingStep,
    Inspection,
    Notice,
    NoticeItem,
    Pledge,
    PledgeTarget,
)
from projects.models import (
    Beneficiary,
    Disclosure,
    FundEntry,
    HelpPairing,
    HelpTeamMember,
    HelpYear,
    Objection,
    Project,
    ProjectApproval,
    ProjectStage,
)
from tests.households.roster_files import roster_upload
from villages.choices import PostingRole, UnitKind
from villages.models import (
    Area,
    Cadre,
    LeaderPairing,
    SheetImportJob,
    Unit,
    UnitPairing,
    VillagePosting,
)

from .factories import (
    AssessmentFactory,
    AssistanceMeasureFactory,
    BodyFactory,
    CadreFactory,
    DecisionFactory,
    DisclosureFactory,
    FindingFactory,
    FundEntryFactory,
    HouseholdFactory,
    HouseholdPairingFactory,
    IncomeRecordFactory,
    InspectionFactory,
    KeyTaskFactory,
    LeaderPairingFactory,
    MeetingFactory,
    MemberFactory,
    PledgeFactory,
    ProjectApprovalFactory,
    ProjectFactory,
    SchemeFactory,
    UnitFactory,
    UnitPairingFactory,
    UserFactory,
    VillagePostingFactory,
    VisitFactory,
    World,
    new_id_number,
)

_serial = itertools.count(1)


@dataclass
class ModelCase:
    model: type
    places: Callable[[World], list[Area]]
    make: Callable[[World, Area], object]
    area_of: Callable[[object], Area]
    # Valid form/API data that puts a new object in a given area (None: no page makes one).
    data: Callable[[World, Area], dict] | None = None
    # Objects of a higher level that users below may view (Model.scope_ancestors).
    ancestors_visible: bool = False
    # Form data that edits an existing object and puts it in an area (default: `data`).
    edit_data: Callable[[World, object, Area], dict] | None = None
    # Whether the edit form can move the object to another area at all.
    movable: bool = True


def _unit(world: World, area: Area) -> Unit:
    return UnitFactory(area=area)


def _cadre(world: World, area: Area, leader: bool = False) -> Cadre:
    return CadreFactory(unit=_unit(world, area), is_leader=leader)


def _area_data(world: World, area: Area) -> dict:
    township = area if area.level == "township" else area.parent
    return {
        "code": f"{township.code[:9]}{300 + next(_serial) % 600:03d}",
        "name": f"新村{next(_serial)}",
        "is_poor": "on",
        "planned_exit_year": "2019",
        "rural_population": "700",
    }


MEMBER_FORMSET = {
    "members-MIN_NUM_FORMS": "0",
    "members-MAX_NUM_FORMS": "1000",
}


def _household_data(world: World, area: Area) -> dict:
    n = next(_serial)
    return {
        "code": f"NEW{n:06d}",
        "village": area.pk,
        "group": "1组",
        "category": "general",
        "primary_cause": "illness",
        "identified_year": "2014",
        "planned_exit_year": "2018",
        **MEMBER_FORMSET,
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-0-name": f"新户主{n}",
        "members-0-relation": "head",
        "members-0-id_number": new_id_number(),
        "members-0-health": "healthy",
    }


def _household_edit_data(world: World, household: Household, area: Area) -> dict:
    head = household.members.get(relation="head")
    data = _household_data(world, area)
    data.update(
        {
            "code": household.code,
            "seen_version": household.version,
            "members-INITIAL_FORMS": "1",
            "members-0-id": head.pk,
            "members-0-name": head.name,
            "members-0-id_number": "",
        }
    )
    return data


def _cadre_in_county(world: World) -> Cadre:
    return CadreFactory(unit=_unit(world, world.county))


def _child_data(**fields):
    """Form data for a row that belongs to a new household in the area."""

    def data(world: World, area: Area) -> dict:
        values = {k: v(world) if callable(v) else v for k, v in fields.items()}
        return {"household": HouseholdFactory(village=area).pk, **values}

    return data


CASES: dict[type, ModelCase] = {
    Area: ModelCase(
        model=Area,
        places=lambda w: [],  # the world's own areas are the objects
        make=lambda w, a: a,
        data=_area_data,
        area_of=lambda o: o,
    ),
    Unit: ModelCase(
        model=Unit,
        places=lambda w: [w.county, *w.townships],
        make=_unit,
        data=lambda w, a: {
            "name": f"新单位{next(_serial)}",
            "kind": UnitKind.INSTITUTION,
            "area": a.pk,
            "contact_person": "联系人",
            "contact_phone": "0351-1234567",
        },
        area_of=lambda o: o.area,
        ancestors_visible=True,
    ),
    Cadre: ModelCase(
        model=Cadre,
        places=lambda w: [w.county, *w.townships],
        make=_cadre,
        data=lambda w, a: {
            "name": f"新干部{next(_serial)}",
            "phone": "13700001234",
            "unit": Unit.objects.filter(area=a).first().pk,
            "position": "科员",
        },
        area_of=lambda o: o.unit.area,
        ancestors_visible=True,
    ),
    VillagePosting: ModelCase(
        model=VillagePosting,
        places=lambda w: w.villages,
        make=lambda w, a: VillagePostingFactory(village=a, cadre=_cadre(w, a.parent)),
        data=lambda w, a: {
            "cadre": Cadre.objects.filter(unit__area=a.parent).first().pk,
            "village": a.pk,
            "role": PostingRole.VILLAGE_CONTACT,
            "start_date": f"2020-01-{next(_serial) % 28 + 1:02d}",
            "end_date": "",
        },
        area_of=lambda o: o.village,
    ),
    UnitPairing: ModelCase(
        model=UnitPairing,
        places=lambda w: w.villages,
        make=lambda w, a: UnitPairingFactory(village=a, unit=_unit(w, w.county)),
        data=lambda w, a: {
            "unit": Unit.objects.create(name=f"包村单位{next(_serial)}", area=w.county).pk,
            "village": a.pk,
            "start_date": "2020-03-01",
            "end_date": "",
        },
        area_of=lambda o: o.village,
    ),
    LeaderPairing: ModelCase(
        model=LeaderPairing,
        places=lambda w: [*w.townships, *w.villages],
        make=lambda w, a: LeaderPairingFactory(area=a, leader=_cadre(w, w.county, leader=True)),
        data=lambda w, a: {
            "leader": CadreFactory(unit=_unit(w, w.county), is_leader=True).pk,
            "area": a.pk,
            "start_date": "2020-03-01",
            "end_date": "",
        },
        area_of=lambda o: o.area,
    ),
}


CASES.update(
    {
        Household: ModelCase(
            model=Household,
            places=lambda w: w.villages,
            make=lambda w, a: HouseholdFactory(village=a),
            data=_household_data,
            edit_data=_household_edit_data,
            area_of=lambda o: o.village,
        ),
        IncomeRecord: ModelCase(
            model=IncomeRecord,
            places=lambda w: w.villages,
            make=lambda w, a: IncomeRecordFactory(household=HouseholdFactory(village=a)),
            data=_child_data(
                year="2019",
                persons="2",
                wage="3000",
                business="1000",
                property_income="0",
                transfer="800",
                business_costs="200",
            ),
            area_of=lambda o: o.household.village,
        ),
        Assessment: ModelCase(
            model=Assessment,
            places=lambda w: w.villages,
            make=lambda w, a: AssessmentFactory(household=HouseholdFactory(village=a)),
            data=_child_data(assessed_on="2019-10-01", food="on", clothing="on", water="on"),
            area_of=lambda o: o.household.village,
        ),
        AssistanceMeasure: ModelCase(
            model=AssistanceMeasure,
            places=lambda w: w.villages,
            make=lambda w, a: AssistanceMeasureFactory(household=HouseholdFactory(village=a)),
            data=_child_data(
                measure_type="health",
                description="家庭医生签约",
                start_date="2019-01-01",
                status="ongoing",
            ),
            area_of=lambda o: o.household.village,
        ),
        HouseholdPairing: ModelCase(
            model=HouseholdPairing,
            places=lambda w: w.villages,
            make=lambda w, a: HouseholdPairingFactory(
                household=HouseholdFactory(village=a), cadre=_cadre_in_county(w)
            ),
            data=_child_data(
                cadre=lambda w: _cadre_in_county(w).pk, start_date="2019-01-01", end_date=""
            ),
            area_of=lambda o: o.household.village,
        ),
        Visit: ModelCase(
            model=Visit,
            places=lambda w: w.villages,
            make=lambda w, a: VisitFactory(
                household=HouseholdFactory(village=a), cadre=_cadre_in_county(w)
            ),
            data=_child_data(
                cadre=lambda w: _cadre_in_county(w).pk,
                visited_on="2024-05-01",
                findings="户主在家，生活正常。",
            ),
            area_of=lambda o: o.household.village,
        ),
        PovertyLine: ModelCase(
            model=PovertyLine,
            places=lambda w: [w.county],
            make=lambda w, a: PovertyLine.objects.create(year=2021, income_line=4100),
            data=lambda w, a: {"year": "2013", "income_line": "2736", "note": "测试"},
            area_of=lambda o: None,
            movable=False,
        ),
        QualityIssue: ModelCase(
            model=QualityIssue,
            places=lambda w: w.villages,
            make=lambda w, a: QualityIssue.objects.create(
                rule="no_pairing", household=HouseholdFactory(village=a), detail="没有帮扶责任人"
            ),
            data=lambda w, a: {"status": "explained", "explanation": "已核实，下周结对。"},
            area_of=lambda o: o.household.village,
            movable=False,
        ),
        RosterImport: ModelCase(
            model=RosterImport,
            places=lambda w: [w.county, *w.townships],
            make=lambda w, a: RosterImport.objects.create(
                user=UserFactory(areas=[a]), area=a, file="imports/x.xlsx", file_name="x.xlsx"
            ),
            # The job belongs to whoever uploads it: it is always in the uploader's area.
            data=lambda w, a: {"file": roster_upload([])},
            area_of=lambda o: o.area if o.area_id else None,
            movable=False,
        ),
        RosterMapping: ModelCase(
            model=RosterMapping,
            places=lambda w: [w.county, *w.townships],
            make=lambda w, a: RosterMapping.objects.create(
                area=a, name=f"模板{next(_serial)}", columns={"家庭人口": ""}
            ),
            # Saved from an upload's mapping step, never through a form.
            data=lambda w, a: {},
            area_of=lambda o: o.area,
            ancestors_visible=True,
            movable=False,
        ),
        SheetImportJob: ModelCase(
            model=SheetImportJob,
            places=lambda w: [w.county, *w.townships],
            make=lambda w, a: SheetImportJob.objects.create(
                kind="units",
                title="帮扶单位",
                user=UserFactory(areas=[a]),
                area=a,
                file="imports/sheets/x.xlsx",
                file_name="x.xlsx",
            ),
            # Started from a sheet's import page (tests/poverty/test_sheet_imports.py).
            data=lambda w, a: {},
            area_of=lambda o: o.area,
            movable=False,
        ),
        RosterExport: ModelCase(
            model=RosterExport,
            places=lambda w: [w.county, *w.townships, w.v11],
            make=lambda w, a: RosterExport.objects.create(user=UserFactory(areas=[a]), area=a),
            # Started from the household list, never through a form.
            data=lambda w, a: {},
            area_of=lambda o: o.area,
            movable=False,
        ),
    }
)


# --- projects: each managed in an area; rows below a project follow it. -------------------

PROJECT_PLACES = lambda w: [w.county, w.t1, w.v21]  # noqa: E731


def _project_data(world: World, area: Area) -> dict:
    unit = _unit(world, world.county)
    served = area if area.level != "county" else world.t1
    return {
        "name": f"新项目{next(_serial)}",
        "project_type": "industry",
        "year": "2019",
        "area": area.pk,
        "areas": [served.pk],
        "implementer": "养殖专业合作社",
        "unit": unit.pk,
        "manager": CadreFactory(unit=unit).pk,
        "expected_households": "10",
        "expected_persons": "30",
        "expected_income_increase": "800",
    }


def _project_child(**fields):
    """Data for a row under a new project managed in the area."""

    def data(world: World, area: Area) -> dict:
        values = {k: v(world, area) if callable(v) else v for k, v in fields.items()}
        return {"project": ProjectFactory(area=area).pk, **values}

    return data


def _beneficiary_data(world: World, area: Area) -> dict:
    return {
        "project": ProjectFactory(area=area).pk,
        "household": HouseholdFactory(village=area).pk,
        "note": "务工",
    }


CASES.update(
    {
        Project: ModelCase(
            model=Project,
            places=PROJECT_PLACES,
            make=lambda w, a: ProjectFactory(area=a),
            data=_project_data,
            edit_data=lambda w, o, a: {**_project_data(w, a), "seen_version": o.version},
            area_of=lambda o: o.area,
        ),
        ProjectStage: ModelCase(
            model=ProjectStage,
            places=lambda w: [w.t1, w.v21],
            make=lambda w, a: ProjectFactory(area=a),
            # Stages come with their project; the API only re-plans them.
            data=lambda w, a: {"planned_date": "2030-01-01"},
            area_of=lambda o: o.project.area,
            movable=False,
        ),
        FundEntry: ModelCase(
            model=FundEntry,
            places=PROJECT_PLACES,
            make=lambda w, a: FundEntryFactory(project=ProjectFactory(area=a)),
            data=_project_child(source="county", kind="planned", amount="50000", date="2019-03-01"),
            area_of=lambda o: o.project.area,
        ),
        Beneficiary: ModelCase(
            model=Beneficiary,
            places=lambda w: [w.v11, w.v21],
            make=lambda w, a: Beneficiary.objects.create(
                project=ProjectFactory(area=a), household=HouseholdFactory(village=a)
            ),
            data=_beneficiary_data,
            area_of=lambda o: o.project.area,
        ),
        ProjectApproval: ModelCase(
            model=ProjectApproval,
            places=PROJECT_PLACES,
            make=lambda w, a: ProjectApprovalFactory(project=ProjectFactory(area=a)),
            data=_project_child(unit=lambda w, a: _unit(w, w.county).pk, decision="pending"),
            area_of=lambda o: o.project.area,
        ),
        Disclosure: ModelCase(
            model=Disclosure,
            places=PROJECT_PLACES,
            make=lambda w, a: DisclosureFactory(project=ProjectFactory(area=a)),
            data=_project_child(
                title="项目计划",
                location="村委会公示栏",
                start_date="2019-03-01",
                end_date="2019-03-12",
                **{
                    "objections-TOTAL_FORMS": "0",
                    "objections-INITIAL_FORMS": "0",
                    "objections-MIN_NUM_FORMS": "0",
                    "objections-MAX_NUM_FORMS": "1000",
                },
            ),
            area_of=lambda o: o.project.area,
        ),
    }
)


# --- inspections: pledges by area; an inspection is the county's (viewable below), each
# finding lives where it was found; notices go to the area that may read them. ----------------


def _pledge_data(world: World, area: Area) -> dict:
    return {
        "kind": "county_township" if area.level == "township" else "township_village",
        "year": "2019",
        "area": area.pk,
        "pledger": f"书记{next(_serial)}",
        "recipient": "县委、县政府",
        "signed_on": "2019-01-10",
        "targets-TOTAL_FORMS": "1",
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "1000",
        "targets-0-metric": "persons_exited",
        "targets-0-target": "120",
    }


def _pledge(world: World, area: Area):
    kind = "county_township" if area.level == "township" else "township_village"
    return PledgeFactory(area=area, kind=kind)


def _finding_data(world: World, area: Area) -> dict:
    return {
        "inspection": InspectionFactory(area=world.county).pk,
        "category": "resident_team",
        "severity": "minor",
        "subject": "village",
        "area": area.pk,
        "description": "驻村工作队员在岗不足",
        "unit": _unit(world, world.county).pk,
        "found_on": "2019-03-02",
        "deadline": "2019-04-01",
    }


_notice_serial = itertools.count(1)


def _notice(world: World, area: Area):
    return Notice.objects.create(
        kind="unit",
        county=world.county,
        area=area,
        unit=_unit(world, area),
        month=datetime.date(2019, 3, 1),
        year=2019,
        number=next(_notice_serial),
        issued_on=datetime.date(2019, 4, 1),
    )


CASES.update(
    {
        Pledge: ModelCase(
            model=Pledge,
            places=lambda w: [w.t1, w.v21],
            make=_pledge,
            data=_pledge_data,
            edit_data=lambda w, o, a: {**_pledge_data(w, a), "seen_version": o.version},
            area_of=lambda o: o.area,
        ),
        Inspection: ModelCase(
            model=Inspection,
            places=lambda w: [w.county, w.t1],
            make=lambda w, a: InspectionFactory(area=a),
            data=lambda w, a: {
                "kind": "unannounced",
                "title": f"暗访{next(_serial)}",
                "area": a.pk,
                "start_date": "2019-03-01",
            },
            area_of=lambda o: o.area,
            ancestors_visible=True,
        ),
        Finding: ModelCase(
            model=Finding,
            places=lambda w: [w.v11, w.v21],
            make=lambda w, a: FindingFactory(area=a),
            data=_finding_data,
            edit_data=lambda w, o, a: {**_finding_data(w, a), "seen_version": o.version},
            area_of=lambda o: o.area,
        ),
        Accountability: ModelCase(
            model=Accountability,
            places=lambda w: [w.v11, w.v21],
            make=lambda w, a: Accountability.objects.create(
                finding=FindingFactory(area=a), kind="talk", person="张三", reason="逾期未整改"
            ),
            data=lambda w, a: {
                "finding": FindingFactory(area=a).pk,
                "kind": "talk",
                "person": "张三",
                "decided_on": "2019-05-01",
                "reason": "逾期未整改",
            },
            area_of=lambda o: o.finding.area,
        ),
        Notice: ModelCase(
            model=Notice,
            places=lambda w: [w.county, w.t1],
            make=_notice,
            data=lambda w, a: {},
            area_of=lambda o: o.area,
        ),
    }
)


def is_under(area: Area, ancestor: Area, memo: dict | None = None) -> bool:
    """Whether `area` is `ancestor` or lies below it, by walking parents (the walk is kept in
    `memo`, by area, when one is given: a test's areas keep their parents)."""
    chain = memo.get(area.pk) if memo is not None else None
    if chain is None:
        chain, node = set(), area
        while node is not None:
            chain.add(node.pk)
            node = node.parent
        if memo is not None and area.pk is not None:
            memo[area.pk] = chain
    return ancestor.pk in chain


def expected_visible(case: ModelCase, obj, user, action: str, memo: dict | None = None) -> bool:
    """Whether the user may act on obj by area (permission is checked separately). `memo`
    keeps the user's areas and the areas' parents for the rest of one test."""
    if user.is_superuser:
        return True
    target = case.area_of(obj)
    if target is None:
        return True  # a national table: the permission alone decides
    memo = {} if memo is None else memo
    key = ("areas of", user.pk)
    if key not in memo:
        memo[key] = list(user.areas.all())
    for mine in memo[key]:
        if is_under(target, mine, memo):
            return True
        if action == "view" and case.ancestors_visible and is_under(mine, target, memo):
            return True
    return False


def _notice_item(world: World, area: Area):
    notice = _notice(world, area)
    finding = FindingFactory(area=world.v11)  # an item follows its notice, wherever the finding is
    return NoticeItem.objects.create(notice=notice, finding=finding, status=finding.status)


# Rows no page lists on their own (a household's members, a finding's steps…): each is read
# through its parent's pages, and restrict(), under() and the raw SQL must still place it.
CASES.update(
    {
        Member: ModelCase(
            model=Member,
            places=lambda w: w.villages,
            make=lambda w, a: MemberFactory(household=HouseholdFactory(village=a, head=False)),
            area_of=lambda o: o.household.village,
        ),
        ExitRecord: ModelCase(
            model=ExitRecord,
            places=lambda w: w.villages,
            make=lambda w, a: ExitRecord.objects.create(
                household=HouseholdFactory(village=a), step="propose", taken_by=UserFactory()
            ),
            area_of=lambda o: o.household.village,
        ),
        Objection: ModelCase(
            model=Objection,
            places=PROJECT_PLACES,
            make=lambda w, a: Objection.objects.create(
                disclosure=DisclosureFactory(project=ProjectFactory(area=a)), content="质疑名单"
            ),
            area_of=lambda o: o.disclosure.project.area,
        ),
        PledgeTarget: ModelCase(
            model=PledgeTarget,
            places=lambda w: [w.t1, w.v21],
            make=lambda w, a: PledgeTarget.objects.create(
                pledge=_pledge(w, a), metric="households_exited", target=5
            ),
            area_of=lambda o: o.pledge.area,
        ),
        FindingStep: ModelCase(
            model=FindingStep,
            places=lambda w: [w.v11, w.v21],
            make=lambda w, a: FindingStep.objects.create(
                finding=FindingFactory(area=a), kind="progress", note="已完成一半"
            ),
            area_of=lambda o: o.finding.area,
        ),
        NoticeItem: ModelCase(
            model=NoticeItem,
            places=lambda w: [w.county, w.t1],
            make=_notice_item,
            area_of=lambda o: o.notice.area,
        ),
    }
)


# --- command: bodies and key tasks belong to a county or township (bodies are viewable below);
# meetings to the area they were held for, decisions to the area they were put to. ------------

COMMAND_PLACES = lambda w: [w.county, *w.townships]  # noqa: E731
MEETING_PLACES = lambda w: [w.county, w.t1, w.v21]  # noqa: E731


def _formset(prefix: str) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _leader(world: World) -> Cadre:
    return _cadre(world, world.county, leader=True)


def _keytask_data(world: World, area: Area) -> dict:
    return {
        "area": area.pk,
        "year": "2026",
        "number": str(next(_serial) % 900 + 1),
        "title": f"新重点工作{next(_serial)}",
        "lead": _leader(world).pk,
        "lead_unit": _unit(world, area).pk,
        "deadline": "2026-12-31",
        **_formset("milestones"),
    }


def _meeting_data(world: World, area: Area) -> dict:
    return {
        "area": area.pk,
        "held_on": "2026-11-02",
        "topic": "脱贫攻坚工作调度会",
        "convener": _leader(world).pk,
        "place": "会议室",
        **_formset("attendees"),
    }


def _decision_data(world: World, area: Area) -> dict:
    return {
        "meeting": MeetingFactory(area=area).pk,
        "area": area.pk,
        "text": f"落实产业奖补{next(_serial)}",
        "owner": _leader(world).pk,
        "deadline": "2026-11-30",
    }


CASES.update(
    {
        Body: ModelCase(
            model=Body,
            places=COMMAND_PLACES,
            make=lambda w, a: BodyFactory(area=a),
            data=lambda w, a: {
                "name": f"新专班{next(_serial)}",
                "kind": "work_group",
                "area": a.pk,
                "sort": "1",
            },
            area_of=lambda o: o.area,
            ancestors_visible=True,
        ),
        BodyMember: ModelCase(
            model=BodyMember,
            places=COMMAND_PLACES,
            make=lambda w, a: BodyMember.objects.create(
                body=BodyFactory(area=a), cadre=_cadre(w, a), role="member"
            ),
            data=lambda w, a: {
                "body": BodyFactory(area=a).pk,
                "cadre": _cadre(w, a).pk,
                "role": "member",
                "start_date": "2026-01-01",
                "end_date": "",
            },
            area_of=lambda o: o.body.area,
            ancestors_visible=True,
        ),
        KeyTask: ModelCase(
            model=KeyTask,
            places=COMMAND_PLACES,
            make=lambda w, a: KeyTaskFactory(area=a),
            data=_keytask_data,
            edit_data=lambda w, o, a: {**_keytask_data(w, a), "seen_version": o.version},
            area_of=lambda o: o.area,
        ),
        Milestone: ModelCase(
            model=Milestone,
            places=COMMAND_PLACES,
            make=lambda w, a: Milestone.objects.create(
                task=KeyTaskFactory(area=a), title="完成摸底", planned=datetime.date(2026, 6, 30)
            ),
            area_of=lambda o: o.task.area,
        ),
        ProgressReport: ModelCase(
            model=ProgressReport,
            places=COMMAND_PLACES,
            make=lambda w, a: ProgressReport.objects.create(
                task=KeyTaskFactory(area=a), text="已完成摸底", percent=20
            ),
            area_of=lambda o: o.task.area,
        ),
        DispatchMeeting: ModelCase(
            model=DispatchMeeting,
            places=MEETING_PLACES,
            make=lambda w, a: MeetingFactory(area=a),
            data=_meeting_data,
            edit_data=lambda w, o, a: {**_meeting_data(w, a), "seen_version": o.version},
            area_of=lambda o: o.area,
        ),
        MeetingAttendee: ModelCase(
            model=MeetingAttendee,
            places=MEETING_PLACES,
            make=lambda w, a: MeetingAttendee.objects.create(
                meeting=MeetingFactory(area=a), cadre=_leader(w)
            ),
            area_of=lambda o: o.meeting.area,
        ),
        Decision: ModelCase(
            model=Decision,
            places=MEETING_PLACES,
            make=lambda w, a: DecisionFactory(meeting=MeetingFactory(area=a)),
            data=_decision_data,
            # A decision stays with its meeting, and its area under the meeting's.
            edit_data=lambda w, o, a: {
                **_decision_data(w, a),
                "meeting": o.meeting_id,
                "area": o.area_id,
                "seen_version": o.version,
            },
            area_of=lambda o: o.area,
            movable=False,
        ),
        FollowUp: ModelCase(
            model=FollowUp,
            places=MEETING_PLACES,
            make=lambda w, a: FollowUp.objects.create(
                meeting=MeetingFactory(area=a, held_on=datetime.date(2026, 11, 9)),
                decision=DecisionFactory(meeting=MeetingFactory(area=a)),
                note="正在推进",
            ),
            area_of=lambda o: o.meeting.area,
        ),
    }
)


# --- assessments: a scheme is the county's (viewable below); a score or deduction lives where
# its assessee does (a township, or a unit's area). ---------------------------------------------


def _scheme_for(world: World, area: Area) -> Scheme:
    """A draft scheme of the county assessing townships (area a township) or units (the county)."""
    kind = "township" if area.level == "township" else "unit"
    return SchemeFactory(area=world.county, assessee=kind)


def _assessee_of(world: World, area: Area) -> dict:
    if area.level == "township":
        return {"assessed": area}
    return {"unit": _unit(world, world.county)}


def _everyone_scores(world: World, scheme: Scheme, assessee: dict) -> None:
    """A group of every account (the matrix's users among them) assigned the assessee: the
    role and area decide, not the membership."""
    from accounts.models import User

    group = Group.objects.create(scheme=scheme, name=f"考评{next(_serial)}组")
    group.members.set(User.objects.all())
    if "assessed" in assessee:
        group.areas.add(assessee["assessed"])
    else:
        group.units.add(assessee["unit"])


def _city(world: World) -> Area:
    return Area.objects.get(code=world.county.code[:4] + "00000000")


SCHEME_PLACES = lambda w: [w.county, _city(w)]  # noqa: E731


def _scheme_in(area: Area) -> Scheme:
    """A county's scheme of its townships, or a city's of its counties."""
    return SchemeFactory(area=area, assessee="township" if area.level == "county" else "county")


def _score_data(world: World, area: Area) -> dict:
    scheme = _scheme_for(world, area)
    indicator = Indicator.objects.create(scheme=scheme, name="工作作风", source="manual", weight=10)
    assessee = _assessee_of(world, area)
    _everyone_scores(world, scheme, assessee)
    return {
        "scheme": scheme.pk,
        "indicator": indicator.pk,
        **{k: v.pk for k, v in assessee.items()},
        "points": "8",
        "basis": "群众满意度调查较好",
    }


def _adjustment_data(world: World, area: Area) -> dict:
    scheme = _scheme_for(world, area)
    assessee = _assessee_of(world, area)
    _everyone_scores(world, scheme, assessee)
    return {
        "scheme": scheme.pk,
        **{k: v.pk for k, v in assessee.items()},
        "kind": "deduct",
        "points": "2",
        "reason": "被省级暗访通报1次",
    }


def _score(world: World, area: Area) -> Score:
    scheme = _scheme_for(world, area)
    indicator = Indicator.objects.create(scheme=scheme, name="作风", source="manual", weight=10)
    return Score.objects.create(
        scheme=scheme, indicator=indicator, points=5, basis="一般", **_assessee_of(world, area)
    )


ASSESSEE_PLACES = lambda w: [w.county, *w.townships]  # noqa: E731


CASES.update(
    {
        Scheme: ModelCase(
            model=Scheme,
            places=SCHEME_PLACES,
            make=lambda w, a: _scheme_in(a),
            data=lambda w, a: {
                "area": a.pk,
                "title": f"考核{next(_serial)}",
                "assessee": "township" if a.level == "county" else "county",
                "start": "2026-01-01",
                "end": "2026-06-30",
                **{
                    "indicators-TOTAL_FORMS": "0",
                    "indicators-INITIAL_FORMS": "0",
                    "indicators-MIN_NUM_FORMS": "0",
                    "indicators-MAX_NUM_FORMS": "1000",
                },
            },
            edit_data=lambda w, o, a: {
                "area": a.pk,
                "title": o.title,
                "assessee": "township" if a.level == "county" else "county",
                "start": "2026-01-01",
                "end": "2026-06-30",
                "seen_version": o.version,
                "indicators-TOTAL_FORMS": "0",
                "indicators-INITIAL_FORMS": "0",
                "indicators-MIN_NUM_FORMS": "0",
                "indicators-MAX_NUM_FORMS": "1000",
            },
            area_of=lambda o: o.area,
            ancestors_visible=True,
        ),
        Indicator: ModelCase(
            model=Indicator,
            places=SCHEME_PLACES,
            make=lambda w, a: Indicator.objects.create(
                scheme=_scheme_in(a), name="走访覆盖", source="visit_coverage", weight=10
            ),
            area_of=lambda o: o.scheme.area,
            ancestors_visible=True,
        ),
        Group: ModelCase(
            model=Group,
            places=SCHEME_PLACES,
            make=lambda w, a: Group.objects.create(scheme=_scheme_in(a), name="第一组"),
            data=lambda w, a: {
                "scheme": _scheme_in(a).pk,
                "name": f"第{next(_serial)}考评组",
                "members": [UserFactory(areas=[a]).pk],
                "areas": [w.t1.pk if a.level == "county" else w.county.pk],
            },
            area_of=lambda o: o.scheme.area,
        ),
        Score: ModelCase(
            model=Score,
            places=ASSESSEE_PLACES,
            make=_score,
            data=_score_data,
            area_of=lambda o: o.assessed or o.unit.area,
        ),
        Adjustment: ModelCase(
            model=Adjustment,
            places=ASSESSEE_PLACES,
            make=lambda w, a: Adjustment.objects.create(
                scheme=_scheme_for(w, a),
                kind="bonus",
                points=1,
                reason="经验被省里推广",
                **_assessee_of(w, a),
            ),
            data=_adjustment_data,
            area_of=lambda o: o.assessed or o.unit.area,
        ),
    }
)


# --- 出列 and 摘帽 (exits) ------------------------------------------------------------------


def _province(world: World) -> Area:
    return Area.objects.get(code=world.county.code[:2] + "0000000000")


STANDARD_PLACES = lambda w: [w.county, _province(w)]  # noqa: E731
ITEMS_FORMSET = {
    "items-TOTAL_FORMS": "0",
    "items-INITIAL_FORMS": "0",
    "items-MIN_NUM_FORMS": "0",
    "items-MAX_NUM_FORMS": "1000",
}


def _standard_in(area: Area) -> Standard:
    return Standard.objects.create(
        area=area, level="village", year=2000 + next(_serial) % 30 + 5, title="贫困村出列标准"
    )


def _recorded_item(world: World) -> Item:
    return Item.objects.create(standard=_standard_in(world.county), name="卫生室", kind="yes")


CASES.update(
    {
        Standard: ModelCase(
            model=Standard,
            places=STANDARD_PLACES,
            make=lambda w, a: _standard_in(a),
            data=lambda w, a: {
                "area": a.pk,
                "level": "village",
                "year": str(2013 + next(_serial) % 23),
                "title": f"出列标准{next(_serial)}",
                **ITEMS_FORMSET,
            },
            edit_data=lambda w, o, a: {
                "area": a.pk,
                "level": o.level,
                "year": str(2013 + next(_serial) % 23),
                "title": o.title,
                **ITEMS_FORMSET,
            },
            area_of=lambda o: o.area,
            ancestors_visible=True,
        ),
        Item: ModelCase(
            model=Item,
            places=STANDARD_PLACES,
            make=lambda w, a: Item.objects.create(
                standard=_standard_in(a), name="通硬化路", kind="yes"
            ),
            area_of=lambda o: o.standard.area,
            ancestors_visible=True,
        ),
        Reading: ModelCase(
            model=Reading,
            places=lambda w: [w.v11, w.v21],
            make=lambda w, a: Reading.objects.create(item=_recorded_item(w), area=a, met=True),
            data=lambda w, a: {
                "item": _recorded_item(w).pk,
                "area": a.pk,
                "met": "true",
                "note": "村卫生室已建成，有合格村医",
            },
            area_of=lambda o: o.area,
        ),
        ExitStep: ModelCase(
            model=ExitStep,
            places=lambda w: [w.v11, w.v21],
            make=lambda w, a: ExitStep.objects.create(
                area=a, year=2019, step="propose", taken_by=UserFactory()
            ),
            # No page or endpoint writes a step but the procedure's (exits.services).
            data=lambda w, a: {"area": a.pk, "year": "2019", "step": "propose", "note": "申请"},
            area_of=lambda o: o.area,
        ),
    }
)


def _other_county(world: World) -> Area:
    """A second county of the city: a rehearsal is a county's, so the rows need two."""
    return Area.objects.get_or_create(
        code=world.county.code[:4] + "24000000", defaults={"name": "测试二县"}
    )[0]


def _rehearsal(area: Area, status: str = "draft") -> Rehearsal:
    return Rehearsal.objects.create(
        area=area, year=2019, title=f"预评估{next(_serial)}", status=status, villages_wanted=2
    )


def _survey(world: World, area: Area) -> Survey:
    county = Area.objects.get(code=area.code[:6] + "000000")
    return Survey.objects.create(
        rehearsal=_rehearsal(county, "drawn"), village=area, stratum="other", slot=1
    )


CASES.update(
    {
        Rehearsal: ModelCase(
            model=Rehearsal,
            places=lambda w: [w.county, _other_county(w)],
            make=lambda w, a: _rehearsal(a),
            data=lambda w, a: {
                "area": a.pk,
                "year": "2019",
                "title": f"预评估{next(_serial)}",
                "villages_wanted": "4",
                "exited_per_village": "2",
                "remaining_per_village": "1",
                "others_per_village": "2",
            },
            edit_data=lambda w, o, a: {
                "area": a.pk,
                "year": "2019",
                "title": o.title,
                "villages_wanted": "4",
                "exited_per_village": "2",
                "remaining_per_village": "1",
                "others_per_village": "2",
                "seen_version": o.version,
            },
            area_of=lambda o: o.area,
        ),
        Survey: ModelCase(
            model=Survey,
            places=lambda w: [w.v11, w.v21],
            make=_survey,
            area_of=lambda o: o.village,
        ),
    }
)


# --- 对口帮扶 (projects) ------------------------------------------------------------------------


def _help_pairing(world: World, area: Area) -> HelpPairing:
    return HelpPairing.objects.create(
        helper="榆次区",
        township=area,
        start=datetime.date(2019, 1, 1),
        end=datetime.date(2020, 12, 31),
    )


HELP_YEARS_FORMSET = {
    "years-TOTAL_FORMS": "0",
    "years-INITIAL_FORMS": "0",
    "years-MIN_NUM_FORMS": "0",
    "years-MAX_NUM_FORMS": "1000",
}

CASES.update(
    {
        HelpPairing: ModelCase(
            model=HelpPairing,
            places=lambda w: list(w.townships),
            make=_help_pairing,
            data=lambda w, a: {
                "helper": f"帮扶区{next(_serial)}",
                "township": a.pk,
                "start": "2019-01-01",
                "end": "2020-12-31",
                **HELP_YEARS_FORMSET,
            },
            area_of=lambda o: o.township,
        ),
        HelpTeamMember: ModelCase(
            model=HelpTeamMember,
            places=lambda w: list(w.townships),
            make=lambda w, a: HelpTeamMember.objects.create(
                pairing=_help_pairing(w, a),
                name="周队长",
                role="leader",
                county_leader=True,
                on_site_from=datetime.date(2019, 3, 1),
            ),
            data=lambda w, a: {
                "pairing": _help_pairing(w, a).pk,
                "name": f"队员{next(_serial)}",
                "role": "member",
                "on_site_from": "2019-03-01",
            },
            area_of=lambda o: o.pairing.township,
        ),
        HelpYear: ModelCase(
            model=HelpYear,
            places=lambda w: list(w.townships),
            make=lambda w, a: HelpYear.objects.create(
                pairing=_help_pairing(w, a), year=2019, revenue=959500, committed=9595
            ),
            area_of=lambda o: o.pairing.township,
        ),
    }
)
