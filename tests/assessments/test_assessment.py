"""The half-yearly assessment as the county runs it: computed indicators read the same figures as
the pages they come from, only the assigned group's members score, deductions and bonus points
count, the ranking follows the totals, and a published scheme is locked."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from accounts.choices import Role
from assessments import services
from assessments.indicators import findings_on_time, key_tasks_on_time, points_for
from assessments.models import Group, Indicator, Score
from households.selectors import visit_coverage
from inspections.models import Finding, PledgeTarget
from inspections.progress import progress_of
from tests.factories import (
    CadreFactory,
    FindingFactory,
    HouseholdFactory,
    HouseholdPairingFactory,
    KeyTaskFactory,
    PledgeFactory,
    SchemeFactory,
    UnitFactory,
    VisitFactory,
)
from tests.poverty.test_dashboard import household

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def scheme(world):
    """2026's first half, the townships; three computed indicators and one the group scores."""
    scheme = SchemeFactory(area=world.county, start=D(2026, 1, 1), end=D(2026, 6, 30))
    for name, source, weight in (
        ("脱贫任务", "exit_completion", 40),
        ("问题整改", "findings_on_time", 20),
        ("重点工作", "key_tasks_on_time", 20),
        ("工作作风", "manual", 20),
    ):
        Indicator.objects.create(scheme=scheme, name=name, source=source, weight=weight)
    return scheme


def test_points_are_proportional_below_the_full_mark_line():
    assert points_for(Decimal("0.45"), Decimal(20), 90) == Decimal("10.00")  # 20 × 45/90
    assert points_for(Decimal("0.95"), Decimal(20), 90) == Decimal("20.00")  # capped
    assert points_for(None, Decimal(20), 100) == Decimal(0)


def test_exit_completion_is_the_pledge_pages_own_figure(world, scheme):
    pledge = PledgeFactory(area=world.t1, year=2026)
    target = PledgeTarget.objects.create(pledge=pledge, metric="persons_exited", target=10)
    household(world.v11, 3, planned=2026, exited=2026)
    household(world.v12, 5, planned=2026, exited=2026)
    household(world.v21, 4, planned=2026, exited=2026)  # the other township's
    from assessments.indicators import exit_completion

    reading = exit_completion(world.t1, scheme.start, scheme.end)
    progress = progress_of([target], world.t1, 2026)[0]
    assert reading.rate == progress.actual / 10 == Decimal("0.8")  # 8 persons of 10
    assert reading.basis == "2026年脱贫8人 / 责任书目标10人"
    # A township without a pledge target scores nothing, and says why.
    assert exit_completion(world.t2, scheme.start, scheme.end).rate is None


def test_findings_and_milestones_on_time_read_their_apps_rules(world, scheme):
    on_time = FindingFactory(area=world.v11, deadline=D(2026, 3, 31))
    late = FindingFactory(area=world.v12, deadline=D(2026, 4, 30))
    FindingFactory(area=world.v11, deadline=D(2026, 8, 1))  # due after the period
    Finding.objects.filter(pk=on_time.pk).update(status="closed", closed_on=D(2026, 3, 30))
    Finding.objects.filter(pk=late.pk).update(status="closed", closed_on=D(2026, 5, 10))
    reading = findings_on_time(world.t1, scheme.start, scheme.end)
    assert (reading.rate, reading.basis) == (Decimal("0.5"), "按期完成1个 / 到期2个")
    expected = Finding.objects.under([world.t1.code]).due_between(scheme.start, scheme.end)
    assert expected.closed_on_time().count() == 1 and expected.count() == 2
    # Nothing due: full marks, and the basis says so.
    assert findings_on_time(world.t2, scheme.start, scheme.end).rate == 1
    task = KeyTaskFactory(area=world.t1)
    task.milestones.create(title="甲", planned=D(2026, 3, 1), done_on=D(2026, 2, 28))
    task.milestones.create(title="乙", planned=D(2026, 5, 1), done_on=D(2026, 5, 2))
    task.milestones.create(title="丙", planned=D(2026, 6, 1))
    assert key_tasks_on_time(world.t1, scheme.start, scheme.end).rate == Decimal(1) / 3


