"""Pages that belong to no one domain: system status (the start page is poverty.work's)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.shortcuts import render
from django_celery_results.models import TaskResult


@login_required
def system_status(request):
    last_beat = (
        TaskResult.objects.filter(task_name="poverty.tasks.heartbeat")
        .order_by("-date_done")
        .first()
    )
    last_recount = (
        TaskResult.objects.filter(task_name="dashboard.tasks.recount_tallies")
        .order_by("-date_done")
        .first()
    )
    context = {
        "last_recount": last_recount,
        "database": connection.vendor,
        "broker": "Redis" if settings.REDIS_URL else "本地文件队列（无需单独服务）",
        "eager": settings.CELERY_TASK_ALWAYS_EAGER,
        "last_beat": last_beat,
        "heartbeat_seconds": settings.HEARTBEAT_SECONDS,
    }
    return render(request, "system_status.html", context)
