"""Warnings about a bundle that loads but probably does not mean what its
author meant (``proctor check`` prints them; ``--strict`` fails on them).

* a policy that no requestable action can reach (e.g. scoped to an action
  group that is never requested itself, with ``==`` instead of ``in``);
* a permit that can never allow: an unconditional forbid without
  ``@approval`` covers its whole scope;
* an approval gate naming a group that is not in ``entities.json``, or that
  has no members there: nobody could approve it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from proctor.service.bundle import ENTITIES_FILE, Bundle, PolicyInfo


def lint_bundle(bundle: Bundle) -> list[str]:
    """Every warning, formatted as ``file:line: policy `id`: warning: …``."""
    out: list[str] = []
    reachable = {pid for sl in bundle.slices.values() for pid in sl.policy_ids}
    for pid, p in sorted(bundle.policies.items()):
        if pid not in reachable:
            out.append(
                _where(p) + "applies to no action a request can name (is it scoped to an "
                "action group with `==` instead of `in`?)"
            )
    out.extend(_shadowed(bundle, reachable))
    out.extend(_unapprovable(bundle))
    return out


def _where(p: PolicyInfo) -> str:
    return f"{p.file}:{p.line}: policy `{p.policy_id}`: warning: "


def _covers(outer: Mapping[str, Any], inner: Mapping[str, Any]) -> bool:
    """Whether a principal/resource scope constraint includes another."""
    if outer.get("op") == "All" or outer == inner:
        return True
    if outer.get("op") == "is" and "in" not in outer:
        t = outer.get("entity_type")
        if inner.get("op") == "is":
            return bool(inner.get("entity_type") == t)
        if inner.get("op") == "==":
            return bool(inner.get("entity", {}).get("type") == t)
    return False


def _shadowed(bundle: Bundle, reachable: set[str]) -> list[str]:
    out = []
    for sl in bundle.slices.values():
        blanket = [
            bundle.policies[f] for f in sl.forbids if not bundle.policies[f].est.get("conditions")
        ]
        for pid in sorted(sl.permits):
            p = bundle.policies[pid]
            for f in blanket:
                if _covers(f.est["principal"], p.est["principal"]) and _covers(
                    f.est["resource"], p.est["resource"]
                ):
                    actions = {a for a, s in bundle.slices.items() if pid in s.policy_ids}
                    if all(f.policy_id in bundle.slices[a].forbids for a in actions):
                        out.append(
                            _where(p) + f"can never allow: the unconditional forbid "
                            f"`{f.policy_id}` ({f.file}:{f.line}) covers its whole scope"
                        )
                        break
    return sorted(set(out))


def _unapprovable(bundle: Bundle) -> list[str]:
    path = Path(bundle.directory) / ENTITIES_FILE
    try:
        entities = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
    except (OSError, json.JSONDecodeError):
        return []
    known = {
        (e["uid"]["type"], e["uid"]["id"]) for e in entities if isinstance(e, dict) and "uid" in e
    }
    members: dict[tuple[str, str], int] = {}
    for e in entities:
        for parent in e.get("parents", []) if isinstance(e, dict) else []:
            key = (parent.get("type"), parent.get("id"))
            members[key] = members.get(key, 0) + 1
    out = []
    for _, p in sorted(bundle.policies.items()):
        if p.gate is None:
            continue
        for g in p.gate.groups:
            if (g.type, g.id) not in known:
                out.append(
                    _where(p) + f"approver group `{g}` is not in {ENTITIES_FILE}: nobody can "
                    "approve this gate (unless reviewers' groups come from their tokens)"
                )
            elif members.get((g.type, g.id), 0) < p.gate.quorum:
                out.append(
                    _where(p) + f"approver group `{g}` has {members.get((g.type, g.id), 0)} "
                    f"member(s) in {ENTITIES_FILE}, fewer than the quorum of {p.gate.quorum}"
                )
    return out
