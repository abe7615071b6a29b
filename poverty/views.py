"""Pages that belong to no one domain: the start page and system status."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.shortcuts import render
from django_celery_results.models import TaskResult

from villages.choices import AreaLevel
from villages.models import Area, Cadre, Unit, VillagePosting


@login_required
def home(request):
    user = request.user
    areas = Area.objects.restrict(user)
    villages = areas.filter(level=AreaLevel.VILLAGE)
    context = {
        "my_areas": user.areas.order_by("code") if not user.is_superuser else Area.objects.none(),
        "counts": {
            "townships": areas.filter(level=AreaLevel.TOWNSHIP).count(),
            "villages": villages.count(),
            "poor_villages": villages.filter(is_poor=True).count(),
            "exited_villages": villages.filter(actual_exit_year__isnull=False).count(),
            "units": Unit.objects.restrict(user).count(),
            "cadres": Cadre.objects.restrict(user).count(),
            "postings": VillagePosting.objects.restrict(user).active().count(),
        },
    }
    return render(request, "home.html", context)


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
