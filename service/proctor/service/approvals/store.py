"""Approvals in Redis, with atomic transitions.

Each change reads the record under ``WATCH``, applies a pure transition
from :mod:`~proctor.service.approvals.model` and writes it in ``MULTI``; a
concurrent change aborts the transaction and the transition runs again on
the fresh record. So fifty reviewers racing on one approval each see the
state left by the one before, and exactly one of them decides it.

Every transition is published on one channel (``<id> <status>``) so
watchers in any Proctor process sharing the Redis wake up, and handed to
``on_change`` (audit, notifications).
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, WatchError
from redis.exceptions import TimeoutError as RedisTimeoutError

from proctor.service.approvals import model
from proctor.service.approvals.keys import Keys, slot_of_fingerprint
from proctor.service.approvals.model import ApprovalRecord, Ref, Status
from proctor.service.approvals.notice import ReviewRefused, Verdict
from proctor.service.errors import StoreUnavailable

log = logging.getLogger("proctor.approvals")

DEFAULT_RETENTION_SECONDS = 30 * 24 * 3600
MAX_PAGE = 500
DEFAULT_PAGE = 50
# A listing reads at most this many records per call (filters may skip most).
MAX_SCAN = 5000

OnChange = Callable[[ApprovalRecord | None, ApprovalRecord], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ListFilter:
    """ListApprovals filters; ``None`` matches everything."""

    status: Status | None = None
    group: Ref | None = None
    principal: Ref | None = None
    action: Ref | None = None

    def matches(self, record: ApprovalRecord) -> bool:
        """Whether ``record`` passes every filter."""
        return (
            (self.status is None or record.status == self.status)
            and (self.group is None or self.group in record.required_groups)
            and (self.principal is None or record.principal == self.principal)
            and (self.action is None or record.action == self.action)
        )


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing, newest first."""

    records: tuple[ApprovalRecord, ...]
    next_token: str = ""


