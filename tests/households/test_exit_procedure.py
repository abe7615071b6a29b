"""The exit procedure (DESIGN §4): every step, every refusal, and the record it leaves."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.choices import Role
from households import services
from households.models import ExitRecord, Household
from tests.factories import (
    AssessmentFactory,
    HouseholdFactory,
    IncomeRecordFactory,
    with_exit_facts,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2018, 12, 1)


@pytest.fixture
def staff(make_user, world):
    return make_user(Role.COUNTY_STAFF, world.county)


@pytest.fixture
def household(world):
    """Meets the 2018 standard: 2995 yuan line, one person earning 5000, all six flags."""
    h = with_exit_facts(HouseholdFactory(village=world.v11))
    IncomeRecordFactory(household=h, year=2018, persons=1, wage=Decimal("5000"))
    AssessmentFactory(household=h)
    return h


def refresh(h):
    return Household.objects.get(pk=h.pk)


def run_to(step, household, by):
    """Take the household through the procedure up to and including `step`."""
    order = ["propose", "verify", "publicise", "announce", "close"]
    for name in order[: order.index(step) + 1]:
        if name == "propose":
            services.household_exit_propose(
                household=household, by=by, year=2018, evidence="民主评议通过"
            )
        elif name == "verify":
            services.household_exit_verify(
                household=household, by=by, evidence="入户核实", household_agrees=True
            )
        elif name == "publicise":
            services.household_exit_publicise(
                household=household,
                by=by,
                start=datetime.date(2018, 11, 1),
                end=datetime.date(2018, 11, 7),
                place="村委会公示栏",
            )
        elif name == "announce":
            services.household_exit_announce(
                household=household, by=by, evidence="乡政府公告", today=TODAY
            )
        elif name == "close":
            services.household_exit_close(household=household, by=by)
    return refresh(household)


def test_the_whole_procedure_records_each_step(household, staff):
    h = run_to("close", household, staff)
    assert (h.status, h.exit_year) == ("exited", 2018)
    steps = list(ExitRecord.objects.filter(household=h).values_list("step", "taken_by", "year"))
    assert steps == [
        ("propose", staff.pk, 2018),
        ("verify", staff.pk, 2018),
        ("publicise", staff.pk, 2018),
        ("announce", staff.pk, 2018),
        ("close", staff.pk, 2018),
    ]
    # Every step bumped the version and left an audit record of the status change.
    assert h.version == 6
    statuses = [r.status for r in h.history.order_by("history_date")]
    assert statuses == ["assisted", "proposed", "verified", "publicised", "announced", "exited"]
    assert {r.history_user for r in h.history.all()[:5]} == {staff}


@pytest.mark.parametrize(
    ("done", "step", "message"),
    [
        (None, "verify", "此步骤要求“拟退出”"),
        (None, "publicise", "此步骤要求“已核实”"),
        (None, "announce", "此步骤要求“公示中”"),
        (None, "close", "此步骤要求“已公告”"),
        ("propose", "propose", "此步骤要求“帮扶中”"),
        ("verify", "announce", "此步骤要求“公示中”"),
        ("close", "verify", "当前状态为“已脱贫”"),
    ],
)
def test_steps_out_of_order_are_refused_and_change_nothing(household, staff, done, step, message):
    h = run_to(done, household, staff) if done else household
    before = (h.status, ExitRecord.objects.count(), h.version)
    with pytest.raises(ValidationError) as exc:
        run_to_single(step, h, staff)
    assert message in " ".join(exc.value.messages)
    h = refresh(h)
    assert (h.status, ExitRecord.objects.count(), h.version) == before


def run_to_single(step, h, by):
    kwargs = {
        "propose": {"year": 2018, "evidence": "评议"},
        "verify": {"evidence": "核实", "household_agrees": True},
        "publicise": {
            "start": datetime.date(2018, 11, 1),
            "end": datetime.date(2018, 11, 7),
            "place": "公示栏",
        },
        "announce": {"evidence": "公告", "today": TODAY},
        "close": {},
    }[step]
    services.STEPS[step].perform(household=h, by=by, **kwargs)


def test_proposal_below_the_income_line_needs_a_reason_and_the_permission(world, staff, make_user):
    h = HouseholdFactory(village=world.v11)
    IncomeRecordFactory(household=h, year=2018, persons=2, wage=Decimal("5000"))  # 2500 < 2995
    AssessmentFactory(household=h)
    with pytest.raises(ValidationError) as exc:
        services.household_exit_propose(household=h, by=staff, year=2018, evidence="评议")
    text = " ".join(exc.value.messages)
    assert "2500.00元，低于当年标准2995.00元" in text
    township = make_user(Role.TOWNSHIP_STAFF, world.t1)
    with pytest.raises(ValidationError) as exc:
        services.household_exit_propose(
            household=h, by=township, year=2018, evidence="评议", override_reason="因故"
        )
    assert "没有批准例外退出的权限" in " ".join(exc.value.messages)
    assert refresh(h).status == "assisted"
    record = services.household_exit_propose(
        household=h, by=staff, year=2018, evidence="评议", override_reason="务工收入年底到账"
    )
    assert "务工收入年底到账" in record.override_reason and "2995" in record.override_reason
    assert refresh(h).status == "proposed"


def test_proposal_names_each_criterion_short_of_the_standard(world, staff):
    """The refusal is the readiness check's own words (households.readiness), missing records
    included: nothing unknown passes for met."""
    h = HouseholdFactory(village=world.v11)
    with pytest.raises(ValidationError) as exc:
        services.household_exit_propose(household=h, by=staff, year=2018, evidence="评议")
    text = exc.value.messages
    assert "收入超过当年标准待核实：没有2018年的收入记录。" in text
    assert "不愁吃待核实：没有两不愁三保障入户评估。" in text
    with_exit_facts(h)
    IncomeRecordFactory(household=h, year=2018, wage=Decimal("9000"))
    AssessmentFactory(household=h, housing=False, water=False)
    with pytest.raises(ValidationError) as exc:
        services.household_exit_propose(household=h, by=staff, year=2018, evidence="评议")
    assert [m for m in exc.value.messages if "未达标：" in m] == [
        "住房安全有保障未达标：2018-10-01评估为“否”。",
        "饮水安全有保障未达标：2018-10-01评估为“否”。",
    ]
    assert refresh(h).status == "assisted"


def test_verification_needs_the_households_agreement(household, staff):
    run_to("propose", household, staff)
    with pytest.raises(ValidationError, match="不认可"):
        services.household_exit_verify(
            household=household, by=staff, evidence="核实", household_agrees=False
        )


def test_publicity_lasts_at_least_seven_days(household, staff):
    run_to("verify", household, staff)
    with pytest.raises(ValidationError, match="不少于7天"):
        services.household_exit_publicise(
            household=household,
            by=staff,
            start=datetime.date(2018, 11, 1),
            end=datetime.date(2018, 11, 6),
            place="公示栏",
        )


def test_announcement_waits_for_the_end_of_publicity(household, staff):
    run_to("publicise", household, staff)
    with pytest.raises(ValidationError, match="2018-11-07"):
        services.household_exit_announce(
            household=household, by=staff, evidence="公告", today=datetime.date(2018, 11, 7)
        )
    services.household_exit_announce(
        household=household, by=staff, evidence="公告", today=datetime.date(2018, 11, 8)
    )
    assert refresh(household).status == "announced"


def test_an_upheld_objection_sends_the_household_back(household, staff):
    run_to("publicise", household, staff)
    services.household_objection_record(
        household=household, by=staff, content="群众反映有隐瞒收入", upheld=False
    )
    assert refresh(household).status == "publicised"
    services.household_objection_record(
        household=household, by=staff, content="核实收入不实", upheld=True
    )
    assert refresh(household).status == "assisted"
    assert list(
        ExitRecord.objects.filter(step="objection").values_list("objection_upheld", flat=True)
    ) == [False, True]


def test_return_to_poverty_and_monitoring(household, staff):
    h = run_to("close", household, staff)
    services.household_monitoring_flag(
        household=h, by=staff, monitoring_type="unstable", reason="大病支出"
    )
    with pytest.raises(ValidationError, match="已是监测对象"):
        services.household_monitoring_flag(
            household=h, by=staff, monitoring_type="sudden", reason="再次"
        )
    services.household_risk_clear(household=h, by=staff, reason="医保报销后收入稳定")
    h = refresh(h)
    assert h.monitoring_type == "" and h.monitored_since is None
    with pytest.raises(ValidationError, match="不能早于脱贫年度"):
        services.household_poverty_return(household=h, by=staff, year=2017, reason="因灾")
    services.household_poverty_return(household=h, by=staff, year=2019, reason="因灾返贫")
    h = refresh(h)
    assert (h.status, h.exit_year, h.returned_year) == ("assisted", None, 2019)
    assert list(ExitRecord.objects.filter(household=h).values_list("step", flat=True))[-3:] == [
        "monitor",
        "clear_risk",
        "return",
    ]


def test_marginal_households_may_be_monitored_but_unstable_means_exited(world, staff):
    h = HouseholdFactory(village=world.v11)
    with pytest.raises(ValidationError, match="须是已脱贫户"):
        services.household_monitoring_flag(
            household=h, by=staff, monitoring_type="unstable", reason="x"
        )
    services.household_monitoring_flag(
        household=h, by=staff, monitoring_type="marginal", reason="收入不稳"
    )
    assert refresh(h).monitoring_type == "marginal"


def test_roles_without_write_permission_cannot_take_steps(household, make_user, world):
    leader = make_user(Role.LEADER, world.county)
    with pytest.raises(ValidationError, match="没有办理退出程序的权限"):
        services.household_exit_propose(household=household, by=leader, year=2018, evidence="评议")


def test_county_staff_take_a_household_through_every_step_in_the_browser(client, household, staff):
    client.force_login(staff)
    url = lambda step: reverse(f"households:household_{step}", args=[household.pk])  # noqa: E731
    page = client.get(url("propose")).content.decode()
    assert "已达到2018年脱贫标准" in page
    posts = [
        ("propose", {"year": "2018", "evidence": "2018年11月1日村民代表大会评议通过"}),
        ("verify", {"evidence": "入户核实", "household_agrees": "on"}),
        ("publicise", {"start": "2018-11-02", "end": "2018-11-08", "place": "村委会公示栏"}),
        ("announce", {"evidence": "乡政府公告〔2018〕12号"}),
        ("close", {"evidence": ""}),
    ]
    for step, data in posts:
        response = client.post(url(step), data)
        assert response.status_code == 302, response.context["form"].errors
    detail = client.get(reverse("households:household_detail", args=[household.pk]))
    text = detail.content.decode()
    for label in ("提出退出", "核实", "村内公示", "公告退出", "销号", "乡政府公告〔2018〕12号"):
        assert label in text
    audit = client.get(reverse("households:household_audit", args=[household.pk]))
    flat = audit.content.decode().replace("\n", "")
    assert "脱贫状态：公示中 → 已公告" in flat and "脱贫状态：已公告 → 已脱贫" in flat
    # A step out of order shows the reason on the form and changes nothing.
    response = client.post(url("verify"), {"evidence": "再次核实", "household_agrees": "on"})
    assert response.status_code == 200
    assert "当前状态为“已脱贫”" in response.content.decode()


def test_a_step_called_for_a_household_outside_the_users_area_is_refused(
    household, make_user, world
):
    """The area check is inside the service, not only in the page that calls it."""
    other = make_user(Role.COUNTY_STAFF, world.t2)
    assert other.has_perm(services.CHANGE_PERMISSION)
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        services.household_exit_propose(household=household, by=other, year=2018, evidence="评议")
    assert not household.exit_records.exists()


@pytest.mark.parametrize("step", list(services.STEPS))
def test_each_step_of_the_one_table_has_its_form_page_and_url(client, household, staff, step):
    from households import forms

    spec = services.STEPS[step]
    assert isinstance(getattr(forms, spec.form), type)
    client.force_login(staff)
    response = client.get(reverse(f"households:household_{step}", args=[household.pk]))
    assert response.status_code == 200 and spec.label in response.content.decode()
