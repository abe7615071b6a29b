"""Every data-quality rule with a household that trips it and one that does not."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.choices import Role
from households.models import Household, Member, QualityIssue
from households.quality import RULES, check_quality, duplicate_numbers, find_issues, legacy_to_18
from poverty.personal import crypto, idnumber
from tests.factories import (
    AssessmentFactory,
    AssistanceMeasureFactory,
    CadreFactory,
    HouseholdFactory,
    HouseholdPairingFactory,
    IncomeRecordFactory,
    MemberFactory,
    UnitFactory,
    VisitFactory,
    new_id_number,
    with_exit_facts,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2019, 6, 1)


def born(age: int) -> datetime.date:
    return datetime.date(TODAY.year - age, 1, 15)


@pytest.fixture
def cadre(world):
    return CadreFactory(unit=UnitFactory(area=world.county))


@pytest.fixture
def clean(world, cadre):
    """A household that trips no rule: a 40-year-old working head, short of capital, with a
    loan, a paired cadre and a visit last month."""
    h = HouseholdFactory(village=world.v11, head=False, primary_cause="no_capital")
    MemberFactory(
        household=h,
        relation="head",
        id_number=new_id_number("male", born(40)),
        labour_skill="ordinary",
    )
    AssistanceMeasureFactory(household=h, measure_type="microcredit")
    HouseholdPairingFactory(household=h, cadre=cadre, start_date=datetime.date(2018, 1, 1))
    VisitFactory(household=h, cadre=cadre, visited_on=TODAY - datetime.timedelta(days=30))
    return h


def hits(h: Household) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for code, hit in find_issues(Household.objects.filter(pk=h.pk), today=TODAY):
        found.setdefault(code, []).append(hit.detail)
    return found


def member(h, age, **fields):
    gender = fields.pop("gender", "female")
    return MemberFactory(household=h, id_number=new_id_number(gender, born(age)), **fields)


def test_the_clean_household_trips_nothing(clean):
    assert hits(clean) == {}


def test_every_rule_has_a_chinese_description():
    assert len(RULES) >= 18
    for rule in RULES.values():
        assert rule.description and not rule.description.isascii()


def set_number(m: Member, number: str) -> None:
    """Store a number bypassing validation, as old imports did."""
    m.id_number = number
    m.save()


def test_duplicate_numbers_including_a_legacy_15_digit_one(clean, world):
    head = clean.members.get()
    other = HouseholdFactory(village=world.v12)
    legacy = head.id_number[:6] + head.id_number[8:17]  # the same person's old 15-digit number
    assert legacy_to_18(legacy) == head.id_number
    set_number(other.members.get(), legacy)
    both = Household.objects.filter(pk__in=[clean.pk, other.pk])
    found = {(c, h.household_id) for c, h in find_issues(both, today=TODAY)}
    assert ("id_duplicate", clean.pk) in found and ("id_duplicate", other.pk) in found
    assert duplicate_numbers([(1, "11010519491231002x"), (2, "11010519491231002X")]) == {
        "11010519491231002X": [1, 2]
    }
    assert duplicate_numbers([(1, head.id_number), (2, new_id_number())]) == {}


def test_bad_check_digit_and_legacy_numbers(clean):
    head = clean.members.get()
    bad = head.id_number[:17] + ("0" if head.id_number[17] != "0" else "1")
    set_number(head, bad)
    assert "校验位错误" in hits(clean)["id_invalid"][0]
    set_number(head, head.id_number[:6] + head.id_number[8:17])
    assert "15位" in hits(clean)["id_invalid"][0]


def test_gender_or_birth_date_disagreeing_with_the_number(clean):
    head = clean.members.get()
    Member.objects.filter(pk=head.pk).update(gender="female")
    assert "性别" in hits(clean)["id_mismatch"][0]
    Member.objects.filter(pk=head.pk).update(gender="male", birth_date=datetime.date(1979, 1, 1))
    assert "出生日期" in hits(clean)["id_mismatch"][0]


def test_not_exactly_one_head(clean):
    clean.members.update(relation="spouse")
    assert hits(clean)["head_count"] == ["该户有0名户主"]


def test_head_and_spouse_of_the_same_gender(clean):
    member(clean, 38, relation="spouse", gender="female")
    assert "head_spouse_gender" not in hits(clean)
    member(clean, 38, relation="spouse", gender="male")
    assert len(hits(clean)["head_spouse_gender"]) == 1


def test_school_age_without_schooling_status(clean):
    member(clean, 12, relation="child", schooling="primary", labour_skill="none")
    assert "schooling_missing" not in hits(clean)
    member(clean, 12, relation="child", schooling="", labour_skill="none")
    assert len(hits(clean)["schooling_missing"]) == 1


def test_schooling_impossible_for_the_age(clean):
    member(clean, 16, relation="child", schooling="senior", labour_skill="none")
    assert "schooling_age" not in hits(clean)
    member(clean, 14, relation="child", schooling="senior", labour_skill="none")
    assert "14岁，在校生状况为普通高中" in hits(clean)["schooling_age"][0]


def test_working_age_without_labour_status(clean):
    member(clean, 30, relation="spouse", gender="female", labour_skill="ordinary")
    assert "labour_missing" not in hits(clean)
    member(clean, 30, relation="child", labour_skill="")
    assert len(hits(clean)["labour_missing"]) == 1


def test_healthy_working_age_member_coded_unable_to_work(clean):
    member(clean, 30, relation="child", labour_skill="unable", health="disabled")
    assert "healthy_unable" not in hits(clean)
    member(clean, 30, relation="child", labour_skill="unable", health="healthy")
    assert len(hits(clean)["healthy_unable"]) == 1


@pytest.mark.parametrize(
    ("cause", "rule", "fix"),
    [
        ("illness", "illness_all_healthy", {"health": "chronic"}),
        ("schooling", "schooling_no_student", {"schooling": "junior", "age": 13}),
        ("disability", "disability_none", {"health": "disabled"}),
    ],
)
def test_cause_without_a_matching_member(clean, cause, rule, fix):
    Household.objects.filter(pk=clean.pk).update(other_causes=cause)
    AssistanceMeasureFactory(
        household=clean,
        measure_type={"illness": "health", "schooling": "education", "disability": "health"}[cause],
    )
    assert rule in hits(clean)
    age = fix.pop("age", 50)
    member(clean, age, relation="child", labour_skill="none" if age < 16 else "weak", **fix)
    assert rule not in hits(clean)


def test_planned_exit_before_identification(clean):
    Household.objects.filter(pk=clean.pk).update(identified_year=2016, planned_exit_year=2015)
    assert hits(clean)["exit_before_identified"] == ["计划脱贫年度2015早于识别年度2016"]


def test_exited_household_below_the_standard_of_its_exit_year(clean):
    """The exit year's standard, criterion by criterion (households.readiness)."""
    Household.objects.filter(pk=clean.pk).update(status="exited", exit_year=2018)
    IncomeRecordFactory(household=clean, year=2018, persons=1, wage=Decimal("2000"))
    AssessmentFactory(household=clean)
    assert hits(clean)["exit_below_standard"] == [
        "2018年：收入超过当年标准未达标、基本医疗有保障待核实、住房安全有保障待核实、"
        "饮水安全有保障待核实"
    ]
    with_exit_facts(clean)
    clean.incomes.update(per_capita_net=Decimal("3500"))
    assert "exit_below_standard" not in hits(clean)
    AssessmentFactory(household=clean, assessed_on=datetime.date(2018, 12, 1), housing=False)
    assert hits(clean)["exit_below_standard"] == ["2018年：住房安全有保障未达标"]


