"""Walk every URL pattern of the project with users of every role in different areas.

For each pattern the test knows how to exercise (generic object views, API viewsets, the
listed special pages), it asserts: anonymous users are sent to log in; a missing permission
is 403; an object outside the user's area is 404; a refused write changes no row; lists show
exactly the objects in scope. A pattern it does not know how to exercise fails.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from accounts.choices import Role
from poverty.common import sql
from poverty.common.api import ScopedReadOnlyViewSet
from poverty.common.scoping import ACTIONS, ScopedModel, in_scope, permission_name
from poverty.common.views import (
    ObjectActionView,
    ObjectCreateView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ObjectPickView,
)
from poverty.sheets import KINDS

from .factories import UserFactory, build_world
from .scoping import CASES, ModelCase, expected_visible, is_under

# (role, area key): two villages in different townships, both townships, the county.
USERS = [
    (Role.COUNTY_STAFF, "county"),
    (Role.TOWNSHIP_STAFF, "t1"),
    (Role.TOWNSHIP_STAFF, "t2"),
    (Role.VILLAGE_CADRE, "v11"),
    (Role.VILLAGE_CADRE, "v21"),
    (Role.LEADER, "county"),
    (Role.LEADER, "t1"),
    (Role.INSPECTOR, "t2"),
    (Role.API_CLIENT, "county"),
]

JSON = "application/json"
# The offline app's service worker and manifest hold no data (households/field.py).
PUBLIC = {"login", "api:schema", "api:docs", "field_sw", "field_manifest"}
# Pages of the user's own rows (reminders): any logged-in user, never another's.
LOGIN_ONLY = {
    "home",
    "system_status",
    "password_change",
    "password_change_done",
    "work:notifications",
    "dashboard",  # every role reads the registry: the dashboard of one's own area
    "setup_guide",  # counts through restrict() (tests/poverty/test_sheet_imports.py)
    "exits:home",  # a redirect to the user's own area's exit page
}
# Per sheet kind, behind the kind's permissions; rows are matched and written only inside the
# user's areas (tests/poverty/test_sheet_imports.py).
SHEET_PAGES = {"sheet_import", "sheet_template"}


def walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            if ns and p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield prefix + str(p.pattern), name, p


# The admin is one gate (staff status) in front of many URLs: test_admin_is_for_superusers_only.
ALL_PATTERNS = [p for p in walk(get_resolver().url_patterns) if not p[0].startswith("admin/")]


# Pages behind one permission, whose rows the page itself narrows to the user's area
# (tested with the page: tests/accounts/test_tokens.py).
PERMISSION_PAGES = {
    "tokens": "accounts.manage_tokens",
    "field": "households.add_visit",  # the offline app's page: no data, the rest is JSON
}
# The offline app's data: who is signed in, the households to pick, the upload of a visit.
FIELD_DATA = {"field_session", "field_households", "field_visit_upload"}


def kind_of(name: str | None, pattern: URLPattern) -> str | None:
    if name in PUBLIC:
        return "public"
    if name in PERMISSION_PAGES:
        return "permission"
    if name in SHEET_PAGES:
        return "sheet"
    if name in ("api:stats-exits", "dashboard_area"):
        return "area_figures"
    if name == "evidence":
        return "evidence"
    if name == "work:notification_open":
        return "own_reminder"
    if name in FIELD_DATA:
        return "field_data"
    if name in LOGIN_ONLY:
        return "login_only"
    if name == "logout":
        return "logout"
    view_class = getattr(pattern.callback, "view_class", None)
    for cls, kind in (
        (ObjectListView, "list"),
        (ObjectDetailView, "detail"),
        (ObjectCreateView, "create"),
        (ObjectEditView, "edit"),
        (ObjectDeleteView, "delete"),
        (ObjectActionView, "action"),
        (ObjectPickView, "pick"),
    ):
        if view_class and issubclass(view_class, cls):
            return kind
    api_cls = getattr(pattern.callback, "cls", None)
    if api_cls and issubclass(api_cls, ScopedReadOnlyViewSet):
        actions = pattern.callback.actions
        if "search" in actions.values():
            return "api_search"
        return "api_list" if "list" in actions.values() else "api_detail"
    return None


def model_of(pattern: URLPattern):
    view_class = getattr(pattern.callback, "view_class", None)
    if view_class is not None and hasattr(view_class, "model"):
        return view_class.model
    return pattern.callback.cls.queryset.model


def snapshot(model) -> list:
    return list(model.objects.order_by("pk").values_list())


class Matrix:
    """The world, one object of the model per place, and a logged-in client per user."""

    def __init__(self, case: ModelCase | None):
        self.world = build_world()
        self.case = case
        if case is not None:
            for area in case.places(self.world):
                case.make(self.world, area)
        self.users = [UserFactory(role=role, areas=[self.world.by_key(key)]) for role, key in USERS]
        self._clients: dict[int, Client] = {}
        self._memo: dict = {}  # expected_visible's: users' areas and areas' parents

    def client(self, user) -> Client:
        """The user's logged-in client (one login per user: a login is a session row)."""
        if user.pk not in self._clients:
            self._clients[user.pk] = Client()
            self._clients[user.pk].force_login(user)
        return self._clients[user.pk]

    def objects(self):
        return list(self.case.model.objects.all())

    def allowed(self, user, action: str) -> bool:
        return user.has_perm(permission_name(self.case.model, action))

    def visible(self, user, obj, action: str) -> bool:
        return expected_visible(self.case, obj, user, action, self._memo)