class ApprovalStore:
    """Approval records in a Redis-protocol server."""

    def __init__(
        self,
        client: aioredis.Redis,
        keys: Keys | None = None,
        clock: Callable[[], float] = time.time,
        retention_seconds: float = DEFAULT_RETENTION_SECONDS,
        on_change: OnChange | None = None,
    ) -> None:
        self.client = client
        self.keys = keys or Keys()
        self.clock = clock
        self.retention_seconds = retention_seconds
        self._on_change = on_change
        # Transactions retried because another writer changed the key first.
        self.conflicts = 0
        self._find_live = client.register_script(_FIND_BY_REQUEST)

    def set_on_change(self, on_change: OnChange | None) -> None:
        """Who hears about transitions (audit, notifiers)."""
        self._on_change = on_change

    # --- reads ------------------------------------------------------------------

    async def get(self, approval_id: str) -> ApprovalRecord | None:
        """The record as of now (an overdue one is expired on the way)."""
        if not _plausible_id(approval_id):
            return None
        raw = await self._call(self.client.get(self.keys.record(approval_id)))
        if raw is None:
            return None
        record = model.decode(raw)
        if model.expire_if_due(record, self.clock()) is not record:
            return await self._transition(
                approval_id, lambda r: model.expire_if_due(r, self.clock())
            )
        return record

    async def list_page(self, filt: ListFilter, page_size: int = 0, token: str = "") -> Page:
        """Approvals matching ``filt``, newest first, ``page_size`` at a time."""
        size = min(page_size or DEFAULT_PAGE, MAX_PAGE)
        max_score, after_id = _parse_token(token)
        found: list[ApprovalRecord] = []
        scanned = 0
        last: tuple[float, str] | None = None
        while len(found) < size and scanned < MAX_SCAN:
            batch: list[tuple[bytes, float]] = await self._call(
                self.client.zrevrangebyscore(
                    self.keys.index, max_score, "-inf", start=0, num=200, withscores=True
                )
            )
            batch = [
                (m, s)
                for m, s in batch
                if not (s == max_score and after_id and m.decode() >= after_id)
            ]
            if not batch:
                last = None
                break
            ids = [m.decode() for m, _ in batch]
            records = await self._get_many(ids)
            for (member, score), record in zip(batch, records, strict=True):
                scanned += 1
                last = (score, member.decode())
                if record is None:
                    await self._call(self.client.zrem(self.keys.index, member))
                elif filt.matches(record):
                    found.append(record)
                    if len(found) == size:
                        break
            if last is None:
                break
            max_score, after_id = last
        more = last is not None and (len(found) == size or scanned >= MAX_SCAN)
        return Page(tuple(found), _make_token(*last) if more and last else "")

    async def _get_many(self, ids: Sequence[str]) -> list[ApprovalRecord | None]:
        pipe = self.client.pipeline(transaction=False)
        for approval_id in ids:
            pipe.get(self.keys.record(approval_id))
        raws = await self._call(pipe.execute())
        now = self.clock()
        out: list[ApprovalRecord | None] = []
        for raw in raws:
            out.append(model.expire_if_due(model.decode(raw), now) if raw else None)
        return out

    # --- transitions ---------------------------------------------------------------

    async def open(
        self,
        fingerprint: str,
        bundle_version: str,
        make: Callable[[str, float], ApprovalRecord],
    ) -> tuple[ApprovalRecord, bool]:
        """The approval for this request: the live one if there is one, else a
        new PENDING one built by ``make(approval_id, now)``. Returns (record,
        created). Identical concurrent requests create exactly one."""
        request_key = self.keys.request(fingerprint, bundle_version)
        slot = slot_of_fingerprint(fingerprint)
        # Fast path, no transaction: a retried request finds its live approval
        # in one round trip (both keys share the request's hash tag).
        # Creating one, or expiring an overdue one, takes the WATCH path below.
        raw = await self._call(
            self._find_live(keys=[request_key], args=[self.keys.record_prefix(slot)])
        )
        if raw:
            found = model.decode(raw)
            now = self.clock()
            if model.expire_if_due(found, now) is found and _live(found, now):
                return found, False
        async with self.client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await self._call(pipe.watch(request_key))
                    current = await self._call(pipe.get(request_key))
                    if current is not None:
                        existing = await self.get(current.decode())
                        if existing is not None and _live(existing, self.clock()):
                            await self._call(pipe.reset())
                            return existing, False
                    now = self.clock()
                    record: ApprovalRecord = make(model.new_approval_id(slot), now)
                    # Index first: a crash after this leaves a dangling id,
                    # which listing drops; the other order could hide a record.
                    await self._index(record)
                    pipe.multi()
                    expire_at = self._expire_at_ms(record)
                    pipe.set(self.keys.record(record.id), model.encode(record), pxat=expire_at)
                    pipe.set(request_key, record.id, pxat=expire_at)
                    await self._call(pipe.execute())
                    break
                except WatchError:
                    self.conflicts += 1
                    continue
        await self._changed(None, record)
        return record, True

    async def review(
        self,
        approval_id: str,
        reviewer: Ref,
        reviewer_groups: Iterable[Ref],
        verdict: Verdict,
        reason: str,
    ) -> ApprovalRecord:
        """Record one review atomically (model.review's rules)."""
        groups = tuple(reviewer_groups)
        return await self._transition(
            approval_id,
            lambda r: model.review(r, reviewer, groups, verdict, reason, self.clock()),
        )

    async def check_grant(
        self, approval_id: str, fingerprint: str, bundle_version: str
    ) -> ApprovalRecord:
        """The record if ``approval_id`` grants exactly this request (read only)."""
        record = await self.get(approval_id)
        if record is None:
            raise model.GrantRefused("approval_invalid", "no such approval (or it was purged)")
        return model.check_grant(record, fingerprint, bundle_version, self.clock())

    async def consume(
        self, approval_id: str, fingerprint: str, bundle_version: str
    ) -> ApprovalRecord:
        """Use the grant once, atomically."""
        return await self._transition(
            approval_id, lambda r: model.consume(r, fingerprint, bundle_version, self.clock())
        )

    async def consume_reveal(
        self, approval_id: str, action_id: str, scope: str, bundle_version: str
    ) -> ApprovalRecord:
        """Use a reveal grant for ``scope`` once, atomically."""
        return await self._transition(
            approval_id,
            lambda r: model.consume_reveal(r, action_id, scope, bundle_version, self.clock()),
        )

    async def sweep(self, limit: int = 100) -> int:
        """Expire what is overdue (pending approvals and unused grants);
        returns how many changed. Safe to run in every process at once."""
        now = self.clock()
        due = await self._call(
            self.client.zrangebyscore(self.keys.due, "-inf", now, start=0, num=limit)
        )
        changed = 0
        for member in due:
            approval_id = member.decode()
            try:
                before = await self._raw(approval_id)
                if before is None:
                    await self._call(self.client.zrem(self.keys.due, member))
                    continue
                after = await self._transition(approval_id, lambda r: model.expire_if_due(r, now))
                changed += after.status != before.status
            except ReviewRefused:  # purged meanwhile
                await self._call(self.client.zrem(self.keys.due, member))
        await self._call(
            self.client.zremrangebyscore(self.keys.index, "-inf", now - self.retention_seconds)
        )
        return changed

    async def _raw(self, approval_id: str) -> ApprovalRecord | None:
        raw = await self._call(self.client.get(self.keys.record(approval_id)))
        return model.decode(raw) if raw else None

    async def _transition(
        self, approval_id: str, change: Callable[[ApprovalRecord], ApprovalRecord]
    ) -> ApprovalRecord:
        if not _plausible_id(approval_id):
            raise ReviewRefused("not_found", f"no approval {approval_id[:40]!r}")
        key = self.keys.record(approval_id)
        async with self.client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await self._call(pipe.watch(key))
                    raw = await self._call(pipe.get(key))
                    if raw is None:
                        raise ReviewRefused("not_found", f"no approval {approval_id}")
                    before = model.decode(raw)
                    after = change(before)  # may raise a refusal: nothing written
                    if after == before:
                        await self._call(pipe.reset())
                        return after
                    pipe.multi()
                    pipe.set(key, model.encode(after), pxat=self._expire_at_ms(after))
                    await self._call(pipe.execute())
                    break
                except WatchError:
                    self.conflicts += 1
                    continue
        await self._index(after)
        await self._changed(before, after)
        return after

    async def _index(self, record: ApprovalRecord) -> None:
        pipe = self.client.pipeline(transaction=False)
        pipe.zadd(self.keys.index, {record.id: record.created_at})
        if record.status == Status.PENDING:
            pipe.zadd(self.keys.due, {record.id: record.expires_at})
        elif record.status == Status.APPROVED:
            pipe.zadd(self.keys.due, {record.id: record.grant_expires_at})
        else:
            pipe.zrem(self.keys.due, record.id)
        await self._call(pipe.execute())

    async def _changed(self, before: ApprovalRecord | None, after: ApprovalRecord) -> None:
        try:
            await self.client.publish(self.keys.events, f"{after.id} {after.status.value}")
        except RedisError as exc:  # watchers also re-read on a timer
            log.warning("could not publish approval event: %s", type(exc).__name__)
        if self._on_change is not None:
            try:
                await self._on_change(before, after)
            except Exception as exc:  # a listener never undoes a recorded transition
                log.error("approval listener failed: %s", type(exc).__name__)

    def _expire_at_ms(self, record: ApprovalRecord) -> int:
        return int((record.living_until() + self.retention_seconds) * 1000)

    async def _call(self, awaitable: Awaitable[Any]) -> Any:
        try:
            return await awaitable
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise StoreUnavailable(type(exc).__name__) from None


