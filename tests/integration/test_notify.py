"""Notifiers against real HTTP receivers (stand-ins for Slack's Web API,
Teams and a webhook consumer, run in the test) and a real Redis outbox."""

from __future__ import annotations

import asyncio
import dataclasses
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
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

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

    async def wait_for(self, n: int) -> None:
        """Until ``n`` requests arrived (fails after 10 s rather than hang)."""
        for _ in range(200):
            if len(self.requests) >= n:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{len(self.requests)} requests arrived, expected {n}")

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
            await notifier.close()
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
            await notifier.close()
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


def _press(user: str, action_id: str = "proctor_approve", response_url: str = "") -> bytes:
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "actions": [{"action_id": action_id, "value": notice().approval_id}],
        "response_url": response_url,
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
        async with aiohttp.ClientSession() as http, Receiver() as slack_replies:
            reply_url = f"{slack_replies.url}/actions/T1/B1/x"

            async def post(body: bytes, headers: dict[str, str]) -> int:
                async with http.post(url, data=body, headers=headers) as r:
                    return r.status

            async def reply(n: int) -> str:
                # Slack ignores the answer to a block action: what the
                # reviewer reads is posted to the payload's response_url.
                await slack_replies.wait_for(n)
                path, _, body = slack_replies.requests[n - 1]
                assert path == "/actions/T1/B1/x"
                sent = json.loads(body)
                assert sent["response_type"] == "ephemeral" and not sent["replace_original"]
                return str(sent["text"])

            now = int(clock.now)
            body = _press("U_IVAN", response_url=reply_url)
            assert await post(body, _signed(body, now)) == 200
            assert calls == [
                (notice().approval_id, 'User::"ivan"', "approve", "via Slack by U_IVAN")
            ]
            assert "Recorded: approve" in await reply(1)
            # The same signed request again: a replay.
            assert await post(body, _signed(body, now)) == 409
            # A bad signature and a stale timestamp never reach the review rules.
            assert await post(body, _signed(body, now + 1, secret="wrong")) == 401
            assert await post(body, _signed(body, now - 301)) == 401
            assert len(calls) == 1
            # An unmapped Slack user reviews nothing.
            other = _press("U_STRANGER", response_url=reply_url)
            assert await post(other, _signed(other, now + 2)) == 200
            assert "not mapped" in await reply(2) and len(calls) == 1
            # A refusal by the review rules reaches the user.
            deny = _press("U_IVAN", "proctor_deny", response_url=reply_url)
            assert await post(deny, _signed(deny, now + 3)) == 200
            text = await reply(3)
            assert "Not recorded: approval" in text and "already approved" in text
            assert len(slack_replies.requests) == 3  # nothing for refused requests
            async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                assert r.status == 200
            await runner.cleanup()
            await notifier.close()
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


def _meter() -> tuple[Any, Any]:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    reader = InMemoryMetricReader()
    return MeterProvider(metric_readers=[reader]).get_meter("proctor"), reader


def _counted(reader: Any, name: str) -> int:
    data = reader.get_metrics_data()
    total = 0
    for rm in data.resource_metrics if data else []:
        for sm in rm.scope_metrics:
            for m in sm.metrics:
                if m.name == name:
                    total += sum(int(p.value) for p in m.data.data_points)
    return total


def test_a_decided_approval_updates_the_slack_message_from_any_process(
    tmp_path: Path, redis_server_url: str, redis_prefix: str
) -> None:
    async def scenario() -> None:
        async with Receiver() as slack_api:
            cfg = load_notify_config(
                write_config(tmp_path, slack_api.url), {**ENV, "TEAMS_URL": "http://x/t"}
            )
            client = aioredis.Redis.from_url(redis_server_url)
            # Two Proctor processes: one announces, the other reports the decision.
            first = Notifier(cfg, client, redis_prefix, _never)
            second = Notifier(cfg, client, redis_prefix, _never)
            await first.notify(notice(), "created")
            await first.outbox.run_once()
            await second.notify(_approved(), "decided")
            await second.outbox.run_once()
            slack = [(p, _form_or_json(b)) for p, _, b in slack_api.requests if "/api/" in p]
            assert [p for p, _ in slack] == ["/api/chat.postMessage", "/api/chat.update"]
            update = slack[1][1]
            assert update["ts"] == "1700000000.000100" and update["channel"] == "C_PRIVACY"
            blocks = update["blocks"]
            blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
            assert not [b for b in blocks if b["type"] == "actions"]  # no buttons any more
            assert "approved" in blocks[0]["text"]["text"]
            await first.close()
            await second.close()
            await client.aclose()

    asyncio.run(scenario())


def test_notify_never_raises_into_the_approval_path_and_counts_what_it_drops(
    tmp_path: Path, redis_server_url: str, redis_prefix: str
) -> None:
    async def scenario() -> None:
        cfg = load_notify_config(
            write_config(tmp_path, "http://127.0.0.1:9"), {**ENV, "TEAMS_URL": "http://x/t"}
        )
        meter, reader = _meter()
        # Redis unreachable: the approval goes on, the notification is counted.
        down = aioredis.Redis(
            host="127.0.0.1", port=1, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0)
        )
        await Notifier(cfg, down, redis_prefix, _never, meter=meter).notify(notice(), "created")
        # A requirement group that is not an entity.
        client = aioredis.Redis.from_url(redis_server_url)
        notifier = Notifier(cfg, client, redis_prefix, _never, meter=meter)
        await notifier.notify(_with_group("privacy-office"), "created")
        assert _counted(reader, "proctor.notifications.unqueued") == 2
        assert await notifier.stats() == {"pending": 0, "dead": 0}
        await down.aclose()
        await client.aclose()

    asyncio.run(scenario())


