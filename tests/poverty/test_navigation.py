"""The menu bar: each role sees the entries its permissions open, written once per role as the
template loop wrote them."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from accounts.choices import Role
from accounts.roles import role_allows
from poverty import navigation

pytestmark = pytest.mark.django_db

# What base.html wrote before the menus were built in Python.
LOOP = Template(
    """{% for title, items in nav %}
        <li class="nav-item dropdown">
          <a class="nav-link dropdown-toggle" href="#" role="button" data-bs-toggle="dropdown" aria-expanded="false">{{ title }}</a>
          <ul class="dropdown-menu">
            {% for label, url in items %}<li><a class="dropdown-item" href="{{ url }}">{{ label }}</a></li>{% endfor %}
          </ul>
        </li>
        {% endfor %}"""
)


@pytest.mark.parametrize("role", [*Role.values, "superuser"])
def test_each_role_sees_the_entries_its_permissions_open(client, make_user, world, role):
    superuser = role == "superuser"
    user = make_user(Role.COUNTY_STAFF if superuser else role, world.county, is_superuser=superuser)
    client.force_login(user)
    page = client.get(reverse("password_change")).content.decode()
    nav = []
    for title, items in navigation.NAV:
        shown = [
            (label, reverse(name))
            for label, name, perm in items
            if superuser or role_allows(user.role, perm)
        ]
        for label, url in shown:
            assert f'<a class="dropdown-item" href="{url}">{label}</a>' in page, (role, label)
        for label, name, _perm in items:
            if (label, reverse(name)) not in shown:
                assert f'href="{reverse(name)}">{label}</a>' not in page, (role, label)
        if shown:
            nav.append((title, shown))
    written = tags(LOOP.render(Context({"nav": nav})))
    assert written in tags(page)
    assert tags(navigation._menus(user.role, superuser, "/")[0]) == written


def tags(html: str) -> str:
    """The markup without the whitespace between tags."""
    return re.sub(r">\s+<", "><", html).strip()
