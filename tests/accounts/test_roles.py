"""The role table as users experience it: what each role may do, written out by hand."""

import pytest

from accounts.choices import Role
from tests.factories import UserFactory

CASES = [
    # role, permission, granted
    (Role.COUNTY_STAFF, "villages.add_area", True),
    (Role.COUNTY_STAFF, "villages.delete_cadre", True),
    (Role.COUNTY_STAFF, "accounts.view_sensitive", True),
    (Role.TOWNSHIP_STAFF, "villages.change_villageposting", True),
    (Role.TOWNSHIP_STAFF, "accounts.view_sensitive", True),
    (Role.VILLAGE_CADRE, "villages.view_area", True),
    (Role.VILLAGE_CADRE, "villages.change_area", False),
    (Role.VILLAGE_CADRE, "villages.add_cadre", False),
    (Role.VILLAGE_CADRE, "households.add_visit", True),
    (Role.VILLAGE_CADRE, "households.delete_visit", False),
    (Role.VILLAGE_CADRE, "households.change_household", False),
    (Role.VILLAGE_CADRE, "accounts.view_sensitive", False),
    (Role.LEADER, "villages.view_unit", True),
    (Role.LEADER, "villages.change_unit", False),
    (Role.LEADER, "accounts.view_sensitive", False),
    (Role.INSPECTOR, "inspections.add_finding", True),
    (Role.INSPECTOR, "villages.add_area", False),
    (Role.API_CLIENT, "villages.view_area", True),
    (Role.API_CLIENT, "villages.add_area", False),
    (Role.API_CLIENT, "accounts.view_sensitive", False),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "perm", "granted"), CASES)
def test_role_grants(role, perm, granted):
    assert UserFactory(role=role).has_perm(perm) is granted


@pytest.mark.django_db
def test_inactive_user_has_no_permission():
    user = UserFactory(role=Role.COUNTY_STAFF, is_active=False)
    assert not user.has_perm("villages.view_area")


@pytest.mark.django_db
def test_user_without_areas_sees_nothing(world):
    from villages.models import Area

    user = UserFactory(role=Role.COUNTY_STAFF)
    assert user.has_perm("villages.view_area")
    assert not Area.objects.restrict(user).exists()


@pytest.mark.django_db
def test_permissions_granted_in_the_admin_add_to_the_role_in_one_query(
    django_assert_num_queries,
):
    """Beyond the role table, a permission given to the user or to one of their groups in the
    admin counts; a user's own and their groups' are read together, once per request."""
    from django.contrib.auth.models import Group, Permission

    own = Permission.objects.get(codename="change_finding")
    shared = Permission.objects.get(codename="delete_finding")
    group = Group.objects.create(name="督查协理")
    group.permissions.add(shared)
    user = UserFactory(role=Role.LEADER)
    user.user_permissions.add(own)
    user.groups.add(group)
    with django_assert_num_queries(1):
        assert user.has_perm("inspections.change_finding")
        assert user.has_perm("inspections.delete_finding")
        assert not user.has_perm("inspections.add_finding")
        assert user.has_perm("villages.view_unit")  # the role's, without a query
    other = UserFactory(role=Role.LEADER)
    assert not other.has_perm("inspections.change_finding")
    assert not other.has_perm("inspections.delete_finding")
    superuser = UserFactory(role=Role.LEADER, is_superuser=True)
    assert superuser.has_perm("inspections.add_finding")
