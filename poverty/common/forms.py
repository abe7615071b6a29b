"""The base model form: choices limited to the user's areas, and the result checked against them."""

from __future__ import annotations

from django import forms

from .scoping import ScopedQuerySet, in_scope

OUT_OF_SCOPE = "所选地区或对象不在您的管辖范围内。"


class ScopedModelForm(forms.ModelForm):
    """Every ModelForm of the project derives from this; views pass `user` and `action`."""

    def __init__(self, *args, user, action: str = "change", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.action = action
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if isinstance(queryset, ScopedQuerySet):
                # Users pick only what they may see; out-of-scope ids fail as invalid choices.
                field.queryset = queryset.restrict(user, "view")
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def _post_clean(self) -> None:
        super()._post_clean()
        if not self.errors and not in_scope(self.instance, self.user, self.action):
            self.add_error(None, OUT_OF_SCOPE)
