from django.apps import AppConfig


class ExitsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "exits"
    verbose_name = "出列摘帽"
