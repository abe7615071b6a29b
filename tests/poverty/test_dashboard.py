"""The 挂图作战 dashboard: figures against a hand-worked registry, drill-down, the village battle
map, scoping (also of the chart data) and a fixed number of queries."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from accounts.choices import Role
from households.choices import HouseholdStatus
from households.models import Household
from households.periods import follow
from inspections.choices import Status as FindingStatus
from inspections.models import Finding
from poverty.dashboard import selectors, tallies
from poverty.personal.masking import mask_phone
from projects.choices import FundKind, Stage
from projects.models import FundEntry, Project
from projects.selectors import fund_totals
from tests.factories import (
    AssistanceMeasureFactory,
    CadreFactory,
    FindingFactory,
    FundEntryFactory,
    HouseholdFactory,
    HouseholdPairingFactory,
    IncomeRecordFactory,
    LeaderPairingFactory,
    MemberFactory,
    ProjectFactory,
    UnitFactory,
    UnitPairingFactory,
    VillagePostingFactory,
    VisitFactory,
)
from villages.models import Cadre, LeaderPairing

pytestmark = pytest.mark.django_db


def household(village, persons, *, planned=2020, exited=None, cause="illness"):
    h = HouseholdFactory(
        village=village, identified_year=2014, planned_exit_year=planned, primary_cause=cause
    )
    for _ in range(persons - 1):
        MemberFactory(household=h)
    if exited:
        Household.objects.filter(pk=h.pk).update(status=HouseholdStatus.EXITED, exit_year=exited)
        follow([h.pk])  # as a service's save would record it
    return h


@pytest.fixture
def registry(world):
    household(world.v11, 3, exited=2019)
    late = household(world.v11, 4, planned=2018, cause="no_labour")  # past its deadline in 2019
    household(world.v12, 2, exited=2018)
    household(world.v21, 5)  # on plan (2020)
    household(world.v22, 2, exited=2019)
    cadre = CadreFactory(unit=UnitFactory(area=world.county), name="张帮扶")
    HouseholdPairingFactory(household=late, cadre=cadre)
    AssistanceMeasureFactory(household=late, cadre=cadre, measure_type="health")
    FindingFactory(area=world.v11, unit=UnitFactory(area=world.county, name="县水利局"))
    tallies.refresh()  # what the job does when these writes commit
    return world


def login(make_user, role, area) -> Client:
    client = Client()
    client.force_login(make_user(role, area))
    return client


def test_the_county_page_shows_its_figures_and_colours_each_township(registry, make_user):
    client = login(make_user, Role.LEADER, registry.county)
    response = client.get("/dashboard/", {"year": 2019})
    page = response.content.decode()
    assert '<div class="fs-5" id="kpi-registered">5户 16人</div>' in page
    assert '<div class="fs-5" id="kpi-exited">2户 5人</div>' in page
    assert '<div class="fs-5" id="kpi-remaining">2户 9人</div>' in page
    # Two poor villages, neither out by 2019; no village target pledged.
    assert '<div class="fs-5" id="kpi-villages">0 / — · 剩2个</div>' in page
    # 9 still poor of 20,000 rural residents.
    assert response.context["figures"]["incidence_rate"] == 9 / 20000
    states = {c["area"]["name"]: (c["state"], c["overdue"]) for c in response.context["children"]}
    assert states == {"一乡": ("behind", 1), "二镇": ("on_track", 0)}
    # The township most behind is the reddest tile; one on plan is not red at all.
    assert (
        'class="tile tile-behind shade-3 text-decoration-none" href="/dashboard/990123100000/'
        in page
    )
    assert 'class="tile tile-on_track text-decoration-none" href="/dashboard/990123101000/' in page
    assert 'href="/dashboard/990123100000/?year=2019"' in page  # drill down to 一乡
    causes = {c["label"]: (c["n"], c["poor"]) for c in response.context["causes"]}
    assert causes == {"因病": (4, 1), "缺劳力": (1, 1)}
    assert response.context["exits"] == [(2018, 1, 1), (2019, 0, 2), (2020, 4, 0)]
    # Each chart's numbers as a table, and the year chosen.
    assert '<tr><td>因病</td><td class="text-end">4</td><td class="text-end">1</td></tr>' in page
    assert '<tr><td>2019</td><td class="text-end">0</td><td class="text-end">2</td></tr>' in page
    assert '<tr><td>健康扶贫</td><td class="text-end">1</td></tr>' in page
    assert '<option value="2019" selected>2019年</option><option value="2018">' in page
    assert response.context["without_measures"] == 1  # 二镇甲村's household has none
    # Still poor: 一乡's 缺劳力 household (a health measure, not 兜底 or 公益岗位) and 二镇's 因病
    # household with nothing.
    assert [(c["label"], c["answers"], c["gap"]) for c in response.context["gaps"]] == [
        ("因病", "健康扶贫、兜底保障(低保/特困)", 1),
        ("缺劳力", "兜底保障(低保/特困)、公益岗位", 1),
    ]
    assert response.context["findings"] == [{"unit__name": "县水利局", "open": 1, "overdue": 1}]
    chart = json.loads(page.split('id="chart-data" type="application/json">')[1].split("<")[0])
    assert chart["children"] == [
        {"name": "一乡", "exited": 2, "remaining": 1, "state": "behind"},
        {"name": "二镇", "exited": 1, "remaining": 1, "state": "on_track"},
    ]


def test_a_village_shows_the_battle_map_with_the_way_back_up(registry, make_user):
    client = login(make_user, Role.LEADER, registry.county)
    response = client.get("/dashboard/990123100201/", {"year": 2019})
    page = response.content.decode()
    assert response.context["breadcrumb"] == [
        {"name": "测试县", "url": "/dashboard/990123000000/"},
        {"name": "一乡", "url": "/dashboard/990123100000/"},
    ]
    assert 'href="/dashboard/990123100000/?year=2019">一乡</a>' in page
    rows = response.context["households"]
    # Behind first: the 缺劳力 household planned for 2018 and still poor.
    assert [(h["causes"], h["behind"], h["css"]) for h in rows] == [
        ("缺劳力", True, "table-danger"),
        ("因病", False, "table-success"),
    ]
    late = rows[0]
    cadre = Cadre.objects.get(name="张帮扶")
    assert (late["cadre"], late["unit"], late["phone"], late["persons"]) == (
        "张帮扶",
        cadre.unit.name,
        mask_phone(cadre.phone),  # a leader has no sensitive-data permission
        4,
    )
    staff = login(make_user, Role.COUNTY_STAFF, registry.county)
    staff_rows = staff.get("/dashboard/990123100201/", {"year": 2019}).context["households"]
    assert staff_rows[0]["phone"] == cadre.phone
    assert late["measures"] == "健康扶贫" and rows[1]["measures"] == ""
    assert late["url"] == f"/dashboard/household/{late['pk']}/"
    assert f'<a href="/dashboard/household/{late["pk"]}/?year=2019">' in page
    assert '<span class="text-danger">未结对</span>' in page  # the exited household has none
    assert 'class="table table-sm table-hover mb-0 sortable" id="battle-map"' in page
    # A village's page leads with its battle map and who answers for it, the charts after.
    assert (
        page.index('id="battle-map"') < page.index('id="responsible"') < page.index("chart-causes")
    )


@pytest.mark.parametrize(
    ("overdue", "worst", "shade"),
    [(0, 5, 0), (1, 5, 1), (2, 5, 1), (3, 5, 2), (4, 5, 2), (5, 5, 3), (1, 1, 3), (0, 0, 0)],
)
def test_a_tile_is_redder_the_more_households_are_past_their_deadline(overdue, worst, shade):
    # Deepest for the sibling(s) most behind, then at least half of that, then fewer.
    assert selectors.shade_of(overdue, worst) == shade


def test_big_screen_mode_enlarges_the_page_and_refreshes_itself(registry, make_user):
    client = login(make_user, Role.LEADER, registry.county)
    page = client.get("/dashboard/", {"year": 2019, "screen": 1}).content.decode()
    assert '<html lang="zh-hans" class="screen">' in page
    assert '<meta http-equiv="refresh" content="300">' in page
    assert 'href="/dashboard/990123100000/?year=2019&amp;screen=1"' in page  # drill-down keeps it
    normal = client.get("/dashboard/", {"year": 2019}).content.decode()
    assert '<html lang="zh-hans" class="">' in normal and "refresh" not in normal


def test_the_battle_map_escapes_what_people_typed(registry, make_user):
    late = Household.objects.get(primary_cause="no_labour")
    late.members.filter(relation="head").update(name='<script>alert("户主")</script>')
    Cadre.objects.filter(name="张帮扶").update(name="张&李")
    page = login(make_user, Role.LEADER, registry.county).get(
        "/dashboard/990123100201/", {"year": 2019}
    )
    page = page.content.decode()
    assert "<script>alert" not in page
    assert "<td>&lt;script&gt;alert(&quot;户主&quot;)&lt;/script&gt;</td>" in page
    assert "<td>张&amp;李<span" in page
    assert '<td class="text-end">4</td><td>缺劳力</td><td>健康扶贫</td>' in page
    assert f'<td data-sort="2018">2018年</td><td>{late.get_status_display()}</td>' in page
    # What it lacks to exit (households.readiness): nothing recorded, so all to verify.
    assert '<td class="small text-danger">待核实：收入超过当年标准、不愁吃' in page


def test_the_tiles_escape_names_too(registry, make_user):
    registry.t1.name = "一乡<b>"
    registry.t1.save()
    LeaderPairingFactory(
        leader=CadreFactory(unit=UnitFactory(area=registry.county), name="王&张", is_leader=True),
        area=registry.t1,
    )
    page = login(make_user, Role.LEADER, registry.county).get("/dashboard/", {"year": 2019})
    page = page.content.decode()
    assert "一乡<b>" not in page
    assert "<strong>一乡&lt;b&gt;</strong>" in page  # the tile
    assert '?year=2019">一乡&lt;b&gt;</a></td>' in page  # its row of the data table
    assert "包联：王&amp;张" in page


def test_who_answers_for_a_township_and_a_village(registry, make_user):
    county_unit = UnitFactory(area=registry.county, name="县农业农村局")
    leader = CadreFactory(
        unit=county_unit, name="王县长", is_leader=True, phone="13800000001", position="副县长"
    )
    LeaderPairingFactory(leader=leader, area=registry.t1)
    LeaderPairingFactory(
        leader=CadreFactory(unit=county_unit, name="赵局长", is_leader=True), area=registry.v11
    )
    VillagePostingFactory(
        village=registry.v11,
        cadre=CadreFactory(unit=county_unit, name="钱书记", phone="13800000002"),
        role="first_secretary",
    )
    UnitPairingFactory(unit=county_unit, village=registry.v11)
    client = login(make_user, Role.LEADER, registry.county)
    county = client.get("/dashboard/990123000000/", {"year": 2019})
    tiles = {c["area"]["name"]: c["leaders"] for c in county.context["children"]}
    assert tiles == {"一乡": "王县长", "二镇": ""}
    assert "包联：王县长" in county.content.decode()
    township = client.get("/dashboard/990123100000/", {"year": 2019}).content.decode()
    assert "王县长（县农业农村局 副县长）" in township and "138****0001" in township
    assert "13800000001" not in township  # a leader has no sensitive-data permission
    staff = login(make_user, Role.COUNTY_STAFF, registry.county)
    township = staff.get("/dashboard/990123100000/", {"year": 2019}).content.decode()
    assert 'href="tel:13800000001"' in township
    village = client.get("/dashboard/990123100201/", {"year": 2019}).content.decode()
    assert "赵局长" in village and "第一书记 钱书记（县农业农村局）" in village
    assert '帮扶单位</dt><dd class="col-sm-10">县农业农村局</dd>' in village
    other = client.get("/dashboard/990123101201/", {"year": 2019}).content.decode()
    assert "未派驻" in other and "未明确" in other


def test_a_household_card_ends_the_drill_down(registry, make_user):
    late = Household.objects.get(primary_cause="no_labour")
    VisitFactory(household=late, cadre=Cadre.objects.get(), findings="家中老人住院，需落实兜底")
    IncomeRecordFactory(household=late, year=2019)
    client = login(make_user, Role.LEADER, registry.county)
    response = client.get(f"/dashboard/household/{late.pk}/", {"year": 2019})
    page = response.content.decode()
    assert [a["name"] for a in response.context["breadcrumb"]] == ["测试县", "一乡", "一乡甲村"]
    assert 'href="/dashboard/990123100201/?year=2019"' in page  # back up to the village
    assert "已超过脱贫时限（2018年），2019年末仍未脱贫。" in page
    assert "张帮扶" in page and "健康扶贫" in page and "家中老人住院" in page
    phone = Cadre.objects.get().phone
    assert mask_phone(phone) in page and phone not in page  # masked for a leader
    assert "2019年人均纯收入" in page
    assert "县水利局" not in page  # the finding is about the village, not this household
    # Before its deadline it is not behind.
    assert (
        "已超过脱贫时限"
        not in client.get(f"/dashboard/household/{late.pk}/", {"year": 2018}).content.decode()
    )


def test_a_household_outside_the_users_area_is_not_found(registry, make_user):
    other = Household.objects.get(village=registry.v21)
    client = login(make_user, Role.TOWNSHIP_STAFF, registry.t1)
    assert client.get(f"/dashboard/household/{other.pk}/").status_code == 404
    mine = Household.objects.filter(village=registry.v11).first()
    assert client.get(f"/dashboard/household/{mine.pk}/").status_code == 200


def test_a_township_user_sees_its_own_villages_only(registry, make_user):
    client = login(make_user, Role.TOWNSHIP_STAFF, registry.t1)
    own = client.get("/dashboard/")
    assert own.context["area"] == registry.t1
    names = [c["area"]["name"] for c in own.context["children"]]
    assert names == ["一乡甲村", "一乡乙村"]
    assert "二镇" not in own.content.decode()
    for code in ("990123000000", "990123101000", "990123101201"):
        assert client.get(f"/dashboard/{code}/").status_code == 404
    assert Client().get("/dashboard/").status_code == 302


def test_the_page_costs_the_same_with_more_households(
    registry, make_user, django_assert_num_queries
):
    client = login(make_user, Role.LEADER, registry.county)
    # session, user, areas, the area with its ancestors and children, villages, village tallies
    # (with those past their deadline), pledges, leaders of the children, causes, measures,
    # exits by year, findings, projects, funds
    for more in (0, 20):
        for n in range(more):
            household(registry.v21 if n % 2 else registry.v12, 2, exited=2019 if n % 3 else None)
        tallies.refresh()
        # (+1: which villages changed since their tallies were counted: none here; +1: the
        # measures ending soon or ended while running; +2: the year's key tasks by state, and
        # those behind with their leaders)
        with django_assert_num_queries(18):
            response = client.get("/dashboard/990123000000/", {"year": 2019})
    assert response.context["figures"]["registered"]["households"] == 25


def test_the_battle_map_and_a_household_cost_the_same_with_more_households(
    registry, make_user, django_assert_num_queries
):
    client = login(make_user, Role.LEADER, registry.county)
    for more in (0, 20):
        for _ in range(more):
            h = household(registry.v11, 2)
            HouseholdPairingFactory(household=h, cadre=Cadre.objects.first())
            AssistanceMeasureFactory(household=h)
            VisitFactory(household=h, cadre=Cadre.objects.first())
        tallies.refresh()
        # the figures as above (no children, so no leaders of children: 15), the households,
        # their measures and their cadres, the user's own permissions (whether the phones are
        # shown in full: 1, once), the village's leaders, postings and units, and its 出列
        # standard (exits.selectors.holding_back: none set here, so nothing more)
        with django_assert_num_queries(23):
            response = client.get("/dashboard/990123100201/", {"year": 2019})
        assert len(response.context["households"]) == 2 + more
        # session, user, areas, the household, the user's own permissions (the detail view
        # asks about edit rights a leader lacks: 1), ancestors, measures, pairing, incomes
        # (the latest shown, the exit year's judged), visits, findings; the exit readiness
        # (states, line, latest assessment, members: 4)
        pk = Household.objects.filter(village=registry.v11).latest("pk").pk
        with django_assert_num_queries(15):
            assert client.get(f"/dashboard/household/{pk}/").status_code == 200


def test_findings_projects_funds_and_leaders_follow_the_models_own_rules(world):
    """The dashboard sums these in SQL; each sum agrees with the model's own rule (unclosed and
    overdue findings, projects behind plan, fund totals, active pairings) at the edges: due
    today, closed, a stage done late, a pairing that ended yesterday or starts tomorrow; and
    nothing of the sibling township counts."""
    today = timezone.localdate()
    yesterday, tomorrow = today - datetime.timedelta(days=1), today + datetime.timedelta(days=1)
    water = UnitFactory(area=world.county, name="县水利局")
    roads = UnitFactory(area=world.county, name="县交通局")
    FindingFactory(area=world.v11, unit=water, deadline=yesterday)
    FindingFactory(area=world.v12, unit=water, deadline=today)  # due today: not yet overdue
    closed = FindingFactory(area=world.v12, unit=roads, deadline=yesterday)
    Finding.objects.filter(pk=closed.pk).update(status=FindingStatus.CLOSED)
    FindingFactory(area=world.v21, unit=roads, deadline=yesterday)  # the sibling township's
    under_t1 = {"area__code__startswith": "990123100"}
    mine = Finding.objects.filter(**under_t1).unclosed()
    assert (
        selectors.findings_by_unit(world.t1, today)
        == list(
            mine.values("unit__name")
            .annotate(open=Count("pk"), overdue=Count("pk", filter=mine.overdue_condition(today)))
            .order_by("-overdue", "-open", "unit__name")
        )
        == [{"unit__name": "县水利局", "open": 2, "overdue": 1}]
    )

    late, done, due_today, sibling = (
        ProjectFactory(area=area) for area in (world.t1, world.t1, world.t1, world.t2)
    )
    for project, planned, actual in (
        (late, yesterday, None),
        (done, yesterday, today),
        (due_today, today, None),
        (sibling, yesterday, None),
    ):
        project.stages.filter(stage=Stage.LISTED).update(planned_date=planned, actual_date=actual)
    projects = Project.objects.filter(area__code__startswith="990123100")
    assert selectors.projects_by_stage(world.t1, today) == [
        {"label": "未入库", "n": 3, "behind": 1}
    ]
    assert list(projects.overdue(today)) == [late]

    FundEntryFactory(project=late, kind=FundKind.PLANNED, amount=Decimal("100000.10"))
    FundEntryFactory(project=done, kind=FundKind.PLANNED, amount=Decimal("0.20"))
    FundEntryFactory(project=late, kind=FundKind.ALLOCATED, amount=Decimal("50000.15"))
    FundEntryFactory(project=sibling, kind=FundKind.DISBURSED, amount=Decimal("999.00"))
    funds = selectors.funds(world.t1)
    assert funds == fund_totals(FundEntry.objects.filter(project__in=projects))
    assert (funds["planned"], funds["allocated"], funds["disbursed"]) == (
        Decimal("100000.30"),
        Decimal("50000.15"),
        Decimal("0"),
    )

    for name, start, end in (
        ("王县长", datetime.date(2018, 1, 1), None),
        ("李县长", datetime.date(2018, 1, 1), yesterday),  # no longer paired
        ("赵局长", tomorrow, None),  # not yet
    ):
        LeaderPairingFactory(
            leader=CadreFactory(unit=water, name=name, is_leader=True),
            area=world.t1,
            start_date=start,
            end_date=end,
        )
    assert selectors.leaders_by_area([world.t1, world.t2], today) == {"990123100000": "王县长"}
    assert [p.leader.name for p in LeaderPairing.objects.active(today)] == ["王县长"]