def rolled_back(fn, *args, **kwargs):
    """Run a request whose success must not leak into the next check."""
    with transaction.atomic():
        response = fn(*args, **kwargs)
        transaction.set_rollback(True)
    return response


def check_refused(matrix, response, before, *codes):
    assert response.status_code in codes, (response.status_code, codes)
    assert snapshot(matrix.case.model) == before, "a refused write changed rows"


@pytest.mark.parametrize(
    ("route", "name", "pattern"), ALL_PATTERNS, ids=[f"{n or r}" for r, n, _ in ALL_PATTERNS]
)
@pytest.mark.django_db
def test_every_url_is_scoped(route, name, pattern):
    kind = kind_of(name, pattern)
    if kind is None:
        pytest.fail(
            f"scoping test does not know how to exercise URL {route!r} (name {name!r}); "
            "use the generic views/viewsets or teach tests/test_scoping.py about it"
        )
    if kind in ("public", "login_only", "logout", "permission"):
        return check_special(kind, name)
    if kind == "sheet":
        return check_sheet_pages(name)
    if kind == "area_figures":
        return check_area_figures(name)
    if kind == "evidence":
        return check_evidence(name)
    if kind == "own_reminder":
        return check_own_reminder(name)
    if kind == "field_data":
        return check_field_data(name)
    model = model_of(pattern)
    case = CASES.get(model)
    assert case is not None, f"{model.__name__} has no ModelCase in tests/scoping.py"
    matrix = Matrix(case)
    {
        "list": check_list,
        "detail": check_detail,
        "create": check_create,
        "edit": check_edit,
        "delete": check_delete,
        "action": check_action,
        "api_list": check_api_list,
        "api_search": check_api_search,
        "api_detail": check_api_detail,
        "pick": check_pick,
    }[kind](matrix, name)


@pytest.mark.django_db
def test_admin_is_for_superusers_only():
    world = build_world()
    urls = [reverse("admin:index")] + [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist")
        for m in CASES
        if admin.site.is_registered(m)
    ]
    for role, key in USERS:
        client = Client()
        client.force_login(UserFactory(role=role, areas=[world.by_key(key)]))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url
    client = Client()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for url in urls:
        assert client.get(url).status_code == 200, url


def check_special(kind, name):
    url = reverse(name)
    anonymous = Client()
    if kind == "public":
        assert anonymous.get(url).status_code == 200
        return
    if kind == "logout":
        assert anonymous.post(url).status_code == 302
        return
    response = anonymous.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    world = build_world()
    for role, key in USERS:
        user = UserFactory(role=role, areas=[world.by_key(key)])
        client = Client()
        client.force_login(user)
        allowed = kind != "permission" or user.has_perm(PERMISSION_PAGES[name])
        assert client.get(url).status_code == (200 if allowed else 403), (role, name)


def check_sheet_pages(name):
    world = build_world()
    users = [UserFactory(role=role, areas=[world.by_key(key)]) for role, key in USERS]
    for kind, importer in KINDS.items():
        url = reverse(name, args=[kind])
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        for user in users:
            client = Client()
            client.force_login(user)
            allowed = all(user.has_perm(p) for p in importer.permissions)
            assert client.get(url).status_code == (200 if allowed else 403), (user.role, kind)


