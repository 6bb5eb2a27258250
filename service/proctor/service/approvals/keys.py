"""Every Redis key and channel Proctor's approvals use, in one place.

An approval's own keys share a hash tag (``{slot}``, taken from the request
fingerprint and embedded in the approval id), so each atomic transition
touches one Redis Cluster slot. The listing and expiry indexes are global
keys, written outside those transactions and repaired lazily.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

SLOT_CHARS = 8


def slot_of_fingerprint(fingerprint: str) -> str:
    """The hash-tag slot for a request fingerprint (hex)."""
    return hashlib.sha256(b"proctor-slot:" + fingerprint.encode()).hexdigest()[:SLOT_CHARS]


def slot_of_id(approval_id: str) -> str:
    """The slot embedded in an approval id (``apr_<slot><random>``)."""
    return approval_id[4 : 4 + SLOT_CHARS]


@dataclass(frozen=True, slots=True)
class Keys:
    """Key names under one prefix (default ``proctor``)."""

    prefix: str = "proctor"

    def record(self, approval_id: str) -> str:
        """The msgpack-encoded approval record."""
        return f"{self.prefix}:{{{slot_of_id(approval_id)}}}:apr:{approval_id}"

    def record_prefix(self, slot: str) -> str:
        """What :meth:`record` puts before the approval id, for ids of ``slot``."""
        return f"{self.prefix}:{{{slot}}}:apr:"

    def request(self, fingerprint: str, bundle_version: str) -> str:
        """The current approval id for one request under one bundle version."""
        slot = slot_of_fingerprint(fingerprint)
        return f"{self.prefix}:{{{slot}}}:req:{fingerprint}:{bundle_version}"

    @property
    def index(self) -> str:
        """ZSET of approval ids scored by creation time (listing)."""
        return f"{self.prefix}:approvals:by-created"

    @property
    def due(self) -> str:
        """ZSET of approval ids scored by when they next expire (sweeping)."""
        return f"{self.prefix}:approvals:by-due"

    @property
    def events(self) -> str:
        """Pub/sub channel: ``<approval id> <status>`` on every transition."""
        return f"{self.prefix}:approvals:events"
