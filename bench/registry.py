"""Registry figures at county scale: seeding N households, the quality check, and the
registry pages' server time. Prints figures and ratios to the targets; not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/poverty_bench \\
        .venv/bin/python bench/registry.py --households 30000

The database named by DATABASE_URL is wiped and rebuilt.
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
os.environ["DEBUG"] = "false"  # cached templates, as served in production

SEED_TARGET_S = 180.0  # issue 3: 30,000 households seed in under 3 minutes on PostgreSQL


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=30000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from households.models import Household, Member
    from households.quality import check_quality

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", households=args.households, stdout=open(os.devnull, "w"))  # noqa: SIM115
    seed_s = time.perf_counter() - started
    print(f"database: {engine}")
    print(
        f"seed_demo --households {args.households}: {seed_s:.1f} s "
        f"({Household.objects.count()} households, {Member.objects.count()} persons); "
        f"target {SEED_TARGET_S:.0f} s for 30000, ratio {seed_s / SEED_TARGET_S:.2f}"
    )
    started = time.perf_counter()
    check_quality(Household.objects.all())
    print(f"check_quality over the county: {time.perf_counter() - started:.1f} s")

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="county"))
    household = Household.objects.order_by("pk").first()
    pages = {
        "household list": reverse("households:household_list"),
        "household list, cause+overdue": reverse("households:household_list")
        + "?cause=illness&overdue=true",
        "household list, search by name": reverse("households:household_list") + "?q=王",
        "household file": household.get_absolute_url(),
        "quality worklist": reverse("households:qualityissue_list"),
        "visit list": reverse("households:visit_list"),
    }
    for label, url in pages.items():
        client.get(url)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            assert client.get(url).status_code == 200
            times.append((time.perf_counter() - started) * 1000)
        print(f"{label:<34} median {statistics.median(times):7.1f} ms")


if __name__ == "__main__":
    main()
