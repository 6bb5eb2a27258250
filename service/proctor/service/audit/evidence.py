"""Tamper-evident evidence records: a hash chain per Proctor instance with
signed checkpoints, and the verifier.

Every record carries the emitting ``instance``, its per-instance sequence
number ``seq`` (from 1), ``prev`` (the previous record's link; 64 zeros for
the first) and ``link = SHA-256(prev || canonical(record without link))``.
Every so often the instance writes a **checkpoint** — the latest ``seq`` and
``link``, signed with Ed25519 — so a verifier holding the public key can
prove the chain up to it was written by Proctor and not rebuilt by whoever
edited the file. Deleting, reordering or editing a record breaks ``seq`` or
``link``; rebuilding the chain after an edit breaks the next checkpoint.

Pure functions, no I/O: the JSONL writer and ``proctor audit verify`` use them.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

RECORD_VERSION = 1
GENESIS = "0" * 64


def canonical(doc: Mapping[str, Any]) -> bytes:
    """Deterministic JSON bytes: sorted keys, no spaces, UTF-8."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def link_of(prev: str, body: Mapping[str, Any]) -> str:
    """The chain link for a record body (everything but ``link``)."""
    return hashlib.sha256(prev.encode() + b"\n" + canonical(body)).hexdigest()


def key_id(public: Ed25519PublicKey) -> str:
    """A short, stable name for a public key."""
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass
class Chain:
    """One instance's chain: turns bodies into linked records."""

    instance: str
    seq: int = 0
    prev: str = GENESIS

    def _next(self, kind: str, body: Mapping[str, Any]) -> dict[str, Any]:
        self.seq += 1
        return {
            "v": RECORD_VERSION,
            "kind": kind,
            "instance": self.instance,
            "seq": self.seq,
            "prev": self.prev,
            **body,
        }

    def append(self, kind: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """A record of ``kind`` (``span`` or ``checkpoint``) carrying ``body``."""
        record = self._next(kind, body)
        record["link"] = link_of(self.prev, record)
        self.prev = record["link"]
        return record

    def line(self, kind: str, body: Mapping[str, Any]) -> str:
        """The same record as :meth:`append`, as one JSON line, serialised
        once: the canonical body with ``link`` added at the end."""
        text = canonical(self._next(kind, body))
        self.prev = hashlib.sha256(self.prev.encode() + b"\n" + text).hexdigest()
        return text[:-1].decode() + f',"link":"{self.prev}"}}'

    def checkpoint(self, key: Ed25519PrivateKey, now_ns: int) -> dict[str, Any]:
        """A signed statement of the chain's head, itself chained."""
        covered = {"instance": self.instance, "seq": self.seq, "link": self.prev, "time": now_ns}
        signature = key.sign(canonical(covered))
        return self.append(
            "checkpoint",
            {
                "covers": covered,
                "key_id": key_id(key.public_key()),
                "sig": base64.b64encode(signature).decode(),
            },
        )


@dataclass
class InstanceReport:
    """What the verifier found for one instance."""

    instance: str
    records: int = 0
    checkpoints: int = 0
    last_seq: int = 0
    unsigned_tail: int = 0  # records after the last verified checkpoint


@dataclass
class Verification:
    """The verdict over a set of evidence records."""

    instances: dict[str, InstanceReport] = field(default_factory=dict)
    problem: str = ""  # the first broken record, named
    signatures_checked: bool = False

    @property
    def ok(self) -> bool:
        """No problem found."""
        return not self.problem


def verify(
    records: Iterable[tuple[str, dict[str, Any]]],
    public_keys: Iterable[Ed25519PublicKey] = (),
) -> Verification:
    """Check chains record by record. ``records`` yields (where, record) with
    ``where`` naming the file and line for messages. Stops at the first
    problem: a broken link, a sequence gap or reordering, a bad checkpoint."""
    keys = {key_id(k): k for k in public_keys}
    result = Verification(signatures_checked=bool(keys))
    heads: dict[str, tuple[int, str]] = {}
    for where, record in records:
        instance = record.get("instance")
        if record.get("v") != RECORD_VERSION or not isinstance(instance, str):
            result.problem = f"{where}: not a Proctor evidence record"
            return result
        report = result.instances.setdefault(instance, InstanceReport(instance))
        seq, prev = heads.get(instance, (0, GENESIS))
        got = record.get("seq")
        if got != seq + 1:
            what = (
                "missing or out of order"
                if isinstance(got, int) and got > seq + 1
                else "out of order or duplicated"
            )
            result.problem = (
                f"{where}: instance {instance} record {got} follows {seq}: records {what}"
            )
            return result
        if record.get("prev") != prev:
            result.problem = f"{where}: instance {instance} record {got}: `prev` does not match"
            return result
        body = {k: v for k, v in record.items() if k != "link"}
        if record.get("link") != link_of(prev, body):
            result.problem = f"{where}: instance {instance} record {got}: edited (link mismatch)"
            return result
        heads[instance] = (got, record["link"])
        report.records += 1
        report.last_seq = got
        if record.get("kind") == "checkpoint":
            problem = _check_checkpoint(record, instance, seq, prev, keys)
            if problem:
                result.problem = f"{where}: instance {instance} record {got}: {problem}"
                return result
            report.checkpoints += 1
            report.unsigned_tail = 0
        else:
            report.unsigned_tail += 1
    return result


def _check_checkpoint(
    record: Mapping[str, Any],
    instance: str,
    seq: int,
    prev: str,
    keys: Mapping[str, Ed25519PublicKey],
) -> str:
    covers = record.get("covers")
    if not isinstance(covers, dict):
        return "checkpoint without `covers`"
    if covers.get("instance") != instance or covers.get("seq") != seq or covers.get("link") != prev:
        return "checkpoint does not cover the chain before it"
    if not keys:
        return ""
    key = keys.get(str(record.get("key_id")))
    if key is None:
        return f"checkpoint signed by unknown key {record.get('key_id')}"
    try:
        key.verify(base64.b64decode(str(record.get("sig"))), canonical(covers))
    except (InvalidSignature, ValueError):
        return "checkpoint signature is invalid (forged or altered)"
    return ""
