"""Evidence files (visit photos, rectification evidence, exit evidence, project stage files,
pledge scans) come through one scoped view: the record must be one the user may see (404
otherwise, exactly as its page), access to a household's personal evidence is logged, images are
shown inline (with a small JPEG thumbnail for lists), anything else downloaded.

Only the fields in EVIDENCE are served; uploads of imports and exports (which hold ID numbers) have
views of their own. MEDIA_URL is never served: in production the web server hands out a file only
when this view says so (settings.EVIDENCE_SENDFILE, see docs/operations.md)."""

from __future__ import annotations

import io
import mimetypes
from pathlib import PurePosixPath
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_GET

from poverty.personal.access import record_access

# (app, model, field) → the path from the record to its household, for the access log (None:
# not personal), and what the log says was seen.
EVIDENCE: dict[tuple[str, str, str], tuple[str | None, str]] = {
    ("households", "visit", "photo"): ("household", "走访照片"),
    ("households", "exitrecord", "evidence_file"): ("household", "退出程序附件"),
    ("inspections", "findingstep", "file"): ("finding__household", "整改佐证材料"),
    ("inspections", "pledge", "document"): ("household", "责任书扫描件"),
    ("projects", "projectstage", "evidence_file"): (None, "项目附件"),
    ("command", "progressreport", "file"): (None, "重点工作佐证材料"),
    ("assessments", "score", "evidence"): (None, "考核评分佐证"),
    ("assessments", "adjustment", "evidence"): (None, "加减分佐证"),
    ("exits", "reading", "evidence"): (None, "退出指标佐证"),
    ("exits", "exitstep", "evidence"): (None, "出列摘帽程序佐证"),
}
INLINE = {"image/jpeg", "image/png", "application/pdf"}
THUMB_SIZE = (320, 320)


def url_of(file) -> str:
    """The view's URL of a stored file (a FieldFile of a field in EVIDENCE); "" for none."""
    if not file:
        return ""
    instance, field = file.instance, file.field.name
    opts = instance._meta
    if (opts.app_label, opts.model_name, field) not in EVIDENCE:
        raise ValueError(f"{opts.label}.{field} is not served as evidence")
    return reverse("evidence", args=[opts.app_label, opts.model_name, instance.pk, field])


def is_image(file) -> bool:
    return bool(file) and mimetypes.guess_type(file.name)[0] in ("image/jpeg", "image/png")


def _household_id(record, path: str) -> int | None:
    value = record
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value.pk


@login_required
@require_GET
def evidence(request, app: str, model: str, pk: int, field: str):
    key = (app, model, field)
    if key not in EVIDENCE:
        raise Http404
    household_path, what = EVIDENCE[key]
    queryset = apps.get_model(app, model).objects.restrict(request.user, "view")
    if household_path:
        queryset = queryset.select_related(household_path)
    record = get_object_or_404(queryset, pk=pk)
    file = getattr(record, field)
    if not file or not default_storage.exists(file.name):
        raise Http404
    thumb = request.GET.get("thumb") == "1" and is_image(file)
    if household_path and not thumb:
        record_access(
            user=request.user,
            households=[_household_id(record, household_path)],
            what=what,
            full_only=False,  # a photo or scan of a household is personal whoever opens it
        )
    if thumb:
        return _send(_thumbnail(file.name), inline=True)
    return _send(file.name, inline=request.GET.get("download") != "1")


def _thumbnail(name: str) -> str:
    """A small JPEG beside the original (made once, kept under thumbs/)."""
    thumb = f"thumbs/{PurePosixPath(name).with_suffix('.jpg')}"
    if default_storage.exists(thumb):
        return thumb
    from PIL import Image, ImageOps

    with default_storage.open(name, "rb") as source, Image.open(source) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail(THUMB_SIZE)
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=80)
    default_storage.save(thumb, ContentFile(out.getvalue()))
    return thumb


def _send(name: str, *, inline: bool):
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    filename = PurePosixPath(name).name
    disposition = "inline" if inline and content_type in INLINE else "attachment"
    header = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    sendfile = getattr(settings, "EVIDENCE_SENDFILE", "")
    if sendfile == "x-accel-redirect":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{settings.EVIDENCE_INTERNAL_URL.rstrip('/')}/{name}"
    elif sendfile == "x-sendfile":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = default_storage.path(name)
    else:
        response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["Content-Disposition"] = header
    response["X-Content-Type-Options"] = "nosniff"
    # Personal evidence: not kept by shared proxies or the browser's disk cache.
    response["Cache-Control"] = "private, no-store"
    return response
