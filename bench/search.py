"""The household search at province scale (PostgreSQL): a county's staff, then the province's,
typing into a household box (the picker, one request per pause in typing) and searching the
household list, with a province of 1,000,000 households (~3.1 million persons) built as
bench/api.py builds it. The rare name belongs to one household of the county and one elsewhere:
the county's search has to find it among its 30,000 households without reading the province's.
Prints figures and ratios to the targets; not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/poverty_bench \\
        .venv/bin/python bench/search.py --households 1000000

Pass --reuse to measure a database bench/api.py (or bench/dashboard.py) has already filled.
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

# search: url. The name is rare (two households of the province), 成员 is everyone's.
SEARCHES = {
    "picker, a rare name": "/registry/households/pick/?q=秀兰",
    "picker, everyone's name": "/registry/households/pick/?q=成员",
    "picker, a 户编号": "/registry/households/pick/?q=B1234",
    "list, a rare name": "/registry/households/?q=秀兰",
    "list, everyone's name": "/registry/households/?q=成员",
    "list, no search": "/registry/households/",
}
# user's area: targets in ms (picker, list). A picker answers while the user types.
TARGETS = {"990101000000": (100.0, 300.0), "990000000000": (100.0, 1000.0)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.choices import Role
    from accounts.models import User
    from households.models import Household, Member, recount_members
    from poverty.common.areacodes import prefix_of
    from villages.models import Area

    if connection.vendor != "postgresql":
        sys.exit("bench/search.py needs PostgreSQL (DATABASE_URL=postgres://…)")
    if not args.reuse:
        from bench.api import build

        build(args.households)
    # One 陈秀兰 in the county, one 王秀兰 in another county; everyone else is 成员.
    for code, name in (("990101", "陈秀兰"), ("990201", "王秀兰")):
        household = (
            Household.objects.filter(village__code__startswith=code).order_by("pk")[1000:].first()
        )
        Member.objects.filter(pk=household.members.order_by("pk").first().pk).update(name=name)
        recount_members([household.pk])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE households_household")

    for code, (picker_target, list_target) in TARGETS.items():
        area = Area.objects.get(code=code)
        user, _ = User.objects.get_or_create(
            username=f"bench-search-{code}", defaults={"role": Role.COUNTY_STAFF}
        )
        user.areas.set([area])
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        households = Household.objects.filter(village__code__startswith=prefix_of(code))
        print(f"{area.name}'s staff ({households.count():,} households):")
        for label, url in SEARCHES.items():
            target = picker_target if label.startswith("picker") else list_target
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            count = len(captured)  # before the next request clears the log
            times = []
            for _ in range(args.repeat):
                began = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - began) * 1000)
            median = statistics.median(times)
            print(
                f"  {label:<24} median {median:7.1f} ms ({min(times):.0f}–{max(times):.0f}) "
                f"in {count} queries; target {target:.0f} ms, ratio {median / target:.2f}"
            )


if __name__ == "__main__":
    main()
