"""The PIPL access log's one writer: every page, export, download and API response that shows a
user full personal data (ID numbers, phones, health) or a household's personal evidence records
it here, one row per household or cadre shown (None: many at once, as an export)."""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps

from .masking import can_see_sensitive


def may_download(user, *, made_by_id: int | None) -> bool:
    """Whether `user` (who may see the record) may download a file of it that holds personal
    data in full (an import's error copy, an upload): the user who made it, or one with the
    sensitive-data permission."""
    return user.pk == made_by_id or can_see_sensitive(user)


def record_access(
    *,
    user,
    what: str,
    households: Iterable[int | None] = (),
    cadres: Iterable[int] = (),
    full_only: bool = True,
):
    """Log that `user` was shown `what` of these households, or of these cadres. With
    `full_only` (full numbers, phones, health) nothing is logged for a user who saw them
    masked; evidence files are personal whoever opens them (full_only=False)."""
    if full_only and not can_see_sensitive(user):
        return
    SensitiveAccess = apps.get_model("households", "SensitiveAccess")
    rows = [SensitiveAccess(user=user, household_id=pk, what=what) for pk in households]
    rows += [SensitiveAccess(user=user, cadre_id=pk, what=what) for pk in cadres]
    if len(rows) == 1:
        rows[0].save()  # one INSERT; bulk_create wraps even one row in BEGIN and COMMIT
    else:
        SensitiveAccess.objects.bulk_create(rows)
