"""The demo first secretary's current field work, so her work page and today's reminders show
what the issue's walk-through expects: visits with follow-ups (one due, one late) and the one
loan of her households that ends next month. Made once: a second run adds nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from households.choices import MeasureStatus, MeasureType
from households.models import AssistanceMeasure, HouseholdPairing, Visit

FOLLOW_UPS = (
    # (days ago visited, days from today the follow-up is due, what to follow up)
    (12, -2, "协助申报残疾人两项补贴，材料已收齐待送乡民政办"),
    (3, 2, "回访危房改造进度，核对施工队进场时间"),
)
LOAN = "扶贫小额信贷5万元（县农商行）"
# Her village's committee office, and where each visit was recorded (a few hundred metres off).
OFFICE = (Decimal("30.852310"), Decimal("116.361420"))
PLACES = (
    (Decimal("30.855870"), Decimal("116.358900"), 18),
    (Decimal("30.849020"), Decimal("116.366310"), 35),
)


@transaction.atomic
def seed_field_work(today: datetime.date | None = None) -> int:
    """Returns how many rows were added."""
    today = today or timezone.localdate()
    user = User.objects.filter(username="cadre").select_related("cadre").first()
    if user is None or user.cadre is None:
        return 0
    paired = list(
        HouseholdPairing.objects.active(today)
        .filter(cadre=user.cadre)
        .select_related("household")
        .order_by("household__code")[:3]
    )
    if len(paired) < 3 or Visit.objects.filter(follow_up=FOLLOW_UPS[0][2]).exists():
        return 0
    village = paired[0].household.village
    if village.latitude is None:
        village.latitude, village.longitude = OFFICE
        village.save(update_fields=["latitude", "longitude"])
    made = 0
    for pairing, (ago, due, text), (lat, lng, accuracy) in zip(
        paired, FOLLOW_UPS, PLACES, strict=False
    ):
        visited = today - datetime.timedelta(days=ago)
        Visit.objects.create(
            household=pairing.household,
            cadre=user.cadre,
            visited_on=visited,
            latitude=lat,
            longitude=lng,
            accuracy=accuracy,
            recorded_at=timezone.make_aware(
                datetime.datetime.combine(visited, datetime.time(10, 20))
            ),
            findings="入户了解家庭近况，家中人员健康，饮水正常。",
            follow_up=text,
            follow_up_due=today + datetime.timedelta(days=due),
            recorded_by=user,
        )
        made += 1
    AssistanceMeasure.objects.create(
        household=paired[2].household,
        measure_type=MeasureType.MICROCREDIT,
        description=LOAN,
        amount=50000,
        cadre=user.cadre,
        start_date=today - datetime.timedelta(days=3 * 365 - 25),
        end_date=today + datetime.timedelta(days=25),
        status=MeasureStatus.ONGOING,
    )
    return made + 1
