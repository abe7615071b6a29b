"""Fund totals and rates, the disbursement ceiling, disclosures and their objections."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from projects.choices import FundKind, FundSource
from projects.models import Disclosure, FundEntry, Objection
from projects.selectors import fund_totals, funds_by_source
from tests.factories import FundEntryFactory, ProjectFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def fund(project, source, kind, amount):
    return FundEntryFactory(project=project, source=source, kind=kind, amount=Decimal(amount))


@pytest.fixture
def funded(world):
    project = ProjectFactory(area=world.county)
    fund(project, FundSource.CENTRAL, FundKind.PLANNED, "500000")
    fund(project, FundSource.CENTRAL, FundKind.ALLOCATED, "300000")
    fund(project, FundSource.CENTRAL, FundKind.DISBURSED, "100000")
    fund(project, FundSource.CENTRAL, FundKind.DISBURSED, "20000")
    fund(project, FundSource.PAIRING, FundKind.PLANNED, "200000")
    fund(project, FundSource.PAIRING, FundKind.ALLOCATED, "200000")
    fund(project, FundSource.PAIRING, FundKind.DISBURSED, "50000")
    return project


def test_funds_by_source_sum_each_kind_and_rate_against_the_money_in_place(funded):
    rows = {row["label"]: row for row in funds_by_source(funded)}
    assert list(rows) == ["中央", "对口帮扶", "合计"]
    central, pairing, total = rows["中央"], rows["对口帮扶"], rows["合计"]
    assert (central["planned"], central["allocated"], central["disbursed"]) == (
        Decimal("500000"),
        Decimal("300000"),
        Decimal("120000"),
    )
    assert central["disbursement_rate"] == Decimal("0.4")  # 120,000 / 300,000
    assert central["allocation_rate"] == Decimal("0.6")  # 300,000 / 500,000
    assert pairing["disbursement_rate"] == Decimal("0.25")
    assert (total["planned"], total["allocated"], total["disbursed"]) == (
        Decimal("700000"),
        Decimal("500000"),
        Decimal("170000"),
    )
    assert total["disbursement_rate"] == Decimal("0.34")
    assert abs(total["allocation_rate"] - Decimal(5) / Decimal(7)) < Decimal("1e-12")


def test_totals_of_a_set_of_projects_and_no_rate_without_money(world, funded):
    other = ProjectFactory(area=world.t1)
    fund(other, FundSource.COUNTY, FundKind.PLANNED, "80000")
    totals = fund_totals(FundEntry.objects.all())
    assert totals[FundKind.PLANNED] == Decimal("780000")
    assert totals[FundKind.DISBURSED] == Decimal("170000")
    only_other = fund_totals(FundEntry.objects.filter(project=other))
    assert only_other["disbursement_rate"] is None  # nothing in place yet: no rate, not 0 %
    assert funds_by_source(ProjectFactory(area=world.t2)) == []


def test_paying_out_more_than_is_in_place_is_refused_per_source(funded):
    over = FundEntry(
        project=funded,
        source=FundSource.CENTRAL,
        kind=FundKind.DISBURSED,
        amount=Decimal("180000.01"),
    )
    with pytest.raises(ValidationError) as refused:
        over.full_clean()
    assert "中央资金已到位300000" in str(refused.value) and "最多可拨付180000" in str(refused.value)
    over.amount = Decimal("180000.00")
    over.full_clean()  # exactly the rest is fine
    # Money in place from another source does not count.
    other = FundEntry(
        project=funded, source=FundSource.COUNTY, kind=FundKind.DISBURSED, amount=Decimal("1")
    )
    with pytest.raises(ValidationError):
        other.full_clean()


def test_fund_dates_cannot_be_in_the_future(funded):
    entry = FundEntry(
        project=funded,
        source=FundSource.CENTRAL,
        kind=FundKind.PLANNED,
        amount=Decimal("1"),
        date=datetime.date.today() + datetime.timedelta(days=2),
    )
    with pytest.raises(ValidationError, match="不能晚于今天"):
        entry.full_clean()


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [(D(2019, 3, 1), D(2019, 3, 10), True), (D(2019, 3, 1), D(2019, 3, 9), False)],
)
def test_a_disclosure_runs_at_least_ten_days(world, start, end, ok):
    disclosure = Disclosure(
        project=ProjectFactory(area=world.county),
        title="资金使用",
        location="村委会公示栏",
        start_date=start,
        end_date=end,
    )
    if ok:
        disclosure.full_clean()
    else:
        with pytest.raises(ValidationError, match="公示期不少于10天（当前9天）"):
            disclosure.full_clean()


def test_an_objection_answer_needs_its_date_and_cannot_precede_the_objection(world):
    disclosure = Disclosure.objects.create(
        project=ProjectFactory(area=world.county),
        title="受益户名单",
        start_date=D(2019, 3, 1),
        end_date=D(2019, 3, 10),
    )
    objection = Objection(
        disclosure=disclosure, received_on=D(2019, 3, 4), content="某户不符合条件"
    )
    objection.full_clean()
    objection.answer = "经核查符合条件"
    with pytest.raises(ValidationError, match="请填写答复日期"):
        objection.full_clean()
    objection.answered_on = D(2019, 3, 3)
    with pytest.raises(ValidationError, match="不能早于受理日期"):
        objection.full_clean()
    objection.answered_on = D(2019, 3, 6)
    objection.full_clean()