# KEYS[1]: a request key; ARGV[1]: the record key prefix of its slot. The
# record it points at, or nil.
_FIND_BY_REQUEST = """
local id = redis.call('GET', KEYS[1])
if not id then return false end
return redis.call('GET', ARGV[1] .. id)
"""


def _live(record: ApprovalRecord, now: float) -> bool:
    """Whether a retried request should get this approval back rather than a
    new one: pending or approved, or denied recently (asking again right
    after a denial must not reach reviewers again until the ttl has passed)."""
    if record.status in (Status.PENDING, Status.APPROVED):
        return True
    return record.status == Status.DENIED and now < record.decided_at + record.ttl_seconds


def _plausible_id(approval_id: str) -> bool:
    return (
        approval_id.startswith("apr_")
        and 12 <= len(approval_id) <= 64
        and all(c in "0123456789abcdef" for c in approval_id[4:])
    )


def _make_token(score: float, approval_id: str) -> str:
    return base64.urlsafe_b64encode(f"{score!r}|{approval_id}".encode()).decode()


def _parse_token(token: str) -> tuple[float | str, str]:
    if not token:
        return "+inf", ""
    try:
        score, _, approval_id = base64.urlsafe_b64decode(token.encode()).decode().partition("|")
        return float(score), approval_id
    except ValueError:
        raise ValueError("page_token is not one this server issued") from None
