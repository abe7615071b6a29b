"""第三方评估预评估: the draw (stratified, repeatable from its seed), the questionnaire's verdict,
the rates on a sample worked by hand, closing (findings, kept results, locked), and 三率一度
feeding the county's 摘帽 standard."""

import datetime
import math
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from exits.choices import RehearsalStatus, Stratum, Verdict
from exits.models import Item, Rehearsal, Standard, Survey
from exits.rehearsal import rehearsal_close, rehearsal_draw, results, survey_record
from exits.selectors import evaluate
from households.choices import HouseholdStatus
from households.models import Household
from households.periods import follow
from households.readiness import State
from inspections.models import Finding
from poverty.dashboard.stats import exit_statistics
from tests.factories import (
    AreaFactory,
    CadreFactory,
    HouseholdFactory,
    HouseholdPairingFactory,
    MemberFactory,
    UnitFactory,
)
from villages.models import Area

pytestmark = pytest.mark.django_db
YEAR = 2019
LINE = Decimal("3218")  # 2019's line (households.migrations.0002_poverty_lines)
ALL_YES = dict.fromkeys(("food", "clothing", "education", "medical", "housing", "water"), True)


def household(village, persons, *, exited=None) -> Household:
    h = HouseholdFactory(village=village, identified_year=2015, planned_exit_year=2019)
    for _ in range(persons - 1):
        MemberFactory(household=h)
    if exited:
        Household.objects.filter(pk=h.pk).update(status=HouseholdStatus.EXITED, exit_year=exited)
        follow([h.pk])
    h.refresh_from_db()
    return h


@pytest.fixture
def staff(make_user, world):
    return make_user(Role.COUNTY_STAFF, world.county)


@pytest.fixture
def registry(world):
    """Per village: four exited (2018, 2019) and two remaining households."""
    for village in world.villages:
        for n in range(4):
            household(village, 2 + n % 3, exited=2018 + n % 2)
        household(village, 3)
        household(village, 4)
    return world


def rehearsal(world, **fields) -> Rehearsal:
    values = {
        "area": world.county,
        "year": YEAR,
        "title": "2019年第三方评估预评估",
        "villages_wanted": 2,
        "exited_per_village": 2,
        "remaining_per_village": 1,
        "others_per_village": 2,
        "seed": 20191015,
        **fields,
    }
    return Rehearsal.objects.create(**values)


def sample(r: Rehearsal) -> list[tuple]:
    return list(
        Survey.objects.filter(rehearsal=r)
        .order_by("village__code", "stratum", "slot")
        .values_list("village__code", "stratum", "household__code", "slot")
    )


def test_the_draw_is_stratified_and_repeatable_from_its_seed(registry, staff):
    first, again = rehearsal(registry), rehearsal(registry)
    assert rehearsal_draw(rehearsal=first, by=staff) == 2 * (2 + 1 + 2)
    rehearsal_draw(rehearsal=again, by=staff)
    assert [row[:2] + row[2:] for row in sample(first)] == sample(again)
    # One village per township (two townships, two wanted), the poor one first.
    drawn = {s.village for s in Survey.objects.filter(rehearsal=first)}
    assert drawn == {registry.v11, registry.v21}
    for s in Survey.objects.filter(rehearsal=first).select_related("household"):
        if s.stratum == Stratum.EXITED:
            assert s.household.status == "exited" and s.household.exit_year <= YEAR
            assert s.persons == s.household.persons
        elif s.stratum == Stratum.REMAINING:
            assert s.household.status != "exited"
        else:
            assert s.household is None and s.head_name == ""
    first.refresh_from_db()
    assert (first.status, first.seed) == (RehearsalStatus.DRAWN, 20191015)
    with pytest.raises(ValidationError, match="已经抽样"):
        rehearsal_draw(rehearsal=first, by=staff)
    # Without a seed one is drawn and kept, so the sample can be drawn again.
    unseeded = rehearsal(registry, seed=None, villages_wanted=4)
    rehearsal_draw(rehearsal=unseeded, by=staff)
    unseeded.refresh_from_db()
    assert unseeded.seed is not None
    repeat = rehearsal(registry, seed=unseeded.seed, villages_wanted=4)
    rehearsal_draw(rehearsal=repeat, by=staff)
    assert sample(repeat) == sample(unseeded)
    assert {s.village_id for s in Survey.objects.filter(rehearsal=repeat)} == {
        v.pk for v in registry.villages
    }


