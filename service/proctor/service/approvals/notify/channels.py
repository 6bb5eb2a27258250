"""Messages for humans: Slack (Block Kit with Approve/Deny buttons), Teams
(an Adaptive Card linking to the review), and a signed generic webhook.
They carry only a :class:`~proctor.service.approvals.notice.Notice`, which
is masked already."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import re
import time
from typing import Any

import aiohttp
import redis.asyncio as aioredis
from slack_sdk.web.async_client import AsyncWebClient

from proctor.service.approvals.notice import Notice
from proctor.service.approvals.notify.config import Destination, NotifyConfig
from proctor.service.approvals.notify.outbox import OutboxKeys

CONTEXT_LIMIT = 2500  # Slack section text is capped at 3000 characters
APPROVE_ACTION = "proctor_approve"
DENY_ACTION = "proctor_deny"
# Below the outbox lease (60 s), so one delivery never outlives its claim;
# the outbox retries, so the Slack client does not.
HTTP_TIMEOUT_SECONDS = 10
# How long the Slack message ts is kept after the approval expires.
SLACK_TS_GRACE_SECONDS = 7 * 86400
_MRKDWN_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_BACKTICK_RUN = re.compile(r"`(?=`)")  # a backtick followed by another


class DeliveryError(Exception):
    """A destination did not accept the message (retried by the outbox)."""


def notice_to_dict(notice: Notice) -> dict[str, Any]:
    """The notice as plain data (outbox jobs, webhook bodies)."""
    return dataclasses.asdict(notice)


def _expires(notice: Notice) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(notice.expires_at))


def summary(notice: Notice) -> str:
    """One line: who wants to do what."""
    return f"{notice.principal} asks to {notice.action} on {notice.resource}"


def mrkdwn(text: str) -> str:
    """``text`` as literal Slack mrkdwn: ``&``, ``<`` and ``>`` escaped, so
    entity ids and request values cannot mention ``<!channel>`` or plant
    ``<https://…|links>`` in a reviewer's message."""
    return "".join(_MRKDWN_ESCAPES.get(c, c) for c in text)


def code_block(text: str, limit: int = CONTEXT_LIMIT) -> str:
    """``text`` escaped inside a fenced block, at most ``limit`` characters
    of content; a fence inside ``text`` is broken so the block cannot end early."""
    out: list[str] = []
    size = 0
    for c in _BACKTICK_RUN.sub("`\u200b", text):
        piece = _MRKDWN_ESCAPES.get(c, c)
        if size + len(piece) > limit:
            out.append(" …")
            break
        out.append(piece)
        size += len(piece)
    return "```" + "".join(out) + "```"


def slack_blocks(notice: Notice, event: str, review_url: str = "") -> list[dict[str, Any]]:
    """Block Kit for a new approval (with buttons) or a decided one (without)."""
    needs = "\n".join(
        mrkdwn(f"• {r.quorum} from {r.group} ({r.approvals} so far)") for r in notice.requirements
    )
    lines = [f"*{mrkdwn(summary(notice))}*"]
    if notice.on_behalf_of:
        lines.append(mrkdwn(f"acting for {notice.on_behalf_of}"))
    lines.append(mrkdwn(f"policies: {', '.join(notice.policy_ids)}"))
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Approval needed"[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Needs*\n{needs}"}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"*Context (masked)*\n{code_block(notice.review_context_json)}",
            },
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": mrkdwn(
                        f"{notice.approval_id} · expires {_expires(notice)} · "
                        f"decision {notice.decision_id}"
                    ),
                }
            ],
        },
    ]
    if event == "created" and notice.status == "PENDING":
        buttons: list[dict[str, Any]] = [
            {
                "type": "button",
                "action_id": APPROVE_ACTION,
                "style": "primary",
                "text": {"type": "plain_text", "text": "Approve"},
                "value": notice.approval_id,
            },
            {
                "type": "button",
                "action_id": DENY_ACTION,
                "style": "danger",
                "text": {"type": "plain_text", "text": "Deny"},
                "value": notice.approval_id,
            },
        ]
        if review_url:
            buttons.append(
                {
                    "type": "button",
                    "action_id": "proctor_open",
                    "text": {"type": "plain_text", "text": "Open"},
                    "url": review_url.format(id=notice.approval_id),
                }
            )
        blocks.append({"type": "actions", "elements": buttons})
    else:
        blocks[0] = {
            "type": "header",
            "text": {"type": "plain_text", "text": f"Approval {notice.status.lower()}"},
        }
    return blocks


