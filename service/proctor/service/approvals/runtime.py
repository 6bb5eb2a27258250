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
from proctor.service.approvals.auth import Authenticator, Identity
from proctor.service.approvals.backend import ReviewContextMasker, StoreBackend
from proctor.service.approvals.desk import ReviewDesk
from proctor.service.approvals.events import EventHub
from proctor.service.approvals.keys import Keys
from proctor.service.approvals.model import ApprovalRecord, parse_ref, ref_str
from proctor.service.approvals.notice import Notice, NoticeRequirement, ReviewRefused, Verdict
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

    def notice(self, record: ApprovalRecord) -> Notice:
        """What humans are told about ``record`` (masked already)."""
        return notice_of(record)

    async def review_as(
        self, approval_id: str, reviewer: str, verdict: Verdict, reason: str
    ) -> Notice:
        """Review for an identity a front end has authenticated (Slack's signed
        callback names a Slack user the configuration maps to ``reviewer``)."""
        try:
            identity = Identity(parse_ref(reviewer), frozenset(), "slack")
        except ValueError:
            raise ReviewRefused("permission_denied", "reviewer is not an entity") from None
        return notice_of(await self.desk.review(approval_id, identity, verdict, reason))

    def notify_with(self, notify: Callable[[Notice, str], Awaitable[None]]) -> None:
        """Tell ``notify`` about new approvals ("created") and decided ones
        ("decided"); partial reviews are not announced."""

        async def listener(before: ApprovalRecord | None, after: ApprovalRecord) -> None:
            if before is None:
                await notify(notice_of(after), "created")
            elif before.status != after.status:
                await notify(notice_of(after), "decided")

        self.listeners.append(listener)

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


def notice_of(record: ApprovalRecord) -> Notice:
    """An approval as notifiers show it."""
    approvals = record.approvals_by_group()
    return Notice(
        approval_id=record.id,
        status=record.status.value,
        principal=ref_str(record.principal),
        action=ref_str(record.action),
        resource=ref_str(record.resource),
        on_behalf_of=ref_str(record.on_behalf_of) if record.on_behalf_of else "",
        requirements=tuple(
            NoticeRequirement(ref_str(r.group), r.quorum, approvals.get(r.group, 0), r.policy_ids)
            for r in record.requirements
        ),
        policy_ids=record.policy_ids,
        review_context_json=record.review_context_json,
        decision_id=record.decision_id,
        bundle_version=record.bundle_version,
        created_at=record.created_at,
        expires_at=record.expires_at,
        trace_id=record.trace_id,
        span_id=record.span_id,
    )
