"""Generic views that apply the user's permission and area before anything else.

`crud_urls(...)` gives a model its five pages (list, detail, add, edit, delete) from a form, a
FilterSet and a table; the scoping test recognises these views and exercises every one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, path, reverse
from django.utils.functional import SimpleLazyObject
from django.views.generic import (
    CreateView,
    DeleteView,
    DetailView,
    FormView,
    ListView,
    UpdateView,
)
from django.views.generic.detail import SingleObjectMixin
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from poverty.personal.masking import can_see_sensitive

from . import history
from .models import StaleEdit, lock_seen
from .scoping import ScopedQuerySet, permission_name
from .widgets import FastSelect, SearchSelect

MAX_PER_PAGE = 500


class ScopedViewMixin:
    """Login, then the model permission for `action` (403), then the area-scoped queryset (404)."""

    model: type[models.Model]
    action: ClassVar[str] = "view"
    # The pages crud_urls made for the model; buttons link only to those that exist.
    pages: ClassVar[tuple[str, ...]] = ("list", "add", "detail", "edit", "delete")
    select_related: ClassVar[tuple[str, ...]] = ()
    # The permission the page needs when it is not the model's own for `action`: a page of
    # another app about the object (an area's 出列 page needs exits.view_exitstep).
    permission: ClassVar[str | None] = None
    http_method_names = ["get", "post", "head", "options"]

    @classmethod
    def required_permission(cls) -> str:
        return cls.permission or permission_name(cls.model, cls.action)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm(self.required_permission()):
            raise PermissionDenied("您没有执行此操作的权限。")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.scoped_queryset(self.model.objects.restrict(self.request.user, self.action))

    def scoped_queryset(self, queryset):
        """Hook for select_related/prefetch_related/annotations; runs after restrict()."""
        return queryset.select_related(*self.select_related) if self.select_related else queryset

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        opts = self.model._meta
        context["opts"] = opts
        if getattr(self, "import_kind", None):
            context["import_href"] = reverse("sheet_import", args=[self.import_kind])
        context["url_base"] = f"{opts.app_label}:{opts.model_name}"
        user = self.request.user
        page = {"add": "add", "change": "edit", "delete": "delete"}
        context["can"] = {
            a: p in self.pages and user.has_perm(permission_name(self.model, a))
            for a, p in page.items()
        }
        return context


class ObjectPickView(ScopedViewMixin, ListView):
    """The matches for a search box that picks one object (poverty.common.widgets.SearchSelect):
    at most `limit` of those the user may see, searched by the "q" filter of the model's list
    FilterSet (`filterset_class`); none for an empty query. `scoped_queryset` orders and
    annotates them."""

    limit: ClassVar[int] = 20
    filterset_class: ClassVar[type]

    def post(self, request, *args, **kwargs):
        """The search box posts what is typed (it may be an ID number): kept out of the address,
        so out of access logs, proxies and the browser's history."""
        return self.get(request, *args, **kwargs)

    @property
    def search(self):
        """What the box sent: the posted form, or (a link, an older page) the query string."""
        return self.request.POST if self.request.method == "POST" else self.request.GET

    @property
    def query(self) -> str:
        """The text typed: the box that asked (htmx names it, and posts the whole form around
        it, other boxes included), else "q"."""
        box = self.request.headers.get("HX-Trigger-Name", "")
        if not box.endswith(SearchSelect.SUFFIX) or box not in self.search:
            box = "q"
        return self.search.get(box, "").strip()

    def get_queryset(self):
        query = self.query
        if not query:
            return self.model.objects.none()
        filterset = self.filterset_class(
            {"q": query}, queryset=super().get_queryset(), request=self.request
        )
        matches = filterset.qs
        if isinstance(matches, ScopedQuerySet):
            matches = matches.ids_first()
        return matches[: self.limit + 1]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        matches = list(context["object_list"])
        context["matches"] = matches[: self.limit]
        context["more"] = len(matches) > self.limit
        context["query"] = self.query
        return context


