"""Policy bundles: load a directory of Cedar files into an immutable,
pre-parsed, per-action sliced :class:`Bundle`.

A bundle directory holds ``schema.cedarschema`` (or ``schema.cedarschema.json``),
any number of ``*.cedar`` files (searched recursively) and an optional
``entities.json`` with the base entities (groups, users, agents). Loading is
all-or-nothing: every problem is collected and reported with file, line and
policy id, and a bundle with any problem is not returned.

What loading produces, so a decision does no parsing at all:

* for each action in the schema, one Cedar policy set holding only the
  policies whose scope can match that action, so cost grows with the policies
  relevant to an action, not with the bundle;
* in that set every policy is entered as a *permit* under its ``@id``, so one
  evaluation returns every satisfied policy (Cedar reports only determining
  policies; with all permits, that is all of them) and Proctor computes the
  decision itself from the effects it knows; and approval *twins* of the
  policies that read ``context.approval`` answer "would it be allowed if
  approved?" in the same call;
* the version: a content hash of every file that went in.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import cedarpy

from proctor.masking import Directive
from proctor.service.annotations import (
    AnnotationError,
    Gate,
    PolicyAnnotations,
    parse_annotations,
)
from proctor.service.cedar_schema import (
    ActionDef,
    ActionUid,
    Attribute,
    BoolType,
    EntityType,
    RecordType,
    SchemaError,
    SchemaModel,
    SetType,
    parse_schema,
    parse_schema_json,
    validate_value,
)
from proctor.service.errors import BundleError
from proctor.service.policy_text import (
    ContextUsedWhole,
    mentions_approval,
    split_policies,
    substitute_approval,
)

SCHEMA_FILES = ("schema.cedarschema", "schema.cedarschema.json")
ENTITIES_FILE = "entities.json"
TWIN_SUFFIX = "#if-approved"  # `#` cannot occur in an @id, so twins never collide

Effect = Literal["permit", "forbid"]

# Attributes of context.approval that Proctor knows how to fill.
APPROVAL_ATTRS = frozenset({"granted", "reviewers", "groups"})
# Attributes of context.payload that Proctor fills from a scanned payload.
PAYLOAD_ATTRS = frozenset({"phi_detected", "phi_categories", "finding_count"})


@dataclass(frozen=True, slots=True)
class PolicyInfo:
    """One policy: where it is, what it is."""

    policy_id: str
    effect: Effect
    file: str
    line: int
    annotations: PolicyAnnotations
    est: Mapping[str, Any] = field(repr=False)

    @property
    def gate(self) -> Gate | None:
        """The approval gate, for an approvable forbid."""
        return self.annotations.gate

    @property
    def masks(self) -> tuple[Directive, ...]:
        """The masking directives, for a masking rule."""
        return self.annotations.masks

    @property
    def kind(self) -> Literal["permit", "forbid", "gate", "mask"]:
        """permit, forbid, gate (approvable forbid) or mask (masking rule)."""
        if self.masks:
            return "mask"
        if self.gate is not None:
            return "gate"
        return self.effect


@dataclass(frozen=True, slots=True)
class ActionSlice:
    """Everything needed to decide requests for one action."""

    action: ActionDef
    policy_set: Any = field(repr=False)  # cedarpy.PolicySet
    permits: frozenset[str]
    forbids: frozenset[str]
    gates: Mapping[str, Gate]
    masks: Mapping[str, tuple[Directive, ...]]
    # policy id -> id of its approval twin in policy_set
    twins: Mapping[str, str]
    # True when some policy uses `context` whole, so twins cannot be built and
    # a second, approved request is evaluated instead.
    needs_probe: bool
    # How context.approval / context.payload are declared for this action.
    approval: Attribute | None
    payload: Attribute | None
    # Memo of merged masks and aggregated requirements by the set of policies
    # that produced them: few distinct sets occur, and merging is the most
    # expensive Python step of a decision. Filled lazily by the engine.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def policy_ids(self) -> frozenset[str]:
        """Every policy in this slice (twins excluded)."""
        return self.permits | self.forbids | frozenset(self.gates) | frozenset(self.masks)


@dataclass(frozen=True, slots=True)
class Bundle:
    """A loaded, validated, immutable policy bundle."""

    version: str
    directory: str
    loaded_at: float
    schema: Any = field(repr=False)  # cedarpy.Schema
    model: SchemaModel = field(repr=False)
    entities: Any = field(repr=False)  # cedarpy.Entities
    policies: Mapping[str, PolicyInfo] = field(repr=False)
    slices: Mapping[ActionUid, ActionSlice] = field(repr=False)
    # Entity types annotated @proctor_source("bundle"): requests may neither
    # supply such entities nor claim membership in them.
    bundle_only_types: frozenset[str] = frozenset()
    # The base entities' parents and references, for approvals: who is in
    # which group, and for whom an agent acts.
    directory_index: EntityDirectory = field(
        default_factory=lambda: EntityDirectory({}), repr=False
    )
    # Base entities plus a request's own, by the request entities' JSON text:
    # agents repeat their principal and resource entities from call to call,
    # and Cedar re-parses and re-validates the merged set on every merge
    # (≈ 60–80 µs). Bounded by entry count scaled to the base's size; a
    # merge that fails raises and is not cached.
    merged_entities: Callable[[str], Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        base, schema = self.entities, self.schema
        size = max(16, min(1024, 100_000 // (len(base) + 1))) if base is not None else 16

        @functools.lru_cache(maxsize=size)
        def merged(text: str) -> Any:
            return base.with_added_json_str(text, schema)

        object.__setattr__(self, "merged_entities", merged)

    @property
    def access_policy_count(self) -> int:
        """Policies in the access set (permits, forbids, gates)."""
        return sum(1 for p in self.policies.values() if p.kind != "mask")

    @property
    def masking_policy_count(self) -> int:
        """Masking rules."""
        return sum(1 for p in self.policies.values() if p.kind == "mask")


# --- loading ---------------------------------------------------------------


@dataclass
class _Problems:
    items: list[str] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}" if where else message)


def bundle_files(directory: Path) -> list[Path]:
    """The files that make up a bundle, in a stable order."""
    files = [p for p in sorted(directory.rglob("*.cedar")) if p.is_file()]
    for name in (*SCHEMA_FILES, ENTITIES_FILE):
        if (directory / name).is_file():
            files.append(directory / name)
    return files


def compute_version(directory: Path, files: list[Path]) -> str:
    """Content hash over every file's relative path and bytes."""
    h = hashlib.sha256()
    for path in files:
        rel = path.relative_to(directory).as_posix().encode()
        data = path.read_bytes()
        h.update(len(rel).to_bytes(4, "big") + rel + len(data).to_bytes(8, "big") + data)
    return "sha256:" + h.hexdigest()[:24]