def test_equal_shares_go_to_the_first_townships_by_code_whatever_their_ids(world, staff):
    """Ten townships of one village each, three villages wanted: every township's share is 0.3,
    so the three first by code are drawn. The townships are made last-code-first, so neither
    their ids nor the ids read as text (10 < 9) are in code order."""
    codes = [f"990123{200 + n:03d}000" for n in range(10)]
    for code in reversed(codes):
        township = AreaFactory(code=code, name=f"乡{code[6:9]}", parent=world.county)
        AreaFactory(code=code[:9] + "001", name=f"村{code[6:9]}", parent=township)
    Area.objects.filter(code__in=[v.code for v in world.villages]).delete()
    drawn = rehearsal(world, villages_wanted=3, exited_per_village=0, remaining_per_village=0)
    rehearsal_draw(rehearsal=drawn, by=staff)
    assert sorted({row[0][:9] for row in sample(drawn)}) == [c[:9] for c in codes[:3]]


def answer(survey, by, *, income="5000", persons=None, satisfied=True, **flags):
    return survey_record(
        survey=survey,
        by=by,
        surveyed_on=datetime.date(2019, 10, 20),
        persons=persons or survey.persons,
        income=Decimal(income),
        satisfied=satisfied,
        **{**ALL_YES, **flags},
    )


def test_the_verdict_of_a_questionnaire(registry, staff):
    r = rehearsal(registry)
    rehearsal_draw(rehearsal=r, by=staff)
    exited = Survey.objects.filter(rehearsal=r, stratum=Stratum.EXITED).first()
    with pytest.raises(ValidationError, match="请填写：调查日期、人均纯收入（元）、不愁吃"):
        survey_record(survey=exited, by=staff)
    # Exactly at the line is not poor; a cent below is, and so is a failed guarantee.
    assert answer(exited, staff, income=str(LINE)).verdict == Verdict.CORRECT
    assert answer(exited, staff, income=str(LINE - Decimal("0.01"))).verdict == "wrongly_exited"
    assert answer(exited, staff, housing=False).verdict == Verdict.WRONGLY_EXITED
    other = Survey.objects.filter(rehearsal=r, stratum=Stratum.OTHER).first()
    with pytest.raises(ValidationError, match="户主姓名"):
        answer(other, staff, persons=3)
    assert answer(other, staff, persons=3, income="2000", head_name="王五").verdict == "missed"
    remaining = Survey.objects.filter(rehearsal=r, stratum=Stratum.REMAINING).first()
    assert answer(remaining, staff, income="1000").verdict == Verdict.CORRECT


def test_the_rates_on_a_sample_worked_by_hand(registry, staff):
    """Exited households surveyed: 2+3 persons in one village, 4+2 in the other (11 persons);
    one of 3 persons wrongly exited: 错退率 3/11. Non-registered: 4 and 6 persons (10), the 4
    missed: 漏评率 4/10. Registered households answering: 4 exited + 2 remaining, 5 satisfied:
    认可度 5/6. 综合贫困发生率: (remaining persons + 0.4 × (rural − registered) + 3/11 × exited
    persons) / rural population, from the county's own statistics."""
    r = rehearsal(registry)
    rehearsal_draw(rehearsal=r, by=staff)
    exited = list(Survey.objects.filter(rehearsal=r, stratum=Stratum.EXITED))
    for s, persons in zip(exited, (2, 3, 4, 2), strict=True):
        answer(s, staff, persons=persons, income="1500" if persons == 3 else "6000")
    remaining = list(Survey.objects.filter(rehearsal=r, stratum=Stratum.REMAINING))
    answer(remaining[0], staff, satisfied=False, income="2000")
    answer(remaining[1], staff, income="2000")
    others = list(Survey.objects.filter(rehearsal=r, stratum=Stratum.OTHER).order_by("pk"))
    for s, (name, persons, income) in zip(
        others[:2], (("赵甲", 4, "2500"), ("钱乙", 6, "9000")), strict=True
    ):
        answer(s, staff, persons=persons, income=income, satisfied=None, head_name=name)
    found = results(r)
    assert (found.wrong_exit.numerator, found.wrong_exit.denominator) == (3, 11)
    assert (found.missed.numerator, found.missed.denominator) == (4, 10)
    assert (found.satisfaction.numerator, found.satisfaction.denominator) == (5, 6)
    assert found.wrong_exit.margin == pytest.approx(1.96 * math.sqrt(3 / 11 * 8 / 11 / 11))
    figures = exit_statistics(registry.county, YEAR, children=[])
    rural = figures["rural_population"]
    expected = (
        figures["remaining"]["persons"]
        + 0.4 * (rural - figures["registered"]["persons"])
        + 3 / 11 * figures["exited_cumulative"]["persons"]
    ) / rural
    assert found.composite == pytest.approx(expected)
    assert (found.surveyed, found.planned) == (8, 8)  # the two unused slots of the others


