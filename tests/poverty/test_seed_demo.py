import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from poverty.demo import DEMO_PASSWORD
from villages.models import Area, Cadre, LeaderPairing, Unit, UnitPairing, VillagePosting

pytestmark = pytest.mark.django_db
MODELS = (Area, Unit, Cadre, VillagePosting, UnitPairing, LeaderPairing, User)


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def names():
    return sorted(Area.objects.values_list("code", "name")) + sorted(
        Cadre.objects.values_list("name", flat=True)
    )


def test_demo_county_has_a_realistic_shape_and_one_login_per_role(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert Area.objects.filter(level="township").count() == 8
    villages = Area.objects.filter(level="village")
    assert villages.count() == 80
    assert 0.25 <= villages.filter(is_poor=True).count() / 80 <= 0.55
    assert Cadre.objects.count() > 300 and Unit.objects.count() > 25
    # Every poor village has a first secretary and a paired unit.
    poor = villages.filter(is_poor=True)
    assert not poor.exclude(postings__role="first_secretary").exists()
    assert not poor.exclude(unit_pairings__isnull=False).exists()
    for role in Role:
        assert User.objects.filter(role=role, is_superuser=False).exists(), role
        assert User.objects.filter(role=role).first().username in out
    assert DEMO_PASSWORD in out


def wipe():
    for model in (LeaderPairing, UnitPairing, VillagePosting, User, Cadre, Unit):
        model.objects.all().delete()
    for level in ("village", "township", "county", "city", "province"):
        Area.objects.filter(level=level).delete()


def test_running_twice_adds_nothing_and_the_same_seed_gives_the_same_county():
    call_command("seed_demo")
    first, first_names = counts(), names()
    call_command("seed_demo")
    assert counts() == first
    wipe()
    call_command("seed_demo", "--seed", "2017")
    assert names() == first_names


def test_another_seed_gives_another_county():
    call_command("seed_demo", "--seed", "1")
    one = names()
    wipe()
    call_command("seed_demo", "--seed", "2")
    assert names() != one


def test_the_demo_village_cadre_sees_only_their_village():
    call_command("seed_demo")
    client = Client()
    assert (
        client.post(reverse("login"), {"username": "cadre", "password": DEMO_PASSWORD}).status_code
        == 302
    )
    response = client.get(reverse("villages:area_list"))
    rows = [r.record for r in response.context["table"].paginated_rows]
    cadre = User.objects.get(username="cadre")
    assert rows == list(cadre.areas.all()) and rows[0].level == "village"
    other = Area.objects.filter(level="village").exclude(pk=rows[0].pk).first()
    assert client.get(reverse("villages:area_detail", args=[other.pk])).status_code == 404
