"""Notifying reviewers: Slack, Microsoft Teams and signed webhooks, routed
per approver group, delivered through a durable outbox, and Slack's
interactive callback (Approve/Deny buttons) applied under the same review
rules as the API.

    notifier = Notifier(config, redis_client, prefix, review_fn, meter=meter)
    await notifier.notify(notice, "created")     # never raises, never blocks
    await notifier.run(stop)                      # the delivery worker
    app = notifier.app()                          # aiohttp app: /slack/interactions
    await notifier.stats()                        # {"pending": …, "dead": …}
    await notifier.close()                        # after run() and the HTTP server
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import redis.asyncio as aioredis
from aiohttp import web
from opentelemetry import metrics
from opentelemetry.metrics import Meter
from slack_sdk.signature import Clock as SlackClock
from slack_sdk.signature import SignatureVerifier

from proctor.service.approvals.model import parse_ref, ref_str
from proctor.service.approvals.notice import (
    Notice,
    NoticeRequirement,
    ReviewFn,
    ReviewRefused,
    Verdict,
)
from proctor.service.approvals.notify.channels import (
    APPROVE_ACTION,
    DENY_ACTION,
    HTTP_TIMEOUT_SECONDS,
    Channels,
    notice_to_dict,
)
from proctor.service.approvals.notify.config import NotifyConfig, load_notify_config
from proctor.service.approvals.notify.outbox import Job, Outbox

log = logging.getLogger("proctor.notify")

REPLAY_WINDOW_SECONDS = 600

__all__ = ["Notifier", "NotifyConfig", "load_notify_config", "start_http"]


def notice_from_dict(data: dict[str, Any]) -> Notice:
    """Inverse of ``notice_to_dict`` (outbox jobs)."""
    fields = dict(data)
    fields["requirements"] = tuple(
        NoticeRequirement(r["group"], r["quorum"], r["approvals"], tuple(r["policy_ids"]))
        for r in data["requirements"]
    )
    fields["policy_ids"] = tuple(data["policy_ids"])
    return Notice(**fields)


class _Clock(SlackClock):
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock

    def now(self) -> float:
        return self._clock()


class Notifier:
    """Routes notices to destinations and takes Slack's button presses."""

    def __init__(
        self,
        config: NotifyConfig,
        client: aioredis.Redis,
        prefix: str,
        review: ReviewFn,
        clock: Callable[[], float] = time.time,
        meter: Meter | None = None,
    ) -> None:
        self._config = config
        self._client = client
        self._review = review
        self._clock = clock
        self._session: aiohttp.ClientSession | None = None
        # Told of every delivered notification (notice, destination kind, event).
        self.on_sent: Callable[[Notice, str, str], None] | None = None
        self._channels: Channels | None = None
        self._replies: set[asyncio.Task[None]] = set()
        meter = meter or metrics.get_meter("proctor")
        self._unqueued = meter.create_counter("proctor.notifications.unqueued")
        self.outbox = Outbox(client, prefix, self._deliver, clock, meter=meter)
        self.keys = self.outbox.keys
        self._verifier = (
            SignatureVerifier(config.slack.signing_secret, _Clock(clock)) if config.slack else None
        )

    async def notify(self, notice: Notice, event: str) -> None:
        """Queue the notice for every destination routed to its groups. Never
        raises: a failure is logged and counted (``proctor.notifications.unqueued``)."""
        try:
            groups = frozenset(parse_ref(r.group) for r in notice.requirements)
            for destination in self._config.destinations_for(groups):
                await self.outbox.enqueue(destination.key, event, notice_to_dict(notice))
        except Exception as exc:  # a notification never fails an approval
            self._unqueued.add(1)
            log.error(
                "could not queue notification for %s: %s", notice.approval_id, type(exc).__name__
            )

    async def stats(self) -> dict[str, int]:
        """Notifications waiting (``pending``) and given up on (``dead``)."""
        return await self.outbox.stats()

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT_SECONDS)
            )
        return self._session

    async def _deliver(self, job: Job) -> None:
        if self._channels is None:
            self._channels = Channels(self._config, self._http(), self._client, self.keys)
        notice = notice_from_dict(job.notice)
        await self._channels.deliver(job.destination, job.event, notice)
        if self.on_sent is not None:
            self.on_sent(notice, job.destination.split(":", 1)[0], job.event)

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver queued notifications until ``stop``."""
        try:
            await self.outbox.run(stop)
        finally:
            await self.close()

    async def close(self) -> None:
        """Finish answering Slack and close the HTTP client (idempotent)."""
        if self._replies:
            await asyncio.gather(*self._replies, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None
            self._channels = None

    def app(self) -> web.Application:
        """The HTTP endpoint: POST /slack/interactions, GET /healthz."""
        app = web.Application(client_max_size=64 * 1024)
        app.router.add_post("/slack/interactions", self._slack_interaction)
        app.router.add_get("/healthz", _healthz)
        return app

    async def _slack_interaction(self, request: web.Request) -> web.Response:
        if self._verifier is None or self._config.slack is None:
            return web.Response(status=404, text="slack is not configured")
        body = await request.read()
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not stamp.isdigit() or not self._verifier.is_valid(body, stamp, signature):
            log.warning("slack callback with a bad signature or stale timestamp refused")
            return web.Response(status=401, text="invalid signature or stale timestamp")
        seen = hashlib.sha256(f"{stamp}:{signature}".encode()).hexdigest()
        fresh = await self._client.set(
            self.keys.slack_seen(seen), b"1", nx=True, ex=REPLAY_WINDOW_SECONDS
        )
        if not fresh:
            log.warning("replayed slack callback refused")
            return web.Response(status=409, text="replayed request")
        try:
            payload = json.loads(parse_qs(body.decode())["payload"][0])
            user = str(payload["user"]["id"])
            action = payload["actions"][0]
            verdicts: dict[str, Verdict] = {APPROVE_ACTION: "approve", DENY_ACTION: "deny"}
            verdict = verdicts[action["action_id"]]
            approval_id = str(action["value"])
            response_url = str(payload.get("response_url") or "")
        except (KeyError, IndexError, ValueError, TypeError):
            return web.Response(status=400, text="not a Proctor block action")
        reviewer = self._config.slack.users.get(user)
        if reviewer is None:
            text = "Your Slack account is not mapped to a Proctor reviewer; nothing was recorded."
        else:
            try:
                notice = await self._review(
                    approval_id, ref_str(reviewer), verdict, f"via Slack by {user}"
                )
            except ReviewRefused as refused:
                text = f"Not recorded: {refused.message}"
            else:
                text = f"Recorded: {verdict} on {approval_id}; it is now {notice.status.lower()}."
        # Slack shows nothing of the answer to a block action: a message for
        # the reviewer goes to the payload's response_url (signed, so Slack's).
        if response_url.startswith(("https://", "http://")):
            task = asyncio.create_task(self._respond(response_url, text))
            self._replies.add(task)
            task.add_done_callback(self._replies.discard)
        return web.Response(status=200)

    async def _respond(self, response_url: str, text: str) -> None:
        body = {"response_type": "ephemeral", "replace_original": False, "text": text}
        try:
            async with self._http().post(response_url, json=body) as response:
                if response.status // 100 != 2:
                    log.warning("slack response_url answered HTTP %d", response.status)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("could not answer a slack callback: %s", type(exc).__name__)


async def _healthz(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def start_http(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Serve ``app``; returns the runner (``await runner.cleanup()``) and the bound port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = site._server
    sockets = getattr(server, "sockets", None) or []
    bound = sockets[0].getsockname()[1] if sockets else port
    return runner, int(bound)
