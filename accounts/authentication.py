"""`Authorization: Token <key>`, checked against the stored SHA-256 of each token (ApiToken)."""

from __future__ import annotations

from django.apps import apps
from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token header, looked up by the key's digest (the key itself is never stored)."""

    def authenticate_credentials(self, key):
        model = apps.get_model("accounts", "ApiToken")
        token = model.objects.select_related("user").filter(digest=model.digest_of(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("令牌无效或已吊销。")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("该接口账号已停用。")
        return token.user, token
