"""The embedded default: SQLite in the project folder, no broker server, DEBUG on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
