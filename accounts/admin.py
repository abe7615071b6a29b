from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User
from .roles import area_level_error


class UserAdminForm(forms.ModelForm):
    class Meta:
        model = User
        fields = "__all__"  # noqa: DJ007 -- UserAdmin's fieldsets choose what is shown

    def clean(self):
        cleaned = super().clean()
        role, areas = cleaned.get("role"), cleaned.get("areas")
        superuser = cleaned.get("is_superuser")
        if role and areas is not None and not superuser:
            error = area_level_error(role, list(areas))
            if error:
                raise forms.ValidationError(error)
        return cleaned


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserAdminForm
    list_display = ["username", "last_name", "first_name", "role", "is_active"]
    list_filter = ["role", "is_active", "is_superuser"]
    filter_horizontal = ["areas", "groups", "user_permissions"]
    autocomplete_fields = ["cadre"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("角色与管辖区域", {"fields": ("role", "areas", "cadre", "phone", "must_change_password")}),
    )
