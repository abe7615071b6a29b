"""How money and rates are shown on pages, tables and printouts (one place for all)."""

from __future__ import annotations

from decimal import Decimal


def money(value: Decimal | float | None) -> str:
    """12,345.60 (yuan, two decimals); — when there is no figure."""
    return "—" if value is None else f"{value:,.2f}"


def percent(value: Decimal | float | None) -> str:
    """A fraction as 62.5%; — when the rate is undefined (nothing to divide by)."""
    return "—" if value is None else f"{value * 100:.1f}%"
