"""ID numbers at rest: encrypted, a keyed hash for lookup, masked for display; access logged."""

import base64

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.urls import reverse

from accounts.choices import Role
from households.models import Member, SensitiveAccess
from poverty.personal import crypto
from tests.factories import HouseholdFactory, MemberFactory, new_id_number

pytestmark = pytest.mark.django_db


def test_a_database_dump_shows_no_full_id_number(world):
    number = new_id_number()
    member = MemberFactory(household=HouseholdFactory(village=world.v11), id_number=number)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM households_member")
        rows = cursor.fetchall()
        cursor.execute("SELECT * FROM households_historicalmember")
        rows += cursor.fetchall()
    dump = repr(rows)
    assert number not in dump and number[6:14] not in dump  # not even the birth date
    assert member.id_number_masked in dump
    assert Member.objects.get(pk=member.pk).id_number == number
    assert Member.objects.with_id_number(number).get() == member
    assert Member.objects.with_id_number(number.lower()).exists()


def test_numbers_are_sealed_with_aes_gcm_and_each_encryption_differs():
    number = new_id_number()
    first, second = crypto.encrypt(number), crypto.encrypt(number)
    assert first != second  # a fresh nonce each time: equal numbers do not show as equal
    raw = base64.urlsafe_b64decode(first)
    assert raw[:1] == b"\x01" and len(raw) == 1 + 12 + len(number) + 16
    assert len(first) == 64  # half the 120 characters a Fernet token of an ID number takes
    assert crypto.decrypt(first) == crypto.decrypt(second) == number
    assert crypto.encrypt("") == "" and crypto.decrypt("") == ""


def test_numbers_encrypted_before_with_fernet_still_read(world):
    number = new_id_number()
    old = Fernet(base64.urlsafe_b64encode(crypto._derive("encrypt"))).encrypt(number.encode())
    assert crypto.decrypt(old.decode()) == number
    member = MemberFactory(household=HouseholdFactory(village=world.v11), id_number=number)
    Member.objects.filter(pk=member.pk).update(id_number_encrypted=old.decode())
    assert Member.objects.get(pk=member.pk).id_number == number


def test_a_wrong_key_or_a_damaged_value_is_an_error_not_a_wrong_number(settings):
    number = new_id_number()
    token = crypto.encrypt(number)
    raw = bytearray(base64.urlsafe_b64decode(token))
    raw[20] ^= 1
    for damaged in (base64.urlsafe_b64encode(bytes(raw)).decode(), token[:30], "not base64!"):
        with pytest.raises(ImproperlyConfigured, match="PII_KEY"):
            crypto.decrypt(damaged)
    settings.PII_KEY = "another-key"
    with pytest.raises(ImproperlyConfigured, match="PII_KEY"):
        crypto.decrypt(token)


def test_the_hash_depends_on_the_key(settings):
    number = new_id_number()
    first = crypto.keyed_hash(number)
    settings.PII_KEY = "another-key"
    assert crypto.keyed_hash(number) != first


def test_full_numbers_and_health_only_with_the_permission_and_each_view_is_logged(
    client, make_user, world
):
    household = HouseholdFactory(village=world.v11)
    head = household.members.get()
    head.health = "serious"
    head.save()
    url = reverse("households:household_detail", args=[household.pk])

    leader = make_user(Role.LEADER, world.county)
    client.force_login(leader)
    page = client.get(url).content.decode()
    assert head.id_number not in page and head.id_number_masked in page
    assert "患有大病" not in page
    assert not SensitiveAccess.objects.exists()

    staff = make_user(Role.COUNTY_STAFF, world.county)
    client.force_login(staff)
    page = client.get(url).content.decode()
    assert head.id_number in page and "患有大病" in page
    log = SensitiveAccess.objects.get()
    assert (log.user, log.household) == (staff, household)


