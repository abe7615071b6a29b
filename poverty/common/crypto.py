"""Encryption at rest for personal numbers (等保: sensitive personal data encrypted in storage).

One secret, PII_KEY from the environment, gives two keys: a Fernet key (AES-128-CBC with an
HMAC) that encrypts the value, and an HMAC-SHA256 key for a keyed hash stored beside it, so an
exact lookup or a uniqueness constraint never needs the plain value. A database dump shows
neither the number nor anything a dictionary attack could reverse without the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _derive(purpose: str) -> bytes:
    secret = getattr(settings, "PII_KEY", "")
    if not secret:
        raise ImproperlyConfigured("PII_KEY must be set to encrypt personal data.")
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()


@cache
def _fernet(secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive("encrypt")))


def encrypt(value: str) -> str:
    if not value:
        return ""
    return _fernet(settings.PII_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet(settings.PII_KEY).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "PII_KEY does not match the key the data was encrypted with."
        ) from exc


@cache
def _hash_key(secret: str) -> bytes:
    return _derive("lookup")


def keyed_hash(value: str) -> str:
    """64 hex characters; equal values give equal hashes under the same key."""
    return hmac.digest(_hash_key(settings.PII_KEY), value.encode(), "sha256").hex()  # one-shot C
