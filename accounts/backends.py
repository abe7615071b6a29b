"""Authentication with permissions granted by the user's role (accounts.roles)."""

from django.contrib.auth.backends import ModelBackend

from .roles import role_allows


class RoleBackend(ModelBackend):
    def has_perm(self, user_obj, perm, obj=None) -> bool:
        if not user_obj.is_active:
            return False
        if role_allows(user_obj.role, perm):
            return True
        return super().has_perm(user_obj, perm, obj)
