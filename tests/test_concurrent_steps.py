"""Two people taking a workflow step on the same page at the same moment: the second is refused,
told who changed it and when, and nothing is silently overwritten. Every step page of a model with
a version (findings, projects, the exit procedure) carries the version it showed (ObjectActionView
with lock_seen).

The race needs real concurrent transactions, so its test runs on PostgreSQL (CI); SQLite
serialises every write, and the page-level refusal is tested on both."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from inspections.choices import Status
from inspections.models import Finding
from tests.factories import FindingFactory


def plan_page(finding):
    return reverse("inspections:finding_plan", args=[finding.pk])


@pytest.mark.django_db
def test_a_plan_saved_on_a_stale_page_is_refused_naming_who_saved_first(world, make_user):
    first, second = (
        make_user(Role.TOWNSHIP_STAFF, world.t1, last_name=name) for name in ("张一", "李二")
    )
    finding = FindingFactory(area=world.v11)
    pages = []
    for user in (first, second):
        client = Client()
        client.force_login(user)
        page = client.get(plan_page(finding)).content.decode()
        assert f'name="seen_version" value="{finding.version}"' in page
        pages.append(client)
    seen = finding.version
    assert (
        pages[0].post(plan_page(finding), {"plan": "方案一", "seen_version": seen}).status_code
        == 302
    )
    response = pages[1].post(plan_page(finding), {"plan": "方案二", "seen_version": seen})
    text = response.content.decode()
    assert response.status_code == 200
    assert "该记录已被他人修改（张一，" in text
    finding.refresh_from_db()
    assert finding.plan == "方案一" and finding.steps.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_a_hundred_simultaneous_saves_overwrite_nothing(world, make_user):
    users = [make_user(Role.TOWNSHIP_STAFF, world.t1) for _ in range(2)]
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)
    finding = FindingFactory(area=world.v11)
    url = plan_page(finding)
    silent = refused = 0
    for round_ in range(100):
        seen = Finding.objects.get(pk=finding.pk).version
        barrier = threading.Barrier(2)
        results = [None, None]

        def save(i, seen=seen, round_=round_, barrier=barrier, results=results):
            barrier.wait()
            try:
                response = clients[i].post(url, {"plan": f"{round_}-{i}", "seen_version": seen})
                results[i] = response.status_code
            finally:
                connections.close_all()

        threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [i for i, code in enumerate(results) if code == 302]
        refused += results.count(200)
        finding.refresh_from_db()
        # Exactly one saved, and the plan is the winner's (never a loser's that "succeeded").
        if len(winners) != 1 or finding.plan != f"{round_}-{winners[0]}":
            silent += 1
    assert (silent, refused) == (0, 100)
    assert finding.status == Status.IN_PROGRESS and finding.steps.count() == 100


@pytest.mark.django_db
def test_exit_steps_and_project_stages_refuse_a_stale_page_too(world, make_user):
    from households.models import ExitRecord
    from poverty.common.models import save_versioned
    from projects.models import ProjectStage
    from tests.factories import HouseholdFactory, ProjectFactory

    staff = make_user(Role.COUNTY_STAFF, world.county, last_name="王三")
    client = Client()
    client.force_login(staff)
    household = HouseholdFactory(village=world.v11)
    project = ProjectFactory(area=world.t1, areas=[world.v11])
    cases = [
        (
            household,
            reverse("households:household_monitor", args=[household.pk]),
            {"monitoring_type": "marginal", "reason": "因病支出大"},
            lambda: ExitRecord.objects.filter(household=household).count(),
        ),
        (
            project,
            reverse("projects:project_stage", args=[project.pk]),
            {"actual_date": "2026-01-05", "evidence": "入库批复"},
            lambda: ProjectStage.objects.filter(project=project, actual_date__isnull=False).count(),
        ),
    ]
    for obj, url, data, written in cases:
        page = client.get(url).content.decode()
        seen = type(obj).objects.get(pk=obj.pk).version
        assert f'name="seen_version" value="{seen}"' in page, url
        before = written()
        save_versioned(type(obj).objects.get(pk=obj.pk), staff)  # someone else's step meanwhile
        response = client.post(url, {**data, "seen_version": seen})
        assert response.status_code == 200, url
        assert "该记录已被他人修改（王三，" in response.content.decode(), url
        assert written() == before, url