def test_closing_makes_findings_keeps_the_results_and_locks(registry, staff, world):
    unit = UnitFactory(area=world.county, name="县农业农村局")
    cadre = CadreFactory(unit=unit, name="孙帮扶")
    r = rehearsal(registry)
    rehearsal_draw(rehearsal=r, by=staff)
    surveys = list(Survey.objects.filter(rehearsal=r).exclude(stratum=Stratum.OTHER))
    with pytest.raises(ValidationError, match="还有6户问卷未填写"):
        rehearsal_close(rehearsal=r, by=staff)
    wrong = surveys[0]
    HouseholdPairingFactory(
        household=wrong.household, cadre=cadre, start_date=datetime.date(2018, 1, 1)
    )
    for s in surveys:
        answer(s, staff, income="2000" if s == wrong else "6000")
    missed = Survey.objects.filter(rehearsal=r, stratum=Stratum.OTHER, village=registry.v21).first()
    answer(
        missed,
        staff,
        persons=5,
        income="6000",
        medical=False,
        satisfied=None,
        head_name="李四",
        address="二镇甲村3组",
    )
    UnitFactory(area=registry.t2, name="二镇党委政府")  # the village's fallback unit
    found = rehearsal_close(rehearsal=r, by=staff, today=datetime.date(2019, 11, 1))
    r.refresh_from_db()
    assert r.status == RehearsalStatus.CLOSED and r.locked_reason()
    assert r.results["wrong_exit"]["numerator"] == found.wrong_exit.numerator > 0
    findings = Finding.objects.filter(inspection=r.inspection).order_by("category")
    assert [(f.category, f.subject) for f in findings] == [
        ("exit", "household"),
        ("identification", "village"),
    ]
    exit_finding, missed_finding = findings
    assert (exit_finding.household, exit_finding.unit, exit_finding.person) == (
        wrong.household,
        unit,
        cadre,
    )
    assert "错退" in exit_finding.description and "人均纯收入2000.00元" in exit_finding.description
    assert missed_finding.area == registry.v21 and missed_finding.unit.name == "二镇党委政府"
    assert (
        "李四户" in missed_finding.description
        and "基本医疗有保障未保障" in missed_finding.description
    )
    assert exit_finding.deadline == datetime.date(2019, 12, 1)
    assert set(Finding.objects.unclosed()) >= {exit_finding, missed_finding}
    assert r.inspection.kind == "third_party"
    # Locked: no questionnaire changes, no second close.
    with pytest.raises(ValidationError, match="不在调查阶段"):
        answer(surveys[1], staff)
    with pytest.raises(ValidationError, match="只有调查中"):
        rehearsal_close(rehearsal=r, by=staff)


def test_the_county_standard_reads_three_rates_from_the_latest_rehearsal(registry, staff, world):
    province = Area.objects.get(code=world.county.code[:2] + "0000000000")
    standard = Standard.objects.create(area=province, level="county", year=YEAR, title="摘帽标准")
    for kind, threshold in (("wrong_exit_rate", 2), ("missed_rate", 2), ("satisfaction", 90)):
        Item.objects.create(standard=standard, name=kind, kind=kind, threshold=threshold)
    Area.objects.filter(pk=world.county.pk).update(is_poor=True)
    world.county.refresh_from_db()
    assert {line.state for line in evaluate(world.county, YEAR).lines} == {State.UNKNOWN}
    r = rehearsal(registry)
    rehearsal_draw(rehearsal=r, by=staff)
    for s in Survey.objects.filter(rehearsal=r).exclude(stratum=Stratum.OTHER):
        answer(s, staff)
    UnitFactory(area=registry.t1)
    UnitFactory(area=registry.t2)
    rehearsal_close(rehearsal=r, by=staff)
    lines = {line.item.kind: line for line in evaluate(world.county, YEAR).lines}
    assert (lines["wrong_exit_rate"].state, lines["wrong_exit_rate"].shown) == (
        State.MET,
        "0.00%",
    )
    assert lines["missed_rate"].state == State.UNKNOWN  # nobody outside the registry was met
    assert lines["satisfaction"].shown == "100.00%" and lines["satisfaction"].state == State.MET


