from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """挂图作战 and statistics. Its own app for the village tallies it keeps: it reads the other
    apps and listens to their changes; nothing imports it."""

    name = "poverty.dashboard"
    label = "dashboard"
    verbose_name = "挂图作战"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)