def test_cause_without_a_measure_addressing_it(clean):
    Household.objects.filter(pk=clean.pk).update(other_causes="illness,no_labour")
    member(clean, 60, relation="parent", health="chronic", labour_skill="weak")
    assert hits(clean)["cause_without_measure"] == ["因病、缺劳力没有对应的帮扶措施"]
    AssistanceMeasureFactory(household=clean, measure_type="health")
    assert hits(clean)["cause_without_measure"] == ["缺劳力没有对应的帮扶措施"]
    AssistanceMeasureFactory(household=clean, measure_type="welfare_job")
    assert "cause_without_measure" not in hits(clean)


def test_a_cadre_who_is_a_registered_poor_person(clean, cadre):
    head = clean.members.get()
    cadre.id_number = new_id_number()
    cadre.save()
    assert "cadre_is_poor" not in hits(clean)
    cadre.id_number = head.id_number
    cadre.save()
    assert cadre.name in hits(clean)["cadre_is_poor"][0]


def test_no_active_paired_cadre(clean):
    clean.pairings.update(end_date=datetime.date(2019, 1, 1))
    assert hits(clean)["no_pairing"] == ["没有在岗的结对帮扶责任人"]
    Household.objects.filter(pk=clean.pk).update(status="exited", exit_year=2018)
    assert "no_pairing" not in hits(clean)  # exited and not monitored