def check_area_figures(name):
    """An area's figures (statistics API, dashboard) only for users whose areas hold it; the
    others read it as unknown (400 from the API, 404 from the page), children included."""
    world = build_world()
    api = name.startswith("api:")

    def get(client, area):
        if api:
            return client.get(reverse(name), {"area": area.code, "year": 2019})
        return client.get(reverse(name, args=[area.code]), {"year": 2019})

    assert get(Client(), world.county).status_code in ((401, 403) if api else (302,))
    for role, key in USERS:
        user = UserFactory(role=role, areas=[world.by_key(key)])
        client = Client()
        client.force_login(user)
        for area in world.areas:
            response = get(client, area)
            mine = any(is_under(area, own) for own in user.areas.all())
            refused = 400 if api else 404
            assert response.status_code == (200 if mine else refused), (role, key, area.code)
            if mine:
                children = response.json()["children"] if api else response.context["children"]
                assert {c["area"]["code"] for c in children} == {
                    c.code for c in area.children.all()
                }


def _evidence_records(world, app, model, area):
    """A record holding an evidence field in `area`, and the case whose rule decides who sees it
    (the record's own, or its parent's for steps served by their household or finding)."""
    from households.models import ExitRecord, Household, Visit
    from inspections.models import Finding, FindingStep, Pledge
    from projects.models import ProjectStage

    if (app, model) == ("households", "exitrecord"):
        household = CASES[Household].make(world, area)
        by = UserFactory(role=Role.COUNTY_STAFF, areas=[world.county])
        return (
            ExitRecord.objects.create(household=household, step="propose", taken_by=by),
            CASES[Household],
            household,
        )
    if (app, model) == ("inspections", "findingstep"):
        finding = CASES[Finding].make(world, area)
        return (
            FindingStep.objects.create(finding=finding, kind="plan", note="方案"),
            CASES[Finding],
            finding,
        )
    if (app, model) == ("projects", "projectstage"):
        project = CASES[ProjectStage].make(world, area)
        stage = project.stages.first()
        return stage, CASES[ProjectStage], stage
    from assessments.models import Adjustment, Score
    from command.models import ProgressReport
    from exits.models import ExitStep, Reading

    model_class = {
        "visit": Visit,
        "pledge": Pledge,
        "progressreport": ProgressReport,
        "score": Score,
        "adjustment": Adjustment,
        "reading": Reading,
        "exitstep": ExitStep,
    }[model]
    record = CASES[model_class].make(world, area)
    return record, CASES[model_class], record


def check_field_data(name):
    """The offline app's JSON: nothing without a session; the households and uploads of a
    user's own areas only, and only for those who may record visits."""
    import uuid

    from households.models import Visit
    from tests.factories import CadreFactory, HouseholdFactory, UnitFactory

    world = build_world()
    households = {v.pk: HouseholdFactory(village=v) for v in world.villages}
    url = reverse(name)
    anonymous = Client()
    response = anonymous.post(url) if name == "field_visit_upload" else anonymous.get(url)
    assert response.status_code in (302, 403), name
    for role, key in USERS:
        area = world.by_key(key)
        cadre = CadreFactory(unit=UnitFactory(area=world.county))
        user = UserFactory(role=role, areas=[area], cadre=cadre)
        client = Client()
        client.force_login(user)
        may = user.has_perm("households.add_visit")
        if name == "field_session":
            assert client.get(url).json()["user"] == user.pk
            continue
        if name == "field_households":
            response = client.get(url)
            if not may:
                assert response.status_code == 403, role
                continue
            listed = {row["id"] for row in response.json()["households"]}
            expected = {h.pk for h in households.values() if is_under(h.village, area)}
            assert listed == expected, (role, key)
            continue
        for village_pk, household in households.items():
            response = client.post(
                url,
                {
                    "client_id": str(uuid.uuid4()),
                    "household": household.pk,
                    "visited_on": "2019-06-01",
                    "findings": "x",
                },
            )
            inside = is_under(household.village, area)
            saved = Visit.objects.filter(household=household, recorded_by=user).exists()
            assert saved == (may and inside), (role, key, village_pk)
            assert response.status_code == (201 if may and inside else 400 if may else 403)


def check_own_reminder(name):
    """A reminder opens only for the user it was made for: every other user, whatever their
    role or area, gets a 404 and leaves it unread."""
    from poverty.work.models import Notification

    world = build_world()
    owner = UserFactory(role=Role.VILLAGE_CADRE, areas=[world.v11])
    note = Notification.objects.create(
        user=owner,
        kind="exit_deadline",
        subject=world.v11,
        due=datetime.date(2019, 12, 31),
        message="x",
        link="/",
    )
    url = reverse(name, args=[note.pk])
    for role, key in USERS:
        client = Client()
        client.force_login(UserFactory(role=role, areas=[world.by_key(key)]))
        assert client.get(url).status_code == 404, (role, key)
    note.refresh_from_db()
    assert note.read_at is None
    client = Client()
    client.force_login(owner)
    assert client.get(url).status_code == 302


