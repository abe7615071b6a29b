import pytest
from django.urls import reverse

from accounts.choices import Role

pytestmark = pytest.mark.django_db


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_then_home_shows_the_users_areas(client, make_user, world):
    make_user(Role.TOWNSHIP_STAFF, world.t1, username="xiang")
    response = login(client, "xiang", "pw-for-tests")
    assert response.status_code == 302
    page = client.get(reverse("home")).content.decode()
    assert "一乡" in page and "乡镇工作人员" in page


def test_wrong_password_says_so_in_chinese(client, make_user, world):
    make_user(Role.LEADER, world.county, username="leader1")
    response = login(client, "leader1", "wrong")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_lockout_after_repeated_failures_even_with_the_right_password(
    client, make_user, world, settings
):
    make_user(Role.LEADER, world.county, username="leader2")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "leader2", "wrong")
    response = login(client, "leader2", "pw-for-tests")
    assert response.status_code == 429
    page = response.content.decode()
    assert "账号已暂时锁定" in page
    assert "请30分钟后再试" in page and "PT30M" not in page
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_logout_needs_post_and_ends_the_session(client, make_user, world):
    make_user(Role.LEADER, world.county, username="leader3")
    login(client, "leader3", "pw-for-tests")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_change(client, make_user, world):
    user = make_user(Role.LEADER, world.county, username="leader4")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw-for-tests",
            "new_password1": "Qingshan#2026x",
            "new_password2": "Qingshan#2026x",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Qingshan#2026x")


def test_password_change_rejects_a_weak_password(client, make_user, world):
    user = make_user(Role.LEADER, world.county, username="leader5")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw-for-tests", "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password("pw-for-tests")


def test_user_admin_refuses_areas_of_the_wrong_level(world):
    from accounts.admin import UserAdminForm

    form = UserAdminForm(
        data={
            "username": "cun1",
            "password": "x",
            "role": Role.VILLAGE_CADRE,
            "areas": [world.t1.pk],
            "date_joined": "2026-01-01 00:00:00",
        }
    )
    assert not form.is_valid()
    assert "管辖区域层级不符" in str(form.errors)


def test_a_login_on_a_shared_office_computer_lasts_a_working_day(client, make_user, world):
    import datetime

    from django.utils import timezone

    make_user(Role.TOWNSHIP_STAFF, world.t1, username="xiang")
    login(client, "xiang", "pw-for-tests")
    left = client.session.get_expiry_date() - timezone.now()
    assert datetime.timedelta(hours=11, minutes=59) < left <= datetime.timedelta(hours=12)
    assert int(client.cookies["sessionid"]["max-age"]) == 12 * 3600


def test_ticking_shared_computer_ends_the_login_when_the_browser_closes(client, make_user, world):
    make_user(Role.TOWNSHIP_STAFF, world.t1, username="xiang")
    assert "公用电脑（关闭浏览器即退出登录）" in client.get(reverse("login")).content.decode()
    response = client.post(
        reverse("login"),
        {"username": "xiang", "password": "pw-for-tests", "shared_computer": "1"},
    )
    assert response.status_code == 302
    cookie = client.cookies["sessionid"]
    assert cookie.value and not cookie["max-age"] and not cookie["expires"]  # a browser session
    assert client.session.get_expire_at_browser_close()
    assert "一乡" in client.get(reverse("home")).content.decode()  # still logged in meanwhile
