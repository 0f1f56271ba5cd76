"""Personal data at rest (PIPL): encryption and keyed look-up hashes.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under FENGLING_FIELD_KEY. The
look-up digest is an HMAC-SHA256 under a key derived from the same secret, so equality and
uniqueness can be checked without decrypting and without a rainbow table working.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet
from django.conf import settings


@cache
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


@cache
def _digest_key(key: str) -> bytes:
    return hmac.new(key.encode(), b"fengling-lookup-digest-v1", hashlib.sha256).digest()


def encrypt(plain: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()


def lookup_digest(plain: str) -> str:
    key = _digest_key(settings.FIELD_ENCRYPTION_KEY)
    return hmac.new(key, plain.encode(), hashlib.sha256).hexdigest()
