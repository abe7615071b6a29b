import pytest

from accounts.choices import Role

from .factories import UserFactory, build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def make_user(db):
    def make(role: str = Role.COUNTY_STAFF, *areas, **kwargs):
        return UserFactory(role=role, areas=list(areas), **kwargs)

    return make


@pytest.fixture(autouse=True)
def _no_axes_lockout_between_tests(settings):
    # Each test starts with a clean failed-login slate (axes keeps attempts in the DB).
    settings.AXES_ENABLED = True
