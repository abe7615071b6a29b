"""Authentication with permissions granted by the user's role (accounts.roles)."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q

from .roles import role_allows


class RoleBackend(ModelBackend):
    """The role table first; then what the admin gave the user or their groups."""

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        if not user_obj.is_active:
            return False
        if role_allows(user_obj.role, perm):
            return True
        return super().has_perm(user_obj, perm, obj)

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        """ModelBackend's answer, the user's own and their groups' permissions, in one query
        rather than two: every page that asks for something the role does not grant (a list's
        add button for a role that only reads) reads them."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            perms = Permission.objects.all()
            if not user_obj.is_superuser:
                perms = perms.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app}.{codename}"
                for app, codename in perms.values_list("content_type__app_label", "codename")
                .order_by()
                .distinct()
            }
        return user_obj._perm_cache
