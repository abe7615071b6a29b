"""The work page (工作台, the home page) and the user's reminders."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from villages.models import Area

from .models import Notification, recount_unread
from .selectors import todos


@login_required
def home(request):
    user = request.user
    context = {
        "my_areas": Area.objects.filter(users=user).order_by("code").only("name"),
        "todos": todos(user),
        "recent": Notification.objects.filter(user=user).unread()[:5],
    }
    return render(request, "work/home.html", context)


@login_required
def notifications(request):
    """The user's reminders; POST marks them read (all, or the one named)."""
    mine = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        unread = mine.unread()
        if request.POST.get("id", "").isdigit():
            unread = unread.filter(pk=int(request.POST["id"]))
        unread.update(read_at=timezone.now())
        recount_unread([request.user.pk])
        return redirect("work:notifications")
    only_unread = request.GET.get("unread") == "1"
    shown = mine.unread() if only_unread else mine
    page = Paginator(shown, 50).get_page(request.GET.get("page"))
    return render(request, "work/notifications.html", {"page": page, "only_unread": only_unread})


@login_required
def open_notification(request, pk: int):
    """Follow a reminder's link, marking it read (only one's own: another's is a 404)."""
    note = get_object_or_404(Notification, pk=pk, user=request.user)
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk).update(read_at=timezone.now())
        recount_unread([request.user.pk])
    # The link was made by the reminder job from reverse(): a path on this site, never a host.
    target = note.link if note.link.startswith("/") and not note.link.startswith("//") else ""
    return redirect(target or "work:notifications")