def load_bundle(directory: str | Path) -> Bundle:
    """Load and validate a bundle directory.

    Raises :class:`BundleError` listing every problem found.
    """
    root = Path(directory)
    if not root.is_dir():
        raise BundleError([f"{root}: not a directory (expected a policy bundle)"])
    problems = _Problems()
    files = bundle_files(root)
    version = compute_version(root, files)

    schema, model = _load_schema(root, problems)
    policies = _load_policies(root, problems)
    if schema is None or model is None:
        raise BundleError(problems.items)
    _validate_policies(root, policies, schema, problems)
    bundle_only = _bundle_only_types(root, model, problems)
    entities = _load_entities(root, schema, model, problems)
    index = EntityDirectory.from_json(root / ENTITIES_FILE)
    slices = _build_slices(policies, model, problems)
    if problems.items:
        raise BundleError(problems.items)
    return Bundle(
        version=version,
        directory=str(root),
        loaded_at=time.time(),
        schema=schema,
        model=model,
        entities=entities,
        policies={p.policy_id: p for p in policies},
        slices=slices,
        bundle_only_types=bundle_only,
        directory_index=index,
    )


EntityKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class EntityDirectory:
    """Parents and entity-valued attributes of the bundle's base entities
    (no other attribute values: they may be PHI)."""

    parents: Mapping[EntityKey, tuple[EntityKey, ...]]
    refs: Mapping[EntityKey, Mapping[str, EntityKey]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, path: Path) -> EntityDirectory:
        """Index ``entities.json`` (already validated by Cedar; tolerant here)."""
        try:
            doc = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
        except (OSError, ValueError):
            return cls({})
        parents: dict[EntityKey, tuple[EntityKey, ...]] = {}
        refs: dict[EntityKey, dict[str, EntityKey]] = {}
        for entity in doc if isinstance(doc, list) else ():
            key = _entity_key(entity.get("uid")) if isinstance(entity, dict) else None
            if key is None:
                continue
            parents[key] = tuple(
                k for k in (_entity_key(p) for p in entity.get("parents") or ()) if k
            )
            attrs = entity.get("attrs")
            for name, value in attrs.items() if isinstance(attrs, dict) else ():
                ref = _entity_key(value.get("__entity") if isinstance(value, dict) else None)
                ref = ref or _entity_key(value)
                if ref is not None:
                    refs.setdefault(key, {})[name] = ref
        return cls(parents, refs)

    def __contains__(self, key: EntityKey) -> bool:
        return key in self.parents

    def ancestors(self, key: EntityKey) -> frozenset[EntityKey]:
        """Every entity ``key`` is (transitively) `in`."""
        seen: set[EntityKey] = set()
        todo = list(self.parents.get(key, ()))
        while todo:
            parent = todo.pop()
            if parent not in seen:
                seen.add(parent)
                todo.extend(self.parents.get(parent, ()))
        return frozenset(seen)

    def ref(self, key: EntityKey, attribute: str) -> EntityKey | None:
        """An entity-valued attribute, e.g. an agent's ``on_behalf_of``."""
        return self.refs.get(key, {}).get(attribute)


