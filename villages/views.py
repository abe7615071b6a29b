"""Pages of the villages app: the generic five per model, and the area page's related lists."""

import uuid
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.files.storage import default_storage
from django.shortcuts import redirect
from django.views.generic import FormView

from poverty.common.views import ObjectDetailView, ObjectListView

from .forms import AreaImportForm
from .imports import import_areas


class AreaListView(ObjectListView):
    import_url = "villages:area_import"


class AreaDetailView(ObjectDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        area = self.object
        context["breadcrumb"] = area.full_name()
        context["children"] = area.children.restrict(user).order_by("code")
        context["postings"] = (
            area.postings.restrict(user).active().select_related("cadre", "cadre__unit")
        )
        context["unit_pairings"] = area.unit_pairings.restrict(user).active().select_related("unit")
        context["leader_pairings"] = (
            area.leader_pairings.restrict(user).active().select_related("leader")
        )
        return context


class CadreDetailView(ObjectDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["postings"] = self.object.postings.restrict(user).select_related("village")
        context["leader_pairings"] = self.object.leader_pairings.restrict(user).select_related(
            "area"
        )
        return context


class UnitDetailView(ObjectDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["cadres"] = self.object.cadres.restrict(user)
        context["pairings"] = self.object.pairings.restrict(user).select_related("village")
        return context


class AreaImportView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    """The statistics bureau's 区划代码 list: upload, preview what changes, then confirm.

    The upload waits between the two steps under a name of our making, known only to the
    uploader's session; a county's list is a few hundred rows, so both steps run in the request.
    """

    permission_required = "villages.add_area"

    def handle_no_permission(self):
        # Anonymous users go to the login page; signed-in users without the permission get 403.
        self.raise_exception = self.request.user.is_authenticated
        return super().handle_no_permission()

    template_name = "villages/area_import.html"
    form_class = AreaImportForm
    session_key = "area_import_file"

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self.confirm()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        self.discard()
        name = f"imports/areas-{uuid.uuid4().hex}{Path(upload.name).suffix.lower()[:5]}"
        stored = default_storage.save(name, upload)
        self.request.session[self.session_key] = stored
        result = import_areas(default_storage.path(stored), user=self.request.user, dry_run=True)
        if not result.ok:
            self.discard()
        return self.render_to_response(self.get_context_data(form=form, result=result))

    def confirm(self):
        stored = self.request.session.get(self.session_key)
        if not stored or not default_storage.exists(stored):
            messages.error(self.request, "预览已过期，请重新上传文件。")
            return redirect("villages:area_import")
        result = import_areas(default_storage.path(stored), user=self.request.user)
        self.discard()
        if not result.ok:
            return self.render_to_response(self.get_context_data(result=result))
        counts = result.counts()
        messages.success(
            self.request,
            f"区划导入完成：新增{counts['created']}个，更名{counts['renamed']}个，"
            f"未变{counts['unchanged']}个。",
        )
        return redirect("villages:area_list")

    def discard(self) -> None:
        stored = self.request.session.pop(self.session_key, None)
        if stored and default_storage.exists(stored):
            default_storage.delete(stored)
