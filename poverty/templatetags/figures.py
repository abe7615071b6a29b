"""Figures as county reports print them: money with thousands separators, rates in percent."""

from django import template

from poverty.common.figures import duration, money, percent

register = template.Library()

register.filter("money", money)
register.filter("percent", percent)
register.filter("duration", duration)
