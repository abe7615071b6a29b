"""Reminders (提醒催办): every dated obligation, once per obligation and deadline, to the people
who answer for it, in the app, by e-mail and through the SMS sender."""

import datetime
import logging
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from accounts.choices import Role
from households.choices import ExitStep, HouseholdStatus, MeasureStatus, MeasureType
from households.models import ExitRecord, Household
from inspections.choices import Status
from inspections.models import Finding
from poverty.work.choices import ReminderKind as K
from poverty.work.models import Notification
from poverty.work.reminders import send_reminders
from projects.choices import Stage
from projects.models import ProjectStage
from tests.factories import (
    AssistanceMeasureFactory,
    CadreFactory,
    DisclosureFactory,
    FindingFactory,
    HouseholdFactory,
    HouseholdPairingFactory,
    ProjectFactory,
    UnitFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2019, 6, 10)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def close(finding, day):
    Finding.objects.filter(pk=finding.pk).update(status=Status.CLOSED, closed_on=day)


def notes(user, kind=None):
    qs = Notification.objects.filter(user=user)
    return list(qs.filter(kind=kind) if kind else qs)


@pytest.fixture
def person(world, make_user):
    cadre = CadreFactory(unit=UnitFactory(area=world.t1))
    user = make_user(Role.TOWNSHIP_STAFF, world.t1, cadre=cadre, email="wang@example.cn")
    return cadre, user


# --- findings (the rule the reminders began with) ---------------------------------------------


def test_the_responsible_person_is_reminded_once_per_deadline(world, person):
    cadre, user = person
    due = FindingFactory(
        area=world.v11,
        unit=cadre.unit,
        person=cadre,
        found_on=D(2019, 6, 1),
        deadline=D(2019, 6, 13),
    )
    FindingFactory(area=world.v11, unit=cadre.unit, person=cadre, deadline=D(2019, 6, 14))
    done = FindingFactory(area=world.v11, unit=cadre.unit, person=cadre, deadline=D(2019, 6, 11))
    close(done, D(2019, 6, 9))
    assert send_reminders(TODAY) == {K.FINDING_DUE: 1}
    [note] = notes(user)
    assert note.subject == due and "3天后（2019-06-13）" in note.message
    assert note.link == due.get_absolute_url()
    assert send_reminders(TODAY) == {}
    # Two days on, only the finding due on the 14th is new.
    assert send_reminders(D(2019, 6, 12)) == {K.FINDING_DUE: 1}
    # A new deadline is a new reminder.
    Finding.objects.filter(pk=due.pk).update(deadline=D(2019, 6, 12))
    assert send_reminders(D(2019, 6, 12)) == {K.FINDING_DUE: 1}
    user.refresh_from_db()
    assert user.unread_notifications == 3


def test_without_a_person_the_units_accounts_are_reminded_within_their_area(
    world, person, make_user
):
    cadre, user = person
    colleague_elsewhere = make_user(
        Role.TOWNSHIP_STAFF, world.t2, cadre=CadreFactory(unit=cadre.unit)
    )
    FindingFactory(area=world.v11, unit=cadre.unit, deadline=D(2019, 6, 10))
    assert send_reminders(TODAY) == {K.FINDING_DUE: 1}
    assert Notification.objects.get().user == user
    assert not colleague_elsewhere.notifications.exists()


def test_the_day_is_the_asia_shanghai_date(world, person):
    cadre, user = person
    FindingFactory(area=world.v11, unit=cadre.unit, person=cadre, deadline=D(2019, 6, 13))
    # 17:30 UTC on the 9th is 01:30 on the 10th in Shanghai: the deadline is 3 days away there
    # (4 by the UTC date, outside the window).
    at = datetime.datetime(2019, 6, 9, 17, 30, tzinfo=datetime.UTC)
    with time_machine.travel(at, tick=False):
        assert send_reminders() == {K.FINDING_DUE: 1}
    assert "3天后" in notes(user)[0].message


