"""Tokens: issued and revoked by county staff on a page, acting with the client's role and
area (their rate is the account's: tests/poverty/test_outages.py)."""

import pytest
from django.test import Client

from accounts.choices import Role
from accounts.models import ApiToken
from accounts.tokens import issue

pytestmark = pytest.mark.django_db


def call(key, path="/api/v1/areas/"):
    return Client().get(path, HTTP_AUTHORIZATION=f"Token {key}")


def test_staff_issue_reissue_and_revoke_a_clients_token(client, world, make_user):
    analyst = make_user(Role.API_CLIENT, world.t1, username="city-analyst")
    elsewhere = make_user(Role.API_CLIENT, world.county, username="province-feed")
    township_staff = make_user(Role.TOWNSHIP_STAFF, world.t1)
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    page = client.get("/accounts/tokens/")
    assert [u for u, _ in page.context["rows"]] == [analyst, elsewhere]
    issued = client.post("/accounts/tokens/", {"user": analyst.pk, "action": "issue"})
    key = issued.context["new_key"]
    assert key and key in issued.content.decode()
    # The token reads with the analyst's role and area: 一乡 and its villages only.
    codes = {a["code"] for a in call(key).json()["results"]}
    assert codes == {"990123100000", "990123100201", "990123100202"}
    again = client.post("/accounts/tokens/", {"user": analyst.pk, "action": "issue"})
    assert call(key).status_code == 401
    new_key = again.context["new_key"]
    assert call(new_key).status_code == 200
    # The list never shows a whole key.
    assert new_key not in client.get("/accounts/tokens/").content.decode()
    client.post("/accounts/tokens/", {"user": analyst.pk, "action": "revoke"})
    assert call(new_key).status_code == 401
    assert not ApiToken.objects.filter(user=analyst).exists()
    # Only county staff manage tokens, and only of API accounts: not a staff member's.
    assert client.post("/accounts/tokens/", {"user": township_staff.pk}).status_code == 404
    other = Client()
    other.force_login(township_staff)
    assert other.get("/accounts/tokens/").status_code == 403


def test_township_accounts_of_another_township_are_not_listed(client, world, make_user):
    make_user(Role.API_CLIENT, world.t2, username="t2-feed")
    client.force_login(make_user(Role.COUNTY_STAFF, world.t1.parent))
    assert len(client.get("/accounts/tokens/").context["rows"]) == 1
    # Staff whose area is 一乡 alone do not manage an account of 二镇.
    staff = make_user(Role.COUNTY_STAFF, world.county)
    staff.areas.set([world.t1])
    staff = type(staff).objects.get(pk=staff.pk)
    client.force_login(staff)
    assert client.get("/accounts/tokens/").context["rows"] == []


def test_only_a_digest_of_the_key_is_stored(world, make_user):
    """A copy of the database (a backup, a read replica, a leak) cannot call the API."""
    from django.db import connection

    user = make_user(Role.API_CLIENT, world.county)
    key = issue(user).key
    assert call(key).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        stored = [str(value) for row in cursor.fetchall() for value in row]
    assert not any(key in value for value in stored)
    token = ApiToken.objects.get(user=user)
    assert call(token.digest).status_code == 401  # the digest is not a key
    assert token.prefix == key[:6]
    user.is_active = False
    user.save()
    assert call(key).status_code == 401


def test_tokens_issued_in_plain_text_before_keep_working_hashed(world, make_user):
    """The migration from rest_framework.authtoken: old keys are hashed and deleted."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps as live_apps
    from django.db import connection

    user = make_user(Role.API_CLIENT, world.county)
    old_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id integer,"
            " created timestamp)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
            [old_key, user.pk, "2025-06-01 08:00:00"],
        )
    migration = importlib.import_module("accounts.migrations.0006_hash_existing_tokens")
    migration.hash_existing(live_apps, SimpleNamespace(connection=connection))
    assert call(old_key).status_code == 200
    assert ApiToken.objects.get(user=user).created.year == 2025
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
