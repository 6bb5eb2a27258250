"""The durable local evidence file: an OpenTelemetry span processor that
chains every ``proctor.*`` span into JSON lines under ``<data-dir>/evidence/``.

Spans are queued on the request path (a deque append; the writer thread is
woken only when the queue was empty). One background thread turns them into
records in batches gathered over a few milliseconds: chained, appended,
``fsync``-ed by policy, checkpointed (signed) every ``checkpoint_every``
records or seconds and at shutdown, and rotated by size. A batch that cannot
be written stays queued and is retried; nothing is dropped silently — a full
queue counts drops and marks the log unhealthy, which ``--evidence-required`` turns into DENY.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)
from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor

from proctor.service.audit.evidence import Chain
from proctor.service.config import ConfigError

log = logging.getLogger("proctor.audit")

FSYNC_POLICIES = ("always", "batch", "never")
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
MAX_QUEUE = 100_000
GROUP_COMMIT_SECONDS = 0.01


@dataclass
class LogStats:
    """Counters for health and metrics."""

    written: int = 0
    dropped: int = 0
    write_failures: int = 0
    checkpoints: int = 0


def load_or_create_key(path: Path | None, directory: Path) -> Ed25519PrivateKey:
    """The checkpoint signing key: ``path`` (PEM, Ed25519), or one created
    once under ``directory`` (mode 0600, with its public key beside it)."""
    if path is not None:
        try:
            key = load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"--evidence-key-file / PROCTOR_EVIDENCE_KEY_FILE: `{path}` is not a readable "
                f"Ed25519 private key (PEM): {type(exc).__name__}"
            ) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigError(
                f"--evidence-key-file / PROCTOR_EVIDENCE_KEY_FILE: `{path}` is not an Ed25519 key"
            )
        return key
    directory.mkdir(parents=True, exist_ok=True)
    own = directory / "signing-key.pem"
    if own.exists():
        return load_or_create_key(own, directory)
    key = Ed25519PrivateKey.generate()
    try:
        fd = os.open(own, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        time.sleep(0.2)
        return load_or_create_key(own, directory)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    (directory / "signing-key.pub.pem").write_bytes(
        key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    log.info("created evidence signing key %s (public key beside it)", own)
    return key


def span_body(span: ReadableSpan) -> dict[str, Any]:
    """The evidence body of a finished span: ids, times, status, links and
    ``proctor.*`` attributes (already free of values and PHI)."""
    ctx = span.get_span_context()
    parent = span.parent
    return {
        "name": span.name,
        "trace_id": f"{ctx.trace_id:032x}" if ctx else "",
        "span_id": f"{ctx.span_id:016x}" if ctx else "",
        "parent_span_id": f"{parent.span_id:016x}" if parent else "",
        "start_ns": span.start_time or 0,
        "end_ns": span.end_time or 0,
        "status": span.status.status_code.name,
        "links": [
            {"trace_id": f"{lk.context.trace_id:032x}", "span_id": f"{lk.context.span_id:016x}"}
            for lk in span.links
        ],
        "attributes": dict(span.attributes or {}),  # tuples dump as JSON lists
    }


class EvidenceLog(SpanProcessor):
    """Chained, signed JSONL evidence for one instance."""

    def __init__(
        self,
        directory: Path,
        instance: str,
        key: Ed25519PrivateKey,
        *,
        fsync: str = "batch",
        max_bytes: int = DEFAULT_MAX_BYTES,
        checkpoint_every: int = 1000,
        checkpoint_seconds: float = 10.0,
        clock_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        if fsync not in FSYNC_POLICIES:
            raise ConfigError(f"--evidence-fsync: `{fsync}` is not always, batch or never")
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._chain = Chain(instance)
        self._key = key
        self._fsync = fsync
        self._max_bytes = max_bytes
        self._checkpoint_every = checkpoint_every
        self._checkpoint_seconds = checkpoint_seconds
        self._clock_ns = clock_ns
        self._queue: deque[ReadableSpan] = deque()
        self._wake = threading.Condition()
        self._stop = False
        self._failing = False
        self._since_checkpoint = 0
        self._last_checkpoint = time.monotonic()
        self._file_index = 0
        self._fh: Any = None
        self._fh_bytes = 0  # bytes in the current file (tell() on a text file is slow)
        self.stats = LogStats()
        self._thread = threading.Thread(target=self._run, name="proctor-evidence", daemon=True)
        self._thread.start()

    # --- SpanProcessor -------------------------------------------------------------

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        """Nothing to do when a span starts."""

    def on_end(self, span: ReadableSpan) -> None:
        """Queue a finished ``proctor.*`` span (cheap: no I/O here)."""
        if not span.name.startswith("proctor."):
            return
        if len(self._queue) >= MAX_QUEUE:
            self.stats.dropped += 1
            log.error("evidence queue full: a span was dropped (counted)")
            return
        queue = self._queue
        queue.append(span)
        # The writer re-checks the queue under the lock before it waits, so
        # only the append that makes the queue non-empty needs to wake it.
        if len(queue) == 1:
            with self._wake:
                self._wake.notify()

    def shutdown(self) -> None:
        """Write what is queued, a final checkpoint, and close."""
        with self._wake:
            self._stop = True
            self._wake.notify()
        self._thread.join(30)

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Until everything queued so far is written (or the timeout)."""
        deadline = time.monotonic() + timeout_millis / 1000
        while (self._queue or self._failing) and time.monotonic() < deadline:
            with self._wake:
                self._wake.notify()
            time.sleep(0.005)
        return not self._queue

    def healthy(self) -> bool:
        """False while writes fail or after a drop: evidence is not being kept."""
        return not self._failing and self.stats.dropped == 0

    # --- writer thread -------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._queue and not self._stop:
                    self._wake.wait(timeout=self._checkpoint_seconds)
                    if self._due_checkpoint():
                        break
                stopping = self._stop
            if not stopping:
                # Group commit: let a few milliseconds of records gather, so a
                # busy server makes one write (and with ``batch`` one fsync)
                # per window, not per decision, and this thread wakes rarely.
                # Decisions never wait for this.
                time.sleep(GROUP_COMMIT_SECONDS)
            try:
                self._write_pending()
            except Exception as exc:  # the writer must outlive any bad record
                self.stats.write_failures += 1
                self._failing = True
                log.error("evidence writer error (%s); retrying", type(exc).__name__)
                time.sleep(0.5)
            if stopping and not self._queue:
                self._checkpoint()
                if self._fh is not None:
                    self._fh.close()
                return

    def _due_checkpoint(self) -> bool:
        return self._since_checkpoint > 0 and (
            time.monotonic() - self._last_checkpoint >= self._checkpoint_seconds
        )

    def _write_pending(self) -> None:
        batch: list[ReadableSpan] = []
        while self._queue and len(batch) < 512:
            batch.append(self._queue.popleft())
        lines: list[str] = []
        chain, stats = self._chain, self.stats
        saved = (chain.seq, chain.prev, self._since_checkpoint, stats.checkpoints)
        for span in batch:
            lines.append(chain.line("span", span_body(span)))
        self._since_checkpoint += len(batch)
        if self._since_checkpoint >= self._checkpoint_every or self._due_checkpoint():
            lines.append(self._checkpoint_line())
        if not lines:
            return
        try:
            self._append(lines)
        except (OSError, ValueError) as exc:
            # Keep the records: put them back, rewind the chain, retry later.
            chain.seq, chain.prev, self._since_checkpoint, stats.checkpoints = saved
            self._queue.extendleft(reversed(batch))
            self.stats.write_failures += 1
            if not self._failing:
                log.error("evidence write failed (%s); retrying", type(exc).__name__)
            self._failing = True
            time.sleep(0.5)
            return
        if self._failing:
            log.warning("evidence writes recovered")
        self._failing = False
        self.stats.written += len(batch)

    def _checkpoint_line(self) -> str:
        record = self._chain.checkpoint(self._key, self._clock_ns())
        self._since_checkpoint = 0
        self._last_checkpoint = time.monotonic()
        self.stats.checkpoints += 1
        return json.dumps(record, sort_keys=True)

    def _checkpoint(self) -> None:
        if self._since_checkpoint == 0:
            return
        saved = (self._chain.seq, self._chain.prev, self._since_checkpoint)
        line = self._checkpoint_line()
        try:
            self._append([line])
        except OSError:
            self._chain.seq, self._chain.prev, self._since_checkpoint = saved
            self.stats.write_failures += 1

    def _append(self, lines: list[str]) -> None:
        for line in lines:
            if self._fh is None or self._fh_bytes >= self._max_bytes:
                self._rotate()
            data = line + "\n"
            self._fh.write(data)
            self._fh_bytes += len(data.encode()) if not data.isascii() else len(data)
            if self._fsync == "always":
                self._fh.flush()
                os.fsync(self._fh.fileno())
        self._fh.flush()
        if self._fsync == "batch":
            os.fsync(self._fh.fileno())

    def _rotate(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            if self._fsync != "never":
                os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None
        self._file_index += 1
        self.directory.mkdir(parents=True, exist_ok=True)  # recreated if removed
        name = f"evidence-{self._chain.instance}-{self._file_index:05d}.jsonl"
        self._fh = open(self.directory / name, "a", encoding="utf-8")  # noqa: SIM115
        self._fh_bytes = self._fh.tell()
