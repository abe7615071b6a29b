"""The monthly notices (整改通知书, 督导通报 第N期); reminders: tests/work."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from inspections import notices
from inspections.choices import NoticeKind, Status
from inspections.models import Finding, Notice, NoticeItem
from poverty.common import months
from tests.factories import FindingFactory, UnitFactory

pytestmark = pytest.mark.django_db

D = datetime.date
MARCH = D(2019, 3, 1)
LATER = D(2030, 1, 1)  # "today" well after every month made here


def make(month, today=LATER):
    return notices.make_notices(month, today=today)


def close(finding, day):
    Finding.objects.filter(pk=finding.pk).update(status=Status.CLOSED, closed_on=day)


@pytest.fixture
def march(world):
    """Two county departments' findings around March 2019 (cut-off: 1 April)."""
    a = UnitFactory(area=world.county, name="县水利局")
    b = UnitFactory(area=world.county, name="县教育局")
    f = {
        "overdue_a": FindingFactory(
            area=world.v11, unit=a, found_on=D(2019, 3, 2), deadline=D(2019, 3, 20)
        ),
        "open_a": FindingFactory(
            area=world.v12, unit=a, found_on=D(2019, 3, 5), deadline=D(2019, 4, 30)
        ),
        "closed_b": FindingFactory(
            area=world.v21, unit=b, found_on=D(2019, 2, 10), deadline=D(2019, 3, 10)
        ),
        "overdue_b": FindingFactory(
            area=world.v21, unit=b, found_on=D(2019, 3, 10), deadline=D(2019, 3, 31)
        ),
        "april_b": FindingFactory(
            area=world.v22, unit=b, found_on=D(2019, 4, 3), deadline=D(2019, 4, 30)
        ),
    }
    close(f["closed_b"], D(2019, 3, 15))
    return {"a": a, "b": b, **f}


def test_one_notice_per_unit_and_one_bulletin_with_the_months_figures(march, world):
    [result] = make(MARCH)
    assert result.created and result.unit_notices == 2
    bulletin = result.bulletin
    assert (bulletin.title, bulletin.issued_on, bulletin.area) == (
        "督导通报 2019年第3期",
        D(2019, 4, 1),
        world.county,
    )
    summary = bulletin.summary
    # New in March: 3 (the April one is not); closed: 1; open on 1 April: 3, of which 2 overdue.
    assert summary["totals"] == {"new": 3, "closed": 1, "open": 3, "overdue": 2, "extended": 0}
    assert summary["townships"] == [
        {"code": "990123100000", "name": "一乡", "new": 2, "closed": 0, "open": 2, "overdue": 1},
        {"code": "990123101000", "name": "二镇", "new": 1, "closed": 1, "open": 1, "overdue": 1},
    ]
    assert [
        (u["name"], u["new"], u["closed"], u["open"], u["overdue"]) for u in summary["units"]
    ] == [
        ("县水利局", 2, 0, 2, 1),  # as many overdue, more open: first
        ("县教育局", 1, 1, 1, 1),
    ]
    # The bulletin names the overdue findings, most overdue first: 12 days and 1 day.
    items = [(i.finding, i.days_overdue) for i in bulletin.items.all()]
    assert items == [(march["overdue_a"], 12), (march["overdue_b"], 1)]
    unit_notices = Notice.objects.filter(kind=NoticeKind.UNIT).order_by("number")
    assert [
        (n.unit.name, n.number, n.summary["open"], n.summary["overdue"]) for n in unit_notices
    ] == [
        ("县教育局", 3001, 1, 1),
        ("县水利局", 3002, 2, 1),
    ]
    water = unit_notices.get(unit=march["a"])
    assert set(water.items.values_list("finding", flat=True)) == {
        march["overdue_a"].pk,
        march["open_a"].pk,
    }
    assert water.title == "整改通知书 〔2019〕3-2号（县水利局）"


def test_running_a_month_twice_makes_nothing_new(march):
    make(MARCH)
    before = (Notice.objects.count(), NoticeItem.objects.count())
    [again] = make(MARCH)
    assert not again.created and again.bulletin.number == 3
    assert (Notice.objects.count(), NoticeItem.objects.count()) == before
    assert "此前已生成，未新建" in str(again)


