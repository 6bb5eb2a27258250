"""Token vault: where ``tokenize`` keeps originals so an approved Reveal can
get them back.

Entries are keyed by (scope, token): a token issued in one scope means
nothing in another, so a caller who learns a token cannot reveal it through a
different tenant or conversation. Every entry expires; after that the token is
just an opaque string.

The service backs this with Redis (``SET key value EX ttl``); this module only
defines the interface and an in-memory implementation for tests, local runs
and an embedded SDK.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol


class TokenVault(Protocol):
    """Scoped, expiring storage of token → original."""

    def put(self, scope: str, token: str, original: str, ttl_seconds: float) -> None:
        """Store (or refresh) ``token`` → ``original`` in ``scope`` for
        ``ttl_seconds`` from now."""
        ...

    def get(self, scope: str, token: str) -> str | None:
        """The original behind ``token`` in ``scope``, or ``None`` when it was
        never issued there or has expired."""
        ...

    def claim(self, scope: str, token: str, original: str, ttl_seconds: float) -> bool:
        """Atomically: if ``token`` is free in ``scope`` or already holds
        ``original``, store (refresh) it and return True; if it holds another
        value, change nothing and return False. Two processes tokenizing two
        values that collide on one token can then never both win."""
        ...


class InMemoryVault:
    """A :class:`TokenVault` in a dict, expiring by an injected clock.

    ``clock`` returns seconds (``time.monotonic`` in production, a fake in
    tests). Expired entries are removed when read and swept every
    ``sweep_every`` writes, so memory stays bounded by the live entries.
    """

    def __init__(self, clock: Callable[[], float], sweep_every: int = 4096) -> None:
        self._clock = clock
        self._entries: dict[tuple[str, str], tuple[str, float]] = {}
        self._sweep_every = max(1, sweep_every)
        self._writes = 0
        self._lock = threading.Lock()

    def put(self, scope: str, token: str, original: str, ttl_seconds: float) -> None:
        """Store ``token`` → ``original`` until ``ttl_seconds`` from now."""
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        now = self._clock()
        self._entries[(scope, token)] = (original, now + ttl_seconds)
        self._writes += 1
        if self._writes % self._sweep_every == 0:
            self._sweep(now)

    def get(self, scope: str, token: str) -> str | None:
        """The live original behind ``token`` in ``scope``, else ``None``."""
        entry = self._entries.get((scope, token))
        if entry is None:
            return None
        original, expires_at = entry
        if self._clock() >= expires_at:
            self._entries.pop((scope, token), None)
            return None
        return original

    def claim(self, scope: str, token: str, original: str, ttl_seconds: float) -> bool:
        """Store unless ``token`` holds another live value (atomic)."""
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        key = (scope, token)
        with self._lock:
            # get and put in one, reading the clock once.
            now = self._clock()
            entry = self._entries.get(key)
            if entry is not None and now < entry[1] and entry[0] != original:
                return False
            self._entries[key] = (original, now + ttl_seconds)
            self._writes += 1
            if self._writes % self._sweep_every == 0:
                self._sweep(now)
            return True

    def __len__(self) -> int:
        """Entries held, including expired ones not yet swept."""
        return len(self._entries)

    def _sweep(self, now: float) -> None:
        # A snapshot: another thread may write while we sweep.
        expired = [k for k, (_, expires_at) in list(self._entries.items()) if now >= expires_at]
        for key in expired:
            self._entries.pop(key, None)
