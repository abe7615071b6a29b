"""Exit readiness (退出条件): each criterion at its edges, the words that explain it, and every
reader of the rule (the exit check, the list filter, the count per reason, the 疑点 rule)
agreeing with it."""

import datetime
import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import Role
from households import readiness, services
from households.models import Household, IncomeRecord
from households.quality import find_issues
from households.readiness import CRITERIA, State
from tests.factories import (
    AssessmentFactory,
    HouseholdFactory,
    IncomeRecordFactory,
    MemberFactory,
    new_id_number,
)

pytestmark = pytest.mark.django_db

LINE_2018 = Decimal("2995")  # households.migrations.0002_poverty_lines


def ready_household(village, **fields) -> Household:
    """Meets every criterion for 2018: one insured adult earning above the line, assessed that
    October with all six flags, not a 危房户, safe water."""
    fields = {"dilapidated_house": False, "safe_water": True, **fields}
    h = HouseholdFactory(village=village, head=False, **fields)
    MemberFactory(household=h, relation="head", basic_medical=True)
    IncomeRecordFactory(household=h, year=2018, persons=1, wage=Decimal("5000"))
    AssessmentFactory(household=h, assessed_on=datetime.date(2018, 10, 1))
    return h


def states(h: Household, year: int = 2018) -> dict[str, int]:
    return {line.criterion.key: line.state for line in readiness.explain(h, year).lines}


def child(h, birth: datetime.date, **fields):
    gender = fields.pop("gender", "female")
    return MemberFactory(
        household=h, relation="child", id_number=new_id_number(gender, birth), **fields
    )


def test_a_household_meeting_everything_is_ready(world):
    h = ready_household(world.v11)
    result = readiness.explain(h, 2018)
    assert result.ready and result.problems == []
    income = result.lines[0]
    assert income.sources == ["2018年收入记录：人均纯收入5000.00元，当年标准2995.00元"]
    assert "没有义务教育阶段适龄子女" in result.lines[3].sources


def test_income_exactly_at_the_line_meets_it_and_a_cent_below_does_not(world):
    h = ready_household(world.v11)
    h.incomes.update(per_capita_net=LINE_2018)
    assert states(h)["income"] == State.MET
    h.incomes.update(per_capita_net=LINE_2018 - Decimal("0.01"))
    result = readiness.explain(h, 2018)
    assert result.lines[0].state == State.NOT_MET
    assert result.lines[0].gaps == ["人均纯收入2994.99元，低于当年标准2995.00元"]


def test_missing_data_is_unknown_never_met(world):
    """No income record, no assessment, blank insurance, housing and water: each criterion is
    待核实 with what is missing named, and none counts as met."""
    h = HouseholdFactory(village=world.v11)
    result = readiness.explain(h, 2018)
    assert [line.state for line in result.lines] == [State.UNKNOWN] * len(CRITERIA)
    gaps = {line.criterion.key: line.gaps for line in result.lines}
    assert gaps["income"] == ["没有2018年的收入记录"]
    assert gaps["food"] == ["没有两不愁三保障入户评估"]
    assert f"户主{h.code}是否参加基本医疗保险未填写" in gaps["medical"]
    assert "是否危房户未填写" in gaps["housing"] and "饮水是否安全未填写" in gaps["water"]
    assert not result.ready
    # A year with no line set: unknown, and said so.
    assert "尚未设置2030年的脱贫标准（人均纯收入线）" in readiness.explain(h, 2030).lines[0].gaps


def test_an_assessment_before_the_year_is_stale(world):
    h = ready_household(world.v11)
    h.assessments.update(assessed_on=datetime.date(2017, 12, 31))
    line = readiness.explain(h, 2018).lines[1]
    assert line.state == State.UNKNOWN
    assert line.gaps == ["最近一次评估在2017-12-31，早于2018年，需重新入户评估"]
    AssessmentFactory(household=h, assessed_on=datetime.date(2018, 1, 1))
    assert states(h)["food"] == State.MET


