"""Notifiers against real HTTP receivers (stand-ins for Slack's Web API,
Teams and a webhook consumer, run in the test) and a real Redis outbox."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
import redis.asyncio as aioredis
from aiohttp import web

from proctor.service.approvals.notice import Notice, NoticeRequirement, ReviewRefused
from proctor.service.approvals.notify import Notifier, load_notify_config, start_http
from proctor.service.approvals.notify.channels import webhook_signature
from proctor.service.approvals.notify.outbox import Outbox
from proctor.service.config import ConfigError

pytestmark = pytest.mark.integration

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ENV = {
    "SLACK_BOT_TOKEN": "xoxb-test",
    "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    "TEAMS_URL": "",
    "HOOK_SECRET": "hook-secret-0123456789",
}


def notice(approval_id: str = "apr_0123abcd" + "1" * 24) -> Notice:
    return Notice(
        approval_id=approval_id,
        status="PENDING",
        principal='Agent::"care-assistant"',
        action='Action::"export_patient_data"',
        resource='Dataset::"oncology-cohort-2026"',
        on_behalf_of='User::"dr-lee"',
        requirements=(NoticeRequirement('Group::"privacy-office"', 1, 0, ("export-gate",)),),
        policy_ids=("export-gate",),
        review_context_json='{"context": {"destination": "s3://hospital-research/x", "rows": 12}}',
        decision_id="dec_1",
        bundle_version="sha256:v1",
        created_at=time.time(),
        expires_at=time.time() + 900,
    )


class Receiver:
    """A real HTTP server recording what it is sent; fails the first
    ``failures`` requests with 500."""

    def __init__(self, failures: int = 0) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.failures = failures
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.requests.append((request.path, dict(request.headers), body))
        if self.failures > 0:
            self.failures -= 1
            return web.Response(status=500)
        if request.path.startswith("/api/chat."):
            return web.json_response({"ok": True, "ts": "1700000000.000100", "channel": "C1"})
        return web.Response(text="ok")

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self.runner, port = await start_http(app, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


def write_config(tmp_path: Path, receiver_url: str, extra: str = "") -> Path:
    path = tmp_path / "notify.yaml"
    path.write_text(
        f"""
review_url: "https://proctor.example.org/approvals/{{id}}"
slack:
  bot_token_env: SLACK_BOT_TOKEN
  signing_secret_env: SLACK_SIGNING_SECRET
  api_url: "{receiver_url}/api/"
  users: {{U_IVAN: 'User::"ivan"'}}