def test_reminders_are_emailed_when_a_mail_server_is_set(world, person, settings):
    settings.NOTIFY_BY_EMAIL = True
    cadre, _ = person
    FindingFactory(area=world.v11, unit=cadre.unit, person=cadre, deadline=D(2019, 6, 11))
    send_reminders(TODAY)
    assert [m.to for m in mail.outbox] == [["wang@example.cn"]]
    assert mail.outbox[0].subject == "整改即将到期提醒"
    assert Notification.objects.get().emailed
    send_reminders(TODAY)
    assert len(mail.outbox) == 1


# --- every other dated obligation ------------------------------------------------------------


@pytest.fixture
def village(world, make_user):
    """V11 with a village cadre account (paired with a household) and the township's staff."""
    cadre = CadreFactory(unit=UnitFactory(area=world.county), phone="13800001111")
    return {
        "cadre": cadre,
        "cadre_user": make_user(Role.VILLAGE_CADRE, world.v11, cadre=cadre),
        "township": make_user(Role.TOWNSHIP_STAFF, world.t1, phone="13900002222"),
        "county": make_user(Role.COUNTY_STAFF, world.county),
        "leader": make_user(Role.LEADER, world.county),
        "inspector": make_user(Role.INSPECTOR, world.county),
    }


def test_exit_deadlines_remind_the_village_once_from_two_months_before(world, village, make_user):
    for _ in range(2):
        HouseholdFactory(village=world.v11, planned_exit_year=2019)
    HouseholdFactory(village=world.v11, planned_exit_year=2020)  # next year's
    exited = HouseholdFactory(village=world.v11, planned_exit_year=2019)
    Household.objects.filter(pk=exited.pk).update(status=HouseholdStatus.EXITED, exit_year=2019)
    HouseholdFactory(village=world.v21, planned_exit_year=2019)
    # Sixty-two days before the 31st December: not yet.
    assert send_reminders(D(2019, 10, 30)) == {}
    assert send_reminders(D(2019, 10, 31)) == {K.EXIT_DEADLINE: 2}
    [note] = notes(village["cadre_user"])
    assert note.subject == world.v11 and note.due == D(2019, 12, 31)
    assert "一乡甲村有2户计划2019年脱贫" in note.message
    # The nearest level answers: V11's cadre, not the township above it; V21 has no village
    # account, so its township's staff (none in t2) or else the county's.
    assert notes(village["township"]) == []
    [county_note] = notes(village["county"])
    assert county_note.subject == world.v21
    # Leaders and inspectors read the work page.
    assert notes(village["leader"]) == notes(village["inspector"]) == []
    assert send_reminders(D(2019, 11, 15)) == {}


def test_a_follow_up_reminds_its_visitor_until_a_later_visit_answers_it(world, village):
    household = HouseholdFactory(village=world.v11)
    visit = VisitFactory(
        household=household,
        cadre=village["cadre"],
        visited_on=D(2019, 6, 1),
        follow_up="落实危房改造申请",
        follow_up_due=D(2019, 6, 12),
    )
    answered = HouseholdFactory(village=world.v11)
    VisitFactory(
        household=answered,
        cadre=village["cadre"],
        visited_on=D(2019, 6, 1),
        follow_up="送医保材料",
        follow_up_due=D(2019, 6, 11),
    )
    VisitFactory(household=answered, cadre=village["cadre"], visited_on=D(2019, 6, 5))
    assert send_reminders(TODAY) == {K.FOLLOW_UP: 1}
    [note] = notes(village["cadre_user"])
    assert note.subject == visit and "落实危房改造申请" in note.message


