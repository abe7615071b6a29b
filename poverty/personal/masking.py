"""Masked forms of personal numbers for users without the sensitive-data permission."""

from collections.abc import Callable

SENSITIVE_PERMISSION = "accounts.view_sensitive"


def mask_id_number(value: str | None) -> str:
    """1410**********1234: the region and the last four stay, the birth date never shows."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678."""
    if not value:
        return ""
    if len(value) <= 7:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


MASKERS = {"id_number": mask_id_number, "phone": mask_phone}
# What a response's value looks like in the API schema, masked or not (poverty.common.api).
MASKED_SCHEMAS = {
    "phone": {
        "type": "string",
        "maxLength": 20,
        "pattern": r"^[0-9+\-() *]{1,20}$",  # blank: the schema's other branch
        "description": "无敏感数据权限时为掩码，如 139****5678",
    },
    "id_number": {
        "type": "string",
        "maxLength": 18,
        "pattern": r"^[0-9Xx*]{0,18}$",
        "description": "无敏感数据权限时为掩码，如 1410**********1234",
    },
}


def can_see_sensitive(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(SENSITIVE_PERMISSION))


def shown_as(kind: str, user) -> Callable[[str | None], str]:
    """`shown` for many values of one kind: the permission is asked once, not once a value."""
    if can_see_sensitive(user):
        return lambda value: value or ""
    return MASKERS[kind]


def shown(value: str | None, kind: str, user) -> str:
    """The value as this user may see it."""
    return shown_as(kind, user)(value)
