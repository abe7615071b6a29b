"""Positions on the ground: where a visit was recorded against a village's reference point."""

from __future__ import annotations

import math
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

EARTH_RADIUS_M = 6_371_000

LATITUDE_VALIDATORS = [MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))]
LONGITUDE_VALIDATORS = [MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))]


def latitude_field(label: str, **kwargs) -> models.DecimalField:
    """A latitude to a tenth of a metre or so (six decimals), optional."""
    return models.DecimalField(
        label,
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=LATITUDE_VALIDATORS,
        **kwargs,
    )


def longitude_field(label: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=LONGITUDE_VALIDATORS,
        **kwargs,
    )


def distance_m(lat1, lng1, lat2, lng2) -> float:
    """Great-circle distance in metres (haversine): within a county the error is a few metres,
    far below what a phone's position is good for."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp = p2 - p1
    dl = math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def distance_text(metres: float) -> str:
    return f"{metres / 1000:.1f}公里" if metres >= 1000 else f"{metres:.0f}米"
