"""API tokens (令牌) for outside clients, issued and revoked by county staff on a page.

A token belongs to one user and acts with that user's role and areas; issuing a new one revokes
the old. Staff manage the tokens of API-client accounts whose every area lies within their own.
Only a token's SHA-256 is stored (ApiToken): the key is shown once, when issued.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.db.models import Exists, OuterRef

from poverty.common.scoping import Reach

from .choices import Role
from .models import ApiToken, User

MANAGE_TOKENS = "accounts.manage_tokens"


def manageable_users(staff: User):
    """API-client accounts with at least one area, all inside the staff member's areas."""
    users = User.objects.filter(role=Role.API_CLIENT, is_active=True, areas__isnull=False)
    if staff.is_superuser:
        return users.distinct().order_by("username")
    if not staff.scope_codes:
        return users.none()
    outside = User.areas.through.objects.filter(user=OuterRef("pk")).exclude(
        Reach.under(staff.scope_codes).q("area__code")
    )
    return users.exclude(Exists(outside)).distinct().order_by("username")


def issue(user: User) -> ApiToken:
    """A new token for the user; the previous one stops working at once. The returned row
    carries the key (`.key`) for this once only: it is not stored."""
    key = secrets.token_hex(20)
    with transaction.atomic():
        ApiToken.objects.filter(user=user).delete()
        token = ApiToken.objects.create(user=user, digest=ApiToken.digest_of(key), prefix=key[:6])
    token.key = key  # type: ignore[attr-defined]
    return token


def revoke(user: User) -> bool:
    return ApiToken.objects.filter(user=user).delete()[0] > 0