def _entity_key(value: Any) -> EntityKey | None:
    if (
        isinstance(value, dict)
        and isinstance(value.get("type"), str)
        and isinstance(value.get("id"), str)
    ):
        return value["type"], value["id"]
    return None


def _load_schema(root: Path, problems: _Problems) -> tuple[Any, SchemaModel | None]:
    for name in SCHEMA_FILES:
        path = root / name
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            try:
                return parse_schema_json(text) if name.endswith(".json") else parse_schema(text)
            except SchemaError as exc:
                problems.add(f"{path}", f"invalid schema: {exc}")
                return None, None
    problems.add(
        str(root),
        "no schema: a bundle needs `schema.cedarschema` (or `schema.cedarschema.json`) "
        "so that policies and requests can be validated",
    )
    return None, None


_POLICY_REF = re.compile(r"`?policy(\d+)`?")


def _load_policies(root: Path, problems: _Problems) -> list[PolicyInfo]:
    out: list[PolicyInfo] = []
    seen: dict[str, str] = {}
    files = [p for p in sorted(root.rglob("*.cedar")) if p.is_file()]
    if not files:
        problems.add(str(root), "no `*.cedar` policy files")
    for path in files:
        text = path.read_text(encoding="utf-8")
        for chunk in split_policies(text):
            where = f"{path}:{chunk.line}"
            try:
                est_set = json.loads(cedarpy.policies_to_json_str(chunk.text))
            except ValueError as exc:
                problems.add(where, f"cannot parse policy: {exc}")
                continue
            if est_set.get("templates"):
                problems.add(
                    where, "policy templates (`?principal`, `?resource`) are not supported"
                )
                continue
            for est in est_set.get("staticPolicies", {}).values():
                raw_annotations = est.get("annotations", {})
                label = raw_annotations.get("id") or "(no @id)"
                try:
                    ann = parse_annotations(raw_annotations, est["effect"])
                except AnnotationError as exc:
                    problems.add(f"{where}: policy `{label}`", str(exc))
                    continue
                if ann.policy_id in seen:
                    problems.add(
                        f"{where}: policy `{ann.policy_id}`",
                        f"duplicate @id; first defined at {seen[ann.policy_id]}",
                    )
                    continue
                seen[ann.policy_id] = where
                out.append(
                    PolicyInfo(ann.policy_id, est["effect"], str(path), chunk.line, ann, est)
                )
    return out