class ObjectListView(ScopedViewMixin, SingleTableMixin, FilterView):
    template_name = "generic/object_list.html"
    # A bulk import page for the model (its sheet kind, poverty.sheets.KINDS), linked beside 新增
    # for those who may add.
    import_kind: str | None = None
    # django-tables2 paginates the table; the list view itself must not paginate too.
    paginate_by = None
    per_page = settings.PAGINATE_BY

    def get_table_pagination(self, table):
        try:
            per_page = int(self.request.GET.get("per_page", self.per_page))
        except ValueError:
            per_page = self.per_page
        return {"per_page": max(1, min(per_page, MAX_PER_PAGE))}

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["request"] = self.request
        return kwargs

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        for field in filterset.form.fields.values():
            model = getattr(getattr(field, "queryset", None), "model", None)
            if (
                getattr(model, "picker", None)
                and isinstance(field, forms.ModelChoiceField)
                and type(field.widget) is forms.Select
            ):
                # Picked by searching, as in forms (a county's cadres are hundreds).
                box = SearchSelect.of(model)
                box.is_required, box.choices = field.widget.is_required, field.choices
                field.widget = box
            elif type(field.widget) is forms.Select:  # the filter bar's selects, written fast
                fast = FastSelect(attrs=field.widget.attrs, choices=field.widget.choices)
                fast.is_required = field.widget.is_required
                field.widget = fast
        return filterset


class ObjectDetailView(ScopedViewMixin, DetailView):
    detail_fields: ClassVar[tuple[str, ...]] = ()

    def get_template_names(self) -> list[str]:
        opts = self.model._meta
        return [f"{opts.app_label}/{opts.model_name}_detail.html", "generic/object_detail.html"]

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        locked = self.object.locked_reason() if hasattr(self.object, "locked_reason") else ""
        if locked:
            context["can"] = {**context["can"], "change": False, "delete": False}
            context["locked"] = locked
        context["fields"] = [
            (self.model._meta.get_field(name).verbose_name, display_value(self.object, name))
            for name in self.detail_fields
        ]
        if hasattr(self.object, "history"):
            # Read only by pages that show it (includes/history.html), once.
            context["history"] = SimpleLazyObject(
                lambda: history.entries(
                    self.model,
                    self.object.history.all(),
                    sensitive=can_see_sensitive(self.request.user),
                )
            )
        return context


def display_value(obj: models.Model, name: str) -> Any:
    field = obj._meta.get_field(name)
    if field.choices:
        return getattr(obj, f"get_{name}_display")()
    value = getattr(obj, name)
    if isinstance(field, models.BooleanField):
        return "是" if value else "否"

    return "" if value is None else value


class ObjectFormMixin(ScopedViewMixin):
    """Create/edit: the form (and an optional inline formset) saved in one transaction."""

    template_name = "generic/object_form.html"
    formset_class = None

    def get_template_names(self) -> list[str]:
        opts = self.model._meta
        return [f"{opts.app_label}/{opts.model_name}_form.html", self.template_name]

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["action"] = self.action
        return kwargs

    def get_formset(self, instance):
        if self.formset_class is None:
            return None
        data = self.request.POST if self.request.method == "POST" else None
        files = self.request.FILES if self.request.method == "POST" else None
        return self.formset_class(
            data,
            files,
            instance=instance,
            form_kwargs={"user": self.request.user, "action": self.action},
        )

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if "formset" not in context and self.formset_class is not None:
            context["formset"] = self.get_formset(context["form"].instance)
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object() if self.action == "change" else None
        form = self.get_form()
        formset = self.get_formset(form.instance)
        form_ok = form.is_valid()
        if formset is not None and not formset.is_valid():
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        if not form_ok:
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        try:
            with transaction.atomic():
                self.object = self.save_forms(form, formset)
                self.after_save(form, formset)
        except StaleEdit as exc:
            form.add_error(None, str(exc))
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        except ValidationError as exc:  # refused by the service or after_save: nothing written
            for message in exc.messages:
                form.add_error(None, message)
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        messages.success(self.request, f"{self.model._meta.verbose_name}“{self.object}”已保存。")
        return HttpResponseRedirect(self.get_success_url())

    # The workflow service that writes the form's object, where saving it is more than a plain
    # save (households.services.income_record_save): called keyword-only with the validated,
    # unsaved object under the service's own name for it (`service_object`) and `by`.
    service: Callable | None = None
    service_object = ""

    def save_forms(self, form, formset):
        """Write the form's object, then the formset's rows under it."""
        obj = self.save_object(form)
        if formset is not None:
            formset.instance = obj
            formset.save()
        return obj

    def save_object(self, form):
        """Write the form's object: a plain save, or the model's service."""
        service = type(self).service
        if service is None:
            return form.save()
        obj = service(**{self.service_object: form.save(commit=False)}, by=self.request.user)
        form.save_m2m()
        return obj

    def after_save(self, form, formset) -> None:
        """Hook for checks that span the saved rows (raise ValidationError to roll back)."""


class ObjectCreateView(ObjectFormMixin, CreateView):
    action = "add"

    def get_initial(self) -> dict[str, Any]:
        # Links like ".../add/?household=12" preset a field of the new object.
        names = {f.name for f in self.model._meta.fields}
        return {k: v for k, v in self.request.GET.items() if k in names}