def test_a_no_in_the_latest_assessment_fails_that_criterion_only(world):
    h = ready_household(world.v11)
    AssessmentFactory(household=h, assessed_on=datetime.date(2018, 11, 1), housing=False)
    found = states(h)
    assert found["housing"] == State.NOT_MET
    assert {k for k, v in found.items() if v != State.MET} == {"housing"}


def test_a_school_age_child_out_of_school_fails_education(world):
    """Compulsory-school age in the autumn term of 2018: born 2003-09-01 to 2012-08-31."""
    h = ready_household(world.v11)
    pupil = child(h, datetime.date(2012, 8, 31), schooling="primary", basic_medical=True)
    assert states(h)["education"] == State.MET
    # Too young in 2018 (turns six in September), or past grade 9: not of that age.
    child(h, datetime.date(2012, 9, 1), schooling="none", basic_medical=True)
    child(h, datetime.date(2003, 8, 31), schooling="none", basic_medical=True)
    assert states(h)["education"] == State.MET
    dropout = child(h, datetime.date(2003, 9, 1), schooling="dropout", basic_medical=True)
    line = readiness.explain(h, 2018).lines[3]
    assert line.state == State.NOT_MET
    assert line.gaps == [f"{dropout.name}处于义务教育阶段，辍学"]
    assert f"{pupil.name}（2018年秋6岁）：小学" in line.sources
    dropout.schooling = ""
    dropout.save()
    line = readiness.explain(h, 2018).lines[3]
    assert (line.state, line.gaps) == (State.UNKNOWN, [f"{dropout.name}的在校生状况未填写"])


def test_an_uninsured_member_fails_medical(world):
    h = ready_household(world.v11)
    m = MemberFactory(household=h, relation="spouse", gender="female", basic_medical=False)
    line = readiness.explain(h, 2018).lines[4]
    assert (line.state, line.gaps) == (State.NOT_MET, [f"{m.name}未参加城乡居民基本医疗保险"])


def test_housing_and_water_facts_override_a_yes_in_the_assessment(world):
    h = ready_household(world.v11, dilapidated_house=True)
    Household.objects.filter(pk=h.pk).update(safe_water=False)
    h.refresh_from_db()
    found = readiness.explain(h, 2018)
    assert found.lines[5].gaps == ["登记为危房户"] and found.lines[5].state == State.NOT_MET
    assert found.lines[6].gaps == ["登记为饮水不安全"] and found.lines[6].state == State.NOT_MET


def test_the_exit_proposal_is_refused_with_the_same_words(world, make_user):
    staff = make_user(Role.TOWNSHIP_STAFF, world.t1)
    h = ready_household(world.v11)
    MemberFactory(household=h, relation="spouse", gender="female", basic_medical=None)
    with pytest.raises(ValidationError) as exc:
        services.household_exit_propose(household=h, by=staff, year=2018, evidence="评议")
    assert readiness.explain(h, 2018).problems[0] in exc.value.messages
    assert "基本医疗有保障待核实" in " ".join(exc.value.messages)


def random_registry(world, n: int = 60, seed: int = 7) -> list[Household]:
    """Households with every source varied (mostly good, so some are ready), in two villages
    and two planned years."""
    rng = random.Random(seed)

    def pick(*weighted):
        values, weights = zip(*weighted, strict=True)
        return rng.choices(values, weights)[0]

    made = []
    for i in range(n):
        h = HouseholdFactory(
            village=world.v11 if i % 2 else world.v12,
            head=False,
            planned_exit_year=rng.choice([2018, 2019]),
            dilapidated_house=pick((None, 1), (False, 8), (True, 1)),
            safe_water=pick((None, 1), (True, 8), (False, 1)),
        )
        MemberFactory(household=h, relation="head", basic_medical=pick((None, 1), (True, 9)))
        for _ in range(rng.choice([0, 1, 2])):
            child(
                h,
                datetime.date(rng.randint(2002, 2013), rng.randint(1, 12), 15),
                schooling=pick(("", 1), ("none", 1), ("primary", 4), ("junior", 4), ("dropout", 1)),
                basic_medical=pick((None, 1), (True, 12), (False, 1)),
            )
        for year in (2018, 2019):
            if rng.random() < 0.9:
                IncomeRecordFactory(
                    household=h, year=year, persons=1, wage=Decimal(rng.randint(2800, 6000))
                )
        if rng.random() < 0.9:
            AssessmentFactory(
                household=h,
                assessed_on=datetime.date(pick((2017, 1), (2018, 4), (2019, 4)), 10, 1),
                **{
                    f: rng.random() < 0.95
                    for f in ("food", "clothing", "education", "medical", "housing", "water")
                },
            )
        made.append(h)
    return made


