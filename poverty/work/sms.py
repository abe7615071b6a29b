"""Text messages (短信) for reminders, through a pluggable sender.

`settings.SMS_SENDER` names the sender class by its dotted path; empty sends none. The one
shipped, `LoggingSender`, writes each message to the log (no gateway is reachable from here):
a county plugs in its operator's gateway by writing a class with the same `send` and naming it.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from poverty.personal.masking import mask_phone

logger = logging.getLogger(__name__)

# Operators cut longer messages into several, each billed.
SMS_MAX_CHARS = 70


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> bool:
        """Send `text` to `phone`; True when the gateway accepted it."""
        ...


class LoggingSender:
    """Writes what would be sent to the log, with the number masked."""

    def send(self, phone: str, text: str) -> bool:
        logger.info("SMS to %s: %s", mask_phone(phone), text)
        return True


def sender() -> SmsSender | None:
    """The configured sender, or None when text messages are off."""
    path = getattr(settings, "SMS_SENDER", "")
    return import_string(path)() if path else None


def sms_text(message: str) -> str:
    """A reminder shortened to one message, signed (operators require a signature)."""
    sign = "【扶贫办】"
    room = SMS_MAX_CHARS - len(sign)
    body = message if len(message) <= room else message[: room - 1] + "…"
    return sign + body