def test_a_measure_ending_reminds_the_paired_cadre(world, village):
    household = HouseholdFactory(village=world.v11)
    HouseholdPairingFactory(household=household, cadre=village["cadre"])
    loan = AssistanceMeasureFactory(
        household=household,
        measure_type=MeasureType.MICROCREDIT,
        start_date=D(2016, 7, 1),
        end_date=D(2019, 7, 1),
        status=MeasureStatus.ONGOING,
    )
    AssistanceMeasureFactory(
        household=household, start_date=D(2016, 8, 1), end_date=D(2019, 8, 1)
    )  # 52 days away
    assert send_reminders(TODAY) == {K.MEASURE_END: 1}
    [note] = notes(village["cadre_user"])
    assert note.subject == loan and "21天后（2019-07-01）" in note.message
    assert notes(village["township"]) == []


def test_publicity_ending_reminds_those_who_announce(world, village, make_user):
    household = HouseholdFactory(village=world.v11)
    Household.objects.filter(pk=household.pk).update(status=HouseholdStatus.PUBLICISED)
    ExitRecord.objects.create(
        household=household,
        step=ExitStep.PUBLICISE,
        taken_by=village["county"],
        publicity_start=D(2019, 6, 4),
        publicity_end=D(2019, 6, 11),
        publicity_place="村委会",
    )
    assert send_reminders(TODAY) == {K.PUBLICITY_END: 1}
    # A village cadre may not announce an exit: the township's staff hear of it.
    assert notes(village["cadre_user"]) == []
    [note] = notes(village["township"])
    assert "公示期满" in note.message and note.link == household.get_absolute_url()


def test_project_stages_and_disclosures_remind_the_manager(world, make_user):
    project = ProjectFactory(area=world.t1, areas=[world.v11])
    manager = make_user(Role.TOWNSHIP_STAFF, world.t1, cadre=project.manager)
    ProjectStage.objects.filter(project=project, stage=Stage.STARTED).update(
        planned_date=D(2019, 6, 15)
    )
    DisclosureFactory(project=project, start_date=D(2019, 6, 3), end_date=D(2019, 6, 11))
    made = send_reminders(TODAY)
    assert made == {K.PROJECT_STAGE: 1, K.PUBLICITY_END: 1}
    assert {n.kind for n in notes(manager)} == {K.PROJECT_STAGE, K.PUBLICITY_END}


# --- text messages ---------------------------------------------------------------------------


class RecordingSender:
    sent: list[tuple[str, str]] = []

    def send(self, phone, text):
        RecordingSender.sent.append((phone, text))
        return True


def test_the_sms_sender_gets_each_new_reminder_once_with_the_right_numbers(
    world, village, settings
):
    settings.SMS_SENDER = "tests.work.test_reminders.RecordingSender"
    RecordingSender.sent = []
    household = HouseholdFactory(village=world.v11)
    HouseholdPairingFactory(household=household, cadre=village["cadre"])
    AssistanceMeasureFactory(household=household, start_date=D(2016, 7, 1), end_date=D(2019, 7, 1))
    Household.objects.filter(pk=household.pk).update(status=HouseholdStatus.PUBLICISED)
    ExitRecord.objects.create(
        household=household,
        step=ExitStep.PUBLICISE,
        taken_by=village["county"],
        publicity_start=D(2019, 6, 4),
        publicity_end=D(2019, 6, 11),
    )
    send_reminders(TODAY)
    # The cadre's account has no phone of its own: the cadre's is used.
    phones = sorted(phone for phone, _ in RecordingSender.sent)
    assert phones == ["13800001111", "13900002222"]
    assert all(
        text.startswith("【扶贫办】") and len(text) <= 70 for _, text in RecordingSender.sent
    )
    assert Notification.objects.filter(texted=True).count() == 2
    send_reminders(TODAY)
    assert len(RecordingSender.sent) == 2


class BrokenSender:
    def send(self, phone, text):
        raise ConnectionError("gateway down")


def test_a_failing_gateway_keeps_the_in_app_reminders(world, person, settings):
    settings.SMS_SENDER = "tests.work.test_reminders.BrokenSender"
    cadre, _user = person
    FindingFactory(area=world.v11, unit=cadre.unit, person=cadre, deadline=D(2019, 6, 11))
    assert send_reminders(TODAY) == {K.FINDING_DUE: 1}
    assert not Notification.objects.get().texted


