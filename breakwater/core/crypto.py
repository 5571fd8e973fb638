"""Secrets at rest: channel tokens are Fernet-encrypted with keys from the environment.

``BREAKWATER_FERNET_KEYS`` (comma-separated, newest first) allows key rotation; without it a
key is derived from the secret key, so the embedded default needs no setup.
"""

import base64
import functools
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


@functools.cache
def _fernet() -> MultiFernet:
    keys = list(settings.BREAKWATER_FERNET_KEYS)
    if not keys:
        digest = hashlib.sha256(("breakwater-fernet:" + settings.SECRET_KEY).encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(k.strip().encode()) for k in keys])


def encrypt_json(value: Any) -> str:
    return _fernet().encrypt(json.dumps(value).encode()).decode()


def decrypt_json(token: str) -> Any:
    return json.loads(_fernet().decrypt(token.encode()))