def test_no_visit_in_90_days(clean):
    clean.visits.update(visited_on=TODAY - datetime.timedelta(days=91))
    assert "最近一次" in hits(clean)["no_recent_visit"][0]
    clean.visits.update(visited_on=TODAY - datetime.timedelta(days=90))
    assert "no_recent_visit" not in hits(clean)


def test_the_worklist_opens_keeps_explanations_reopens_and_closes(clean, make_user, world):
    qs = Household.objects.filter(pk=clean.pk)
    clean.visits.all().delete()
    result = check_quality(qs, today=TODAY)
    issue = QualityIssue.objects.get()
    assert (result.opened, issue.rule, issue.status) == (1, "no_recent_visit", "open")
    # A cadre of the village explains it on the page.
    cadre_user = make_user(Role.VILLAGE_CADRE, world.v11)
    from django.test import Client

    client = Client()
    client.force_login(cadre_user)
    url = reverse("households:qualityissue_edit", args=[issue.pk])
    response = client.post(url, {"status": "explained", "explanation": ""})
    assert "请填写说明" in response.content.decode()
    client.post(url, {"status": "explained", "explanation": "户主外出务工，已电话回访。"})
    issue.refresh_from_db()
    assert (issue.status, issue.resolved_by) == ("explained", cadre_user)
    # Still found: an explanation stays.
    check_quality(qs, today=TODAY)
    issue.refresh_from_db()
    assert issue.status == "explained"
    # Gone: closed as fixed; back again after being marked fixed: reopened.
    VisitFactory(household=clean, cadre=clean.pairings.get().cadre, visited_on=TODAY)
    assert check_quality(qs, today=TODAY).resolved == 1
    issue.refresh_from_db()
    assert issue.status == "fixed" and "复查未再发现" in issue.explanation
    clean.visits.all().delete()
    assert check_quality(qs, today=TODAY).reopened == 1
    issue.refresh_from_db()
    assert issue.status == "open"


def test_the_page_counts_per_rule_and_drills_down(client, make_user, world, clean):
    other = HouseholdFactory(village=world.v21)  # no pairing, no visit: two issues
    check_quality(Household.objects.all(), today=TODAY)
    client.force_login(make_user(Role.TOWNSHIP_STAFF, world.t1))
    response = client.get(reverse("households:qualityissue_list"))
    counts = {r.code: n for r, n in response.context["rule_counts"]}
    assert counts["no_pairing"] == 0  # the other township's household is not counted
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    response = client.get(reverse("households:qualityissue_list"))
    counts = {r.code: n for r, n in response.context["rule_counts"]}
    assert counts["no_pairing"] == 1
    drill = client.get(reverse("households:household_list"), {"quality_rule": "no_pairing"})
    assert [r.record for r in drill.context["table"].paginated_rows] == [other]


def test_check_quality_command_prints_one_line_each(world, clean, capsys):
    HouseholdFactory(village=world.v21)
    call_command("check_quality", "--area", world.t2.code)
    out = capsys.readouterr().out.strip().splitlines()
    assert out and all(line.startswith(world.v21.code) for line in out)
    assert any("没有在岗的帮扶责任人" in line for line in out)


def test_unknown_area_is_an_error(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="找不到区划代码"):
        call_command("check_quality", "--area", "990999000000")


def test_hash_lookup_matches_cadre_numbers_too(cadre):
    number = new_id_number()
    cadre.id_number = number
    cadre.save()
    assert cadre.id_number_hash == crypto.keyed_hash(idnumber.normalize(number))


def test_resolving_an_issue_is_one_service_with_the_area_check_inside(clean, make_user, world):
    from django.core.exceptions import ValidationError

    from households.services import quality_issue_resolve

    clean.visits.all().delete()
    check_quality(Household.objects.filter(pk=clean.pk), today=TODAY)
    issue = QualityIssue.objects.get()
    other_village = make_user(Role.VILLAGE_CADRE, world.v21)
    with pytest.raises(ValidationError, match="没有处理该疑点的权限"):
        quality_issue_resolve(issue=issue, by=other_village, status="fixed", explanation="")
    cadre = make_user(Role.VILLAGE_CADRE, world.v11)
    quality_issue_resolve(issue=issue, by=cadre, status="fixed", explanation="")
    issue.refresh_from_db()
    assert (issue.status, issue.resolved_by) == ("fixed", cadre) and issue.resolved_at
    quality_issue_resolve(issue=issue, by=cadre, status="open", explanation="")
    issue.refresh_from_db()
    assert (issue.status, issue.resolved_by, issue.resolved_at) == ("open", None, None)
