"""Roster export and import at county scale on the current database; prints figures, not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/poverty_bench \\
        .venv/bin/python bench/roster.py

Needs a seeded registry (seed_demo --households N, or bench/registry.py). It exports the whole
county, re-imports the file (every row unchanged), then deletes the registry and imports the
file into the empty registry (every row created), printing time, rows per second and peak memory.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poverty.settings.local")
os.environ["DEBUG"] = "false"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    import django

    django.setup()
    from accounts.models import User
    from households.models import Household, QualityIssue
    from households.roster import export_roster, import_roster

    user = User.objects.get(username="county")
    households = Household.objects.count()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roster.xlsx"
        started = time.perf_counter()
        rows = export_roster(path, Household.objects.all(), user=user)
        took = time.perf_counter() - started
        print(
            f"export: {households} households, {rows} rows in {took:.1f} s ({rows / took:,.0f} rows/s), {path.stat().st_size / 1e6:.1f} MB; peak RSS {peak_mb():.0f} MB"
        )

        started = time.perf_counter()
        result = import_roster(path, user=user)
        took = time.perf_counter() - started
        assert result.ok, result.errors[:5]
        print(
            f"re-import (unchanged): {result.rows} rows in {took:.1f} s ({result.rows / took:,.0f} rows/s); {result.counts}; peak RSS {peak_mb():.0f} MB"
        )

        QualityIssue.objects.all().delete()
        Household.objects.all().delete()
        started = time.perf_counter()
        result = import_roster(path, user=user)
        took = time.perf_counter() - started
        assert result.ok, result.errors[:5]
        print(
            f"import into an empty registry: {result.rows} rows in {took:.1f} s ({result.rows / took:,.0f} rows/s); {result.counts}; peak RSS {peak_mb():.0f} MB"
        )


if __name__ == "__main__":
    main()