def test_visit_coverage_sums_the_township_pages_months(world):
    scheme = SchemeFactory(area=world.county, start=D(2026, 5, 1), end=D(2026, 6, 30))
    cadre = CadreFactory(unit=UnitFactory(area=world.county))
    for village in (world.v11, world.v12):
        h = HouseholdFactory(village=village)
        HouseholdPairingFactory(household=h, cadre=cadre, start_date=D(2025, 1, 1))
        VisitFactory(household=h, cadre=cadre, visited_on=D(2026, 5, 10))
    from assessments.indicators import visit_coverage_over

    reading = visit_coverage_over(world.t1, scheme.start, scheme.end)
    may, june = visit_coverage(world.t1, D(2026, 5, 1)), visit_coverage(world.t1, D(2026, 6, 1))
    assert reading.rate == Decimal(may.visited + june.visited) / (may.paired + june.paired)
    assert reading.rate == Decimal("0.5")  # both visited in May, neither in June


def test_only_the_assigned_groups_members_score_and_adjust(world, scheme, make_user):
    inspector = make_user(Role.INSPECTOR, world.county)
    outsider = make_user(Role.INSPECTOR, world.county)
    group = Group.objects.create(scheme=scheme, name="第一考评组")
    group.members.add(inspector)
    group.areas.add(world.t1)
    manual = scheme.indicators.get(source="manual")
    score = services.score_manual(
        indicator=manual, assessee=world.t1, points=Decimal(18), basis="作风扎实", by=inspector
    )
    assert score.place == world.t1
    with pytest.raises(ValidationError, match="只有负责考评“一乡”的考评小组成员可以评分"):
        services.score_manual(
            indicator=manual, assessee=world.t1, points=Decimal(10), basis="x", by=outsider
        )
    with pytest.raises(ValidationError, match="只有负责考评“二镇”"):
        services.score_manual(
            indicator=manual, assessee=world.t2, points=Decimal(10), basis="x", by=inspector
        )
    with pytest.raises(ValidationError, match=r"得分应在0到20\.00分之间"):
        services.score_manual(
            indicator=manual, assessee=world.t1, points=Decimal(25), basis="x", by=inspector
        )
    computed = scheme.indicators.get(source="findings_on_time")
    with pytest.raises(ValidationError, match="自动计分"):
        services.score_manual(
            indicator=computed, assessee=world.t1, points=Decimal(5), basis="x", by=inspector
        )
    # A second score replaces the first; the history keeps both.
    services.score_manual(
        indicator=manual, assessee=world.t1, points=Decimal(16), basis="复核后调整", by=inspector
    )
    score = Score.objects.get(indicator=manual)
    assert score.points == 16 and score.history.count() == 2


def test_ranking_counts_deductions_and_publication_locks_everything(
    world, scheme, make_user, client
):
    staff = make_user(Role.COUNTY_STAFF, world.county)
    member = make_user(Role.LEADER, world.county)
    group = Group.objects.create(scheme=scheme, name="考评组")
    group.members.add(member)
    group.areas.add(world.t1, world.t2)
    manual = scheme.indicators.get(source="manual")
    services.compute_scores(scheme=scheme, by=staff)
    # Neither township has pledge targets or anything due: 0 + 20 + 20 from the data.
    services.score_manual(
        indicator=manual, assessee=world.t1, points=Decimal(15), basis="一般", by=member
    )
    with pytest.raises(ValidationError, match="尚未评分：二镇的“工作作风”"):
        services.publish(scheme=scheme, by=staff)
    services.score_manual(
        indicator=manual, assessee=world.t2, points=Decimal(12), basis="一般", by=member
    )
    services.adjust(
        scheme=scheme,
        assessee=world.t1,
        kind="deduct",
        points=Decimal(5),
        reason="被暗访通报",
        by=member,
    )
    services.adjust(
        scheme=scheme,
        assessee=world.t2,
        kind="bonus",
        points=Decimal(1),
        reason="经验推广",
        by=member,
    )
    rows = services.results(scheme, staff)
    assert [(str(r.assessee), r.total, r.rank) for r in rows] == [
        ("二镇", Decimal(53), 1),  # 20 + 20 + 12 + 1
        ("一乡", Decimal(50), 2),  # 20 + 20 + 15 − 5
    ]
    services.publish(scheme=scheme, by=staff)
    scheme.refresh_from_db()
    assert scheme.is_published and "已于" in scheme.locked_reason()
    for call in (
        lambda: services.score_manual(
            indicator=manual, assessee=world.t1, points=Decimal(20), basis="x", by=member
        ),
        lambda: services.adjust(
            scheme=scheme, assessee=world.t1, kind="bonus", points=Decimal(1), reason="x", by=member
        ),
        lambda: services.compute_scores(scheme=scheme, by=staff),
    ):
        with pytest.raises(ValidationError, match=r"已于.*公布"):
            call()
    client.force_login(staff)
    assert client.get(reverse("assessments:scheme_edit", args=[scheme.pk])).status_code == 403
    # The results page and its .xlsx show the ranking; a township reads only its own row.
    book = load_workbook(
        io.BytesIO(
            b"".join(
                client.get(reverse("assessments:scheme_xlsx", args=[scheme.pk])).streaming_content
            )
        )
    )
    assert [r[:2] for r in book.active.iter_rows(min_row=2, values_only=True)] == [
        (1, "二镇"),
        (2, "一乡"),
    ]
    client.force_login(make_user(Role.TOWNSHIP_STAFF, world.t1))
    page = client.get(reverse("assessments:scheme_results", args=[scheme.pk]))
    assert [str(r.assessee) for r, _ in page.context["rows"]] == ["一乡"]


