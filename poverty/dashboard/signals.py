"""Keeping the village tallies current: a change to a household, a member or a measure marks its
village, and when the transaction commits one job recounts the villages marked in it. The roster
import sends households.signals.registry_changed instead, as bulk writes send no post_save; the
demo recounts everything when it is done (seed_demo)."""

from __future__ import annotations

import logging
import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver

from households.models import AssistanceMeasure, Household, Member
from households.signals import registry_changed

from .tasks import refresh_tallies

logger = logging.getLogger(__name__)
_pending = threading.local()


def _mark(villages=(), households=()) -> None:
    """Remember what changed and recount it once the transaction commits. A rolled-back
    transaction's marks are recounted with the next commit: harmless, the count is the same."""
    if not hasattr(_pending, "villages"):
        _pending.villages, _pending.households = set(), set()
    _pending.villages.update(v for v in villages if v)
    _pending.households.update(h for h in households if h)
    transaction.on_commit(_flush)


def _flush() -> None:
    villages, households = (
        getattr(_pending, "villages", None),
        getattr(_pending, "households", None),
    )
    if not villages and not households:
        return  # an earlier callback of the same commit took them
    _pending.villages, _pending.households = set(), set()
    try:
        refresh_tallies.delay(sorted(villages), sorted(households))
    except Exception:  # the broker is down: the change is saved, the nightly recount catches up
        logger.exception("could not queue the tally recount of villages %s", sorted(villages))


@receiver(post_init, sender=Household)
def _remember_village(sender, instance: Household, **kwargs) -> None:
    instance._village_before = instance.__dict__.get("village_id")


@receiver(post_save, sender=Household)
@receiver(post_delete, sender=Household)
def _household_changed(sender, instance: Household, **kwargs) -> None:
    _mark(villages=(instance.village_id, getattr(instance, "_village_before", None)))


@receiver(post_save, sender=Member)
@receiver(post_delete, sender=Member)
@receiver(post_save, sender=AssistanceMeasure)
@receiver(post_delete, sender=AssistanceMeasure)
def _part_changed(sender, instance, **kwargs) -> None:
    _mark(households=(instance.household_id, getattr(instance, "_household_before", None)))


@receiver(registry_changed)
def _registry_changed(sender, households, villages=(), **kwargs) -> None:
    _mark(villages=villages, households=households)