def test_numbers_follow_the_month_covered_whatever_order_they_are_made_in(march, world):
    """A month made late takes its own place; no published number ever changes."""
    make(MARCH)
    [april] = make(D(2019, 4, 1))
    assert april.bulletin.title == "督导通报 2019年第4期"
    assert sorted(
        Notice.objects.filter(kind=NoticeKind.UNIT, month=D(2019, 4, 1)).values_list(
            "number", flat=True
        )
    ) == [4001, 4002]
    published = dict(Notice.objects.values_list("pk", "number"))
    # February's findings, entered late: its notices are made after March's and April's, and
    # are numbered and dated as February's, before them.
    FindingFactory(area=world.v11, found_on=D(2019, 2, 11), deadline=D(2019, 2, 28))
    [february] = make(D(2019, 2, 1), today=D(2019, 5, 6))
    assert (february.bulletin.title, february.bulletin.issued_on) == (
        "督导通报 2019年第2期",
        D(2019, 3, 1),
    )
    assert dict(Notice.objects.filter(pk__in=published).values_list("pk", "number")) == published
    bulletins = Notice.objects.filter(kind=NoticeKind.BULLETIN).order_by("month")
    assert [(b.number, b.issued_on) for b in bulletins] == [
        (2, D(2019, 3, 1)),
        (3, D(2019, 4, 1)),
        (4, D(2019, 5, 1)),
    ]
    # December's bulletin, issued on 1 January, is still the year's twelfth.
    FindingFactory(area=world.v11, found_on=D(2019, 12, 2), deadline=D(2019, 12, 20))
    [december] = make(D(2019, 12, 1))
    assert december.bulletin.title == "督导通报 2019年第12期"
    assert december.bulletin.issued_on == D(2020, 1, 1)


def test_a_failure_halfway_leaves_nothing_and_a_retry_makes_the_set(march, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(notices, "_bulletin_summary", broken)
    with pytest.raises(RuntimeError):
        make(MARCH)
    assert not Notice.objects.exists() and not NoticeItem.objects.exists()
    monkeypatch.undo()
    [result] = make(MARCH)
    assert result.created and result.bulletin.number == 3 and result.unit_notices == 2


def test_a_month_that_has_not_ended_is_refused(march):
    with pytest.raises(ValidationError, match="2019年3月尚未结束"):
        make(MARCH, today=D(2019, 3, 31))
    assert make(MARCH, today=D(2019, 4, 1))[0].created


def test_figures_read_as_at_the_cutoff_even_when_made_late(march):
    # Closed in April: still open (and overdue) on 1 April.
    close(march["overdue_a"], D(2019, 4, 10))
    [result] = make(MARCH)
    assert result.bulletin.summary["totals"] == {
        "new": 3,
        "closed": 1,
        "open": 3,
        "overdue": 2,
        "extended": 0,
    }


def test_a_township_units_notice_is_read_in_its_township(world):
    township_unit = UnitFactory(area=world.t1, name="一乡人民政府")
    FindingFactory(area=world.v11, unit=township_unit, found_on=D(2019, 3, 2))
    make(MARCH)
    notice = Notice.objects.get(kind=NoticeKind.UNIT)
    assert notice.area == world.t1
    other = FindingFactory(area=world.v21, unit=township_unit, found_on=D(2019, 4, 2))
    make(D(2019, 4, 1))
    # One finding lies outside its township: the notice is read at county level only.
    assert Notice.objects.get(kind=NoticeKind.UNIT, month=D(2019, 4, 1)).area == world.county
    assert other.area == world.v21


def test_a_county_without_findings_gets_no_notices(world):
    [result] = make(MARCH)
    assert result.bulletin is None and not Notice.objects.exists()


def test_the_command_reports_each_county_and_refuses_a_bad_month(march, capsys):
    call_command("make_notices", "--month", "2019-03")
    out = capsys.readouterr()
    assert "测试县：已生成 督导通报 2019年第3期，整改通知书2份。" in out.out
    call_command("make_notices", "--month", "2019-03")
    assert "此前已生成，未新建" in capsys.readouterr().out
    with pytest.raises(CommandError, match="月份“2019/3”格式不对"):
        call_command("make_notices", "--month", "2019/3")


def test_previous_month_is_the_default():
    assert months.previous_month(D(2026, 11, 1)) == D(2026, 10, 1)
    assert months.previous_month(D(2027, 1, 1)) == D(2026, 12, 1)
