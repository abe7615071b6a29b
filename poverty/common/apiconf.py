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
from rest_framework.response import Response
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


class KeysetPagination(pagination.CursorPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000
    page_size = Pagination.page_size
    ordering = "pk"  # a view's OrderingFilter gives its own (the household extract: 户编号)


class PageOrCursorPagination(pagination.BasePagination):
    """Page numbers as ever (`page=`, with `count`), or a cursor (`cursor=`, empty for the first
    page; each answer's `next` carries the next one): a cursor page costs the same at any depth,
    where page N reads and throws away the rows of the N-1 pages before it. The answer has the
    same fields either way; `count` is null with a cursor (counting is what it saves)."""

    def __init__(self) -> None:
        self.pages = Pagination()
        self.keyset = KeysetPagination()
        self.active: pagination.BasePagination = self.pages

    def paginate_queryset(self, queryset, request, view=None):
        if "cursor" in request.query_params:
            if "page" in request.query_params:
                raise exceptions.ValidationError(
                    {"cursor": ["page 与 cursor 只能用其一：按游标翻页时请沿用上一页返回的 next。"]}
                )
            self.active = self.keyset
        return self.active.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self.active is self.pages:
            return self.pages.get_paginated_response(data)
        return Response(
            {
                "count": None,
                "next": self.keyset.get_next_link(),
                "previous": self.keyset.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        envelope = self.pages.get_paginated_response_schema(schema)
        envelope["properties"]["count"] = {
            "type": "integer",
            "nullable": True,
            "example": 123,
            "description": "总数；按游标翻页（cursor=）时为空",
        }
        envelope["required"] = ["results"]
        return envelope

    def get_schema_operation_parameters(self, view):
        return [
            *self.pages.get_schema_operation_parameters(view),
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "游标翻页：首页传空值（cursor=），之后沿用返回的 next；"
                "任意深度的页耗时相同。不能与 page 同用。",
                "schema": {"type": "string"},
            },
        ]


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