def test_no_response_gives_a_masked_numbers_birth_date_back(client, make_user, world):
    """Region + birth date + last four would rebuild a masked number: without the permission the
    API, the member form and the history give the year at most."""
    from accounts.tokens import issue
    from households.forms import MemberForm
    from households.selectors import audit_trail

    household = HouseholdFactory(village=world.v11)
    head = household.members.get()
    born = head.birth_date

    def api(user):
        token = issue(user)
        response = client.get(
            reverse("api:household-detail", args=[household.pk]),
            HTTP_AUTHORIZATION=f"Token {token.key}",
        )
        return response.json()["members"][0]

    masked = api(make_user(Role.API_CLIENT, world.county))
    assert (masked["id_number"], masked["birth_date"], masked["birth_year"]) == (
        head.id_number_masked,
        None,
        born.year,
    )
    assert born.isoformat() not in str(masked) and not SensitiveAccess.objects.exists()

    staff = make_user(Role.COUNTY_STAFF, world.county)
    full = api(staff)
    assert (full["id_number"], full["birth_date"]) == (head.id_number, born.isoformat())
    log = SensitiveAccess.objects.get()
    assert (log.user, log.household, log.what) == (staff, household, "接口读取贫困户")

    leader = make_user(Role.LEADER, world.county)
    assert "birth_date" not in MemberForm(instance=head, user=leader).fields
    assert "birth_date" in MemberForm(instance=head, user=staff).fields

    head.birth_date = born.replace(day=1 if born.day != 1 else 2)
    head.save()
    changes = [c for e in audit_trail(household, sensitive=False) for c in e.changes]
    shown = [c for c in changes if c.field == "出生日期"]
    assert [(c.old, c.new) for c in shown] == [(f"{born.year}年", f"{born.year}年")]
    full_trail = [c for e in audit_trail(household, sensitive=True) for c in e.changes]
    assert any(c.old == str(born) for c in full_trail if c.field == "出生日期")


def test_an_api_page_of_households_logs_each_one_read_in_full(client, make_user, world):
    from accounts.tokens import issue

    for _ in range(3):
        HouseholdFactory(village=world.v11)
    staff = make_user(Role.COUNTY_STAFF, world.county)
    token = issue(staff)
    response = client.get("/api/v1/households/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert set(SensitiveAccess.objects.values_list("household_id", flat=True)) == ids
    assert SensitiveAccess.objects.count() == 3


def _read_by_channel(client, user, household, channel: str):
    from accounts.tokens import issue

    client.force_login(user)
    if channel == "page":
        return client.get(reverse("households:household_detail", args=[household.pk]))
    if channel == "edit":
        return client.get(reverse("households:household_edit", args=[household.pk]))
    if channel == "export":
        return client.post(reverse("households:household_list"), {"export": "xlsx"})
    token = issue(user)
    return client.get(
        reverse("api:household-detail", args=[household.pk]),
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )


@pytest.mark.parametrize("channel", ["page", "edit", "export", "api"])
def test_every_channel_logs_a_full_read_and_only_a_full_one(client, make_user, world, channel):
    """Pages, exports and the API decide and log through poverty.personal alike."""
    household = HouseholdFactory(village=world.v11)
    leader = make_user(Role.LEADER, world.county)  # sees masked values
    if channel != "edit":  # a leader may not edit
        assert _read_by_channel(client, leader, household, channel).status_code == 200
        assert not SensitiveAccess.objects.exists()
    staff = make_user(Role.COUNTY_STAFF, world.county)
    assert _read_by_channel(client, staff, household, channel).status_code == 200
    log = SensitiveAccess.objects.get()
    assert log.user == staff
    assert log.household == (None if channel == "export" else household)


def test_the_access_log_has_one_writer():
    """Only poverty.personal.access writes SensitiveAccess rows (the admin only reads them)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    writers = []
    for app in ("accounts", "households", "inspections", "poverty", "projects", "villages"):
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Name | ast.Attribute):
                    name = node.id if isinstance(node, ast.Name) else node.attr
                    if name == "SensitiveAccess":
                        writers.append(str(path.relative_to(root)))
    assert set(writers) <= {
        "households/models.py",  # its definition
        "households/admin.py",  # read-only list
        "poverty/personal/access.py",
    }, sorted(set(writers))