def test_every_reader_agrees_with_the_one_rule(world):
    """For a varied registry, the per-household explanation, the list filter, the tally and the
    words all give the same answer for each household's planned exit year."""
    made = random_registry(world)
    everyone = Household.objects.filter(pk__in=[h.pk for h in made])
    explained = {h.pk: readiness.explain(h) for h in made}
    # Every criterion that is not met says why, and a met one has nothing missing.
    for result in explained.values():
        for line in result.lines:
            assert bool(line.gaps) == (line.state != State.MET), (line.criterion, line.gaps)
    ready = {pk for pk, r in explained.items() if r.ready}
    assert set(readiness.filter_by(everyone, "ready").values_list("pk", flat=True)) == ready
    for c in CRITERIA:
        blocked = {pk for pk, r in explained.items() if states_of(r)[c.key] == State.NOT_MET}
        assert set(readiness.filter_by(everyone, c.key).values_list("pk", flat=True)) == blocked
    unknown = {pk for pk, r in explained.items() if State.UNKNOWN in states_of(r).values()}
    assert set(readiness.filter_by(everyone, "unknown").values_list("pk", flat=True)) == unknown
    # Something of each kind was generated, so the comparison above means something.
    assert ready and unknown and len(ready) < len(made)
    tallies = readiness.tally(everyone, "village_id")
    total = readiness.by_reason(tallies.values())
    assert (total.households, total.ready, total.with_unknown) == (
        len(made),
        len(ready),
        len(unknown),
    )
    for c in CRITERIA:
        assert total.not_met[c.key] == sum(
            states_of(r)[c.key] == State.NOT_MET for r in explained.values()
        )
    assert tallies[world.v11.pk].households == sum(h.village_id == world.v11.pk for h in made)


def states_of(result) -> dict[str, int]:
    return {line.criterion.key: line.state for line in result.lines}


def test_one_households_states_are_those_annotate_gives_for_every_year(world):
    """explain() runs annotate()'s statement compiled once per year with a stand-in id: each
    household gets its own states, for each year, as the annotated list gives them."""
    made = random_registry(world)
    fields = [c.field for c in CRITERIA]
    for year in (2016, 2018, 2020):
        listed = {
            row["pk"]: {f: row[f] for f in fields}
            for row in readiness.annotate(Household.objects.all(), year).values("pk", *fields)
        }
        for household in made:
            assert readiness.states_of(household.pk, year) == listed[household.pk], year
        assert len({tuple(v.values()) for v in listed.values()}) > 1  # households differ
    assert readiness.states_of(-1, 2018) == dict.fromkeys(fields, State.UNKNOWN)


def test_exited_households_are_not_remaining_and_the_quality_rule_reads_their_exit_year(world):
    h = ready_household(world.v11)
    Household.objects.filter(pk=h.pk).update(status="exited", exit_year=2018)
    everyone = Household.objects.filter(pk=h.pk)
    assert not readiness.filter_by(everyone, "ready").exists()
    assert not [hit for code, hit in find_issues(everyone) if code == "exit_below_standard"]
    h.incomes.update(per_capita_net=Decimal("2000"))
    found = [hit.detail for code, hit in find_issues(everyone) if code == "exit_below_standard"]
    assert found == ["2018年：收入超过当年标准未达标"]


