"""An in-process Proctor for tests: a real gRPC server on a free port, over
a given bundle directory, running its own event loop in a background thread.

    with InProcessServer("policies") as server:
        stub = DecisionServiceStub(grpc.insecure_channel(server.address))

With ``approvals=True`` it keeps approvals in Redis (``redis_url``, or an
embedded server in a temporary data directory) and serves ApprovalService.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any

from proctor.masking import detect
from proctor.service.approvals.connection import StoreConnection, open_redis
from proctor.service.approvals.runtime import Approvals
from proctor.service.audit.setup import Telemetry
from proctor.service.bundle_store import BundleStore
from proctor.service.config import Settings
from proctor.service.server import ProctorServer, build_authenticator


class InProcessServer:
    """Start on enter, drain and stop on exit."""

    def __init__(
        self,
        policies: str | Path,
        *,
        watch: bool = False,
        max_request_bytes: int = 1024 * 1024,
        grace_seconds: float = 2.0,
        approvals: bool = False,
        redis_url: str | None = None,
        store_prefix: str = "proctor",
        insecure_dev: bool = False,
        reviewer_keys: Path | None = None,
        clock: Callable[[], float] = time.time,
        data_dir: Path | None = None,
        tls: tuple[Path, Path, Path | None] | None = None,
        telemetry: Telemetry | None = None,
    ) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="proctor-test-")
        self.settings = Settings(
            policies=Path(policies),
            listen_host="127.0.0.1",
            listen_port=0,
            data_dir=data_dir or Path(self._tmp.name),
            max_request_bytes=max_request_bytes,
            grace_seconds=grace_seconds,
            watch=watch,
        )
        self.settings = replace(
            self.settings,
            redis_url=redis_url,
            store_prefix=store_prefix,
            insecure_dev=insecure_dev,
            reviewer_keys=reviewer_keys,
            tls_cert=tls[0] if tls else None,
            tls_key=tls[1] if tls else None,
            tls_client_ca=tls[2] if tls else None,
        )
        self.store = BundleStore(self.settings.policies)
        self._with_approvals = approvals
        self.telemetry = telemetry
        self._clock = clock
        self._connection: StoreConnection | None = None
        self.approvals: Approvals | None = None
        self._background: concurrent.futures.Future[None] | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._stop: asyncio.Event | None = None
        self._watch_task: concurrent.futures.Future[None] | None = None
        self.server: ProctorServer | None = None
        self.port = 0

    @property
    def address(self) -> str:
        """``127.0.0.1:PORT`` (with ``tls``: a secure channel to ``localhost:PORT``)."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> InProcessServer:
        """Load the bundle, bind a free port and serve."""
        self.store.reload()
        self._thread.start()
        self._stop = asyncio.run_coroutine_threadsafe(_event(), self._loop).result(5)
        if self._with_approvals:
            self.approvals = self._call(self._build_approvals(), 30)
        self.server = ProctorServer(
            self.settings,
            self.store,
            self.approvals,
            instance_id=None,
            telemetry=self.telemetry,
            sync_redis=self._connection.sync_client() if self._connection else None,
        )
        self.port = self._call(self.server.start(), 10)
        if self.approvals is not None:
            self._background = asyncio.run_coroutine_threadsafe(
                self.approvals.run(self._stop), self._loop
            )
        if self.settings.watch:
            self._watch_task = asyncio.run_coroutine_threadsafe(
                self.server.watch(self._stop), self._loop
            )
        return self

    async def _build_approvals(self) -> Approvals:
        self._connection = await open_redis(self.settings.redis_url, self.settings.data_dir)
        return Approvals.build(
            self._connection.client,
            self.store.current,
            functools.partial(detect, mode="fast"),
            build_authenticator(self.settings),
            prefix=self.settings.store_prefix,
            insecure_dev=self.settings.insecure_dev,
            clock=self._clock,
        )

    def _call(self, coro: Any, timeout: float) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def run(self, coro: Any, timeout: float = 30) -> Any:
        """Run a coroutine on the server's event loop (e.g. a store call)."""
        return self._call(coro, timeout)

    def stop(self, grace: float | None = None) -> None:
        """Drain in-flight calls and stop."""
        if self.server is None:
            return
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
            if self._watch_task is not None:
                self._watch_task.result(10)
            if self._background is not None:
                self._background.result(10)
        self._call(self.server.stop(grace), 30)
        if self._connection is not None:
            self._call(self._connection.close(), 10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
        self._tmp.cleanup()
        self.server = None

    def __enter__(self) -> InProcessServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


async def _event() -> asyncio.Event:
    return asyncio.Event()
