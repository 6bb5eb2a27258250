"""The gRPC server: servicers, health, reflection, hot reload and graceful
shutdown, assembled from collaborators passed in."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import secrets
import signal
import socket
import time
from collections.abc import AsyncIterator, Callable

import grpc
import redis
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from watchfiles import awatch

from proctor.masking import InMemoryVault, MaskContext, TokenVault, detect
from proctor.service.approvals.auth import Authenticator, JwtSettings, JwtVerifier
from proctor.service.approvals.backend import ReviewContextMasker
from proctor.service.approvals.connection import open_redis
from proctor.service.approvals.notify import Notifier, load_notify_config, start_http
from proctor.service.approvals.runtime import Approvals
from proctor.service.approvals.servicer import ApprovalServicer
from proctor.service.audit.setup import Telemetry, build_telemetry
from proctor.service.bundle_store import BundleStore
from proctor.service.config import ConfigError, Settings
from proctor.service.decisions import ComputedTickets, DecisionPoint
from proctor.service.masking_servicer import MaskingServicer, RevealGate
from proctor.service.servicer import DecisionServicer, StatusServicer
from proctor.service.vault import RedisVault
from proctor.v1 import (
    approval_pb2,
    approval_pb2_grpc,
    decision_pb2,
    decision_pb2_grpc,
    masking_pb2,
    masking_pb2_grpc,
    status_pb2,
    status_pb2_grpc,
)

log = logging.getLogger("proctor.server")

VERSION = "0.1.0"
SERVICE_NAMES = (
    decision_pb2.DESCRIPTOR.services_by_name["DecisionService"].full_name,
    approval_pb2.DESCRIPTOR.services_by_name["ApprovalService"].full_name,
    masking_pb2.DESCRIPTOR.services_by_name["MaskingService"].full_name,
    status_pb2.DESCRIPTOR.services_by_name["StatusService"].full_name,
)


def new_instance_id() -> str:
    """Host, process and a random suffix: unique per running instance."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