def _validate_policies(
    root: Path, policies: list[PolicyInfo], schema: Any, problems: _Problems
) -> None:
    """Strict validation of every policy against the schema."""
    if not policies:
        return
    # Validate one policy set with ids = @ids so Cedar's messages name them.
    by_index = {str(i): p for i, p in enumerate(policies)}
    text = cedarpy.policies_from_json_str(_est_set({p.policy_id: p.est for p in policies}))
    result = cedarpy.validate_policies(text, schema)
    if result.validation_passed:
        return
    for err in result.errors:
        pid = result.id_annotations_by_policy_id.get(err.policy_id)
        info = next((p for p in policies if p.policy_id == pid), None)
        if info is None:
            m = _POLICY_REF.search(err.policy_id or "")
            info = by_index.get(m.group(1)) if m else None
        message = _POLICY_REF.sub(f"`{info.policy_id}`" if info else "this policy", err.error)
        where = f"{info.file}:{info.line}: policy `{info.policy_id}`" if info else str(root)
        problems.add(where, f"does not validate against the schema: {message}")


def _est_set(static: Mapping[str, Any]) -> str:
    return json.dumps({"staticPolicies": dict(static), "templates": {}, "templateLinks": []})


SOURCE_ANNOTATION = "proctor_source"


def _bundle_only_types(root: Path, model: SchemaModel, problems: _Problems) -> frozenset[str]:
    """Entity types whose entities come only from entities.json.

    Identity data — humans, groups, who is in which group — should come from
    the bundle (synced from the IdP), not from the caller: otherwise a caller
    could claim membership in an approver group.
    """
    out = set()
    for name, etype in model.entity_types.items():
        source = etype.annotation(SOURCE_ANNOTATION)
        if source is None or source == "request":
            continue
        if source != "bundle":
            problems.add(
                str(root / SCHEMA_FILES[0]),
                f'entity type `{name}`: `@{SOURCE_ANNOTATION}("{source}")` must be '
                '"bundle" (only from entities.json) or "request" (the default)',
            )
            continue
        out.add(name)
    return frozenset(out)


def _load_entities(root: Path, schema: Any, model: SchemaModel, problems: _Problems) -> Any:
    path = root / ENTITIES_FILE
    text = path.read_text(encoding="utf-8") if path.is_file() else "[]"
    try:
        return cedarpy.Entities.from_json_str(text, schema)
    except ValueError:
        # Cedar's own message may quote attribute values: say where, not what.
        fallback = "does not fit the schema (an entity, attribute or parent is invalid)"
        for problem in explain_entities(text, model) or [fallback]:
            problems.add(str(path), problem)
        return None