def teams_card(notice: Notice, event: str, review_url: str) -> dict[str, Any]:
    """An incoming-webhook message with one Adaptive Card."""
    facts = [
        {"title": "Action", "value": notice.action},
        {"title": "Resource", "value": notice.resource},
        {"title": "Principal", "value": notice.principal},
        {"title": "Acting for", "value": notice.on_behalf_of or "—"},
        {
            "title": "Needs",
            "value": "; ".join(f"{r.quorum} from {r.group}" for r in notice.requirements),
        },
        {"title": "Status", "value": notice.status},
        {"title": "Expires", "value": _expires(notice)},
    ]
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "size": "Medium",
            "weight": "Bolder",
            "text": "Approval needed"
            if event == "created"
            else f"Approval {notice.status.lower()}",
        },
        {"type": "TextBlock", "text": summary(notice), "wrap": True},
        {"type": "FactSet", "facts": facts},
    ]
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if review_url:
        card["actions"] = [
            {
                "type": "Action.OpenUrl",
                "title": "Review",
                "url": review_url.format(id=notice.approval_id),
            }
        ]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """``v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"v1={mac.hexdigest()}"


class Channels:
    """Delivers one notice to one destination."""

    def __init__(
        self,
        config: NotifyConfig,
        session: aiohttp.ClientSession,
        client: aioredis.Redis,
        keys: OutboxKeys,
    ) -> None:
        self._config = config
        self._session = session
        self._client = client
        self._keys = keys
        self._by_key = {d.key: d for r in config.routes for d in r.destinations}
        self._slack = (
            AsyncWebClient(
                token=config.slack.bot_token,
                base_url=config.slack.api_url,
                session=session,
                timeout=HTTP_TIMEOUT_SECONDS,
                retry_handlers=[],
            )
            if config.slack
            else None
        )

    def destination(self, key: str) -> Destination | None:
        """A configured destination by its key."""
        return self._by_key.get(key)

    async def deliver(self, key: str, event: str, notice: Notice) -> None:
        """Send; DeliveryError (or a transport error) means try again later."""
        destination = self._by_key.get(key)
        if destination is None:
            raise DeliveryError(f"destination {key} is no longer configured")
        if destination.kind == "slack":
            await self._to_slack(destination, event, notice)
        elif destination.kind == "teams":
            await self._post(destination.target, teams_card(notice, event, self._config.review_url))
        else:
            await self._to_webhook(destination, event, notice)

    async def _to_slack(self, destination: Destination, event: str, notice: Notice) -> None:
        assert self._slack is not None
        blocks = slack_blocks(notice, event, self._config.review_url)
        ts_key = self._keys.slack_message(notice.approval_id, destination.key)
        raw_ts = await self._client.get(ts_key) if event != "created" else None
        ts = raw_ts.decode() if isinstance(raw_ts, bytes) else raw_ts
        if ts:
            response = await self._slack.chat_update(
                channel=destination.target, ts=ts, text=summary(notice), blocks=blocks
            )
        else:
            response = await self._slack.chat_postMessage(
                channel=destination.target, text=summary(notice), blocks=blocks
            )
        if not response.get("ok"):
            raise DeliveryError(f"slack answered {response.get('error')}")
        if event == "created" and isinstance(response.get("ts"), str):
            keep = max(0, int(notice.expires_at - time.time())) + SLACK_TS_GRACE_SECONDS
            await self._client.set(ts_key, response["ts"].encode(), ex=keep)

    async def _to_webhook(self, destination: Destination, event: str, notice: Notice) -> None:
        body = json.dumps(
            {"event": event, "approval": notice_to_dict(notice)}, sort_keys=True
        ).encode()
        stamp = str(int(time.time()))
        await self._post(
            destination.target,
            body,
            {
                "X-Proctor-Timestamp": stamp,
                "X-Proctor-Signature": webhook_signature(destination.secret, stamp, body),
            },
        )

    async def _post(
        self, url: str, body: dict[str, Any] | bytes, headers: dict[str, str] | None = None
    ) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        async with self._session.post(
            url,
            data=data,
            headers={"Content-Type": "application/json", **(headers or {})},
            timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT_SECONDS),
        ) as response:
            if response.status // 100 != 2:
                raise DeliveryError(f"HTTP {response.status}")
