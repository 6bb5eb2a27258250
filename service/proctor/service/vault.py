"""The token vault in Redis, encrypted: ``tokenize`` keeps originals here so
an approved ``Reveal`` can give them back.

Redis never holds an original in clear: each value is sealed with AES-GCM
under a key derived from the mask key (HKDF), with the scope and token as
associated data, so a value cannot be moved to another token or scope. Keys
name a digest of the scope, not the scope. Entries expire server-side.
Claims are atomic (one Lua script), so two Proctor processes tokenizing two
values that collide on one token can never both win.
"""

from __future__ import annotations

import hashlib

import redis
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_CLAIM = """
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""


class RedisVault:
    """:class:`proctor.masking.TokenVault` over a synchronous Redis client."""

    def __init__(self, client: redis.Redis, key: bytes, prefix: str = "proctor") -> None:
        self._client = client
        self._prefix = prefix
        self._aead = AESGCM(
            HKDF(hashes.SHA256(), 32, salt=None, info=b"proctor token vault v1").derive(key)
        )
        self._claim = client.register_script(_CLAIM)

    def _key(self, scope: str, token: str) -> str:
        digest = hashlib.sha256(scope.encode()).hexdigest()[:24]
        return f"{self._prefix}:vault:{{{digest}}}:{token}"

    def _seal(self, scope: str, token: str, original: str) -> bytes:
        # Deterministic nonce per (scope, token, value): sealing the same value
        # twice gives the same bytes, which is what claim() compares.
        nonce = hashlib.sha256(f"{scope}\0{token}\0{original}".encode()).digest()[:12]
        return nonce + self._aead.encrypt(nonce, original.encode(), _aad(scope, token))

    def _open(self, scope: str, token: str, sealed: bytes) -> str | None:
        try:
            return self._aead.decrypt(sealed[:12], sealed[12:], _aad(scope, token)).decode()
        except (InvalidTag, ValueError):
            return None  # not ours, or moved from another token/scope

    def put(self, scope: str, token: str, original: str, ttl_seconds: float) -> None:
        """Store (or refresh) ``token`` → ``original``."""
        self._client.set(
            self._key(scope, token),
            self._seal(scope, token, original),
            px=max(1, int(ttl_seconds * 1000)),
        )

    def get(self, scope: str, token: str) -> str | None:
        """The original, or None (never issued here, expired, or tampered with)."""
        sealed = self._client.get(self._key(scope, token))
        return self._open(scope, token, sealed) if isinstance(sealed, bytes) else None

    def claim(self, scope: str, token: str, original: str, ttl_seconds: float) -> bool:
        """Store unless the token holds another value (atomic)."""
        sealed = self._seal(scope, token, original)
        won = self._claim(
            keys=[self._key(scope, token)],
            args=[sealed, max(1, int(ttl_seconds * 1000))],
        )
        return bool(won)


def _aad(scope: str, token: str) -> bytes:
    return f"proctor-vault\0{scope}\0{token}".encode()
