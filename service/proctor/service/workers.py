"""``proctor serve --workers N``: several server processes sharing the listen
port (``SO_REUSEPORT``), so decisions use every core (one Python process
decides on one).

The supervisor binds nothing itself. It fixes the port (a free one when the
address says port 0), starts the embedded approval store once when no Redis
URL is configured (the workers share it over its unix socket), starts the
workers with the same settings, relays the first worker's start-up lines,
forwards SIGINT/SIGTERM, and restarts a worker that dies. Each worker is a
full Proctor instance with its own instance id and its own evidence chain.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

from proctor.service.audit.log import load_or_create_key
from proctor.service.config import Settings

log = logging.getLogger("proctor.workers")

RESTART_DELAY_SECONDS = 1.0


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


class Supervisor:
    """Runs and watches the worker processes."""

    def __init__(self, settings: Settings, workers: int, child_args: Sequence[str]) -> None:
        self.settings = settings
        self.workers = workers
        self._child_args = list(child_args)
        self._procs: list[subprocess.Popen[str] | None] = [None] * workers
        self._stopping = threading.Event()
        self._ready = [threading.Event() for _ in range(workers)]
        self._store: Any = None
        self._env = dict(os.environ)
        if settings.mask_key is None:
            # One key for all workers, so pseudonyms agree and any worker can
            # reveal a token another issued (it still changes on restart).
            self._env["PROCTOR_MASK_KEY"] = secrets.token_hex(32)

    def _argv(self, port: int, redis_url: str) -> list[str]:
        host = self.settings.listen_host
        listen = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        argv = [sys.executable, "-m", "proctor.service.cli", "serve", *self._child_args]
        argv += ["--listen", listen, "--workers", "1", "--reuse-port"]
        if redis_url:
            argv += ["--redis-url", redis_url]
        return argv

    def _start_store(self) -> str:
        if self.settings.redis_url:
            return ""  # the workers connect to it themselves
        from proctor.service.approvals.connection import (  # noqa: PLC0415 - embedded only
            embedded_socket,
            start_embedded_if_needed,
        )

        store_dir = (self.settings.data_dir / "store").resolve()
        sock = embedded_socket(store_dir)
        self._store = start_embedded_if_needed(store_dir, sock)
        return f"unix://{sock}"

    def _spawn(self, i: int, argv: list[str], relay: bool) -> subprocess.Popen[str]:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=self._env)
        self._procs[i] = proc
        threading.Thread(target=self._pump, args=(i, proc, relay), daemon=True).start()
        return proc

    def _pump(self, i: int, proc: subprocess.Popen[str], relay: bool) -> None:
        """Relay the first worker's lines once every worker is serving (so
        whoever waits for the start-up line finds all of them listening)."""
        assert proc.stdout is not None
        for n, line in enumerate(proc.stdout):
            if n == 0:
                self._ready[i].set()
            if relay:
                for event in self._ready:
                    event.wait(60)
                sys.stdout.write(line)
                sys.stdout.flush()

    def run(self) -> int:
        """Until SIGINT/SIGTERM; returns the exit status."""
        port = self.settings.listen_port or _free_port(self.settings.listen_host)
        redis_url = self._start_store()
        # One signing key for all workers, made before any of them races to make it.
        load_or_create_key(self.settings.evidence_key_file, self.settings.data_dir / "evidence")
        argv = self._argv(port, redis_url)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self._stopping.set())
        log.info("starting %d workers on port %d", self.workers, port)
        for i in range(self.workers):
            self._spawn(i, argv, relay=i == 0)
        while not self._stopping.wait(0.5):
            for i, proc in enumerate(self._procs):
                if proc is not None and proc.poll() is not None and not self._stopping.is_set():
                    log.error("worker %d exited with %s; restarting it", i, proc.returncode)
                    time.sleep(RESTART_DELAY_SECONDS)
                    self._spawn(i, argv, relay=False)
        return self._stop()

    def _stop(self) -> int:
        for proc in self._procs:
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        status = 0
        limit = self.settings.drain_seconds + self.settings.grace_seconds + 15
        for proc in self._procs:
            if proc is None:
                continue
            try:
                status = max(status, abs(proc.wait(limit)))
            except subprocess.TimeoutExpired:
                proc.kill()
                status = 1
        if self._store is not None:
            self._store.stop()
        return status


def child_args(argv: Sequence[str]) -> list[str]:
    """The serve arguments a worker gets: everything but --listen/--workers
    (the supervisor sets them)."""
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ("--listen", "--workers"):
            skip = True
            continue
        if arg.startswith(("--listen=", "--workers=")):
            continue
        out.append(arg)
    return out
