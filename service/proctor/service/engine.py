"""The decision engine: pure Cedar evaluation with Proctor's three outcomes.

No network, no clock, no storage: given a :class:`~proctor.service.bundle.Bundle`,
a request and (optionally) a verified grant, :func:`decide` returns an
:class:`Outcome`. Semantics (DESIGN §2):

* **ALLOW** — a permit is satisfied and no forbid (gate or not) is.
* **NEEDS_APPROVAL** — only approval gates block, and the same request with
  ``context.approval.granted == true`` would be allowed. The requirements of
  all blocking gates add up.
* **DENY** — anything else: a forbid without ``@approval``, no permit even if
  approved, or any evaluation error (fail closed).

Masking rules never take part in the access decision; the directives of the
satisfied ones are merged (most restrictive operator per field) and attached
to ALLOW and NEEDS_APPROVAL. A masking rule that errors is applied anyway:
over-masking is the safe failure.

One Cedar call decides a request: each action's policy set holds every
policy as a permit (so Cedar reports all satisfied policies) plus approval
twins (so "would it be allowed if approved" is answered in the same call).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import cedarpy

from proctor.masking import Directive, merge_directives
from proctor.service.annotations import GroupRef
from proctor.service.bundle import ActionSlice, Bundle, approval_value, explain_entities
from proctor.service.cedar_schema import ActionUid, RecordType, validate_value
from proctor.service.errors import InvalidRequestError

DecisionName = Literal["ALLOW", "DENY", "NEEDS_APPROVAL"]

# Reason codes: stable, documented in decision.proto.
ALLOWED = "allowed"
ALLOWED_WITH_APPROVAL = "allowed_with_approval"
FORBIDDEN = "forbidden_by_policy"
NO_PERMIT = "no_matching_permit"
APPROVAL_REQUIRED = "approval_required"
EVALUATION_ERROR = "evaluation_error"

RESERVED_CONTEXT = ("approval", "payload")

_ERRORED_POLICY = re.compile(r"policy `([^`]+)`")


@dataclass(frozen=True, slots=True)
class EntityUid:
    """A Cedar entity reference."""

    type: str
    id: str

    def to_json(self) -> dict[str, str]:
        """Cedar's JSON form."""
        return {"type": self.type, "id": self.id}

    def __str__(self) -> str:
        escaped = self.id.replace("\\", "\\\\").replace('"', '\\"')
        return f'{self.type}::"{escaped}"'


class EntityList(tuple[Mapping[str, Any], ...]):
    """Per-request entities (Cedar JSON, read-only) with their JSON text,
    serialised once when the list is built rather than on every decision."""

    text: str

    def __new__(cls, entities: Sequence[Mapping[str, Any]]) -> EntityList:
        """Wrap ``entities``; ``text`` is their JSON array."""
        self = super().__new__(cls, entities)
        self.text = json.dumps(list(entities))
        return self