def test_the_pages_draw_fill_print_and_export(client, registry, staff, make_user, world):
    client.force_login(staff)
    response = client.post(
        reverse("exits:rehearsal_add"),
        {
            "area": world.county.pk,
            "year": YEAR,
            "title": "十月预评估",
            "villages_wanted": 2,
            "exited_per_village": 1,
            "remaining_per_village": 1,
            "others_per_village": 1,
            "seed": 7,
        },
    )
    r = Rehearsal.objects.get(title="十月预评估")
    assert response.status_code == 302
    client.post(reverse("exits:rehearsal_draw", args=[r.pk]), {"seen_version": 0})
    r.refresh_from_db()
    assert r.status == RehearsalStatus.DRAWN
    survey = Survey.objects.filter(rehearsal=r, stratum=Stratum.EXITED).first()
    # An inspector fills the questionnaire on a phone.
    inspector = make_user(Role.INSPECTOR, world.county)
    client.force_login(inspector)
    form = {
        "surveyed_on": "2019-10-20",
        "persons": 3,
        "income": "2500",
        **dict.fromkeys(ALL_YES, "true"),
    }
    response = client.post(
        reverse("exits:survey_record", args=[survey.pk]),
        {**form, "satisfied": "false", "seen_version": 0},
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.verdict, survey.surveyor) == (Verdict.WRONGLY_EXITED, inspector)
    client.force_login(staff)
    page = client.get(r.get_absolute_url()).content.decode()
    assert "错退率" in page and "100.00%" in page
    printed = client.get(reverse("exits:rehearsal_questionnaires", args=[r.pk])).content.decode()
    assert printed.count("入户调查问卷") == Survey.objects.filter(rehearsal=r).count()
    export = client.get(reverse("exits:rehearsal_xlsx", args=[r.pk]))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    # Township staff and village cadres do not see whom the rehearsal will visit.
    client.force_login(make_user(Role.TOWNSHIP_STAFF, world.t1))
    assert client.get(reverse("exits:survey_list")).status_code == 403


@pytest.mark.parametrize("villages", [2, 4])
def test_the_rehearsal_pages_cost_the_same_with_a_bigger_sample(
    client, registry, staff, django_assert_max_num_queries, villages
):
    r = rehearsal(registry, villages_wanted=villages)
    rehearsal_draw(rehearsal=r, by=staff)
    client.force_login(staff)
    with django_assert_max_num_queries(14):
        assert client.get(r.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("exits:survey_list"), {"rehearsal": r.pk}).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("exits:rehearsal_list")).status_code == 200


def test_the_history_shows_times_as_the_office_reads_them(registry, staff):
    r = rehearsal(registry)
    rehearsal_draw(rehearsal=r, by=staff)
    from poverty.common import history

    entry = history.entries(Rehearsal, r.history.all(), sensitive=False)[0]
    drawn = next(c for c in entry.changes if c.field == "抽样时间")
    r.refresh_from_db()
    assert drawn.new == f"{timezone.localtime(r.drawn_at):%Y-%m-%d %H:%M}"


def test_income_asked_by_item_gives_the_per_capita_figure(registry, staff):
    """(6,000 wage + 1,200 transfer − 500 costs) ÷ 2 persons = 3,350 ≥ 2019's 3,218: not poor;
    with 800 less in wages, 2,950: poor, so 错退."""
    r = rehearsal(registry)
    rehearsal_draw(rehearsal=r, by=staff)
    exited = Survey.objects.filter(rehearsal=r, stratum=Stratum.EXITED).first()
    items = {"wage": Decimal(6000), "transfer": Decimal(1200), "business_costs": Decimal(500)}
    done = survey_record(
        survey=exited,
        by=staff,
        surveyed_on=datetime.date(2019, 10, 20),
        persons=2,
        satisfied=True,
        **items,
        **ALL_YES,
    )
    assert (done.income, done.business, done.verdict) == (Decimal("3350.00"), 0, "correct")
    done = survey_record(survey=exited, by=staff, wage=Decimal(5200))
    assert (done.income, done.verdict) == (Decimal("2950.00"), Verdict.WRONGLY_EXITED)