routes:
  - group: 'Group::"privacy-office"'
    slack: {{channel: C_PRIVACY}}
    webhook: {{url: "{receiver_url}/hook", secret_env: HOOK_SECRET}}
  - group: 'Group::"security"'
    teams: {{webhook_url_env: TEAMS_URL}}
{extra}"""
    )
    return path


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_config_errors_name_the_key(tmp_path: Path) -> None:
    good = write_config(tmp_path, "http://127.0.0.1:9")
    env = {**ENV, "TEAMS_URL": "http://127.0.0.1:9/teams"}
    config = load_notify_config(good, env)
    assert [d.kind for d in config.destinations_for(frozenset({("Group", "privacy-office")}))] == [
        "slack",
        "webhook",
    ]
    with pytest.raises(ConfigError, match="TEAMS_URL is not set"):
        load_notify_config(good, ENV)
    bad = tmp_path / "bad.yaml"
    bad.write_text("routes:\n  - group: '*'\n    slak: {channel: C1}\n")
    with pytest.raises(ConfigError, match=r"routes\[0\]: unknown key `slak`"):
        load_notify_config(bad, ENV)
    bad.write_text(
        "routes:\n  - group: privacy-office\n    webhook: {url: 'https://x', secret_env: HOOK_SECRET}\n"
    )
    with pytest.raises(ConfigError, match=r"routes\[0\].group: expected an entity"):
        load_notify_config(bad, ENV)
    bad.write_text("routes: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_notify_config(bad, ENV)


def test_slack_and_webhook_get_the_masked_notice_and_the_webhook_is_retried(
    tmp_path: Path, redis_server_url: str, redis_prefix: str
) -> None:
    async def scenario() -> None:
        async with Receiver(failures=0) as slack_api, Receiver(failures=2) as hook:
            config = write_config(tmp_path, slack_api.url)
            # Route the webhook to the failing receiver.
            text = config.read_text().replace(f"{slack_api.url}/hook", f"{hook.url}/hook")
            config.write_text(text)
            cfg = load_notify_config(config, {**ENV, "TEAMS_URL": f"{hook.url}/teams"})
            client = aioredis.Redis.from_url(redis_server_url)
            clock = Clock()
            notifier = Notifier(cfg, client, redis_prefix, _never, clock)
            await notifier.notify(notice(), "created")
            assert (await notifier.outbox.stats())["pending"] == 2
            assert await notifier.outbox.run_once() == 1  # slack ok, webhook 500
            for _ in range(5):  # backoff: due again only after the clock moves
                clock.now += 60
                await notifier.outbox.run_once()
            assert await notifier.outbox.stats() == {"pending": 0, "dead": 0}
            assert len(hook.requests) == 3  # two failures, then delivered
            _path, headers, body = hook.requests[-1]
            stamp = headers["X-Proctor-Timestamp"]
            assert headers["X-Proctor-Signature"] == webhook_signature(
                ENV["HOOK_SECRET"], stamp, body
            )
            sent = json.loads(body)
            assert sent["event"] == "created"
            assert sent["approval"]["approval_id"] == notice().approval_id
            ((slack_path, _, slack_body),) = slack_api.requests
            assert slack_path == "/api/chat.postMessage"
            sent_to_slack = _form_or_json(slack_body)
            assert sent_to_slack["channel"] == "C_PRIVACY"
            blocks = sent_to_slack["blocks"]
            if isinstance(blocks, str):
                blocks = json.loads(blocks)
            actions = next(b for b in blocks if b["type"] == "actions")["elements"]
            assert [(a.get("action_id"), a.get("value")) for a in actions][:2] == [
                ("proctor_approve", notice().approval_id),
                ("proctor_deny", notice().approval_id),
            ]
            if notifier._session is not None:
                await notifier._session.close()
            await client.aclose()

    asyncio.run(scenario())


def _form_or_json(body: bytes) -> dict[str, Any]:
    try:
        doc: dict[str, Any] = json.loads(body)
    except ValueError:
        from urllib.parse import parse_qsl

        doc = dict(parse_qsl(body.decode()))
    return doc


def test_teams_gets_an_adaptive_card_with_a_review_link(
    tmp_path: Path, redis_server_url: str, redis_prefix: str
) -> None:
    async def scenario() -> None:
        async with Receiver() as teams:
            cfg = load_notify_config(
                write_config(tmp_path, "http://127.0.0.1:9"), {**ENV, "TEAMS_URL": f"{teams.url}/t"}
            )
            client = aioredis.Redis.from_url(redis_server_url)
            notifier = Notifier(cfg, client, redis_prefix, _never)
            security = _with_group('Group::"security"')
            await notifier.notify(security, "created")
            assert await notifier.outbox.run_once() == 1
            ((_path, _, body),) = teams.requests
            card = json.loads(body)["attachments"][0]
            assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
            assert card["content"]["actions"][0]["url"].endswith(security.approval_id)
            assert notifier._session is not None
            await notifier._session.close()
            await client.aclose()

    asyncio.run(scenario())


def _with_group(group: str) -> Notice:
    n = notice()
    return Notice(
        n.approval_id,
        n.status,
        n.principal,
        n.action,
        n.resource,
        n.on_behalf_of,
        (NoticeRequirement(group, 2, 0, ("gate",)),),
        n.policy_ids,
        n.review_context_json,
        n.decision_id,
        n.bundle_version,
        n.created_at,
        n.expires_at,
    )


async def _never(*_args: Any) -> Notice:
    raise AssertionError("no review expected")


def test_a_destination_that_keeps_failing_is_parked_not_lost(
    redis_server_url: str, redis_prefix: str
) -> None:
    async def scenario() -> None:
        client = aioredis.Redis.from_url(redis_server_url)
        clock = Clock()

        async def fail(_job: Any) -> None:
            raise aiohttp.ClientConnectionError("down")

        outbox = Outbox(client, redis_prefix, fail, clock, max_attempts=3)
        job_id = await outbox.enqueue("webhook:x", "created", {"approval_id": "a"})
        for _ in range(6):
            await outbox.run_once()
            clock.now += 600
        assert await outbox.stats() == {"pending": 0, "dead": 1}
        assert await client.lrange(outbox.keys.dead, 0, -1) == [job_id.encode()]
        assert await client.exists(outbox.keys.job(job_id))  # kept for inspection
        await client.aclose()

    asyncio.run(scenario())


def test_two_workers_deliver_each_job_exactly_once(
    redis_server_url: str, redis_prefix: str
) -> None:
    async def scenario() -> None:
        client = aioredis.Redis.from_url(redis_server_url)
        delivered: list[str] = []

        async def deliver(job: Any) -> None:
            await asyncio.sleep(0.001)
            delivered.append(job.notice["n"])

        a = Outbox(client, redis_prefix, deliver)
        b = Outbox(client, redis_prefix, deliver)
        for n in range(50):
            await a.enqueue("webhook:x", "created", {"n": str(n)})
        stop = asyncio.Event()
        workers = [asyncio.create_task(w.run(stop)) for w in (a, b)]
        for _ in range(200):
            if len(delivered) >= 50 and (await a.stats())["pending"] == 0:
                break
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.gather(*workers)
        assert sorted(delivered, key=int) == [str(n) for n in range(50)]
        await client.aclose()

    asyncio.run(scenario())


def _signed(body: bytes, stamp: int, secret: str = SIGNING_SECRET) -> dict[str, str]:
    base = f"v0:{stamp}:".encode() + body
    sig = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": str(stamp),
        "X-Slack-Signature": sig,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def _press(user: str, action_id: str = "proctor_approve") -> bytes:
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "actions": [{"action_id": action_id, "value": notice().approval_id}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def test_slack_callbacks_are_verified_and_applied_under_the_review_rules(
    tmp_path: Path, redis_server_url: str, redis_prefix: str
) -> None:
    calls: list[tuple[str, str, str, str]] = []

    async def review(approval_id: str, reviewer: str, verdict: Any, reason: str) -> Notice:
        calls.append((approval_id, reviewer, verdict, reason))
        if len(calls) > 1:
            raise ReviewRefused(
                "failed_precondition", f"approval {approval_id} is already approved"
            )
        return _approved()

    async def scenario() -> None:
        client = aioredis.Redis.from_url(redis_server_url)
        cfg = load_notify_config(
            write_config(tmp_path, "http://127.0.0.1:9"), {**ENV, "TEAMS_URL": "http://x/t"}
        )
        clock = Clock()
        notifier = Notifier(cfg, client, redis_prefix, review, clock)
        runner, port = await start_http(notifier.app(), "127.0.0.1", 0)
        url = f"http://127.0.0.1:{port}/slack/interactions"
        async with aiohttp.ClientSession() as http:

            async def post(body: bytes, headers: dict[str, str]) -> tuple[int, str]:
                async with http.post(url, data=body, headers=headers) as r:
                    return r.status, await r.text()

            now = int(clock.now)
            body = _press("U_IVAN")
            status, text = await post(body, _signed(body, now))
            assert status == 200 and "Recorded: approve" in text
            assert calls == [
                (notice().approval_id, 'User::"ivan"', "approve", "via Slack by U_IVAN")
            ]
            # The same signed request again: a replay.
            status, _ = await post(body, _signed(body, now))
            assert status == 409
            # A bad signature and a stale timestamp never reach the review rules.
            status, _ = await post(body, _signed(body, now + 1, secret="wrong"))
            assert status == 401
            status, _ = await post(body, _signed(body, now - 301))
            assert status == 401
            assert len(calls) == 1
            # An unmapped Slack user reviews nothing.
            other = _press("U_STRANGER")
            status, text = await post(other, _signed(other, now + 2))
            assert status == 200 and "not mapped" in text and len(calls) == 1
            # A refusal by the review rules reaches the user.
            deny = _press("U_IVAN", "proctor_deny")
            status, text = await post(deny, _signed(deny, now + 3))
            assert status == 200 and "Not recorded: approval" in text and "already approved" in text
            async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                assert r.status == 200
        await runner.cleanup()
        await client.aclose()

    asyncio.run(scenario())


def _approved() -> Notice:
    n = notice()
    return Notice(
        n.approval_id,
        "APPROVED",
        n.principal,
        n.action,
        n.resource,
        n.on_behalf_of,
        n.requirements,
        n.policy_ids,
        n.review_context_json,
        n.decision_id,
        n.bundle_version,
        n.created_at,
        n.expires_at,
    )