def check_evidence(name):
    """Every evidence field: its file only to users who may see the record (404 otherwise), and
    only after login."""
    import tempfile

    from django.test import override_settings

    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        _check_evidence(name)


def _check_evidence(name):
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from poverty.evidence import EVIDENCE

    world = build_world()
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(picture, "JPEG")
    users = [UserFactory(role=role, areas=[world.by_key(key)]) for role, key in USERS]
    clients = {}
    for user in users:
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)
    for app, model, field in EVIDENCE:
        outcomes = set()
        for area in world.areas:
            record, case, judged = _evidence_records(world, app, model, area)
            if case.area_of(judged) is None or case.area_of(judged).pk != area.pk:
                continue  # the case cannot live there (a pledge of a village, say)
            getattr(record, field).save("证据.jpg", ContentFile(picture.getvalue()))
            url = reverse(name, args=[app, model, record.pk, field])
            response = Client().get(url)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
            for user in users:
                client = clients[user.pk]
                allowed = user.has_perm(permission_name(type(record), "view"))
                seen = allowed and expected_visible(case, judged, user, "view")
                got = client.get(url).status_code
                assert got == (200 if seen else 404), (app, model, user.role, area.code, got)
                outcomes.add(got)
        assert outcomes == {200, 404}, (app, model)  # both sides of the rule were exercised


def _roster_households(response) -> set[int]:
    """The households a roster download holds (by their 户编号)."""
    import io

    from openpyxl import load_workbook

    from households.models import Household

    assert response.status_code == 200, response.status_code
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    at = next(n for n, row in enumerate(rows) if "户编号" in row)
    column = rows[at].index("户编号")
    codes = {row[column] for row in rows[at + 1 :] if row[column]}
    return set(Household.objects.filter(code__in=codes).values_list("pk", flat=True))


# Lists that export what they show: the file holds exactly the rows the page would.
LIST_EXPORTS = {"households:household_list": _roster_households}


def _with_file(field: str, owner_only: bool = False):
    """Give each job a file in `field` and a maker among the users who may see the job; return
    who may download it: its maker, and (unless only its maker may) the users who may see full
    ID numbers, as the file holds them."""

    def prepare(matrix, obj) -> Callable:
        from django.core.files.base import ContentFile

        from poverty.personal.masking import can_see_sensitive

        getattr(obj, field).save("x.xlsx", ContentFile(b"PK-not-read"), save=False)
        seeing = [
            u for u in matrix.users if matrix.allowed(u, "view") and matrix.visible(u, obj, "view")
        ]
        # A maker without the permission, where there is one: the maker's own right is tested.
        obj.user = next((u for u in seeing if not can_see_sensitive(u)), seeing[0])
        obj.save()
        return lambda user: user.pk == obj.user_id or (not owner_only and can_see_sensitive(user))

    return prepare


# Detail pages that send a file (?download=…): the file goes only to whoever may see the page
# (and, for an export, only to whoever started it).
DETAIL_DOWNLOADS = {
    "households:rosterimport_detail": ("errors", _with_file("error_file")),
    "households:rosterexport_detail": ("file", _with_file("file", owner_only=True)),
}


def check_list(matrix, name):
    url = reverse(name)
    response = Client().get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for user in matrix.users:
        client = matrix.client(user)
        response = client.get(url, {"per_page": 500})
        if not matrix.allowed(user, "view"):
            assert response.status_code == 403
            continue
        assert response.status_code == 200
        shown = {row.record.pk for row in response.context["table"].paginated_rows}
        expected = {o.pk for o in matrix.objects() if matrix.visible(user, o, "view")}
        assert shown == expected, (user.role, user.scope_codes)
        if name in LIST_EXPORTS:
            exported = LIST_EXPORTS[name](client.post(url, {"export": "xlsx"}))
            assert exported == expected, (user.role, user.scope_codes, "export")
        before = snapshot(matrix.case.model)
        if hasattr(resolve(url).func.view_class, "post"):  # a search posted (an ID number)
            posted = client.post(url, {"q": ""})
            assert {row.record.pk for row in posted.context["table"].paginated_rows} == expected
            assert snapshot(matrix.case.model) == before, "a posted search changed rows"
        for method in ("put", "patch", "delete"):
            check_refused(matrix, getattr(client, method)(url), before, 405)


