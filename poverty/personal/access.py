"""The PIPL access log's one writer: every page, export, download and API response that shows a
user full personal data (ID numbers, phones, health) or a household's personal evidence records
it here, one row per household shown (None: many at once, as an export)."""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps

from .masking import can_see_sensitive


def record_access(*, user, households: Iterable[int | None], what: str, full_only: bool = True):
    """Log that `user` was shown `what` of these households. With `full_only` (full numbers,
    phones, health) nothing is logged for a user who saw them masked; evidence files are
    personal whoever opens them (full_only=False)."""
    if full_only and not can_see_sensitive(user):
        return
    SensitiveAccess = apps.get_model("households", "SensitiveAccess")
    SensitiveAccess.objects.bulk_create(
        [SensitiveAccess(user=user, household_id=pk, what=what) for pk in households]
    )