def explain_entities(text: str, model: SchemaModel, prefix: str = "") -> list[str]:
    """Say which entity and attribute make an entity list invalid, without
    quoting attribute values (they may be PHI)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [f"{prefix}not JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"]
    if not isinstance(data, list):
        return [f"{prefix}must be a JSON list of entities"]
    out: list[str] = []
    for i, ent in enumerate(data):
        where = f"{prefix}[{i}]"
        if not isinstance(ent, dict) or not isinstance(ent.get("uid"), dict):
            out.append(f"{where}: an entity needs `uid`, `attrs` and `parents`")
            continue
        type_name = str(ent["uid"].get("type", ""))
        etype = model.entity_types.get(type_name)
        if etype is None:
            out.append(f"{where}.uid.type: unknown entity type `{type_name}`")
            continue
        out.extend(validate_value(ent.get("attrs", {}), etype.shape, f"{where}.attrs", model))
        for j, parent in enumerate(ent.get("parents", [])):
            ptype = parent.get("type") if isinstance(parent, dict) else None
            if ptype not in etype.member_of:
                out.append(f"{where}.parents[{j}]: `{type_name}` cannot be a member of `{ptype}`")
    return out


def _action_matches(est_action: Mapping[str, Any], uid: ActionUid, model: SchemaModel) -> bool:
    op = est_action.get("op")
    if op == "All":
        return True
    if op == "==":
        e = est_action["entity"]
        return ActionUid(e["type"], e["id"]) == uid
    if op == "in":
        targets = est_action.get("entities") or [est_action["entity"]]
        return any(uid in model.action_descendants(ActionUid(t["type"], t["id"])) for t in targets)
    return True  # unknown scope form: include it; Cedar decides


def _context_attr(action: ActionDef, name: str) -> Attribute | None:
    return action.context.attributes.get(name)


def approval_value(
    attr: Attribute,
    granted: bool,
    facts: Mapping[str, Sequence[EntityKey]] | None = None,
) -> dict[str, Any]:
    """context.approval as the schema declares it: ``granted``, and for a
    verified grant the ``reviewers`` and ``groups`` when declared (entities of
    the declared type only, so the request stays schema-valid); declared but
    unknown required attributes are empty sets."""
    assert isinstance(attr.type, RecordType)
    value: dict[str, Any] = {"granted": granted}
    for name, sub in attr.type.attributes.items():
        if name == "granted":
            continue
        known = (facts or {}).get(name)
        if known and isinstance(sub.type, SetType) and isinstance(sub.type.element, EntityType):
            kind = sub.type.element.name
            value[name] = [
                {"__entity": {"type": t, "id": i}} for t, i in sorted(set(known)) if t == kind
            ]
        elif sub.required:
            value[name] = []
    return value


def _check_approval_shape(action: ActionDef, attr: Attribute | None) -> str | None:
    if attr is None:
        return (
            f"its action `{action.uid}` declares no `approval` in its context, so the gate could "
            "never be lifted; add `approval?: {{ granted: Bool }}` to the action's context"
        )
    if not isinstance(attr.type, RecordType):
        return f"`context.approval` of `{action.uid}` must be a record with `granted: Bool`"
    granted = attr.type.attributes.get("granted")
    if granted is None or not isinstance(granted.type, BoolType) or not granted.required:
        return f"`context.approval` of `{action.uid}` must declare `granted: Bool` (required)"
    for name, sub in attr.type.attributes.items():
        if name not in APPROVAL_ATTRS and sub.required:
            return (
                f"`context.approval` of `{action.uid}` declares required attribute `{name}`, "
                f"which Proctor does not fill (known: {', '.join(sorted(APPROVAL_ATTRS))})"
            )
        if name in ("reviewers", "groups") and not (
            isinstance(sub.type, SetType) and isinstance(sub.type.element, EntityType)
        ):
            return f"`context.approval.{name}` of `{action.uid}` must be a set of entities"
    return None


def _build_slices(
    policies: list[PolicyInfo], model: SchemaModel, problems: _Problems
) -> dict[ActionUid, ActionSlice]:
    slices: dict[ActionUid, ActionSlice] = {}
    cache: dict[tuple[Any, ...], Any] = {}
    for uid, action in model.actions.items():
        if not action.principal_types or not action.resource_types:
            continue  # an action group only: never requested itself
        relevant = [p for p in policies if _action_matches(p.est["action"], uid, model)]
        approval = _context_attr(action, "approval")
        static: dict[str, Any] = {}
        twins: dict[str, str] = {}
        needs_probe = False
        for p in relevant:
            static[p.policy_id] = {**p.est, "effect": "permit"}
            if p.gate is not None:
                problem = _check_approval_shape(action, approval)
                if problem:
                    problems.add(f"{p.file}:{p.line}: policy `{p.policy_id}`", problem)
                    continue
            if approval is not None and mentions_approval(p.est):
                try:
                    twin = substitute_approval(p.est, approval_value(approval, granted=True))
                except ContextUsedWhole:
                    needs_probe = True
                    continue
                twins[p.policy_id] = p.policy_id + TWIN_SUFFIX
                static[twins[p.policy_id]] = {**twin, "effect": "permit"}
        if needs_probe:
            for tid in twins.values():
                static.pop(tid)
            twins = {}
        key = tuple(sorted(static))
        if key not in cache:
            cache[key] = cedarpy.PolicySet.from_json_str(_est_set(static))
        slices[uid] = ActionSlice(
            action=action,
            policy_set=cache[key],
            permits=frozenset(p.policy_id for p in relevant if p.kind == "permit"),
            forbids=frozenset(p.policy_id for p in relevant if p.kind == "forbid"),
            gates={p.policy_id: p.gate for p in relevant if p.gate is not None},
            masks={p.policy_id: p.masks for p in relevant if p.masks},
            twins=twins,
            needs_probe=needs_probe,
            approval=approval,
            payload=_context_attr(action, "payload"),
        )
    return slices