def test_the_logging_sender_masks_the_number(world, person, settings, caplog):
    settings.SMS_SENDER = "poverty.work.sms.LoggingSender"
    cadre, _user = person
    FindingFactory(area=world.v11, unit=cadre.unit, person=cadre, deadline=D(2019, 6, 11))
    with caplog.at_level(logging.INFO, logger="poverty.work.sms"):
        send_reminders(TODAY)
    assert "139****5678" in caplog.text and "13912345678" not in caplog.text


def test_the_command_reports_what_it_made(world, person, capsys):
    cadre, _ = person
    FindingFactory(area=world.v11, unit=cadre.unit, person=cadre, deadline=D(2019, 6, 11))
    call_command("send_reminders", "--date", "2019-06-10")
    assert "整改即将到期：1条" in capsys.readouterr().out
    call_command("send_reminders", "--date", "2019-06-10")
    assert "没有新的提醒" in capsys.readouterr().out


# --- the reminders page and the badge --------------------------------------------------------


def test_the_notifications_page_shows_only_ones_own_and_marks_read(
    client, world, person, make_user
):
    cadre, user = person
    finding = FindingFactory(area=world.v11, unit=cadre.unit, person=cadre, deadline=D(2019, 6, 11))
    send_reminders(TODAY)
    stranger = make_user(Role.TOWNSHIP_STAFF, world.t1)
    other = Notification.objects.create(
        user=stranger,
        kind=K.FINDING_DUE,
        subject=finding,
        due=D(2019, 6, 11),
        message="别人的提醒",
        link=finding.get_absolute_url(),
    )
    client.force_login(user)
    page = client.get(reverse("work:notifications")).content.decode()
    assert str(finding) in page and "标为已读" in page
    assert "别人的提醒" not in page
    assert 'id="unread-badge"' in page
    # Another's reminder cannot be opened (nor marked read by opening it).
    assert client.get(reverse("work:notification_open", args=[other.pk])).status_code == 404
    client.post(reverse("work:notifications"))
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    user.refresh_from_db()
    assert user.unread_notifications == 0
    assert 'id="unread-badge"' not in client.get(reverse("work:notifications")).content.decode()


def test_opening_a_reminder_marks_it_read_and_leads_to_its_subject(client, world, person):
    cadre, user = person
    finding = FindingFactory(area=world.v11, unit=cadre.unit, person=cadre, deadline=D(2019, 6, 11))
    send_reminders(TODAY)
    note = Notification.objects.get(user=user)
    client.force_login(user)
    response = client.get(reverse("work:notification_open", args=[note.pk]))
    assert response.status_code == 302 and response.url == finding.get_absolute_url()
    note.refresh_from_db()
    user.refresh_from_db()
    assert note.read_at is not None and user.unread_notifications == 0


def test_staff_above_a_village_without_accounts_get_one_reminder_per_village_and_day(
    world, make_user
):
    township = make_user(Role.TOWNSHIP_STAFF, world.t1)
    for _ in range(3):
        household = HouseholdFactory(village=world.v12)  # no village account in 乙村
        AssistanceMeasureFactory(
            household=household, start_date=D(2016, 7, 1), end_date=D(2019, 7, 1)
        )
    AssistanceMeasureFactory(
        household=HouseholdFactory(village=world.v12),
        start_date=D(2016, 7, 1),
        end_date=D(2019, 7, 2),
    )
    assert send_reminders(TODAY) == {K.MEASURE_END: 2}
    first, second = sorted(notes(township), key=lambda n: n.due)
    assert first.subject == world.v12 and first.due == D(2019, 7, 1)
    assert first.message == "一乡乙村有3项帮扶措施到期：21天后（2019-07-01）。"
    assert f"within={world.v12.pk}" in first.link and "ending=30" in first.link
    assert "有1项" in second.message
    assert send_reminders(TODAY) == {}
