"""Canonical request fingerprints.

An approval is bound to one exact request. Two requests that mean the same
to Cedar get the same fingerprint: record keys in any order, set elements in
any order or repeated (Cedar JSON arrays are sets), entities in any order.
Anything Cedar would distinguish changes it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any


def canonical(value: Any) -> Any:
    """Cedar JSON in canonical form: sets sorted and deduplicated (record
    keys are ordered when dumped with ``sort_keys``)."""
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        kinds = {type(v) for v in value}
        if kinds in ({str}, {int}):  # the common sets: no need to dump
            return sorted(set(value))
        items: dict[str, Any] = {}
        for v in value:
            c = canonical(v)
            items[_dump(c)] = c
        return [items[k] for k in sorted(items)]
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in value.items()}
    return value


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(
    principal: Mapping[str, str],
    action: Mapping[str, str],
    resource: Mapping[str, str],
    context: Mapping[str, Any],
    entities: Sequence[Mapping[str, Any]] = (),
    payload_digest: str = "",
) -> str:
    """SHA-256 (hex) over the canonical request. ``context`` must not hold
    ``approval``: a grant cannot be part of what it grants."""
    if "approval" in context:
        raise ValueError("fingerprint context must not contain `approval`")
    doc = {
        "v": 1,
        "principal": canonical(principal),
        "action": canonical(action),
        "resource": canonical(resource),
        "context": canonical(context),
        "entities": canonical(list(entities)),
        "payload": payload_digest,
    }
    return hashlib.sha256(_dump(doc).encode()).hexdigest()
