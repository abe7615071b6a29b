"""The token page: issue and revoke API tokens of the API-client accounts in one's area."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from .models import ApiToken
from .tokens import MANAGE_TOKENS, issue, manageable_users, revoke


@login_required
def tokens(request):
    if not request.user.has_perm(MANAGE_TOKENS):
        raise PermissionDenied("您没有管理接口令牌的权限。")
    users = manageable_users(request.user)
    new_key = None
    if request.method == "POST":
        user = get_object_or_404(users, pk=request.POST.get("user") or 0)
        if request.POST.get("action") == "revoke":
            if revoke(user):
                messages.success(request, f"已吊销“{user}”的令牌，使用该令牌的调用将被拒绝。")
        else:
            new_key = issue(user).key
            messages.success(request, f"已为“{user}”签发新令牌，旧令牌（如有）已失效。")
    issued = {t.user_id: t for t in ApiToken.objects.filter(user__in=users)}
    rows = [(u, issued.get(u.pk)) for u in users.prefetch_related("areas")]
    return render(request, "accounts/tokens.html", {"rows": rows, "new_key": new_key})


class LoginView(auth_views.LoginView):
    """Django's login. On a shared office computer the user ticks 公用电脑 and the login ends
    when the browser closes; otherwise it lasts SESSION_HOURS."""

    def form_valid(self, form):
        response = super().form_valid(form)
        if self.request.POST.get("shared_computer"):
            self.request.session.set_expiry(0)  # a cookie without an expiry: gone at close
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; a changed initial password is no longer asked for."""

    def form_valid(self, form):
        form.user.must_change_password = False  # saved with the new password
        return super().form_valid(form)
