"""The approvals side of one Proctor instance, assembled from a Redis client
and settings: store, decision backend, review desk, watchers' event hub,
authentication, and the background work (expiry sweeps, events,
notifications)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import redis.asyncio as aioredis

from proctor.masking import Detector
from proctor.service.approvals.auth import Authenticator
from proctor.service.approvals.backend import ReviewContextMasker, StoreBackend
from proctor.service.approvals.desk import ReviewDesk
from proctor.service.approvals.events import EventHub
from proctor.service.approvals.keys import Keys
from proctor.service.approvals.model import ApprovalRecord
from proctor.service.approvals.store import DEFAULT_RETENTION_SECONDS, ApprovalStore
from proctor.service.bundle import Bundle
from proctor.service.errors import StoreUnavailable

log = logging.getLogger("proctor.approvals")

SWEEP_SECONDS = 2.0

Listener = Callable[[ApprovalRecord | None, ApprovalRecord], Awaitable[None]]


@dataclass
class Approvals:
    """Everything approvals need at run time."""

    store: ApprovalStore
    backend: StoreBackend
    desk: ReviewDesk
    hub: EventHub
    authenticator: Authenticator
    insecure_dev: bool = False
    listeners: list[Listener] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        client: aioredis.Redis,
        bundles: Callable[[], Bundle | None],
        detector: Detector,
        authenticator: Authenticator,
        *,
        prefix: str = "proctor",
        retention_seconds: float = DEFAULT_RETENTION_SECONDS,
        insecure_dev: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> Approvals:
        """Wire the pieces over one Redis client."""
        keys = Keys(prefix)
        store = ApprovalStore(client, keys, clock, retention_seconds)
        masker = ReviewContextMasker(detector)
        hub = EventHub(client, keys.events)
        approvals = cls(
            store=store,
            backend=StoreBackend(store, masker),
            desk=ReviewDesk(store, bundles, masker),
            hub=hub,
            authenticator=authenticator,
            insecure_dev=insecure_dev,
        )
        store.set_on_change(approvals._on_change)
        return approvals

    async def _on_change(self, before: ApprovalRecord | None, after: ApprovalRecord) -> None:
        self.hub.changed(after.id)
        log.info(
            "approval %s %s -> %s",
            after.id,
            before.status.value if before else "(new)",
            after.status.value,
        )
        for listener in self.listeners:
            try:
                await listener(before, after)
            except Exception as exc:  # one listener never blocks another
                log.error("approval listener failed: %s", type(exc).__name__)

    async def run(self, stop: asyncio.Event) -> None:
        """Background work until ``stop``: events and expiry sweeps."""
        hub = asyncio.create_task(self.hub.run(stop))
        try:
            while not stop.is_set():
                # Redis down: decisions report it; sweeping resumes when it is back.
                with contextlib.suppress(StoreUnavailable):
                    await self.store.sweep()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), SWEEP_SECONDS)
        finally:
            await hub
