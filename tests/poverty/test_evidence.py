"""Evidence is for seeing: photos and scans come through one scoped view (404 outside the user's
area, personal access logged), images as thumbnails on the pages that judge them, and uploads
checked by what they contain."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts.choices import Role
from households.models import RosterImport, SensitiveAccess, Visit
from inspections import services
from poverty.common.uploads import validate_evidence, validate_photo
from tests.factories import (
    CadreFactory,
    FindingFactory,
    HouseholdFactory,
    UnitFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def jpeg(size=(1200, 900), colour="green") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def visit_with_photo(village):
    household = HouseholdFactory(village=village)
    visit = VisitFactory(household=household, cadre=CadreFactory(unit=UnitFactory(area=village)))
    visit.photo.save("门口.jpg", ContentFile(jpeg()))
    return visit


def logged_in(make_user, role, area):
    client = Client()
    client.force_login(make_user(role, area))
    return client


def test_a_visit_photo_is_shown_and_served_to_those_who_may_see_the_household(world, make_user):
    visit = visit_with_photo(world.v11)
    url = reverse("evidence", args=["households", "visit", visit.pk, "photo"])
    cadre = logged_in(make_user, Role.VILLAGE_CADRE, world.v11)
    page = cadre.get(reverse("households:visit_detail", args=[visit.pk])).content.decode()
    assert f'<img src="{url}?thumb=1"' in page and visit.photo.name not in page

    response = cadre.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == visit.photo.open("rb").read()
    logged = SensitiveAccess.objects.get()
    assert (logged.household_id, logged.what) == (visit.household_id, "走访照片")

    thumb = cadre.get(url, {"thumb": "1"})
    picture = Image.open(io.BytesIO(b"".join(thumb.streaming_content)))
    assert max(picture.size) == 320 and SensitiveAccess.objects.count() == 1

    download = cadre.get(url, {"download": "1"})
    assert download["Content-Disposition"].startswith("attachment;")

    # Another village's cadre, and anyone not logged in, get nothing.
    other = logged_in(make_user, Role.VILLAGE_CADRE, world.v21)
    assert other.get(url).status_code == 404
    assert other.get(url, {"thumb": "1"}).status_code == 404
    assert Client().get(url).status_code == 302
    assert SensitiveAccess.objects.count() == 2


def test_only_evidence_fields_are_served(world, make_user, settings):
    job = RosterImport.objects.create(
        user=make_user(Role.COUNTY_STAFF, world.county), area=world.county
    )
    job.file.save("roster.xlsx", ContentFile(b"PK\x03\x04 not evidence"))
    county = logged_in(make_user, Role.COUNTY_STAFF, world.county)
    url = reverse("evidence", args=["households", "rosterimport", job.pk, "file"])
    assert county.get(url).status_code == 404
    assert (
        county.get(reverse("evidence", args=["households", "visit", 999, "photo"])).status_code
        == 404
    )


def test_the_inspector_sees_the_rectification_photos_on_the_verification_page(world, make_user):
    township = make_user(Role.TOWNSHIP_STAFF, world.t1)
    finding = FindingFactory(area=world.v11)
    services.finding_plan_record(finding=finding, by=township, plan="补齐驻村工作队员")
    photo = SimpleUploadedFile("到岗照片.jpg", jpeg(), content_type="image/jpeg")
    services.finding_submit(finding=finding, by=township, note="已到岗", file=photo)
    step = finding.steps.get(kind="submit")
    url = reverse("evidence", args=["inspections", "findingstep", step.pk, "file"])
    inspector = logged_in(make_user, Role.INSPECTOR, world.county)
    for page in (
        "inspections:finding_close",
        "inspections:finding_reject",
        "inspections:finding_detail",
    ):
        html = inspector.get(reverse(page, args=[finding.pk])).content.decode()
        assert f'<img src="{url}?thumb=1"' in html, page
    assert inspector.get(url).status_code == 200


def test_the_web_server_can_send_the_file(world, make_user, settings):
    settings.EVIDENCE_SENDFILE = "x-accel-redirect"
    visit = visit_with_photo(world.v11)
    cadre = logged_in(make_user, Role.VILLAGE_CADRE, world.v11)
    response = cadre.get(reverse("evidence", args=["households", "visit", visit.pk, "photo"]))
    assert response["X-Accel-Redirect"] == f"/protected-media/{visit.photo.name}"
    assert response.content == b""


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "整改.jpg",
            b"<html><script>alert(1)</script></html>",
            "文件内容不是JPG图片、PNG图片、PDF文件",
        ),
        ("整改.jpg", b"%PDF-1.4 scan", "内容是PDF文件，请改正扩展名"),
        ("整改.pdf", b"", "文件内容不是"),
    ],
)
def test_uploads_are_checked_by_content(name, content, message):
    with pytest.raises(ValidationError, match=message):
        validate_evidence(SimpleUploadedFile(name, content))


def test_uploads_are_size_capped_and_photos_must_be_pictures(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match="单个文件不能超过"):
        validate_evidence(SimpleUploadedFile("大.jpg", jpeg(size=(800, 800), colour="red")))
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    with pytest.raises(ValidationError, match="JPG图片、PNG图片"):
        validate_photo(SimpleUploadedFile("走访.pdf", b"%PDF-1.4"))
    validate_photo(SimpleUploadedFile("走访.jpg", jpeg()))  # a real photo passes


def test_a_renamed_page_is_refused_on_the_rectification_form(world, make_user):
    township = make_user(Role.TOWNSHIP_STAFF, world.t1)
    finding = FindingFactory(area=world.v11)
    services.finding_plan_record(finding=finding, by=township, plan="方案")
    fake = SimpleUploadedFile("照片.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="文件内容不是"):
        services.finding_submit(finding=finding, by=township, note="已完成", file=fake)
    assert not Visit.objects.exists() and finding.steps.count() == 1
