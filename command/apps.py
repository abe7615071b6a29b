from django.apps import AppConfig


class CommandConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "command"
    verbose_name = "统一指挥"

    def ready(self) -> None:
        # The monthly notices name overdue milestones and decisions beside the findings.
        from inspections.notices import EXTRA_SOURCES

        from .notices import overdue_at

        if overdue_at not in EXTRA_SOURCES:
            EXTRA_SOURCES.append(overdue_at)
