from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Item, Standard


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0


@admin.register(Standard)
class StandardAdmin(SimpleHistoryAdmin):
    list_display = ["title", "area", "level", "year"]
    list_filter = ["level", "year"]
    raw_id_fields = ["area"]
    inlines = [ItemInline]
