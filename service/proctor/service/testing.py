"""An in-process Proctor for tests: a real gRPC server on a free port, over
a given bundle directory, running its own event loop in a background thread.

    with InProcessServer("policies") as server:
        stub = DecisionServiceStub(grpc.insecure_channel(server.address))
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import tempfile
import threading
from pathlib import Path
from types import TracebackType

from proctor.service.bundle_store import BundleStore
from proctor.service.config import Settings
from proctor.service.decisions import ApprovalBackend
from proctor.service.server import ProctorServer


class InProcessServer:
    """Start on enter, drain and stop on exit."""

    def __init__(
        self,
        policies: str | Path,
        *,
        watch: bool = False,
        max_request_bytes: int = 1024 * 1024,
        approvals: ApprovalBackend | None = None,
        grace_seconds: float = 2.0,
    ) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="proctor-test-")
        self.settings = Settings(
            policies=Path(policies),
            listen_host="127.0.0.1",
            listen_port=0,
            data_dir=Path(self._tmp.name),
            max_request_bytes=max_request_bytes,
            grace_seconds=grace_seconds,
            watch=watch,
        )
        self.store = BundleStore(self.settings.policies)
        self._approvals = approvals
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._stop: asyncio.Event | None = None
        self._watch_task: concurrent.futures.Future[None] | None = None
        self.server: ProctorServer | None = None
        self.port = 0

    @property
    def address(self) -> str:
        """``127.0.0.1:PORT`` for grpc.insecure_channel."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> InProcessServer:
        """Load the bundle, bind a free port and serve."""
        self.store.reload()
        self._thread.start()
        self.server = ProctorServer(self.settings, self.store, self._approvals)
        self.port = asyncio.run_coroutine_threadsafe(self.server.start(), self._loop).result(10)
        if self.settings.watch:
            self._stop = asyncio.run_coroutine_threadsafe(_event(), self._loop).result(5)
            self._watch_task = asyncio.run_coroutine_threadsafe(
                self.server.watch(self._stop), self._loop
            )
        return self

    def stop(self, grace: float | None = None) -> None:
        """Drain in-flight calls and stop."""
        if self.server is None:
            return
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
            if self._watch_task is not None:
                self._watch_task.result(10)
        asyncio.run_coroutine_threadsafe(self.server.stop(grace), self._loop).result(30)
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