@dataclass(frozen=True, slots=True)
class Request:
    """A request in Cedar terms. ``context`` and ``entities`` are Cedar JSON
    (already converted from the wire); ``context`` must not hold ``approval``
    or ``payload``, which Proctor fills."""

    principal: EntityUid
    action: EntityUid
    resource: EntityUid
    context: Mapping[str, Any] = field(default_factory=dict)
    entities: Sequence[Mapping[str, Any]] = ()
    payload_findings: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Requirement:
    """One approver group's part of an approval."""

    group: GroupRef
    quorum: int
    policy_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the engine decided, and why."""

    decision: DecisionName
    reason_code: str
    reason_message: str
    policy_ids: tuple[str, ...] = ()
    masks: tuple[Directive, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    ttl_seconds: int = 0
    uses: int = 0
    errored_policy_ids: tuple[str, ...] = ()


def deny(code: str, message: str, policy_ids: Sequence[str] = ()) -> Outcome:
    """A DENY outcome."""
    return Outcome("DENY", code, message, tuple(policy_ids))


def decide(
    bundle: Bundle,
    request: Request,
    granted: bool = False,
    *,
    satisfied_out: set[str] | None = None,
    approval_facts: Mapping[str, Sequence[tuple[str, str]]] | None = None,
    trusted_entities: bool = False,
) -> Outcome:
    """Decide one request against a bundle.

    ``granted`` is True only when the caller has verified an approval grant
    bound to exactly this request and bundle version. Raises
    :class:`InvalidRequestError` for a request that cannot be evaluated (it
    names the field); every other failure is a DENY outcome. Tools that
    measure coverage pass ``satisfied_out`` to collect the @ids of every
    policy the request satisfied, determining or not. ``approval_facts``
    (reviewers, groups) of a verified grant fill ``context.approval`` as far
    as the schema declares them. ``trusted_entities`` is for entities
    Proctor itself builds from verified credentials: they may be of
    bundle-only types.
    """
    sl = _slice_for(bundle, request.action)
    context = _context(sl, request, granted, approval_facts)
    entities = _entities(bundle, request, trusted_entities)
    cedar_request = {
        "principal": request.principal.to_json(),
        "action": request.action.to_json(),
        "resource": request.resource.to_json(),
        "context": json.dumps(context),
    }
    batch = [cedar_request]
    probe = sl.needs_probe and not granted and sl.approval is not None
    if probe:
        assert sl.approval is not None
        approved_context = {**context, "approval": approval_value(sl.approval, granted=True)}
        batch.append({**cedar_request, "context": json.dumps(approved_context)})
    try:
        results = cedarpy.is_authorized_batch(batch, sl.policy_set, entities, bundle.schema)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # a Rust panic (pyo3 PanicException) is a BaseException
        return deny(EVALUATION_ERROR, "the policy engine failed to evaluate the request")
    first = results[0]
    if first.decision == cedarpy.Decision.NoDecision:
        raise _explain_invalid(bundle, sl, request, context)
    satisfied, errored = _satisfied(first)
    if satisfied_out is not None:
        satisfied_out.update(satisfied & sl.policy_ids)
    if probe:
        if results[1].decision == cedarpy.Decision.NoDecision:
            return deny(
                EVALUATION_ERROR, "the policy engine failed to evaluate the approved request"
            )
        return _outcome(sl, satisfied, errored, _satisfied(results[1]), granted)
    return _outcome(sl, satisfied, errored, _through_twins(sl, satisfied, errored), granted)


def _through_twins(
    sl: ActionSlice, satisfied: set[str], errored: set[str]
) -> Callable[[], tuple[set[str], set[str]]]:
    """What the request would satisfy if approved, read off the twins."""

    def compute() -> tuple[set[str], set[str]]:
        return (
            {p for p in sl.policy_ids if (sl.twins.get(p) or p) in satisfied},
            {p for p in sl.policy_ids if (sl.twins.get(p) or p) in errored},
        )

    return compute


def _satisfied(result: Any) -> tuple[set[str], set[str]]:
    satisfied = set(result.diagnostics.reasons) if result.allowed else set()
    errored = set()
    for message in result.diagnostics.errors:
        m = _ERRORED_POLICY.search(message)
        errored.add(m.group(1) if m else "?")
    return satisfied, errored


def _outcome(
    sl: ActionSlice,
    satisfied: set[str],
    errored: set[str],
    approved: tuple[set[str], set[str]] | Callable[[], tuple[set[str], set[str]]],
    granted: bool,
) -> Outcome:
    gates = set(sl.gates)
    access_errors = sorted(errored & (sl.permits | sl.forbids | gates | {"?"}))
    if access_errors:
        # Cedar skips a policy that errors; a skipped forbid must not turn
        # into an ALLOW, so any error in the access set denies.
        return Outcome(
            "DENY",
            EVALUATION_ERROR,
            f"{len(access_errors)} polic{'y' if len(access_errors) == 1 else 'ies'} failed to "
            "evaluate; denying",
            (),
            errored_policy_ids=tuple(access_errors),
        )
    permits = sorted(satisfied & sl.permits)
    forbids = sorted(satisfied & sl.forbids)
    blocking_gates = sorted(satisfied & gates)
    if forbids:
        return deny(
            FORBIDDEN,
            f"forbidden by {_ids(forbids)}" + ("; no approval can lift it" if not granted else ""),
            sorted(forbids + blocking_gates),
        )
    if not blocking_gates:
        if not permits:
            return deny(NO_PERMIT, "no policy permits this request")
        code = ALLOWED_WITH_APPROVAL if granted and sl.gates else ALLOWED
        return Outcome(
            "ALLOW",
            code,
            f"permitted by {_ids(permits)}",
            tuple(permits),
            masks=_masks(sl, satisfied, errored),
        )
    if granted:
        return deny(
            FORBIDDEN,
            f"{_ids(blocking_gates)} still forbids the request with its approval",
            blocking_gates,
        )
    # Only approval gates block: would the request be allowed if approved?
    if_approved, errored_approved = approved() if callable(approved) else approved
    if errored_approved & (sl.permits | sl.forbids | gates):
        return deny(EVALUATION_ERROR, "policies failed to evaluate for the approved request")
    still_forbidding = sorted(if_approved & (sl.forbids | gates))
    if still_forbidding:
        return deny(
            FORBIDDEN,
            f"{_ids(still_forbidding)} forbids the request even if approved",
            still_forbidding,
        )
    if not if_approved & sl.permits:
        return deny(
            NO_PERMIT,
            "no policy would permit this request even if approved "
            f"(gated by {_ids(blocking_gates)})",
            blocking_gates,
        )
    requirements, ttl, uses = _requirements(sl, blocking_gates)
    groups = " and ".join(f"{r.quorum} from {r.group}" for r in requirements)
    return Outcome(
        "NEEDS_APPROVAL",
        APPROVAL_REQUIRED,
        f"approval required by {_ids(blocking_gates)}: {groups}",
        tuple(blocking_gates),
        masks=_masks(sl, if_approved, errored_approved),
        requirements=requirements,
        ttl_seconds=ttl,
        uses=uses,
    )


MEMO_LIMIT = 4096


def _memoized(sl: ActionSlice, key: Any, compute: Any) -> Any:
    try:
        return sl.memo[key]
    except KeyError:
        value = compute()
        if len(sl.memo) < MEMO_LIMIT:
            sl.memo[key] = value
        return value


def _requirements(
    sl: ActionSlice, gate_ids: Sequence[str]
) -> tuple[tuple[Requirement, ...], int, int]:
    """Several gates add up: every group they name is required, each with the
    largest quorum asked of it; the shortest ttl and fewest uses apply."""
    result: tuple[tuple[Requirement, ...], int, int] = _memoized(
        sl, ("requirements", tuple(gate_ids)), lambda: _aggregate(sl, gate_ids)
    )
    return result


def _aggregate(
    sl: ActionSlice, gate_ids: Sequence[str]
) -> tuple[tuple[Requirement, ...], int, int]:
    quorum: dict[GroupRef, int] = {}
    asked_by: dict[GroupRef, list[str]] = {}
    ttl, uses = 0, 0
    for gid in gate_ids:
        gate = sl.gates[gid]
        ttl = gate.ttl_seconds if not ttl else min(ttl, gate.ttl_seconds)
        uses = gate.uses if not uses else min(uses, gate.uses)
        for group in gate.groups:
            quorum[group] = max(quorum.get(group, 0), gate.quorum)
            asked_by.setdefault(group, []).append(gid)
    reqs = tuple(Requirement(g, quorum[g], tuple(sorted(asked_by[g]))) for g in sorted(quorum))
    return reqs, ttl, uses


def _masks(sl: ActionSlice, satisfied: set[str], errored: set[str]) -> tuple[Directive, ...]:
    applied = frozenset(rid for rid in sl.masks if rid in satisfied or rid in errored)
    if not applied:
        return ()
    merged: tuple[Directive, ...] = _memoized(
        sl,
        ("masks", applied),
        lambda: merge_directives(d for rid in applied for d in sl.masks[rid]),
    )
    return merged


def _ids(ids: Sequence[str]) -> str:
    return ", ".join(f"`{i}`" for i in ids)


# --- request preparation ----------------------------------------------------


def _slice_for(bundle: Bundle, action: EntityUid) -> ActionSlice:
    sl = bundle.slices.get(ActionUid(action.type, action.id))
    if sl is not None:
        return sl
    known = [str(EntityUid(u.type, u.id)) for u in bundle.slices]
    close = difflib.get_close_matches(str(action), known, n=1, cutoff=0.6)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    raise InvalidRequestError("action", f"unknown action `{action}`{hint}")


def _context(
    sl: ActionSlice,
    request: Request,
    granted: bool,
    facts: Mapping[str, Sequence[tuple[str, str]]] | None = None,
) -> dict[str, Any]:
    for name in RESERVED_CONTEXT:
        if name in request.context:
            raise InvalidRequestError(
                f"context.{name}",
                "is reserved: Proctor fills it"
                + (" from approval_id" if name == "approval" else " from the request's payload"),
            )
    context = dict(request.context)
    if sl.approval is not None:
        context["approval"] = approval_value(sl.approval, granted, facts if granted else None)
    if request.payload_findings is not None and sl.payload is not None:
        assert isinstance(sl.payload.type, RecordType)
        declared = sl.payload.type.attributes
        context["payload"] = {k: v for k, v in request.payload_findings.items() if k in declared}
    return context


def _entities(bundle: Bundle, request: Request, trusted: bool = False) -> Any:
    if not request.entities:
        return bundle.entities
    if bundle.bundle_only_types and not trusted:
        _check_sources(bundle.bundle_only_types, request.entities)
    entities = request.entities
    text = entities.text if isinstance(entities, EntityList) else json.dumps(list(entities))
    try:
        return bundle.merged_entities(text)
    except ValueError:
        problems = explain_entities(text, bundle.model, prefix="entities")
        if problems:
            field_name, _, problem = problems[0].partition(": ")
            raise InvalidRequestError(field_name, problem) from None
        raise InvalidRequestError(
            "entities",
            "do not fit the bundle: an entity already in the bundle's entities.json with "
            "different attributes or parents, or one that breaks the schema",
        ) from None


def _check_sources(bundle_only: frozenset[str], entities: Sequence[Mapping[str, Any]]) -> None:
    """Requests may not supply, or claim membership in, bundle-only entities."""
    for i, entity in enumerate(entities):
        uid = entity.get("uid")
        if isinstance(uid, Mapping) and uid.get("type") in bundle_only:
            raise InvalidRequestError(
                f"entities[{i}].uid.type",
                f"entities of type `{uid.get('type')}` come only from the bundle's entities.json",
            )
        for j, parent in enumerate(entity.get("parents") or ()):
            if isinstance(parent, Mapping) and parent.get("type") in bundle_only:
                raise InvalidRequestError(
                    f"entities[{i}].parents[{j}]",
                    f"a request cannot claim membership in a `{parent.get('type')}`: "
                    "memberships come only from the bundle's entities.json",
                )


def _explain_invalid(
    bundle: Bundle, sl: ActionSlice, request: Request, context: Mapping[str, Any]
) -> InvalidRequestError:
    """Why Cedar refused to build the request, in words that name the field
    and never quote a value (Cedar's own message may quote the context)."""
    action = sl.action
    for name, uid, allowed in (
        ("principal", request.principal, action.principal_types),
        ("resource", request.resource, action.resource_types),
    ):
        if uid.type not in allowed:
            return InvalidRequestError(
                f"{name}.type",
                f"`{uid.type}` is not a valid {name} type for `{request.action}` "
                f"(expected {' or '.join(f'`{t}`' for t in allowed)})",
            )
    problems = validate_value(
        dict(context), action.context, "context", bundle.model, where=str(request.action)
    )
    if problems:
        field_name, _, problem = problems[0].partition(": ")
        return InvalidRequestError(field_name, problem)
    return InvalidRequestError("", f"the request does not match the schema for `{request.action}`")
