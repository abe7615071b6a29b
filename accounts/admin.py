from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User
from .roles import AREA_LEVELS


class UserAdminForm(forms.ModelForm):
    class Meta:
        model = User
        fields = "__all__"  # noqa: DJ007 -- UserAdmin's fieldsets choose what is shown

    def clean(self):
        cleaned = super().clean()
        role, areas = cleaned.get("role"), cleaned.get("areas")
        if role and areas is not None and not cleaned.get("is_superuser"):
            allowed = AREA_LEVELS[role]
            wrong = [a.name for a in areas if a.level not in allowed]
            if wrong:
                raise forms.ValidationError(f"该角色的管辖区域层级不符：{'、'.join(wrong)}")
            if not areas:
                raise forms.ValidationError("请至少选择一个管辖区域。")
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
        ("角色与管辖区域", {"fields": ("role", "areas", "cadre")}),
    )
