"""API settings pieces named in REST_FRAMEWORK: permission by role, pagination, errors.

Kept free of rest_framework.views imports: DRF imports these while its views module loads.
"""

from __future__ import annotations

from rest_framework import exceptions, pagination, parsers, permissions, throttling

from .scoping import permission_name

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class JSONParser(parsers.JSONParser):
    """DRF's, except that a body nested deeper than Python's parser goes (a 100,000-deep array)
    is a 400 with a message, not a RecursionError and a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON 嵌套层数过多，无法解析。") from None


def method_action(request) -> str:
    return METHOD_ACTIONS.get(request.method, "view")


class RolePermission(permissions.BasePermission):
    """Authenticated, and holding the model permission the HTTP method needs."""

    message = "您没有执行此操作的权限。"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        model = getattr(getattr(view, "queryset", None), "model", None)
        if model is None:
            return True  # views without a model (statistics) check scope themselves
        return user.has_perm(permission_name(model, method_action(request)))


class TokenRateThrottle(throttling.UserRateThrottle):
    """A rate per token for token calls (a reissued token starts afresh), per user otherwise."""

    def get_cache_key(self, request, view):
        key = getattr(request.auth, "key", None)
        if key:
            return self.cache_format % {"scope": self.scope, "ident": f"token-{key[:12]}"}
        return super().get_cache_key(request, view)


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000


def exception_handler(exc, context):
    if isinstance(exc, exceptions.NotAuthenticated):
        exc.detail = "需要登录或提供有效的令牌。"
    from rest_framework.views import exception_handler as drf_exception_handler

    return drf_exception_handler(exc, context)
