"""API settings pieces named in REST_FRAMEWORK: permission by role, pagination, errors.

Kept free of rest_framework.views imports: DRF imports these while its views module loads.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.http.request import RequestDataTooBig
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, pagination, parsers, permissions, throttling
from rest_framework.settings import api_settings

from .scoping import permission_name

logger = logging.getLogger(__name__)

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


class BodyTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "请求体过大。"
    default_code = "body_too_large"


def method_action(request, view=None) -> str:
    """The permission a call needs: by its HTTP method, except that a view's `read_actions`
    (a search sent by POST to keep it out of the address) only read."""
    if getattr(view, "action", None) in getattr(view, "read_actions", ()):
        return "view"
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
        return user.has_perm(permission_name(model, method_action(request, view)))


# The throttle's counts while the shared cache (Redis) is away: this process's own memory.
_LOCAL_COUNTS = LocMemCache("throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})
_FALLBACK_WARNED = {"at": 0.0}


class AccountRateThrottle(throttling.SimpleRateThrottle):
    """API_THROTTLE_RATE calls per account, whether they come with a token or a browser session,
    counted atomically: one counter per account and window (the cache's INCR, as
    django-ratelimit does), so parallel calls cannot all read the same count and pass.

    Windows are fixed (the clock's minute for "/minute"): at a window's edge a client can make
    up to twice the rate within one minute, never more. When the shared cache cannot be reached
    the throttle counts in this process's memory instead (a limit per web process, not per
    installation) and logs a warning once a minute; calls are never refused for the outage."""

    scope = "user"

    def get_rate(self):
        # Read when the throttle is made, so a changed setting (or a test's) takes effect.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        user = request.user
        ident = f"account-{user.pk}" if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        bucket = f"{self.key}_{window}"
        try:
            count = _count(self.cache, bucket, self.duration)
        except Exception:
            if self.now - _FALLBACK_WARNED["at"] > 60:
                _FALLBACK_WARNED["at"] = self.now
                logger.warning(
                    "API throttle: the shared cache is unreachable, counting per process",
                    exc_info=True,
                )
            count = _count(_LOCAL_COUNTS, bucket, self.duration)
        return count <= self.num_requests

    def wait(self):
        return max(self.window_ends - self.now, 0)


def _count(cache, key: str, duration: int) -> int:
    """One more call in `key`'s window: the new count, added atomically."""
    cache.add(key, 0, timeout=duration + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 0, timeout=duration + 1)
        return cache.incr(key)


class FilterBackend(DjangoFilterBackend):
    """The FilterSet reads the query string, or for a search sent by POST (a `read_actions`
    action) the body over it: an ID number searched for never appears in an address."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        if getattr(view, "action", None) in getattr(view, "read_actions", ()):
            data = request.query_params.copy()
            body = request.data if hasattr(request.data, "items") else {}
            for key, value in body.items():
                data[key] = value if isinstance(value, str) else str(value)
            kwargs["data"] = data
        return kwargs


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000


def exception_handler(exc, context):
    if isinstance(exc, exceptions.NotAuthenticated):
        exc.detail = "需要登录或提供有效的令牌。"
    if isinstance(exc, RequestDataTooBig):
        # DRF reads a JSON body through request.body, where Django refuses one larger than
        # DATA_UPLOAD_MAX_MEMORY_SIZE before anything parses it; say so in JSON, not a 400 page.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        exc = BodyTooLarge(f"请求体超过{limit} MB，已拒绝。")
    from rest_framework.views import exception_handler as drf_exception_handler

    return drf_exception_handler(exc, context)
