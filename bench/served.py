"""A `proctor serve` process for benchmarks that need a real server."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def proctor_serve(*extra: str) -> Iterator[str]:
    """Start Proctor on a free loopback port (embedded store, temporary data
    directory, no hot reload); yields its address; stops it on exit."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        addr = f"127.0.0.1:{s.getsockname()[1]}"
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "proctor.service.cli",
                "serve",
                "--listen",
                addr,
                "--data-dir",
                tmp,
                "--no-watch",
                *extra,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert server.stdout is not None
        if not re.search(r" on 127\.0\.0\.1:\d+", server.stdout.readline()):
            raise SystemExit("proctor did not start")
        try:
            yield addr
        finally:
            server.terminate()
            server.wait(15)
