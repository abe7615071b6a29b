from django.apps import AppConfig


class CommandConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "command"
    verbose_name = "统一指挥"
