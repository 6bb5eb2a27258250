"""Wake-ups for watchers: one Redis pub/sub subscription per process feeds
every local ``WatchApproval`` stream, so waiting agents cost no polling.

Messages only say *which* approval changed; watchers re-read the record.
Watchers also re-read on a timer, so a lost message (or a Redis restart)
delays an update by at most that interval and loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import redis.asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger("proctor.approvals")

RECONNECT_SECONDS = 1.0


class EventHub:
    """Per-process fan-out of approval change events."""

    def __init__(self, client: aioredis.Redis, channel: str) -> None:
        self._client = client
        self._channel = channel
        self._waiters: dict[str, set[asyncio.Event]] = {}

    def changed(self, approval_id: str) -> None:
        """Wake everyone waiting on ``approval_id`` (also called locally by the
        store's listener, so this process never depends on pub/sub for its own
        changes)."""
        for event in self._waiters.get(approval_id, ()):
            event.set()

    async def wait(self, approval_id: str, timeout: float) -> None:
        """Until ``approval_id`` changes or ``timeout`` seconds pass."""
        event = asyncio.Event()
        self._waiters.setdefault(approval_id, set()).add(event)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout)
        finally:
            waiters = self._waiters.get(approval_id)
            if waiters is not None:
                waiters.discard(event)
                if not waiters:
                    del self._waiters[approval_id]

    async def run(self, stop: asyncio.Event) -> None:
        """Listen until ``stop``, resubscribing after connection failures."""
        while not stop.is_set():
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self._channel)
                while not stop.is_set():
                    message = await pubsub.get_message(timeout=0.5)
                    if message and isinstance(message.get("data"), bytes):
                        approval_id, _, _status = message["data"].decode().partition(" ")
                        self.changed(approval_id)
            except (RedisError, OSError) as exc:
                log.warning("approval events: %s; resubscribing", type(exc).__name__)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), RECONNECT_SECONDS)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()