def check_pick(matrix, name):
    """A search box's matches: each object, searched by its own label, is found only by the
    users who may see it."""
    url = reverse(name)
    response = Client().get(url, {"q": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for user in matrix.users:
        client = matrix.client(user)
        for obj in matrix.objects():
            response = client.get(url, {"q": str(obj)})
            if not matrix.allowed(user, "view"):
                assert response.status_code == 403
                continue
            assert response.status_code == 200
            found = obj.pk in {o.pk for o in response.context["matches"]}
            assert found == matrix.visible(user, obj, "view"), (user.role, str(obj))
            if not found:
                assert f'data-search-pick="{obj.pk}"' not in response.content.decode()


# Methods a page must refuse whatever the object (405, or 403/404 before that): asked of each
# user on the first object only, since the answer does not depend on which row it is; a POST,
# which would write, is asked of every object.
OTHER_METHODS = ("put", "patch", "delete")


def page_allows(matrix, user, name: str, action: str) -> bool:
    """The page's own permission when it names one (ScopedViewMixin.permission: a page of one
    app about another's object), else the model's for the action."""
    view_class = next(p for r, n, p in ALL_PATTERNS if n == name).callback.view_class
    if view_class.permission:
        return user.has_perm(view_class.permission)
    return matrix.allowed(user, action)


def check_detail(matrix, name):
    for n, obj in enumerate(matrix.objects()):
        url = reverse(name, args=[obj.pk])
        assert Client().get(url).status_code == 302
        for user in matrix.users:
            client = matrix.client(user)
            response = client.get(url)
            if not page_allows(matrix, user, name, "view"):
                expected = 403
            elif not matrix.visible(user, obj, "view"):
                expected = 404
            else:
                expected = 200
            assert response.status_code == expected, (user.role, user.scope_codes, str(obj))
            if expected == 404:
                assert str(obj) not in response.content.decode()
            before = snapshot(matrix.case.model)
            for method in ("post", *(OTHER_METHODS if n == 0 else ())):
                check_refused(matrix, getattr(client, method)(url), before, 403, 404, 405)
    if name in DETAIL_DOWNLOADS:
        check_detail_download(matrix, name)


def check_detail_download(matrix, name):
    what, prepare = DETAIL_DOWNLOADS[name]
    outcomes = set()
    for obj in matrix.objects():
        may_fetch = prepare(matrix, obj)
        url = reverse(name, args=[obj.pk])
        for user in matrix.users:
            response = matrix.client(user).get(url, {"download": what})
            if not matrix.allowed(user, "view"):
                expected = 403
            elif matrix.visible(user, obj, "view") and may_fetch(user):
                expected = 200
            else:
                expected = 404
            assert response.status_code == expected, (user.role, user.scope_codes, str(obj))
            outcomes.add(expected)
    assert {200, 404} <= outcomes, outcomes  # both sides of the rule were exercised


def check_create(matrix, name):
    url = reverse(name)
    model = matrix.case.model
    before = snapshot(model)
    check_refused(matrix, Client().post(url, {}), before, 302)
    targets = matrix.case.places(matrix.world) or matrix.world.townships
    for user in matrix.users:
        client = matrix.client(user)
        if not matrix.allowed(user, "add"):
            assert client.get(url).status_code == 403
            for area in targets:
                check_refused(
                    matrix, client.post(url, matrix.case.data(matrix.world, area)), before, 403
                )
            continue
        assert client.get(url).status_code == 200
        for area in targets:
            data = matrix.case.data(matrix.world, area)
            before = snapshot(model)
            probe = model(**_probe_fields(model, data))
            if matrix.visible(user, probe, "add"):
                response = rolled_back(client.post, url, data)
                assert response.status_code == 302, _form_errors(response)
            else:
                response = client.post(url, data)
                check_refused(matrix, response, before, 200)
                assert response.context["form"].errors
        before = snapshot(model)
        for method in ("put", "patch", "delete"):
            check_refused(matrix, getattr(client, method)(url), before, 405)


def _probe_fields(model, data: dict) -> dict:
    """An unsaved instance's area-bearing fields from POST data (for the expectation only)."""
    out = {}
    for field in model._meta.concrete_fields:
        if field.name in data and field.is_relation:
            out[field.name] = field.related_model.objects.get(pk=data[field.name])
        elif field.name == "code" and "code" in data:
            out["code"] = data["code"]
    if model.__name__ == "Area":
        from villages.models import Area

        out["parent"] = Area.objects.get(code=data["code"][:9] + "000")
    return out


def _form_errors(response):
    form = getattr(response, "context", None) and response.context.get("form")
    return form.errors if form else response.status_code


def check_edit(matrix, name):
    model = matrix.case.model
    for obj in matrix.objects():
        url = reverse(name, args=[obj.pk])
        assert Client().get(url).status_code == 302
        own_area = matrix.case.area_of(obj)
        for user in matrix.users:
            client = matrix.client(user)
            before = snapshot(model)
            if not matrix.allowed(user, "change"):
                assert client.get(url).status_code == 403
                check_refused(
                    matrix, client.post(url, _edit_data(matrix, obj, own_area)), before, 403
                )
                continue
            if not matrix.visible(user, obj, "change"):
                assert client.get(url).status_code == 404
                check_refused(
                    matrix, client.post(url, _edit_data(matrix, obj, own_area)), before, 404
                )
                continue
            assert client.get(url).status_code == 200
            response = rolled_back(client.post, url, _edit_data(matrix, obj, own_area))
            assert response.status_code == 302, _form_errors(response)
            # Moving the object into an area outside the user's scope is refused.
            if not matrix.case.movable:
                continue
            for other in matrix.world.areas:
                if other.level != own_area.level or other.pk == own_area.pk:
                    continue
                moved = _edit_data(matrix, obj, other)
                probe_fields = (
                    _probe_fields(model, moved)
                    if model.__name__ != "Area"
                    else {"code": moved.get("code")}
                )
                if model.__name__ == "Area":
                    continue  # an area's place is its code; editing the code is covered by create
                if matrix.visible(user, model(**probe_fields), "change"):
                    continue
                response = client.post(url, moved)
                check_refused(matrix, response, before, 200)


def _edit_data(matrix, obj, area) -> dict:
    if matrix.case.edit_data is not None:
        return matrix.case.edit_data(matrix.world, obj, area)
    if matrix.case.model.__name__ != "Area":
        return matrix.case.data(matrix.world, area)
    data = {"code": obj.code, "name": f"{obj.name}改", "rural_population": "999"}
    if obj.level == "village":
        data.update(is_poor="on", planned_exit_year="2019")
    return data


def check_delete(matrix, name):
    model = matrix.case.model
    for obj in matrix.objects():
        url = reverse(name, args=[obj.pk])
        assert Client().post(url).status_code == 302
        for user in matrix.users:
            client = matrix.client(user)
            before = snapshot(model)
            if not matrix.allowed(user, "delete"):
                check_refused(matrix, client.post(url), before, 403)
            elif not matrix.visible(user, obj, "delete"):
                check_refused(matrix, client.post(url), before, 404)
                assert client.get(url).status_code == 404
            else:
                assert client.get(url).status_code == 200
                response = rolled_back(client.post, url)
                assert response.status_code == 302


def check_action(matrix, name):
    """A workflow step on one object: 403 without the permission, 404 outside the area."""
    model = matrix.case.model
    action = pattern_action(name)
    for n, obj in enumerate(matrix.objects()):
        url = reverse(name, args=[obj.pk])
        assert Client().get(url).status_code == 302
        for user in matrix.users:
            client = matrix.client(user)
            before = snapshot(model)
            if not page_allows(matrix, user, name, action):
                expected = 403
            elif not matrix.visible(user, obj, action):
                expected = 404
            else:
                expected = 200
            assert client.get(url).status_code == expected, (user.role, user.scope_codes, name)
            if expected != 200:
                check_refused(matrix, client.post(url, {}), before, expected)
            for method in OTHER_METHODS if n == 0 else ():
                check_refused(matrix, getattr(client, method)(url), before, 403, 404, 405)


def api_methods(name: str) -> set[str]:
    """The HTTP methods a viewset route serves (a viewset may leave out create or delete)."""
    callback = next(p for r, n, p in ALL_PATTERNS if n == name).callback
    return {m for m in callback.actions if m in callback.cls.http_method_names}


def pattern_action(name: str) -> str:
    view_class = next(p for r, n, p in ALL_PATTERNS if n == name).callback.view_class
    return view_class.action


def check_api_list(matrix, name):
    url = reverse(name)
    model = matrix.case.model
    before = snapshot(model)
    assert Client().get(url).status_code in (401, 403)
    for user in matrix.users:
        client = matrix.client(user)
        response = client.get(url, {"page_size": 1000})
        if not matrix.allowed(user, "view"):
            assert response.status_code == 403
        else:
            assert response.status_code == 200
            shown = {row["id"] for row in response.json()["results"]}
            assert shown == {o.pk for o in matrix.objects() if matrix.visible(user, o, "view")}
        targets = matrix.case.places(matrix.world) or matrix.world.townships
        for area in targets:
            data = _api_data(matrix, area)
            before = snapshot(model)
            if "post" not in api_methods(name):
                response = client.post(url, data, content_type="application/json")
                check_refused(matrix, response, before, 403, 405)
                continue
            if not matrix.allowed(user, "add"):
                check_refused(
                    matrix, client.post(url, data, content_type="application/json"), before, 403
                )
                continue
            probe = model(**_probe_fields(model, data))
            if matrix.visible(user, probe, "add"):
                response = rolled_back(client.post, url, data, content_type="application/json")
                assert response.status_code == 201, response.content
            else:
                response = client.post(url, data, content_type="application/json")
                check_refused(matrix, response, before, 400)
                assert response.json()


def check_api_search(matrix, name):
    """A list searched by POST (an ID number kept out of the address): the same rows as the
    list, and an object searched for by its head's ID number found only by who may see it."""
    url = reverse(name) + "?page_size=1000"
    model = matrix.case.model
    before = snapshot(model)
    assert Client().post(url, {}, content_type=JSON).status_code in (401, 403)
    for user in matrix.users:
        client = matrix.client(user)
        response = client.post(url, {}, content_type=JSON)
        if not matrix.allowed(user, "view"):
            assert response.status_code == 403
            continue
        assert response.status_code == 200
        shown = {row["id"] for row in response.json()["results"]}
        assert shown == {o.pk for o in matrix.objects() if matrix.visible(user, o, "view")}
        for obj in matrix.objects():
            number = obj.members.first().id_number
            found = client.post(url, {"q": number}, content_type=JSON).json()["results"]
            assert (obj.pk in {row["id"] for row in found}) == matrix.visible(user, obj, "view")
    assert snapshot(model) == before, "a search changed rows"


def _api_data(matrix, area) -> dict:
    return _as_json(matrix.case.data(matrix.world, area))


def _as_json(data: dict) -> dict:
    out = {}
    for key, value in data.items():
        if value == "on":
            value = True
        elif value == "":
            value = None
        out[key] = value
    return out


def check_api_detail(matrix, name):
    model = matrix.case.model
    for obj in matrix.objects():
        url = reverse(name, args=[obj.pk])
        assert Client().get(url).status_code in (401, 403)
        own_area = matrix.case.area_of(obj)
        for user in matrix.users:
            client = matrix.client(user)
            response = client.get(url)
            if not matrix.allowed(user, "view"):
                assert response.status_code == 403
            elif not matrix.visible(user, obj, "view"):
                assert response.status_code == 404
            else:
                assert response.status_code == 200
                assert response.json()["id"] == obj.pk
            data = _as_json(_edit_data(matrix, obj, own_area))
            for method, action in (("put", "change"), ("patch", "change"), ("delete", "delete")):
                before = snapshot(model)
                call = (getattr(client, method), url, json.dumps(data))
                if method not in api_methods(name):
                    check_refused(matrix, call[0](*call[1:], content_type=JSON), before, 403, 405)
                elif not matrix.allowed(user, action):
                    check_refused(matrix, call[0](*call[1:], content_type=JSON), before, 403)
                elif not matrix.visible(user, obj, action):
                    check_refused(matrix, call[0](*call[1:], content_type=JSON), before, 404)
                else:
                    response = rolled_back(*call, content_type=JSON)
                    # A delete is refused while other records still point at it (PROTECT).
                    expected = 200 if method != "delete" else 409 if _protected(obj) else 204
                    assert response.status_code == expected, (method, response.content)


def _protected(obj) -> bool:
    from django.db.models.deletion import Collector, ProtectedError, RestrictedError

    try:
        Collector(using="default").collect([obj])
    except (ProtectedError, RestrictedError):
        return True
    return False


def test_under_finds_rows_by_the_models_own_scope_path(world):
    """Work done for an area (notices, pledge progress, a project's villages) selects rows with
    `under`, which follows each model's scope_path instead of a hand-typed one."""
    from households.models import Household, PovertyLine
    from inspections.models import Finding
    from tests.factories import FindingFactory, HouseholdFactory

    inside = HouseholdFactory(village=world.v11)
    outside = HouseholdFactory(village=world.v21)
    assert list(Household.objects.under([world.t1.code])) == [inside]
    assert set(Household.objects.under([world.t1.code, world.v21.code])) == {inside, outside}
    assert not Household.objects.under([])
    finding = FindingFactory(area=world.v11)
    FindingFactory(area=world.v21)
    assert list(Finding.objects.under([world.t1.code])) == [finding]
    with pytest.raises(TypeError):
        PovertyLine.objects.under([world.t1.code])  # a national table has no area


def _label(model) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


SCOPED_MODELS = sorted((m for m in apps.get_models() if issubclass(m, ScopedModel)), key=_label)


def test_every_scoped_model_is_walked():
    """A new model with a scope_path is placed in the matrix's areas before it can land."""
    missing = [_label(m) for m in SCOPED_MODELS if m not in CASES]
    assert not missing, (
        f"add a ModelCase to tests/scoping.py for {', '.join(missing)}: where its rows live, "
        "how to make one there and which area it belongs to"
    )


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=_label)
@pytest.mark.django_db
def test_every_scoped_model_is_narrowed_to_the_users_areas(model):
    """restrict(), in_scope(), under() and the raw SQL helper place every row of every scoped
    model where walking the area tree places it, for every role and area."""
    matrix = Matrix(CASES[model])
    objects = matrix.objects()
    assert len(objects) >= 2, "the case places too few rows to tell areas apart"
    for user in matrix.users:
        for action in ACTIONS:
            expected = {
                o.pk
                for o in objects
                if matrix.allowed(user, action) and matrix.visible(user, o, action)
            }
            reached = set(model.objects.restrict(user, action).values_list("pk", flat=True))
            assert reached == expected, (user.role, user.scope_codes, action)
            for o in objects:
                assert in_scope(o, user, action) == matrix.visible(user, o, action)
    if model.scope_path is None:
        return  # a national table: no area to be under
    table = model._meta.db_table
    for area in matrix.world.areas:
        expected = {o.pk for o in objects if is_under(matrix.case.area_of(o), area)}
        assert set(model.objects.under([area.code]).values_list("pk", flat=True)) == expected
        joins, condition, params = sql.under(model, "t", area.code)
        found = sql.fetch(f"SELECT t.id FROM {table} t {joins} WHERE {condition}", params)  # noqa: S608
        assert {pk for (pk,) in found} == expected, (area.code, joins)


# Every place the apps send a file, and the check above that walks it. A new download fails
# test_every_download_is_walked until it is listed here with the check that scopes it.
DOWNLOADS = {
    # The primitives every export calls.
    "poverty.common.excel.download": "primitive",
    "poverty.common.excel.xlsx_response": "primitive",
    "households.views.HouseholdListView.export": "check_list (POST export=xlsx: LIST_EXPORTS)",
    "households.views.JobDetailView.get": "check_detail (?download=: DETAIL_DOWNLOADS)",
    "households.views.RosterImportDetailView.download": "check_detail (DETAIL_DOWNLOADS)",
    "households.views.RosterExportDetailView.download": "check_detail (DETAIL_DOWNLOADS)",
    "inspections.views.NoticeXlsxView.render_to_response": "check_detail (the notice's own)",
    "assessments.views.SchemeXlsxView.render_to_response": "check_detail (the scheme's own)",
    "exits.views.RehearsalXlsxView.render_to_response": "check_detail (the rehearsal's own)",
    "poverty.sheet_views.sheet_template": "check_sheet_pages (a blank template)",
    "poverty.evidence._send": "check_evidence",
    # The offline app's worker and manifest: static text naming no data (PUBLIC above).
    "households.field.service_worker": "check_special (public)",
    "households.field.manifest": "check_special (public)",
}
SENDS_A_FILE = {"download", "xlsx_response", "FileResponse", "StreamingHttpResponse"}


def _downloads() -> set[str]:
    """module.Class.function of every call in the apps that sends a file."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    found = set()
    # Every app of ours (a folder with an apps.py, and the project's own), so a new one is read.
    apps = sorted({p.parent.name for p in root.glob("*/apps.py")} | {"poverty"})
    assert {"households", "exits", "poverty"} <= set(apps)
    for app in apps:
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            module = ".".join(path.relative_to(root).with_suffix("").parts)

            def visit(node, names, module=module):
                for child in ast.iter_child_nodes(node):
                    scope = names
                    if isinstance(child, ast.ClassDef | ast.FunctionDef):
                        scope = [*names, child.name]
                    if isinstance(child, ast.Call):
                        func = child.func
                        name = (
                            func.attr
                            if isinstance(func, ast.Attribute)
                            else getattr(func, "id", "")
                        )
                        sends = name in SENDS_A_FILE or (
                            name == "HttpResponse"
                            and any(k.arg == "content_type" for k in child.keywords)
                        )
                        if sends and names:
                            found.add(".".join([module, *names]))
                    visit(child, scope, module)

            visit(ast.parse(path.read_text()), [])
    return found


def test_every_download_is_walked():
    found = _downloads()
    unwalked = sorted(found - DOWNLOADS.keys())
    assert not unwalked, f"teach tests/test_scoping.py to scope these downloads: {unwalked}"
    assert not DOWNLOADS.keys() - found, "DOWNLOADS lists a download that no longer exists"
