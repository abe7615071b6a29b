"""Keeping the village tallies current: a change to a household, a member or a measure marks its
village, and when the transaction commits one job recounts the villages marked in it. The roster
import sends households.signals.registry_changed instead, as bulk writes send no post_save; the
demo recounts everything when it is done (seed_demo)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver

from households.models import AssistanceMeasure, Household, Member
from households.signals import registry_changed

from .tasks import refresh_tallies

logger = logging.getLogger(__name__)


class _Batch:
    """What one transaction changed, recounted by one job when it commits. A transaction that
    rolls back takes its batch with it (Django drops the commit callback); a savepoint rolled
    back inside a kept transaction leaves its marks, a harmless extra recount."""

    def __init__(self) -> None:
        self.villages: set[int] = set()
        self.households: set[int] = set()
        self.sent = False

    def send(self) -> None:
        self.sent = True
        if not self.villages and not self.households:
            return
        try:
            refresh_tallies.delay(sorted(self.villages), sorted(self.households))
        except Exception:  # the broker is down: the change is saved, the nightly recount catches up
            logger.exception(
                "could not queue the tally recount of villages %s", sorted(self.villages)
            )


def _mark(villages=(), households=()) -> None:
    """Remember what changed and recount it once the transaction commits: into the batch whose
    commit callback is still waiting, else a new one."""
    connection = transaction.get_connection()
    batch = getattr(connection, "tally_batch", None)
    waiting = (
        connection.in_atomic_block
        and batch is not None
        and not batch.sent
        and any(callback == batch.send for _, callback, _ in connection.run_on_commit)
    )
    if not waiting:
        batch = connection.tally_batch = _Batch()
    batch.villages.update(v for v in villages if v)
    batch.households.update(h for h in households if h)
    if not waiting:
        transaction.on_commit(batch.send)  # at once outside a transaction


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
