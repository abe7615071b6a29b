from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Indicator, Scheme


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


@admin.register(Scheme)
class SchemeAdmin(SimpleHistoryAdmin):
    list_display = ["title", "area", "assessee", "start", "end", "status"]
    list_filter = ["status", "assessee"]
    raw_id_fields = ["area"]
    inlines = [IndicatorInline]