class ProctorServer:
    """One Proctor instance: a grpc.aio server over a bundle store."""

    def __init__(
        self,
        settings: Settings,
        store: BundleStore,
        approvals: Approvals | None = None,
        instance_id: str | None = None,
        telemetry: Telemetry | None = None,
        sync_redis: redis.Redis | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.approvals = approvals
        self.telemetry = telemetry
        self.instance_id = instance_id or new_instance_id()
        auditor = telemetry.auditor if telemetry is not None else None
        self.point = DecisionPoint(
            store.current,
            approvals.backend if approvals is not None else ComputedTickets(),
            auditor=auditor,
            evidence_required=settings.evidence_required,
        )
        if telemetry is not None:
            telemetry.observe_bundles(store.status)
        if approvals is not None and auditor is not None:
            approvals.listeners.append(auditor.approval_changed)
            approvals.desk.on_refused = auditor.review_refused
        if settings.mask_key is None:
            log.warning(
                "no PROCTOR_MASK_KEY / --mask-key-file: MaskingService hashes and tokens use a "
                "random per-process key and change on restart"
            )
        mask_key = settings.mask_key or secrets.token_bytes(32)
        self._vault: TokenVault = (
            RedisVault(sync_redis, mask_key, settings.store_prefix)
            if sync_redis is not None
            else InMemoryVault(time.monotonic)
        )
        vault = self._vault
        detector = functools.partial(detect, mode="fast")
        self._mask_context = lambda scope: MaskContext(
            hash_key=mask_key, vault=vault, scope=scope, detector=detector
        )
        self._health = health.aio.HealthServicer()  # type: ignore[attr-defined]
        self._server: grpc.aio.Server | None = None
        self.port = 0

    async def start(self) -> int:
        """Bind and start serving; returns the bound port."""
        limit = self.settings.max_request_bytes
        server = grpc.aio.server(
            options=[
                # The transport accepts somewhat more than the limit so the
                # servicer can answer INVALID_ARGUMENT naming the limit,
                # rather than a bare RESOURCE_EXHAUSTED.
                ("grpc.max_receive_message_length", limit * 2 + 1024),
                ("grpc.max_send_message_length", 16 * 1024 * 1024),
                ("grpc.so_reuseport", 1 if self.settings.reuse_port else 0),
            ]
        )
        decision_pb2_grpc.add_DecisionServiceServicer_to_server(
            DecisionServicer(self.point, limit), server
        )
        reveal = None
        if self.approvals is not None:
            reveal = RevealGate(
                self.approvals.store,
                self.store.current,
                self.telemetry.auditor if self.telemetry else None,
            )
        masking_pb2_grpc.add_MaskingServiceServicer_to_server(
            MaskingServicer(
                self._mask_context,
                limit,
                self._vault,
                reveal,
                blocking_vault=isinstance(self._vault, RedisVault),
            ),
            server,
        )
        status_pb2_grpc.add_StatusServiceServicer_to_server(
            StatusServicer(self.store, VERSION, self.instance_id, self.telemetry), server
        )
        if self.approvals is not None:
            a = self.approvals
            approval_pb2_grpc.add_ApprovalServiceServicer_to_server(
                ApprovalServicer(a.store, a.desk, a.hub, a.authenticator, a.insecure_dev), server
            )
        health_pb2_grpc.add_HealthServicer_to_server(self._health, server)
        reflection.enable_server_reflection(
            (*SERVICE_NAMES, health.SERVICE_NAME, reflection.SERVICE_NAME), server
        )
        try:
            credentials = server_credentials(self.settings)
            port = (
                server.add_secure_port(self.settings.listen, credentials)
                if credentials is not None
                else server.add_insecure_port(self.settings.listen)
            )
        except RuntimeError as exc:
            raise ConfigError(
                f"--listen / PROCTOR_LISTEN: cannot listen on {self.settings.listen}: {exc}"
            ) from None
        if port == 0 and self.settings.listen_port != 0:
            raise ConfigError(f"--listen / PROCTOR_LISTEN: cannot listen on {self.settings.listen}")
        await server.start()
        self._server, self.port = server, port
        await self.refresh_health()
        return port

    async def refresh_health(self) -> None:
        """SERVING once a bundle is loaded, NOT_SERVING before."""
        status = (
            health_pb2.HealthCheckResponse.SERVING
            if self.store.current() is not None
            else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        for name in ("", *SERVICE_NAMES):
            await self._health.set(name, status)

    async def watch(self, stop: asyncio.Event) -> None:
        """Hot reload until ``stop``; health follows the bundle."""
        async for _ in _reload_events(self.store, stop):
            await self.refresh_health()

    async def drain(self, seconds: float) -> None:
        """Report NOT_SERVING, then keep serving for ``seconds`` so load
        balancers and health-watching clients move away before calls are
        refused. (gRPC cancels calls that arrive while it shuts down without
        having started them; draining first keeps that window empty.)"""
        await self._health.enter_graceful_shutdown()
        if seconds > 0:
            await asyncio.sleep(seconds)

    async def stop(self, grace: float | None = None) -> None:
        """Stop taking calls, drain the in-flight ones for up to ``grace`` seconds."""
        await self._health.enter_graceful_shutdown()
        if self._server is not None:
            await self._server.stop(self.settings.grace_seconds if grace is None else grace)

    async def wait(self) -> None:
        """Until the server has stopped."""
        if self._server is not None:
            await self._server.wait_for_termination()


async def _reload_events(store: BundleStore, stop: asyncio.Event) -> AsyncIterator[bool]:
    """Reload whenever the bundle's files change. Loading runs in a worker
    thread, so the event loop keeps answering with the previous bundle."""
    async for _changes in awatch(store.directory, stop_event=stop, debounce=300, recursive=True):
        yield await asyncio.to_thread(store.reload)


async def run(
    settings: Settings,
    on_ready: Callable[[ProctorServer], None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Load the bundle, serve until SIGINT/SIGTERM (or ``stop``), drain, exit."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread
            break
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = BundleStore(settings.policies)
    await asyncio.to_thread(store.reload)
    instance_id = new_instance_id()
    detector = functools.partial(detect, mode="fast")
    telemetry = build_telemetry(
        instance_id,
        settings.data_dir / "evidence",
        key_file=settings.evidence_key_file,
        fsync=settings.evidence_fsync,
        otlp_endpoint=settings.otlp_endpoint,
        otlp_protocol=settings.otlp_protocol,
        scrub=ReviewContextMasker(detector).text,
    )
    authenticator = build_authenticator(settings)
    if settings.insecure_dev:
        for line in INSECURE_DEV_BANNER:
            log.warning(line)
    elif not authenticator.configured:
        log.warning(
            "no reviewer authentication configured (--reviewer-keys or --tls-client-ca): "
            "nobody can review approvals"
        )
    connection = await open_redis(settings.redis_url, settings.data_dir)
    approvals = Approvals.build(
        connection.client,
        store.current,
        detector,
        authenticator,
        prefix=settings.store_prefix,
        retention_seconds=settings.approval_retention_seconds,
        insecure_dev=settings.insecure_dev,
    )
    server = ProctorServer(
        settings, store, approvals, instance_id, telemetry, connection.sync_client()
    )
    await server.start()
    background = [asyncio.create_task(approvals.run(stop))]
    http = None
    notifier = None
    if settings.notify_config is not None:
        notifier = Notifier(
            load_notify_config(settings.notify_config),
            connection.client,
            settings.store_prefix,
            approvals.review_as,
            meter=telemetry.meter_provider.get_meter("proctor"),
        )
        approvals.notify_with(notifier.notify)
        notifier.on_sent = telemetry.auditor.notified
        background.append(asyncio.create_task(notifier.run(stop)))
        if settings.http_listen is not None:
            http, http_port = await start_http(notifier.app(), *settings.http_listen)
            log.info("HTTP endpoint (Slack callbacks) on port %d", http_port)
    if on_ready is not None:
        on_ready(server)
    watcher = asyncio.create_task(server.watch(stop)) if settings.watch else None
    await stop.wait()
    log.info(
        "shutting down: NOT_SERVING for %.1fs, then draining in-flight calls for up to %.1fs",
        settings.drain_seconds,
        settings.grace_seconds,
    )
    await server.drain(settings.drain_seconds)
    await server.stop()
    if watcher is not None:
        await watcher
    await asyncio.gather(*background)
    if http is not None:
        await http.cleanup()
    if notifier is not None:
        await notifier.close()
    await connection.close()
    await asyncio.to_thread(telemetry.shutdown)  # the final signed checkpoint


INSECURE_DEV_BANNER = (
    "*" * 72,
    "INSECURE DEVELOPMENT MODE (--insecure-dev): reviewers are NOT authenticated;",
    "anyone who can reach this port can approve or deny anything as anyone.",
    "Never run this with real data or on a shared network.",
    "*" * 72,
)


def build_authenticator(settings: Settings) -> Authenticator:
    """Reviewer authentication from the settings."""
    verifier = None
    if settings.reviewer_keys is not None:
        verifier = JwtVerifier(
            JwtSettings(
                keys_file=settings.reviewer_keys,
                audience=settings.reviewer_audience,
                issuer=settings.reviewer_issuer,
                reviewer_type=settings.reviewer_type,
            )
        )
    return Authenticator(
        jwt_verifier=verifier,
        mtls_reviewer_type=settings.reviewer_type if settings.tls_client_ca else None,
    )


def server_credentials(settings: Settings) -> grpc.ServerCredentials | None:
    """TLS from the settings. With a client CA it is mutual TLS for every
    caller: gRPC can either ignore client certificates or require and verify
    them, and an unverified certificate must never name a reviewer."""
    if settings.tls_cert is None or settings.tls_key is None:
        return None
    client_ca = settings.tls_client_ca.read_bytes() if settings.tls_client_ca else None
    return grpc.ssl_server_credentials(
        [(settings.tls_key.read_bytes(), settings.tls_cert.read_bytes())],
        root_certificates=client_ca,
        require_client_auth=client_ca is not None,
    )
