"""The base model form: choices limited to the user's areas, and the result checked against them."""

from __future__ import annotations

from django import forms
from django.db.models import F
from django.forms import BaseInlineFormSet

from poverty.personal import crypto, idnumber
from poverty.personal.masking import can_see_sensitive

from .models import StaleEdit, stale_message
from .scoping import ScopedQuerySet, in_scope
from .widgets import SearchSelect

OUT_OF_SCOPE = "所选地区或对象不在您的管辖范围内。"


class ScopedModelForm(forms.ModelForm):
    """Every ModelForm of the project derives from this; views pass `user` and `action`.

    New rows of models with a `recorded_by` field record the user who entered them.
    Models with a `version` field get optimistic concurrency: the form carries the version it
    was opened at, and saving claims the next version with a conditional UPDATE, so of two
    people editing at once the second is refused instead of silently overwriting the first.
    """

    def __init__(self, *args, user, action: str = "change", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.action = action
        if self.is_versioned:
            self.fields["seen_version"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, initial=self.instance.version
            )
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if isinstance(queryset, ScopedQuerySet):
                # Users pick only what they may see; out-of-scope ids fail as invalid choices.
                field.queryset = queryset.restrict(user, "view")
                picker = getattr(queryset.model, "picker", None)
                if picker and type(field) is forms.ModelChoiceField:
                    field.widget = SearchSelect.of(queryset.model)  # never a <select> of them all
                    field.widget.is_required = field.required
                    field.widget.choices = field.choices
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    @property
    def is_versioned(self) -> bool:
        return any(f.name == "version" for f in self._meta.model._meta.concrete_fields)

    def _post_clean(self) -> None:
        super()._post_clean()
        if not self.errors and not in_scope(self.instance, self.user, self.action):
            self.add_error(None, OUT_OF_SCOPE)
        if self.is_versioned and self.instance.pk and not self.errors:
            current = type(self.instance)._default_manager.filter(pk=self.instance.pk)
            if (
                self.cleaned_data.get("seen_version")
                != current.values_list("version", flat=True).first()
            ):
                self.add_error(None, stale_message(self.instance))

    def save(self, commit: bool = True):
        if not self.instance.pk and hasattr(self.instance, "recorded_by_id"):
            self.instance.recorded_by = self.user  # who entered the row (recorded_by_field)
        if self.is_versioned and self.instance.pk and commit:
            seen = self.cleaned_data.get("seen_version")
            # Inside the view's transaction, this UPDATE holds the row until commit.
            claimed = (
                type(self.instance)
                ._default_manager.filter(pk=self.instance.pk, version=seen)
                .update(version=F("version") + 1)
            )
            if not claimed:
                raise StaleEdit(stale_message(self.instance))
            self.instance.version = seen + 1
        return super().save(commit)


class IdNumberFormMixin:
    """An `id_number` field for models built on IdNumberModel (put it before ScopedModelForm).

    Users with the sensitive-data permission see and edit the full number; others see the
    masked number and may leave the field empty to keep it. The number is checked with the
    GB 11643 check digit and must not belong to another row of the model.
    """

    id_number_required = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        has_number = bool(instance.pk and instance.id_number_hash)
        if has_number and not can_see_sensitive(self.user):
            help_text = f"当前：{instance.id_number_masked}（留空则不修改）"
        else:
            help_text = "18位身份证号码，末位可为X。"
        self.fields["id_number"] = forms.CharField(
            label="证件号码",
            max_length=20,
            required=self.id_number_required and not has_number,
            help_text=help_text,
        )
        if has_number and can_see_sensitive(self.user):
            self.initial["id_number"] = instance.id_number

    def clean_id_number(self) -> str:
        value = idnumber.normalize(self.cleaned_data.get("id_number", ""))
        if not value:
            return ""
        idnumber.parse(value)  # raises ValidationError with the reason
        others = type(self.instance)._default_manager.filter(
            id_number_hash=crypto.keyed_hash(value)
        )
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(self.duplicate_message(others.first()))
        return value

    def duplicate_message(self, other) -> str:
        return "该证件号码已被登记。"

    def _post_clean(self) -> None:
        value = self.cleaned_data.get("id_number")
        if value:
            self.instance.id_number = value
        super()._post_clean()


class ScopedInlineFormSet(BaseInlineFormSet):
    """Inline formsets whose row ids can only name rows of the parent being edited.

    Django's model formsets let the hidden id field choose from every row of the model, so a
    forged id could pull a row of another parent (another household, another village) into
    this one. Here the choice is the parent's own rows.
    """

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        pk_name = self.model._meta.pk.name
        if pk_name in form.fields and hasattr(form.fields[pk_name], "queryset"):
            form.fields[pk_name].queryset = self.get_queryset()
            form.fields[pk_name].error_messages["invalid_choice"] = (
                "这一行不属于正在编辑的记录，请重新打开页面。"
            )
