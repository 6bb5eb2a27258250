"""``proctor diff OLD NEW``: which requests change decision or masking
between two bundles.

Requests come from the YAML cases of both bundles and from schema-driven
generation (:mod:`proctor.service.strategies`), each decided twice: as asked,
and as if a verified grant were presented. Changes are grouped by the
policies responsible, and each group is shown with its smallest example.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings

from proctor.service.bundle import Bundle
from proctor.service.cases import load_cases
from proctor.service.engine import Outcome, Request, decide
from proctor.service.errors import InvalidRequestError
from proctor.service.fingerprint import canonical
from proctor.service.strategies import requests


@dataclass(frozen=True, slots=True)
class Answer:
    """A decision reduced to what `diff` compares, or why there is none."""

    decision: str
    policy_ids: tuple[str, ...]
    masks: tuple[str, ...]
    invalid: str = ""

    @classmethod
    def of(cls, bundle: Bundle, request: Request, granted: bool) -> Answer:
        """Decide and reduce."""
        try:
            outcome: Outcome = decide(bundle, request, granted=granted)
        except InvalidRequestError as exc:
            return cls("INVALID", (), (), str(exc))
        masks = tuple(sorted(f"{m.selector}={m.operator}" for m in outcome.masks))
        rules = tuple(sorted({m.rule_id for m in outcome.masks}))
        return cls(outcome.decision, tuple(sorted({*outcome.policy_ids, *rules})), masks)

    def same_effect(self, other: Answer) -> bool:
        """Equal decision and masking (which policies decided may differ)."""
        return (self.decision, self.masks) == (other.decision, other.masks)

    def describe(self, with_masks: bool) -> str:
        """One line for people."""
        if self.invalid:
            return f"INVALID ({self.invalid})"
        by = f" by {', '.join(self.policy_ids)}" if self.policy_ids else ""
        masks = f"; masks {', '.join(self.masks) or 'none'}" if with_masks else ""
        return f"{self.decision}{by}{masks}"


@dataclass(frozen=True, slots=True)
class Change:
    """One request whose decision or masking differs."""

    request: Request
    granted: bool
    old: Answer
    new: Answer

    @property
    def group(self) -> tuple[str, str, tuple[str, ...]]:
        """Decision transition and the policies that differ between the two."""
        culprits = tuple(sorted(set(self.old.policy_ids) ^ set(self.new.policy_ids)))
        return (self.old.decision, self.new.decision, culprits or self.new.policy_ids)

    def size(self) -> int:
        """How big the example is, to show the smallest."""
        return len(_request_json(self.request))


def _request_json(r: Request) -> str:
    return json.dumps(
        canonical(
            {
                "principal": r.principal.to_json(),
                "action": r.action.to_json(),
                "resource": r.resource.to_json(),
                "context": dict(r.context),
                "entities": list(r.entities),
                "payload_findings": dict(r.payload_findings or {}),
            }
        ),
        sort_keys=True,
    )


def compare(old: Bundle, new: Bundle, requests: Iterable[Request]) -> tuple[int, list[Change]]:
    """Decide every request under both bundles (as asked and as approved)."""
    seen: set[str] = set()
    changes: list[Change] = []
    compared = 0
    for request in requests:
        key = _request_json(request)
        if key in seen:
            continue
        seen.add(key)
        for granted in (False, True):
            compared += 1
            a, b = Answer.of(old, request, granted), Answer.of(new, request, granted)
            if not a.same_effect(b):
                changes.append(Change(request, granted, a, b))
    return compared, changes


def case_requests(*directories: Path) -> list[Request]:
    """The requests of every YAML case under the bundles' tests/ folders."""
    out: list[Request] = []
    for d in directories:
        if (d / "tests").is_dir():
            out.extend(c.request for c in load_cases(d / "tests"))
    return out


def generated_requests(bundle: Bundle, per_action: int) -> list[Request]:
    """Schema-driven requests for every action, deterministically."""
    out: list[Request] = []
    for action in sorted(bundle.slices, key=lambda a: (a.type, a.id)):

        @settings(
            max_examples=per_action,
            derandomize=True,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
            deadline=None,
        )
        @given(requests(bundle, action))
        def collect(request: Request) -> None:
            out.append(request)

        collect()
    return out


def report(changes: Sequence[Change], compared: int, sources: str) -> list[str]:
    """Changes grouped by policy, each group with its smallest example."""
    groups: dict[tuple[str, str, tuple[str, ...]], list[Change]] = {}
    for change in changes:
        groups.setdefault(change.group, []).append(change)
    lines = [
        f"{len(changes)} change(s) in {len(groups)} group(s) over {compared} decisions ({sources})"
    ]
    for (before, after, culprits), items in sorted(groups.items()):
        example = min(items, key=Change.size)
        r = example.request
        lines.append("")
        who = ", ".join(culprits) or "(masking)"
        lines.append(f"{who}: {before} -> {after} ({len(items)} request(s)), e.g.")
        lines.append(f"  principal {r.principal}  action {r.action}  resource {r.resource}")
        lines.append(f"  context {json.dumps(dict(r.context), sort_keys=True)}")
        if r.entities:
            lines.append(f"  entities {json.dumps(list(r.entities), sort_keys=True)}")
        if r.payload_findings is not None:
            findings = json.dumps(dict(r.payload_findings), sort_keys=True)
            lines.append(f"  payload_findings {findings}")
        if example.granted:
            lines.append("  (with a verified approval)")
        masks_differ = example.old.masks != example.new.masks
        lines.append(f"  old: {example.old.describe(masks_differ)}")
        lines.append(f"  new: {example.new.describe(masks_differ)}")
    return lines
