"""The work page (工作台) and the morning reminders at county scale: server time and queries
of the home page per demo role, and the time of one `send_reminders` run. Prints figures and
ratios to the targets; not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/poverty_bench \\
        .venv/bin/python bench/work.py --households 100000

The database named by DATABASE_URL is wiped and rebuilt (`--reuse` keeps what is there).
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poverty.settings.local")
os.environ["DEBUG"] = "false"  # cached templates, as served in production

PAGE_TARGET_MS = 300.0  # the load target's p95 (issue 22), for the page every user opens first
REMINDERS_TARGET_S = 300.0  # the morning job, before the office opens at 08:00 (runs at 07:30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from households.models import AssistanceMeasure, Household, Visit
    from poverty.work.models import Notification
    from poverty.work.reminders import send_reminders

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    if not args.reuse:
        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        call_command("seed_demo", households=args.households, stdout=open(os.devnull, "w"))  # noqa: SIM115
        print(f"seed_demo --households {args.households}: {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE") if engine == "postgresql" else None
    print(f"database: {engine}; {Household.objects.count()} households")

    # The demo county's dates are years past: make a tenth of everything due now, so the
    # morning job has a county's worth of obligations (exit deadlines this year, measures
    # ending within the month, follow-ups due in two days).
    today = timezone.localdate()
    tenth = list(Household.objects.order_by("pk").values_list("pk", flat=True))[::10]
    Household.objects.filter(pk__in=tenth).update(planned_exit_year=today.year, status="assisted")
    measures = list(AssistanceMeasure.objects.order_by("pk").values_list("pk", flat=True))[::10]
    for offset in range(30):
        AssistanceMeasure.objects.filter(pk__in=measures[offset::30]).update(
            end_date=today + datetime.timedelta(days=offset), status="ongoing"
        )
    visits = list(Visit.objects.order_by("pk").values_list("pk", flat=True))[::10]
    Visit.objects.filter(pk__in=visits).update(
        follow_up="回访", follow_up_due=today + datetime.timedelta(days=2)
    )
    if engine == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after such a change
    print(
        f"made due: {len(tenth)} households' deadline, {len(measures)} measures, "
        f"{len(visits)} follow-ups (latest visits only count)"
    )
    client = Client(HTTP_HOST="localhost")
    for username in ("cadre", "township", "county", "inspector", "leader"):
        user = User.objects.get(username=username)
        client.force_login(user)
        client.get("/")  # warm
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get("/")
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        median = statistics.median(times)
        print(
            f"home page, {username:<9}: median {median:6.1f} ms, worst {max(times):6.1f} ms, "
            f"{len(queries)} queries; target {PAGE_TARGET_MS:.0f} ms, "
            f"ratio {median / PAGE_TARGET_MS:.2f}"
        )

    Notification.objects.all().delete()
    started = time.perf_counter()
    made = send_reminders()
    seconds = time.perf_counter() - started
    print(
        f"send_reminders (none made before): {seconds:.1f} s, {sum(made.values())} reminders "
        f"({dict(made)}); target {REMINDERS_TARGET_S:.0f} s, ratio {seconds / REMINDERS_TARGET_S:.2f}"
    )
    started = time.perf_counter()
    again = send_reminders()
    print(
        f"send_reminders again (all made): {time.perf_counter() - started:.1f} s, {sum(again.values())} new"
    )


if __name__ == "__main__":
    main()
