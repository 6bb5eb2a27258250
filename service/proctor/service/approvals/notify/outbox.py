"""A durable notification outbox in Redis: enqueueing is one fast write, so
notifying never blocks or loses an approval; a worker in any Proctor process
delivers, retrying with exponential backoff and jitter, and parks a job that
keeps failing in a dead-letter list (logged and counted).

A job is claimed by moving its due time forward by a lease, atomically (one
Lua script over the due set), so two workers never deliver one job at the
same time and a crashed worker's job comes back when its lease runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgpack
import redis.asyncio as aioredis
from opentelemetry import metrics
from opentelemetry.metrics import Meter
from redis.exceptions import RedisError

log = logging.getLogger("proctor.notify")

LEASE_SECONDS = 60.0
MAX_ATTEMPTS = 10
BASE_DELAY = 1.0
MAX_DELAY = 300.0
DEAD_TTL_SECONDS = 7 * 86400
POLL_SECONDS = 0.5

_CLAIM = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], ARGV[2], id) end
return ids
"""


@dataclass(frozen=True, slots=True)
class Job:
    """One notification to one destination."""

    id: str
    destination: str  # Destination.key
    event: str  # created | decided
    notice: dict[str, Any]
    attempts: int = 0


Deliver = Callable[[Job], Awaitable[None]]  # raises on failure


@dataclass(frozen=True, slots=True)
class OutboxKeys:
    """Every Redis key the notifiers use, under one prefix."""

    prefix: str

    @property
    def due(self) -> str:
        """ZSET: job id → when it is next due."""
        return f"{self.prefix}:notify:due"

    @property
    def dead(self) -> str:
        """LIST of job ids that ran out of attempts."""
        return f"{self.prefix}:notify:dead"

    def job(self, job_id: str) -> str:
        """The msgpack-encoded job."""
        return f"{self.prefix}:notify:job:{job_id}"

    def slack_message(self, approval_id: str, destination: str) -> str:
        """The ``ts`` of the Slack message announcing an approval in one
        channel, so any process can update it when the approval is decided."""
        return f"{self.prefix}:notify:slack-ts:{approval_id}:{destination}"

    def slack_seen(self, digest: str) -> str:
        """A Slack callback already answered (replay protection)."""
        return f"{self.prefix}:slack:seen:{digest}"


class Outbox:
    """Enqueue notifications; deliver them with retries."""

    def __init__(
        self,
        client: aioredis.Redis,
        prefix: str,
        deliver: Deliver,
        clock: Callable[[], float] = time.time,
        max_attempts: int = MAX_ATTEMPTS,
        base_delay: float = BASE_DELAY,
        meter: Meter | None = None,
    ) -> None:
        self._client = client
        self.keys = OutboxKeys(prefix)
        self._deliver = deliver
        self._clock = clock
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._claim = client.register_script(_CLAIM)
        # The instance's meter (Telemetry.meter_provider); the global one is
        # a no-op unless someone installed a provider globally.
        meter = meter or metrics.get_meter("proctor")
        self._sent = meter.create_counter("proctor.notifications.sent")
        self._failed = meter.create_counter("proctor.notifications.failed")
        self._dead = meter.create_counter("proctor.notifications.dead")

    async def enqueue(self, destination: str, event: str, notice: dict[str, Any]) -> str:
        """Store one job, due now; returns its id."""
        job = Job(secrets.token_hex(8), destination, event, notice)
        pipe = self._client.pipeline(transaction=True)
        pipe.set(self.keys.job(job.id), _encode(job))
        pipe.zadd(self.keys.due, {job.id: self._clock()})
        await pipe.execute()
        return job.id

    async def run_once(self, limit: int = 20) -> int:
        """Claim and deliver what is due; returns how many were delivered."""
        now = self._clock()
        ids = await self._claim(keys=[self.keys.due], args=[now, now + LEASE_SECONDS, limit])
        delivered = 0
        for raw_id in ids:
            job_id = raw_id.decode() if isinstance(raw_id, bytes) else str(raw_id)
            raw = await self._client.get(self.keys.job(job_id))
            if raw is None:
                await self._client.zrem(self.keys.due, job_id)
                continue
            job = _decode(raw if isinstance(raw, bytes) else raw.encode())
            try:
                await self._deliver(job)
            except Exception as exc:
                await self._failed_attempt(job, exc)
            else:
                pipe = self._client.pipeline(transaction=True)
                pipe.zrem(self.keys.due, job.id)
                pipe.delete(self.keys.job(job.id))
                await pipe.execute()
                self._sent.add(1, {"destination": job.destination.split(":", 1)[0]})
                delivered += 1
        return delivered

    async def _failed_attempt(self, job: Job, exc: Exception) -> None:
        attempts = job.attempts + 1
        kind = job.destination.split(":", 1)[0]
        self._failed.add(1, {"destination": kind})
        updated = Job(job.id, job.destination, job.event, job.notice, attempts)
        pipe = self._client.pipeline(transaction=True)
        if attempts >= self._max_attempts:
            log.warning(
                "notification %s to %s failed %d times (%s); parked in %s",
                job.id,
                kind,
                attempts,
                type(exc).__name__,
                self.keys.dead,
            )
            pipe.set(self.keys.job(job.id), _encode(updated), ex=DEAD_TTL_SECONDS)
            pipe.zrem(self.keys.due, job.id)
            pipe.lpush(self.keys.dead, job.id)
            self._dead.add(1, {"destination": kind})
        else:
            delay = min(MAX_DELAY, self._base_delay * 2 ** (attempts - 1))
            delay *= 1 + random.random() * 0.2  # noqa: S311 - jitter, not security
            log.info(
                "notification %s to %s failed (%s); retry %d in %.1fs",
                job.id,
                kind,
                type(exc).__name__,
                attempts,
                delay,
            )
            pipe.set(self.keys.job(job.id), _encode(updated))
            pipe.zadd(self.keys.due, {job.id: self._clock() + delay})
        await pipe.execute()

    async def stats(self) -> dict[str, int]:
        """Jobs waiting and parked."""
        return {
            "pending": int(await self._client.zcard(self.keys.due)),
            "dead": int(await self._client.llen(self.keys.dead)),
        }

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop``; Redis trouble only pauses delivery."""
        while not stop.is_set():
            try:
                busy = await self.run_once()
            except (RedisError, OSError) as exc:
                log.warning("notification outbox: %s; retrying", type(exc).__name__)
                busy = 0
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), POLL_SECONDS)


def _encode(job: Job) -> bytes:
    data: bytes = msgpack.packb(
        [job.id, job.destination, job.event, job.notice, job.attempts], use_bin_type=True
    )
    return data


def _decode(raw: bytes) -> Job:
    job_id, destination, event, notice, attempts = msgpack.unpackb(raw, raw=False)
    return Job(job_id, destination, event, notice, int(attempts))
