"""The offline visit app's server side (households/field.py): idempotent uploads, visits of
households changed meanwhile flagged, only what the cadre may see."""

import io
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts.choices import Role
from households.models import Household, Visit
from tests.factories import (
    CadreFactory,
    HouseholdFactory,
    HouseholdPairingFactory,
    MemberFactory,
    UnitFactory,
    new_id_number,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cadre_user(world, make_user):
    cadre = CadreFactory(unit=UnitFactory(area=world.county))
    return make_user(Role.VILLAGE_CADRE, world.v11, cadre=cadre)


def visit(household, client_id=None, **extra):
    return {
        "client_id": str(client_id or uuid.uuid4()),
        "household": household.pk,
        "household_version": household.version,
        "visited_on": "2026-11-30",
        "findings": "家中无人，电话联系户主。",
        "recorded_at": "2026-11-30T03:15:00Z",
        "latitude": "30.800000",
        "longitude": "116.300000",
        "accuracy": "12",
        **extra,
    }


def photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "green").save(buffer, "JPEG")
    return SimpleUploadedFile("visit.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_resend_never_makes_a_second_visit(client, world, cadre_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    household = HouseholdFactory(village=world.v11)
    client.force_login(cadre_user)
    url = reverse("field_visit_upload")
    data = visit(household)
    first = client.post(url, {**data, "photo": photo()})
    assert first.status_code == 201 and first.json()["needs_review"] is False
    again = client.post(url, data)
    assert again.status_code == 200 and again.json() == {**first.json(), "status": "duplicate"}
    [saved] = Visit.objects.all()
    assert saved.cadre == cadre_user.cadre and saved.recorded_by == cadre_user
    assert saved.photo and saved.accuracy == 12
    assert saved.recorded_at.isoformat() == "2026-11-30T03:15:00+00:00"


def test_another_account_cannot_claim_or_read_a_visit_by_its_id(
    client, world, cadre_user, make_user
):
    household = HouseholdFactory(village=world.v11)
    client.force_login(cadre_user)
    data = visit(household)
    client.post(reverse("field_visit_upload"), data)
    other = Client()
    other.force_login(
        make_user(Role.VILLAGE_CADRE, world.v11, cadre=CadreFactory(unit=cadre_user.cadre.unit))
    )
    response = other.post(reverse("field_visit_upload"), data)
    assert response.status_code == 409 and "id" not in response.json()
    assert Visit.objects.count() == 1


def test_a_household_changed_meanwhile_is_saved_and_flagged(client, world, cadre_user):
    household = HouseholdFactory(village=world.v11)
    seen = household.version
    Household.objects.filter(pk=household.pk).update(version=seen + 1)  # someone's edit
    client.force_login(cadre_user)
    response = client.post(reverse("field_visit_upload"), visit(household, household_version=seen))
    assert response.status_code == 201 and response.json()["needs_review"] is True
    saved = Visit.objects.get()
    assert saved.needs_review
    page = client.get(saved.get_absolute_url()).content.decode()
    assert "待核对" in page


def test_a_refused_visit_says_why_and_stores_nothing(client, world, cadre_user):
    elsewhere = HouseholdFactory(village=world.v21)
    client.force_login(cadre_user)
    url = reverse("field_visit_upload")
    response = client.post(url, visit(elsewhere))
    assert response.status_code == 400 and "household" in response.json()["errors"]
    response = client.post(url, visit(HouseholdFactory(village=world.v11), visited_on="2099-01-01"))
    assert "走访日期不能晚于今天" in json.dumps(response.json(), ensure_ascii=False)
    response = client.post(url, {**visit(elsewhere), "client_id": "not-a-uuid"})
    assert response.status_code == 400 and "离线记录编号" in response.json()["message"]
    assert not Visit.objects.exists()


def test_uploads_need_the_csrf_token(world, cadre_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cadre_user)
    household = HouseholdFactory(village=world.v11)
    assert client.post(reverse("field_visit_upload"), visit(household)).status_code == 403
    token = client.get(reverse("field_session")).json()["csrf"]
    response = client.post(
        reverse("field_visit_upload"), visit(household), headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201


def test_the_households_list_holds_no_personal_numbers_and_puts_own_first(
    client, world, cadre_user
):
    other, mine = HouseholdFactory(village=world.v11), HouseholdFactory(village=world.v11)
    MemberFactory(household=mine, id_number=new_id_number())
    HouseholdPairingFactory(household=mine, cadre=cadre_user.cadre)
    HouseholdFactory(village=world.v12)
    client.force_login(cadre_user)
    response = client.get(reverse("field_households"))
    assert response["Cache-Control"].startswith("max-age=0")
    rows = response.json()["households"]
    assert [r["id"] for r in rows] == [mine.pk, other.pk]
    assert set(rows[0]) == {"id", "code", "head", "village", "version", "mine"}
    assert rows[0]["mine"] is True and rows[0]["head"] == f"户主{mine.code}"


def test_the_app_is_installable(client, cadre_user):
    client.force_login(cadre_user)
    page = client.get(reverse("field")).content.decode()
    assert 'rel="manifest"' in page and "field.js" in page and cadre_user.username not in page
    manifest = json.loads(Client().get(reverse("field_manifest")).content)
    assert manifest["name"].startswith("扶贫走访") and manifest["lang"] == "zh-CN"
    assert manifest["start_url"] == reverse("field") == manifest["scope"]
    assert {i["sizes"] for i in manifest["icons"]} == {"192x192", "512x512"}
    worker = Client().get(reverse("field_sw"))
    assert worker["Content-Type"].startswith("application/javascript")
    assert "poverty/field.js" in worker.content.decode()


def test_the_session_names_only_its_user(client, cadre_user):
    assert Client().get(reverse("field_session")).status_code == 403
    client.force_login(cadre_user)
    assert client.get(reverse("field_session")).json()["user"] == cadre_user.pk


def test_the_cadre_clears_the_flag_once_checked(client, world, cadre_user):
    household = HouseholdFactory(village=world.v11)
    Household.objects.filter(pk=household.pk).update(version=household.version + 1)
    client.force_login(cadre_user)
    client.post(reverse("field_visit_upload"), visit(household))
    saved = Visit.objects.get()
    response = client.post(reverse("households:visit_reviewed", args=[saved.pk]))
    assert response.status_code == 302
    saved.refresh_from_db()
    assert not saved.needs_review
    last = saved.history.first()
    assert last.history_user == cadre_user and last.history_change_reason == "离线走访已核对"