class UnlockedObjectMixin:
    """Edit and delete pages: a locked record (closed work) is refused with its reason."""

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        reason = obj.locked_reason() if hasattr(obj, "locked_reason") else ""
        if reason:
            raise PermissionDenied(reason)
        return obj


class ObjectEditView(UnlockedObjectMixin, ObjectFormMixin, UpdateView):
    action = "change"


class ObjectDeleteView(UnlockedObjectMixin, ScopedViewMixin, DeleteView):
    action = "delete"
    template_name = "generic/object_confirm_delete.html"

    def get_success_url(self) -> str:
        opts = self.model._meta
        return reverse(f"{opts.app_label}:{opts.model_name}_list")

    def form_valid(self, form):
        label = f"{self.model._meta.verbose_name}“{self.object}”"
        try:
            with transaction.atomic():
                self.object.delete()
        except ProtectedError:
            messages.error(self.request, f"{label}仍被其他记录引用，不能删除。")
            return HttpResponseRedirect(self.object.get_absolute_url())
        messages.success(self.request, f"{label}已删除。")
        return HttpResponseRedirect(self.get_success_url())


SEEN_VERSION = "seen_version"


class ObjectActionView(ScopedViewMixin, SingleObjectMixin, FormView):
    """A workflow step on one object: GET shows the step's form, POST calls `perform`.

    The object comes from the restricted queryset (404 outside the user's area) and the step
    needs the model permission for `action` (403). A ValidationError from the service is shown
    on the form and nothing is written.
    """

    action = "change"
    template_name = "generic/object_action.html"
    title = ""
    success_message = "已办理。"
    submit_label = "确认办理"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if hasattr(self.object, "version"):
            # The version this page showed: a step taken on it after someone else's is refused
            # (lock_seen) rather than silently overwriting theirs.
            form.fields[SEEN_VERSION] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, initial=self.object.version
            )
        return form

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form()
        if not form.is_valid():
            return self.form_invalid(form)
        seen = form.cleaned_data.pop(SEEN_VERSION, None)
        try:
            with transaction.atomic():
                if hasattr(self.object, "version"):
                    lock_seen(self.object, seen)
                self.perform(form)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())

    def perform(self, form) -> None:
        raise NotImplementedError

    def get_success_url(self) -> str:
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        context["submit_label"] = self.submit_label
        try:  # a model without a list page of its own (a sheet's import job)
            context["list_url"] = reverse(f"{context['url_base']}_list")
        except NoReverseMatch:
            context["list_url"] = ""
        return context


PAGES = ("list", "add", "detail", "edit", "delete")


def crud_urls(
    model: type[models.Model],
    *,
    form,
    filterset,
    table,
    detail_fields: tuple[str, ...],
    select_related: tuple[str, ...] = (),
    list_view: type[ObjectListView] = ObjectListView,
    detail_view: type[ObjectDetailView] = ObjectDetailView,
    create_view: type[ObjectCreateView] = ObjectCreateView,
    edit_view: type[ObjectEditView] = ObjectEditView,
    pages: tuple[str, ...] = PAGES,
    plural: str | None = None,
    service: tuple[Callable, str] | None = None,
) -> list:
    """The pages of a model (all five unless `pages` says), named <model>_list/_detail/_add/_edit/_delete,
    under `plural`/ (default: the model name and an s). `service`: the workflow service that
    saves the add and edit forms' object, and its keyword for it (ObjectFormMixin.service)."""
    name = model._meta.model_name
    plural = plural or f"{name}s"
    saving = {"service": service[0], "service_object": service[1]} if service else {}

    common = {"model": model, "select_related": select_related, "pages": pages}
    views = {
        "list": type(
            f"{model.__name__}ListView",
            (list_view,),
            {
                **common,
                "filterset_class": filterset,
                "table_class": table,
            },
        ),
        "detail": type(
            f"{model.__name__}DetailView",
            (detail_view,),
            {**common, "detail_fields": detail_fields},
        ),
        "add": type(
            f"{model.__name__}CreateView",
            (create_view,),
            {**common, **saving, "form_class": form},
        ),
        "edit": type(
            f"{model.__name__}EditView", (edit_view,), {**common, **saving, "form_class": form}
        ),
        "delete": type(f"{model.__name__}DeleteView", (ObjectDeleteView,), common),
    }
    routes = {
        "list": f"{plural}/",
        "add": f"{plural}/add/",
        "detail": f"{plural}/<int:pk>/",
        "edit": f"{plural}/<int:pk>/edit/",
        "delete": f"{plural}/<int:pk>/delete/",
    }
    return [path(routes[p], views[p].as_view(), name=f"{name}_{p}") for p in pages]
