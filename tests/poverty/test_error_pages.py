"""Errors in Chinese, in the site's layout: 400, 403, 404, 500 and the CSRF refusal, and the demo
never showing Django's debug pages (a debug 404 lists every URL pattern)."""

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults

from accounts.choices import Role
from poverty.management.commands import rundemo
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def test_an_unknown_address_is_a_chinese_404_in_the_layout(client, make_user, world):
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    response = client.get("/no/such/page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在（404）" in page and "县扶贫办业务系统" in page and "返回首页" in page
    assert "URLconf" not in page and "Not Found" not in page


def test_a_household_of_another_village_is_the_same_404(client, make_user, world):
    elsewhere = HouseholdFactory(village=world.v21)
    client.force_login(make_user(Role.VILLAGE_CADRE, world.v11))
    response = client.get(elsewhere.get_absolute_url())
    assert response.status_code == 404
    assert "不在您的管辖范围内" in response.content.decode()


def test_a_forbidden_page_is_a_chinese_403(client, make_user, world):
    client.force_login(make_user(Role.LEADER, world.county))
    response = client.get(reverse("villages:area_edit", args=[world.v11.pk]))
    page = response.content.decode()
    assert response.status_code == 403
    assert "没有权限（403）" in page and "系统管理员" in page and "Forbidden" not in page


def test_a_stale_form_is_refused_in_chinese(make_user, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.COUNTY_STAFF, world.county))
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_the_500_page_renders_without_a_request_context():
    response = defaults.server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "系统出错（500）" in page and "县扶贫办业务系统" in page


def test_the_400_page():
    response = defaults.bad_request(RequestFactory().get("/"), exception=None)
    assert "请求有误（400）" in response.content.decode()


def test_the_demo_serves_with_debug_off(monkeypatch, settings):
    settings.DEBUG = True
    served = {}

    def fake_call_command(name, *args, **kwargs):
        if name == "runserver":
            served.update(kwargs, debug=settings.DEBUG)

    monkeypatch.setattr(rundemo, "call_command", fake_call_command)
    call_command("rundemo", "--no-worker")
    assert served == {"use_reloader": False, "insecure_serving": True, "debug": False}
