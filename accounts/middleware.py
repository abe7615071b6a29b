"""An account made with an initial password (the account sheet) changes it before anything
else: every page leads to the password change until then."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

# Pages such a user may still open: the change itself, logging out, and the files pages load.
ALLOWED = ("password_change", "password_change_done", "logout")


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.allowed: tuple[str, ...] | None = None

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            if self.allowed is None:
                self.allowed = tuple(reverse(name) for name in ALLOWED)
            if not request.path.startswith((*self.allowed, "/static/")):
                messages.info(request, "这是您首次登录，请先把初始密码改为只有您知道的密码。")
                return redirect("password_change")
        return self.get_response(request)
