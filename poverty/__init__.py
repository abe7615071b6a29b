"""County poverty-alleviation case management: project wiring and the shared framework."""

from .celery import app as celery_app

__all__ = ("celery_app",)
