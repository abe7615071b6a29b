"""Sending the day's reminders (提醒催办): one per user, obligation and deadline.

`send_reminders()` runs every morning (Celery beat; `manage.py send_reminders` by hand). For
each obligation in its window (poverty.work.obligations) it finds who answers for it, makes
the in-app reminder those users do not have yet, and sends the same by e-mail (when an SMTP
server is configured) and by text message (when an SMS sender is: poverty.work.sms).
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from accounts.roles import role_allows
from poverty.common.areacodes import ancestor_codes, prefix_of
from poverty.common.scoping import Reach
from villages.models import Area

from . import obligations
from .choices import ReminderKind
from .models import Notification, recount_unread
from .obligations import Obligation
from .sms import sender, sms_text

logger = logging.getLogger(__name__)

# Roles that act on obligations. Leaders and inspectors hold others to theirs: they read what
# is overdue on their work page (a county inspector would otherwise hear of every village's
# deadline that no one nearer has an account for). API clients never.
ACTING_ROLES = (Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF, Role.VILLAGE_CADRE)


@dataclass
class Accounts:
    """The active accounts that may be reminded, indexed the three ways recipients are found:
    by the cadre they are, by that cadre's unit, by the prefix of each of their areas."""

    reach: dict[int, Reach] = field(default_factory=dict)
    by_cadre: dict[int, list[User]] = field(default_factory=lambda: defaultdict(list))
    by_unit: dict[int, list[User]] = field(default_factory=lambda: defaultdict(list))
    by_prefix: dict[str, list[User]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls) -> Accounts:
        users = {
            u.pk: u
            for u in User.objects.filter(
                is_active=True, is_superuser=False, role__in=ACTING_ROLES
            ).select_related("cadre")
        }
        through = User.areas.through.objects.filter(user__in=users)
        codes: dict[int, list[str]] = defaultdict(list)
        for user_id, code in through.values_list("user_id", "area__code"):
            codes[user_id].append(code)
        index = cls()
        for pk, user in users.items():
            index.reach[pk] = Reach.under(codes[pk])
            for code in codes[pk]:
                index.by_prefix[prefix_of(code)].append(user)
            if user.cadre is not None:
                index.by_cadre[user.cadre.pk].append(user)
                index.by_unit[user.cadre.unit_id].append(user)
        return index

    def may(self, user: User, ob: Obligation) -> bool:
        """A reminder is a read of what it names: only to users whose area holds it and whose
        role answers for it."""
        return role_allows(user.role, ob.perm) and self.reach[user.pk].admits(ob.code)

    def recipients(self, ob: Obligation) -> tuple[list[User], bool]:
        """The accounts of the people named on it (else of the units named), else those whose
        area holds it at the nearest level: a village's cadres before its township's staff,
        the township's before the county's. And whether they hold it from above its own area
        (then a household's obligations reach them summed per village)."""
        named = [u for c in ob.cadres for u in self.by_cadre.get(c, ())]
        if not named:
            named = [u for unit in ob.units for u in self.by_unit.get(unit, ())]
        chosen = [u for u in named if self.may(u, ob)]
        if chosen:
            return _unique(chosen), False
        for code in [ob.code, *reversed(ancestor_codes(ob.code))]:
            chosen = [u for u in self.by_prefix.get(prefix_of(code), ()) if self.may(u, ob)]
            if chosen:
                return _unique(chosen), code != ob.code
        return [], False


def _unique(users: list[User]) -> list[User]:
    return list({u.pk: u for u in users}.values())


def _phone(user: User) -> str:
    return user.phone or (user.cadre.phone if user.cadre is not None else "")


def send_reminders(today: datetime.date | None = None) -> Counter[str]:
    """Make and send the day's new reminders; returns how many of each kind were made."""
    today = today or timezone.localdate()
    accounts = Accounts.load()
    texts = sender()
    made: Counter[str] = Counter()
    new: dict[tuple, Notification] = {}
    # (user, kind, village, due) -> [count, an obligation]: a household's obligations reach
    # township and county staff as one reminder per village and day, not one per household.
    digests: dict[tuple, list] = {}
    for ob in obligations.due(today):
        subject_type = ContentType.objects.get_for_model(type(ob.subject))
        users, from_above = accounts.recipients(ob)
        if from_above and ob.village is not None and ob.digest:
            for user in users:
                digests.setdefault((user, ob.kind, ob.village.pk, ob.due), [0, ob])[0] += 1
            continue
        for user in users:
            key = (user.pk, ob.kind, subject_type.pk, ob.subject.pk, ob.due)
            new.setdefault(
                key,
                Notification(
                    user=user,
                    kind=ob.kind,
                    subject_type=subject_type,
                    subject_id=ob.subject.pk,
                    due=ob.due,
                    message=ob.message[:300],
                    link=ob.link,
                ),
            )
    area_type = ContentType.objects.get_for_model(Area)
    for (user, kind, village_pk, due), (count, ob) in digests.items():
        assert ob.village is not None
        key = (user.pk, kind, area_type.pk, village_pk, due)
        new[key] = Notification(
            user=user,
            kind=kind,
            subject_type=area_type,
            subject_id=village_pk,
            due=due,
            message=(f"{ob.village.name}有{count}{ob.digest}：{obligations.when(due, today)}。")[
                :300
            ],
            link=ob.digest_link,
        )
    if not new:
        return made
    dues = [key[4] for key in new]
    existing = set(
        Notification.objects.filter(due__range=(min(dues), max(dues)), user__in={k[0] for k in new})
        .values_list("user_id", "kind", "subject_type_id", "subject_id", "due")
        .iterator()
    )
    fresh = [note for key, note in new.items() if key not in existing]
    for note in fresh:
        label = ReminderKind(note.kind).label
        if settings.NOTIFY_BY_EMAIL and note.user.email:
            send_mail(f"{label}提醒", note.message, None, [note.user.email], fail_silently=True)
            note.emailed = True
        phone = _phone(note.user)
        if texts is not None and phone:
            try:
                note.texted = texts.send(phone, sms_text(note.message))
            except Exception:  # a gateway's failure must not stop the other reminders
                logger.exception("SMS sender failed for user %s", note.user.pk)
        made[note.kind] += 1
    with transaction.atomic():
        # ignore_conflicts: a reminder another run made meanwhile stays the one there is.
        Notification.objects.bulk_create(fresh, batch_size=500, ignore_conflicts=True)
        recount_unread(note.user_id for note in fresh)
    return made
