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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The suite builds its tables straight from the models (--no-migrations in pyproject: a
    worker migrating from nothing took 11 s); the national poverty lines, which a migration
    seeds, are seeded by that migration's own function. Migrations themselves are run from
    nothing by tests/poverty/test_runtime.py and checked against the models in .ci/run."""
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    with django_db_blocker.unblock():
        import_module("households.migrations.0002_poverty_lines").seed(apps, None)
        # The search's kept grams are SQL the models do not describe (PostgreSQL only).
        import_module("households.migrations.0025_household_search_grams").install(connection)