def test_the_scheme_page_and_results_cost_the_same_with_more_scores(
    world, scheme, make_user, client, django_assert_num_queries
):
    staff = make_user(Role.COUNTY_STAFF, world.county)
    client.force_login(staff)
    services.compute_scores(scheme=scheme, by=staff)
    urls = {
        reverse("assessments:scheme_detail", args=[scheme.pk]): 12,
        reverse("assessments:scheme_results", args=[scheme.pk]): 8,
    }
    for url, queries in urls.items():
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200
    from tests.factories import AreaFactory

    for n in range(5):
        AreaFactory(code=f"9901231{10 + n}000", name=f"新乡{n}")
    services.compute_scores(scheme=scheme, by=staff)
    for url, queries in urls.items():
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


LISTS = {
    "assessments:scheme_list": 6,
    "assessments:group_list": 7,  # and the schemes to filter by
    "assessments:score_list": 7,
    "assessments:adjustment_list": 7,
    "api:scheme-list": 5,
    "api:score-list": 5,
    "api:adjustment-list": 5,
}


@pytest.mark.parametrize(("name", "queries"), LISTS.items())
def test_lists_cost_the_same_at_3_and_30_rows(
    world, make_user, client, django_assert_num_queries, name, queries
):
    staff = make_user(Role.COUNTY_STAFF, world.county)
    client.force_login(staff)

    def grow(n):
        for _ in range(n):
            scheme = SchemeFactory(area=world.county)
            manual = Indicator.objects.create(
                scheme=scheme, name="作风", source="manual", weight=10
            )
            group = Group.objects.create(scheme=scheme, name="组")
            group.members.add(staff)
            group.areas.add(world.t1)
            services.score_manual(
                indicator=manual, assessee=world.t1, points=Decimal(5), basis="一般", by=staff
            )
            services.adjust(
                scheme=scheme,
                assessee=world.t1,
                kind="bonus",
                points=Decimal(1),
                reason="x",
                by=staff,
            )

    grow(3)
    with django_assert_num_queries(queries):
        assert client.get(reverse(name)).status_code == 200
    grow(27)
    with django_assert_num_queries(queries):
        assert client.get(reverse(name)).status_code == 200


def test_a_second_score_on_the_page_replaces_the_first(world, scheme, make_user, client):
    member = make_user(Role.INSPECTOR, world.county)
    group = Group.objects.create(scheme=scheme, name="考评组")
    group.members.add(member)
    group.areas.add(world.t1)
    manual = scheme.indicators.get(source="manual")
    client.force_login(member)
    for points, basis in (("12", "初评"), ("15", "复核后调整")):
        response = client.post(
            reverse("assessments:score_add"),
            {
                "scheme": scheme.pk,
                "indicator": manual.pk,
                "assessed": world.t1.pk,
                "points": points,
                "basis": basis,
            },
        )
        assert response.status_code == 302, response.context["form"].errors
    score = Score.objects.get(indicator=manual)
    assert (score.points, score.basis) == (Decimal(15), "复核后调整")
    assert score.history.count() == 2