def test_the_household_page_and_the_battle_card_show_each_criterion(client, world, make_user):
    h = ready_household(world.v11)
    child(h, datetime.date(2008, 3, 1), schooling="dropout", basic_medical=True)
    client.force_login(make_user(Role.TOWNSHIP_STAFF, world.t1))
    for url in (
        reverse("households:household_detail", args=[h.pk]),
        reverse("dashboard_household", args=[h.pk]),
    ):
        page = client.get(url).content.decode()
        assert "退出条件（2018年）" in page, url
        assert "处于义务教育阶段，辍学" in page and "未达标" in page


def test_the_battle_card_shows_the_latest_income_and_judges_the_years_own(client, world, make_user):
    """The 作战卡 shows the latest year's income and judges the exit year by that year's, both
    from one read of the household's incomes."""
    h = ready_household(world.v11)
    IncomeRecord.objects.filter(household=h, year=2018).update(per_capita_net=Decimal("2000"))
    IncomeRecordFactory(household=h, year=2019, persons=1, wage=Decimal("9000"))
    client.force_login(make_user(Role.TOWNSHIP_STAFF, world.t1))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("dashboard_household", args=[h.pk])).content.decode()
    assert "2019年人均纯收入 9,000.00元" in page
    assert "2018年收入记录：人均纯收入2000.00元" in page and "低于当年标准" in page
    # Income rows read as such (the readiness states test them inside a query of their own).
    reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "households_incomerecord"')]
    assert len(reads) == 1, "\n\n".join(reads)


@pytest.mark.parametrize("count", [1, 4])
def test_the_list_filter_and_the_count_page_in_a_fixed_number_of_queries(
    client, world, make_user, django_assert_max_num_queries, count
):
    for _ in range(count):
        ready_household(world.v11)
        HouseholdFactory(village=world.v21)  # unknown on everything
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("households:household_list"), {"readiness": "ready"})
    assert page.content.decode().count("/households/") >= count
    with django_assert_max_num_queries(10):
        page = client.get(reverse("households:readiness"))
    text = page.content.decode()
    assert page.status_code == 200 and "具备退出条件" in text


def test_the_count_page_counts_only_the_users_area(client, world, make_user):
    ready_household(world.v11)
    ready_household(world.v21)
    HouseholdFactory(village=world.v21)
    client.force_login(make_user(Role.TOWNSHIP_STAFF, world.t1))
    page = client.get(reverse("households:readiness"))
    assert page.context["total"].households == 1 and page.context["total"].ready == 1
    assert [row["name"] for row in page.context["rows"]] == ["一乡甲村"]


def test_planned_years_are_judged_each_for_itself(world):
    a = ready_household(world.v11)
    b = ready_household(world.v11, planned_exit_year=2019)  # no 2019 income
    everyone = Household.objects.filter(pk__in=[a.pk, b.pk])
    assert list(readiness.filter_by(everyone, "ready")) == [a]
    assert list(readiness.filter_by(everyone, "unknown")) == [b]


def test_the_household_pages_own_lists_give_the_same_explanation(world):
    """The household page hands explain() the incomes and assessments it lists: the words are
    those explain() finds by itself, whichever year is judged and whichever assessment of a
    day was entered last."""
    h = ready_household(world.v11)
    IncomeRecordFactory(household=h, year=2019, persons=1, wage=Decimal("100"))
    AssessmentFactory(household=h, assessed_on=datetime.date(2019, 3, 1), food=False)
    AssessmentFactory(household=h, assessed_on=datetime.date(2019, 3, 1), water=False)
    incomes = list(h.incomes.all())
    assessments = list(h.assessments.select_related("assessor"))
    for year in (2017, 2018, 2019, 2020):
        alone = readiness.explain(h, year)
        shared = readiness.explain(h, year, incomes=incomes, assessments=assessments)
        assert [(x.state, x.sources, x.gaps) for x in shared.lines] == [
            (x.state, x.sources, x.gaps) for x in alone.lines
        ]
    said = states_of(readiness.explain(h, 2019, incomes=incomes, assessments=assessments))
    assert said["water"] == State.NOT_MET and said["income"] == State.NOT_MET
