from django.apps import AppConfig


class WorkConfig(AppConfig):
    """工作台: what is due for each user (the home page) and the reminders that find them."""

    name = "poverty.work"
    label = "work"
    verbose_name = "工作台与提醒"