def test_a_delivery_that_raises_or_dies_midway_never_loses_the_job(
    redis_server_url: str, redis_prefix: str
) -> None:
    async def scenario() -> None:
        client = aioredis.Redis.from_url(redis_server_url)
        clock = Clock()
        meter, reader = _meter()
        outcomes = [RuntimeError("boom"), ValueError("bad answer"), None]
        delivered: list[str] = []

        async def flaky(job: Any) -> None:
            outcome = outcomes.pop(0)
            if outcome is not None:
                raise outcome
            delivered.append(job.id)

        outbox = Outbox(client, redis_prefix, flaky, clock, meter=meter)
        job_id = await outbox.enqueue("webhook:x", "created", {"approval_id": "a"})
        for _ in range(3):
            await outbox.run_once()
            assert delivered or await outbox.stats() == {"pending": 1, "dead": 0}
            clock.now += 600
        assert delivered == [job_id] and await outbox.stats() == {"pending": 0, "dead": 0}
        assert _counted(reader, "proctor.notifications.failed") == 2
        assert _counted(reader, "proctor.notifications.sent") == 1

        # A worker that dies mid-delivery: its claim is a lease, so once the
        # lease runs out another worker delivers the job.
        started = asyncio.Event()

        async def hang(_job: Any) -> None:
            started.set()
            await asyncio.Event().wait()

        stuck = Outbox(client, redis_prefix, hang, clock)
        job_id = await stuck.enqueue("webhook:x", "created", {"approval_id": "b"})
        worker = asyncio.create_task(stuck.run_once())
        await started.wait()
        worker.cancel()
        with pytest.raises(asyncio.CancelledError):
            await worker

        async def ok(job: Any) -> None:
            delivered.append(job.id)

        other = Outbox(client, redis_prefix, ok, clock)
        assert await other.run_once() == 0  # still leased
        clock.now += 61
        assert await other.run_once() == 1 and delivered[-1] == job_id
        await client.aclose()

    asyncio.run(scenario())


def test_only_the_notices_fields_leave_proctor(
    tmp_path: Path, redis_server_url: str, redis_prefix: str
) -> None:
    """The masked context may carry PHI-looking values only as masked; the
    notifiers send the Notice and nothing else (no secrets, no extra data)."""
    planted = Notice(
        **{
            **dataclasses.asdict(notice()),
            "requirements": notice().requirements,
            "policy_ids": notice().policy_ids,
            "review_context_json": '{"patient": "[MASKED name]", "mrn": "[MASKED mrn]"}',
        }
    )

    async def scenario() -> None:
        async with Receiver() as slack_api, Receiver() as hook, Receiver() as teams:
            config = write_config(tmp_path, slack_api.url).read_text()
            config = config.replace(f"{slack_api.url}/hook", f"{hook.url}/hook")
            config += "  - group: '*'\n    teams: {webhook_url_env: TEAMS_URL}\n"
            (tmp_path / "notify.yaml").write_text(config)
            cfg = load_notify_config(
                tmp_path / "notify.yaml", {**ENV, "TEAMS_URL": f"{teams.url}/t"}
            )
            client = aioredis.Redis.from_url(redis_server_url)
            notifier = Notifier(cfg, client, redis_prefix, _never)
            await notifier.notify(planted, "created")
            assert await notifier.outbox.run_once() == 3
            await notifier.close()
            await client.aclose()

        # Webhook: exactly the Notice, nothing added.
        ((_, headers, body),) = hook.requests
        sent = json.loads(body)
        assert set(sent) == {"event", "approval"}
        assert sent["approval"] == json.loads(json.dumps(dataclasses.asdict(planted)))
        assert {h for h in headers if h.lower().startswith("x-")} == {
            "X-Proctor-Timestamp",
            "X-Proctor-Signature",
        }
        # Slack: the masked context appears once, in its block; Teams: not at all.
        ((_, slack_headers, slack_body),) = slack_api.requests
        slack_text = slack_body.decode()
        assert slack_text.count("MASKED name") == 1
        assert b"MASKED" not in teams.requests[0][2]
        # Secrets never travel in a body; the bot token only as Slack's auth.
        everything = slack_body + body + teams.requests[0][2]
        for secret in (ENV["SLACK_BOT_TOKEN"], SIGNING_SECRET, ENV["HOOK_SECRET"]):
            assert secret.encode() not in everything
        assert slack_headers["Authorization"] == f"Bearer {ENV['SLACK_BOT_TOKEN']}"
        assert ENV["HOOK_SECRET"] not in str(headers)

    asyncio.run(scenario())


def test_config_checks_urls_without_echoing_secrets(tmp_path: Path) -> None:
    base = write_config(tmp_path, "http://127.0.0.1:9").read_text()
    path = tmp_path / "urls.yaml"
    env = {**ENV, "TEAMS_URL": "http://127.0.0.1:9/teams"}
    for review_url, error in [
        ("https://p.example/approvals/{approval}", r"the only placeholder allowed is \{id\}"),
        ("https://p.example/approvals", r"must contain \{id\}"),
        ("p.example/{id}", "must be an http"),
    ]:
        path.write_text(base.replace("https://proctor.example.org/approvals/{id}", review_url))
        with pytest.raises(ConfigError, match=f"review_url: {error}"):
            load_notify_config(path, env)
    path.write_text(base)
    with pytest.raises(ConfigError, match=r"routes\[1\].teams.webhook_url_env: TEAMS_URL") as bad:
        load_notify_config(path, {**ENV, "TEAMS_URL": "teams-secret-token"})
    assert "teams-secret-token" not in str(bad.value)
