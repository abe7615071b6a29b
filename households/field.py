"""Household visits on a cadre's phone without a connection (离线走访): a small installable web
app under /field/ (static/poverty/field.js, its service worker households/field-sw.js).

The phone keeps the cadre's households (what `restrict` lets them see, nothing more) and the
visits recorded offline, each with an id it gave it, the household's version it saw, the time
and the position. When the connection returns it sends them in order to `visit_upload`:

- a visit whose id is already stored is answered with the stored one (a resend never makes a
  second row), but only to the user who recorded it;
- a visit of a household changed since the phone read it is saved all the same and flagged
  (`Visit.needs_review`) for the cadre to check;
- a visit the form refuses is answered with the reasons, which the phone shows beside it.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required, permission_required
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .forms import VisitForm
from .models import Household, HouseholdPairing, Visit

ADD_VISIT = "households.add_visit"


@login_required
@permission_required(ADD_VISIT, raise_exception=True)
@require_GET
def app(request):
    """The app's one page: the cadre's households, the visit form and the queue."""
    return render(request, "households/field.html")


@require_GET
def service_worker(request):
    """The service worker, served under /field/ so that its scope is the app (and nothing
    else); a template, so it names the static files by their hashed names."""
    body = render_to_string("households/field-sw.js", request=request)
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request):
    body = render_to_string("households/field.webmanifest", request=request)
    return HttpResponse(body, content_type="application/manifest+json; charset=utf-8")


@never_cache
@require_GET
def session(request):
    """Who is signed in and a fresh CSRF token: the phone sends only this user's queue."""
    from django.middleware.csrf import get_token

    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"user": None}, status=403)
    return JsonResponse({"user": user.pk, "name": user.display_name, "csrf": get_token(request)})


@login_required
@permission_required(ADD_VISIT, raise_exception=True)
@never_cache
@require_GET
def households(request):
    """The households the user may see, for the phone to pick from offline: no ID numbers,
    phones or health, only what a visit needs; the cadre's own paired ones marked."""
    user = request.user
    visible = Household.objects.restrict(user).with_head().select_related("village")
    mine = set()
    if user.cadre_id:
        mine = set(
            HouseholdPairing.objects.active()
            .filter(cadre=user.cadre_id, household__in=visible.values("pk"))
            .values_list("household_id", flat=True)
        )
    rows = [
        {
            "id": h.pk,
            "code": h.code,
            "head": getattr(h, "head_name", "") or "",
            "village": h.village.name,
            "version": h.version,
            "mine": h.pk in mine,
        }
        for h in visible.order_by("village__code", "code").iterator(chunk_size=2000)
    ]
    rows.sort(key=lambda r: not r["mine"])  # stable: own households first, in village order
    return JsonResponse(
        {"user": user.pk, "read_at": timezone.now().isoformat(), "households": rows}
    )


def _errors(form) -> dict:
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}


@login_required
@permission_required(ADD_VISIT, raise_exception=True)
@require_POST
def visit_upload(request):
    """One visit from the phone's queue (multipart: the visit form's fields, `client_id`,
    `household_version`, `recorded_at`, an optional `photo`)."""
    user = request.user
    try:
        client_id = uuid.UUID(request.POST.get("client_id", ""))
    except ValueError:
        return JsonResponse({"message": "缺少离线记录编号，无法保存。"}, status=400)
    existing = Visit.objects.filter(client_id=client_id).first()
    if existing is not None:
        return _already(existing, user)
    if user.cadre_id is None:
        return JsonResponse({"message": "本账号未关联干部，不能记录走访。"}, status=400)
    data = request.POST.copy()
    data["cadre"] = str(user.cadre_id)  # the visit is the signed-in cadre's own
    form = VisitForm(data, request.FILES, user=user, action="add")
    if not form.is_valid():
        return JsonResponse(
            {"message": "走访记录未保存，请修改后重试。", "errors": _errors(form)}, status=400
        )
    visit = form.instance
    visit.client_id = client_id
    recorded = parse_datetime(request.POST.get("recorded_at", "") or "")
    if recorded is not None and timezone.is_aware(recorded) and recorded <= timezone.now():
        visit.recorded_at = recorded
    seen = request.POST.get("household_version", "")
    visit.needs_review = seen.isdigit() and int(seen) != visit.household.version
    try:
        with transaction.atomic():
            form.save()
    except IntegrityError:
        # The same visit sent twice at once: the other request stored it.
        existing = Visit.objects.filter(client_id=client_id).first()
        if existing is None:
            raise
        return _already(existing, user)
    return JsonResponse(
        {
            "status": "created",
            "id": visit.pk,
            "url": visit.get_absolute_url(),
            "needs_review": visit.needs_review,
        },
        status=201,
    )


def _already(visit: Visit, user) -> JsonResponse:
    if visit.recorded_by_id != user.pk:
        # Another account's record: say nothing of it.
        return JsonResponse({"message": "离线记录编号冲突，请重新记录。"}, status=409)
    return JsonResponse(
        {
            "status": "duplicate",
            "id": visit.pk,
            "url": visit.get_absolute_url(),
            "needs_review": visit.needs_review,
        }
    )
