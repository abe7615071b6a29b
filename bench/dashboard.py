"""The 挂图作战 dashboard at scale (PostgreSQL): the time to count the village tallies (every
village, as the nightly job does, and one village, as after a change), then the server time of the
province, county, township, village and household pages against the time of the bare SQL they
run, with a province of 1,000,000 households (~3.1 million persons) built as bench/api.py builds
it. Prints figures and ratios to the targets; not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/poverty_bench \\
        .venv/bin/python bench/dashboard.py --households 1000000

Pass --reuse to measure a database bench/api.py (or this script) has already filled, and
--counted as well to time the pages only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poverty.settings.local")
os.environ["DEBUG"] = "false"

# page: (target in ms, at most this many times the bare SQL)
TARGETS = {
    "county": 300.0,
    "province": 1000.0,
    "township": 100.0,
    "village": 100.0,
    "household": 100.0,
}
SQL_RATIO = 2.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--counted", action="store_true", help="the tallies are counted already: pages only"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.choices import Role
    from accounts.models import User
    from households.models import Household
    from villages.models import Area

    if connection.vendor != "postgresql":
        sys.exit("bench/dashboard.py needs PostgreSQL (DATABASE_URL=postgres://…)")
    if not args.reuse:
        from bench.api import build

        build(args.households)
    from poverty.dashboard import tallies
    from villages.choices import AreaLevel

    if not args.counted:
        # The village tallies: in full (the nightly job), then one village (what a change costs).
        began = time.perf_counter()
        counted = tallies.refresh()
        print(f"tallies, every village ({counted:,}): {time.perf_counter() - began:.1f} s")
        village = Area.objects.get(code="990101101201", level=AreaLevel.VILLAGE)
        times = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            tallies.refresh([village.pk])
            times.append((time.perf_counter() - began) * 1000)
        print(f"tallies, one village: median {statistics.median(times):.1f} ms")

    user, _ = User.objects.get_or_create(username="bench-leader", defaults={"role": Role.LEADER})
    user.areas.set([Area.objects.get(code="990000000000")])
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    print(f"{Household.objects.count():,} households")

    pages = {
        "province": "990000000000",
        "county": "990101000000",
        "township": "990101101000",
        "village": "990101101201",
    }
    household = Household.objects.filter(village__code="990101101201").first()
    pages["household"] = household.pk
    for label, code in pages.items():
        url = (
            f"/dashboard/household/{code}/?year=2019"
            if label == "household"
            else f"/dashboard/{code}/?year=2019"
        )
        # The page's statements, logged once: the log's own cost (a debug cursor per statement)
        # stays out of the page's time.
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        statements = [
            query["sql"] for query in queries.captured_queries
        ]  # before the next request clears the log
        times, sql, ratios = [], [], []
        for _ in range(args.repeat):
            began = time.perf_counter()
            assert client.get(url).status_code == 200
            times.append((time.perf_counter() - began) * 1000)
            # The same statements, bare: sent by the driver and every row fetched, timed here
            # (Django's own query log rounds each to the millisecond).
            began = time.perf_counter()
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
                    cursor.fetchall()
            sql.append((time.perf_counter() - began) * 1000)
            # Each page against its own statements, timed right after it: the machine's speed
            # drifts by a third from one second to the next here, and a ratio of two medians
            # taken at different moments mixes that drift into the ratio.
            ratios.append(times[-1] / sql[-1])
        page_ms, sql_ms = statistics.median(times), statistics.median(sql)
        households = (
            1
            if label == "household"
            else Household.objects.filter(village__code__startswith=code.rstrip("0")).count()
        )
        print(
            f"{label:<8} ({households:>9,} households): page {page_ms:7.1f} ms, its SQL "
            f"{sql_ms:7.1f} ms in {len(statements)} queries; "
            f"target {TARGETS[label]:.0f} ms (ratio {page_ms / TARGETS[label]:.2f}), "
            f"page/SQL {statistics.median(ratios):.2f} (median of {len(ratios)} runs, each page "
            f"against its own SQL; {min(ratios):.2f}–{max(ratios):.2f}; target ≤ {SQL_RATIO:.0f})"
        )


if __name__ == "__main__":
    main()
