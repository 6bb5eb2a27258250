"""Hypothesis strategies derived from a bundle's Cedar schema.

Property tests for policies need requests the engine accepts: principals and
resources of the types an action applies to, contexts of the declared shape,
entity graphs that respect the schema's `in` relation. This module builds them
from :class:`~proctor.service.cedar_schema.SchemaModel`, so a property is a
few lines::

    from hypothesis import given
    from proctor.service.strategies import requests

    @given(requests(bundle, "export_patient_data"))
    def test_no_agent_exports_phi_without_approval(request): ...

Three public strategies, each shrinkable (built only from hypothesis
combinators, never the `random` module):

* :func:`values` — a well-typed Cedar JSON value for a schema type;
* :func:`entities` — a list of Cedar JSON entities respecting the schema;
* :func:`requests` — :class:`~proctor.service.engine.Request` objects for an
  action of a loaded bundle, mixing the bundle's own entities (`entities.json`)
  with fresh ones supplied as per-request entities.

Random values rarely satisfy a policy, so `requests` leans on the bundle:
strings and numbers are often its *literals* — those written in its policies
and base entities, filed by the attribute they go with
(:func:`bundle_literals`) — and fresh entities are often *neighbours* of its
base entities (one of them with some attributes regenerated). A permit on
`principal.roles.contains("data-export")` is then exercised, not just its
negation. Generation is still skewed towards small, simple requests (that is
how hypothesis explores), so a property should count what it checked
(`hypothesis.event`) or pin that its precondition is reachable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from proctor.service.bundle import ENTITIES_FILE, Bundle
from proctor.service.cedar_schema import (
    ActionDef,
    ActionUid,
    BoolType,
    CedarType,
    EntityType,
    ExtensionType,
    LongType,
    RecordType,
    SchemaModel,
    SetType,
    StringType,
)
from proctor.service.engine import RESERVED_CONTEXT, EntityUid, Request

__all__ = [
    "PHI_CATEGORIES",
    "Literals",
    "bundle_literals",
    "entities",
    "load_base_entities",
    "payload_findings",
    "requests",
    "values",
]

# Categories the PHI scanner reports; payload findings draw from these.
PHI_CATEGORIES = ("SSN", "NAME", "MRN", "PHONE", "DATE", "EMAIL")

_I64_MIN, _I64_MAX = -(2**63), 2**63 - 1
# decimal() scales by 10^4 into an i64; this whole part keeps any 4-digit
# fraction of either sign in range.
_DECIMAL_WHOLE_MAX = _I64_MAX // 10_000 - 1
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# Ids of entities the generator invents. Few per type on purpose: requests,
# attributes and parents then point at the same entities often enough for
# `==`, `in` and attribute reads to see existing entities.
_FRESH_PREFIX = "new-"
_FRESH_PER_TYPE = 2
_MAX_SET = 3
_MAX_PARENTS = 2
_MAX_TAGS = 2


@dataclass(frozen=True)
class Literals:
    """Values a bundle compares against, used to bias generated values.

    `strings` and `longs` feed String and Long values; `by_attribute` holds
    the literals seen with one attribute name (`context.destination like
    "s3://hospital-research/*"`, `principal.roles.contains("sre")`, a base entity's
    `department`), which then replace the general ones for that attribute;
    `uids` are entity references written in policies (`principal in
    Group::"engineering"`).
    """

    strings: tuple[str, ...] = ()
    longs: tuple[int, ...] = ()
    uids: tuple[tuple[str, str], ...] = ()
    by_attribute: Mapping[str, Literals] = field(default_factory=dict, compare=False)

    def for_attribute(self, name: str) -> Literals:
        """The literals for values of attribute `name` (and everything inside them)."""
        specific = self.by_attribute.get(name)
        if specific is None:
            return self
        return Literals(
            specific.strings or self.strings,
            specific.longs or self.longs,
            self.uids,
            self.by_attribute,
        )


# ----------------------------------------------------------------------- values


def values(
    t: CedarType,
    model: SchemaModel,
    entity_ids: Mapping[str, Sequence[str]] | None = None,
    *,
    literals: Literals | None = None,
) -> SearchStrategy[Any]:
    """Well-typed Cedar JSON values of schema type `t` (as `json.loads` would give).

    Longs are anywhere in the 64-bit range but mostly small (and near the
    `literals`' numbers); strings are short; records always carry their
    required attributes and sometimes their optional ones; entity references
    are `{"__entity": {"type": ..., "id": ...}}` with ids from `entity_ids`
    for that type (else the type's enum values, declared actions, or a small
    pool of fresh ids); extension values are `{"__extn": {"fn": ..., "arg": ...}}`
    with arguments Cedar accepts.
    """
    lits = literals or Literals()
    ids = entity_ids or {}
    if isinstance(t, BoolType):
        return st.booleans()
    if isinstance(t, LongType):
        return _longs(lits)
    if isinstance(t, StringType):
        return _strings(lits)
    if isinstance(t, SetType):
        return st.lists(
            values(t.element, model, ids, literals=lits),
            max_size=_MAX_SET,
            # A Cedar set has no duplicates; generating none keeps examples readable.
            unique_by=_json_key,
        )
    if isinstance(t, RecordType):
        return _records(t, model, ids, lits)
    if isinstance(t, EntityType):
        return _entity_ids(t.name, model, ids).map(lambda i: _ref(t.name, i))
    if isinstance(t, ExtensionType):
        return _extensions(t)
    raise TypeError(f"not a Cedar schema type: {t!r}")


def _json_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _ref(type_name: str, entity_id: str) -> dict[str, Any]:
    return {"__entity": {"type": type_name, "id": entity_id}}


def _longs(lits: Literals) -> SearchStrategy[int]:
    # Around each literal k, policies branch at k-1 / k / k+1 (`> 10`, `>= 10`).
    near = sorted({n for k in lits.longs for n in (k - 1, k, k + 1) if _I64_MIN <= n <= _I64_MAX})
    small = st.integers(-3, 20)
    wide = st.integers(_I64_MIN, _I64_MAX)
    return st.one_of(small, st.sampled_from(near), wide) if near else st.one_of(small, wide)


# Printable ASCII mostly (readable counterexamples), any other code point
# sometimes, never a lone surrogate (Cedar's JSON parser rejects those). Built
# from integers rather than st.characters(): that one loads Unicode tables,
# about a second on the first run in a fresh checkout, which trips
# hypothesis's too_slow health check in a team's CI.
_CHARACTERS = st.one_of(
    st.integers(0x20, 0x7E),
    st.integers(0, 0x10FFFF).filter(lambda c: not 0xD800 <= c <= 0xDFFF),
).map(chr)


def _strings(lits: Literals) -> SearchStrategy[str]:
    text = st.text(_CHARACTERS, max_size=8)
    if not lits.strings:
        return text
    # Two in three strings are the bundle's: a random string almost never
    # equals a role name or matches a `like` pattern, so without this bias
    # the permits that test them would hardly ever be satisfied.
    known = st.sampled_from(lits.strings)
    return st.one_of(known, text, known)


def _records(
    t: RecordType, model: SchemaModel, ids: Mapping[str, Sequence[str]], lits: Literals
) -> SearchStrategy[dict[str, Any]]:
    required = {
        name: values(a.type, model, ids, literals=lits.for_attribute(name))
        for name, a in t.attributes.items()
        if a.required
    }
    optional = {
        name: values(a.type, model, ids, literals=lits.for_attribute(name))
        for name, a in t.attributes.items()
        if not a.required
    }
    return st.fixed_dictionaries(required, optional=optional)


def _entity_ids(
    type_name: str, model: SchemaModel, ids: Mapping[str, Sequence[str]]
) -> SearchStrategy[str]:
    declared = model.entity_types.get(type_name)
    if declared is not None and declared.enum is not None:
        return st.sampled_from(declared.enum)  # any other id is a schema error
    if declared is None:
        # An action type: only declared actions are valid references.
        actions = sorted(u.id for u in model.actions if u.type == type_name)
        if actions:
            return st.sampled_from(actions)
    known = list(ids.get(type_name, ()))
    return st.sampled_from(known or _fresh_ids(type_name, frozenset()))


def _fresh_ids(type_name: str, taken: frozenset[tuple[str, str]]) -> list[str]:
    """`_FRESH_PER_TYPE` ids for invented entities of `type_name`, none of them `taken`."""
    out: list[str] = []
    n = 0
    while len(out) < _FRESH_PER_TYPE:
        candidate = f"{_FRESH_PREFIX}{n}"
        if (type_name, candidate) not in taken:
            out.append(candidate)
        n += 1
    return out


# ------------------------------------------------------------ extension values


def _extn(fn: str, arg: SearchStrategy[str]) -> SearchStrategy[dict[str, Any]]:
    return arg.map(lambda a: {"__extn": {"fn": fn, "arg": a}})


def _extensions(t: ExtensionType) -> SearchStrategy[dict[str, Any]]:
    if t.name == "ipaddr":
        return _extn("ip", st.one_of(_ipv4(), _ipv6()))
    if t.name == "decimal":
        return _extn("decimal", _decimals())
    if t.name == "datetime":
        return _extn("datetime", _datetimes())
    return _extn("duration", _durations())


def _prefix(max_bits: int) -> SearchStrategy[str]:
    return st.one_of(st.just(""), st.integers(0, max_bits).map(lambda n: f"/{n}"))


def _ipv4() -> SearchStrategy[str]:
    octets = st.lists(st.integers(0, 255), min_size=4, max_size=4)
    return st.builds(lambda o, p: ".".join(map(str, o)) + p, octets, _prefix(32))


def _ipv6() -> SearchStrategy[str]:
    group = st.integers(0, 0xFFFF).map(lambda g: f"{g:x}")
    full = st.lists(group, min_size=8, max_size=8).map(":".join)
    # `::` stands for at least one zero group, so at most 7 are written.
    compressed = st.builds(
        lambda head, tail: ":".join(head) + "::" + ":".join(tail[: 7 - len(head)]),
        st.lists(group, max_size=7),
        st.lists(group, max_size=7),
    )
    return st.builds(lambda a, p: a + p, st.one_of(compressed, full), _prefix(128))


def _decimals() -> SearchStrategy[str]:
    whole = st.one_of(st.integers(0, 100), st.integers(0, _DECIMAL_WHOLE_MAX))
    fraction = st.text("0123456789", min_size=1, max_size=4)
    return st.builds(
        lambda negative, w, f: f"{'-' if negative else ''}{w}.{f}",
        st.booleans(),
        whole,
        fraction,
    )


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _date(year: int, month: int, day: int) -> str:
    # Days past the month's end fold back onto it, so every draw is a valid date.
    last = _DAYS_IN_MONTH[month - 1] + (month == 2 and _leap(year))
    return f"{year:04d}-{month:02d}-{min(day, last):02d}"


def _datetimes() -> SearchStrategy[str]:
    date = st.builds(
        _date,
        st.one_of(st.integers(1970, 2100), st.integers(0, 9999)),
        st.integers(1, 12),
        st.integers(1, 31),
    )
    offset = st.one_of(
        st.just("Z"),
        st.builds(
            lambda sign, h, m: f"{sign}{h:02d}{m:02d}",
            st.sampled_from("+-"),
            st.integers(0, 23),
            st.integers(0, 59),
        ),
    )
    time = st.builds(
        lambda h, m, s, millis, tz: f"T{h:02d}:{m:02d}:{s:02d}{millis}{tz}",
        st.integers(0, 23),
        st.integers(0, 59),
        st.integers(0, 59),
        st.one_of(st.just(""), st.integers(0, 999).map(lambda n: f".{n:03d}")),
        offset,
    )
    return st.builds(lambda d, t: d + t, date, st.one_of(st.just(""), time))


_DURATION_UNITS = ("d", "h", "m", "s", "ms")


def _duration(negative: bool, quantities: Sequence[int | None]) -> str:
    parts = [
        f"{q}{unit}" for q, unit in zip(quantities, _DURATION_UNITS, strict=True) if q is not None
    ]
    return ("-" if negative else "") + ("".join(parts) or "0s")


def _durations() -> SearchStrategy[str]:
    # Units in Cedar's order; small quantities, so no sum can overflow.
    quantity = st.one_of(st.none(), st.integers(0, 999))
    return st.builds(_duration, st.booleans(), st.tuples(*(quantity for _ in _DURATION_UNITS)))


# --------------------------------------------------------------------- entities


def entities(
    model: SchemaModel,
    entity_ids: Mapping[str, Sequence[str]] | None = None,
    *,
    pool: Mapping[str, Sequence[str]] | None = None,
    include: Sequence[EntityUid] = (),
    types: Iterable[str] | None = None,
    max_size: int = 4,
    literals: Literals | None = None,
    like: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    bundle_only: Iterable[str] = (),
) -> SearchStrategy[list[dict[str, Any]]]:
    """Lists of Cedar JSON entities (`{"uid", "attrs", "parents"[, "tags"]}`)
    that load against the schema.

    Every uid in `include` is in the list (last, so it can be `in` the
    others), plus up to `max_size` more of the given `types` (default: every
    entity type that is not an enum), with ids from `pool` (default: a couple
    of fresh ids per type). Attributes are typed by the entity's shape and may
    reference `entity_ids` (existing entities, e.g. a bundle's base
    entities), the pool and the generated entities. Parents are only of the
    types in `member_of`: earlier entities of the list, `entity_ids`, or enum
    values, so the graph is acyclic as long as no entity in `entity_ids` is
    `in` a pool entity. Pool ids also in `entity_ids` are never generated.
    Include uids of enum and `bundle_only` types are skipped (see below).

    `like` gives, by type, attribute records of existing entities (Cedar
    JSON, valid for the type): half the entities of such a type then start
    from one of them, keeping each attribute or regenerating it. Neighbours
    of the entities a bundle's authors wrote exercise its policies far more
    than arbitrary ones do (an agent like `care-assistant`, but cleared for PHI).

    `bundle_only` names types whose entities and memberships only a bundle's
    `entities.json` may define (`Bundle.bundle_only_types`, from
    `@proctor_source("bundle")`): no entity of those types is generated, and
    no generated entity is `in` one, so the list is valid as a request's
    entities. Enum entities are never generated either: they need no data.
    """
    lits = literals or Literals()
    sealed = frozenset(bundle_only)
    refs = {t: tuple(ids) for t, ids in (entity_ids or {}).items()}
    plain = [
        name
        for name, d in sorted(model.entity_types.items())
        if d.enum is None and name not in sealed
    ]
    wanted = plain if types is None else [t for t in types if t in plain]
    chosen_pool = {
        t: tuple(
            i for i in (pool or {}).get(t, _fresh_ids(t, frozenset())) if i not in refs.get(t, ())
        )
        for t in plain
    }
    required = tuple(dict.fromkeys((u.type, u.id) for u in include if u.type in plain))
    extra_choices = [(t, i) for t in wanted for i in chosen_pool[t] if (t, i) not in required]
    extras: SearchStrategy[list[tuple[str, str]]] = st.just([])
    if extra_choices and max_size > 0:
        extras = st.lists(st.sampled_from(extra_choices), unique=True, max_size=max_size)
    # Attributes may point anywhere known: existing entities, the pool (an
    # entity that may not exist is a valid reference) and the graph itself.
    reference_ids: dict[str, list[str]] = {t: list(ids) for t, ids in refs.items()}
    for t, i in [*((t, i) for t, ids in chosen_pool.items() for i in ids), *required]:
        if i not in reference_ids.setdefault(t, []):
            reference_ids[t].append(i)
    # Built once here, not per draw: constructing strategies is what costs.
    bodies = {
        t: _entity_body(model, t, reference_ids, lits, (like or {}).get(t, ()))
        for t in {*wanted, *(t for t, _ in required)}
    }
    static_parents = {t: _static_parents(model, t, refs, sealed) for t in bodies}
    return _graph(model, extras, required, bodies, static_parents, {})


# Templates per type: enough variety, bounded strategy size for big bundles.
_MAX_TEMPLATES = 8


def _entity_body(
    model: SchemaModel,
    type_name: str,
    reference_ids: Mapping[str, Sequence[str]],
    lits: Literals,
    templates: Sequence[Mapping[str, Any]],
) -> SearchStrategy[dict[str, Any]]:
    """`attrs` (and `tags`, when the type has tags) of an entity of `type_name`."""
    declared = model.entity_types[type_name]
    attrs = values(declared.shape, model, reference_ids, literals=lits)
    if templates:
        neighbours = [
            _attrs_like(template, declared.shape, model, reference_ids, lits)
            for template in templates[:_MAX_TEMPLATES]
        ]
        attrs = st.one_of(attrs, st.one_of(*neighbours))
    parts = {"attrs": attrs}
    if declared.tags is not None:
        tag_values = values(declared.tags, model, reference_ids, literals=lits)
        parts["tags"] = st.dictionaries(_strings(lits), tag_values, max_size=_MAX_TAGS)
    return st.fixed_dictionaries(parts)


def _attrs_like(
    template: Mapping[str, Any],
    shape: RecordType,
    model: SchemaModel,
    ids: Mapping[str, Sequence[str]],
    lits: Literals,
) -> SearchStrategy[dict[str, Any]]:
    """Records near `template`: each of its attributes kept (the first
    choice, so examples shrink back to the template) or regenerated; optional
    attributes it lacks sometimes added. (Dropping one is left to the
    generated records: a neighbour should stay close.)"""
    present: dict[str, SearchStrategy[Any]] = {}
    absent: dict[str, SearchStrategy[Any]] = {}
    for name, attribute in shape.attributes.items():
        fresh = values(attribute.type, model, ids, literals=lits.for_attribute(name))
        if name in template:
            # A copy per draw: a test that edits its entity must not edit the template.
            kept = st.just(_json_key(template[name])).map(json.loads)
            present[name] = st.one_of(kept, fresh)
        else:
            absent[name] = fresh
    return st.fixed_dictionaries(present, optional=absent)


def _static_parents(
    model: SchemaModel, type_name: str, refs: Mapping[str, Sequence[str]], sealed: frozenset[str]
) -> list[tuple[str, str]]:
    """Parents an entity may have outside the generated graph: existing
    entities, enum values; none of a `sealed` type."""
    out: list[tuple[str, str]] = []
    for parent_type in model.entity_types[type_name].member_of:
        if parent_type in sealed:
            continue
        parent = model.entity_types.get(parent_type)
        ids = parent.enum if parent is not None and parent.enum is not None else None
        out.extend(
            (parent_type, i) for i in (ids if ids is not None else refs.get(parent_type, ()))
        )
    return out


@st.composite
def _graph(
    draw: st.DrawFn,
    model: SchemaModel,
    extras: SearchStrategy[list[tuple[str, str]]],
    required: tuple[tuple[str, str], ...],
    bodies: Mapping[str, SearchStrategy[dict[str, Any]]],
    static_parents: Mapping[str, list[tuple[str, str]]],
    parent_lists: dict[tuple[tuple[str, str], ...], SearchStrategy[list[tuple[str, str]]]],
) -> list[dict[str, Any]]:
    order = [*draw(extras), *required]
    out: list[dict[str, Any]] = []
    for index, (type_name, entity_id) in enumerate(order):
        member_of = model.entity_types[type_name].member_of
        # Only earlier entities, existing ones and enum values can be parents:
        # that keeps the `in` graph acyclic, which Cedar requires.
        choices = (
            *(uid for uid in order[:index] if uid[0] in member_of),
            *static_parents[type_name],
        )
        parents: list[tuple[str, str]] = []
        if choices:
            if choices not in parent_lists:  # a memo, so each strategy is built once
                parent_lists[choices] = st.lists(
                    st.sampled_from(choices), unique=True, max_size=_MAX_PARENTS
                )
            parents = draw(parent_lists[choices])
        entity: dict[str, Any] = {
            "uid": {"type": type_name, "id": entity_id},
            **draw(bodies[type_name]),
            "parents": [{"type": t, "id": i} for t, i in parents],
        }
        out.append(entity)
    return out


# --------------------------------------------------------------------- requests


def payload_findings(
    categories: Sequence[str] = PHI_CATEGORIES,
) -> SearchStrategy[dict[str, Any]]:
    """What a PHI scanner reports about a payload, always self-consistent:
    `phi_detected` iff `finding_count > 0` iff `phi_categories` is non-empty."""
    clean = st.just({"phi_detected": False, "phi_categories": [], "finding_count": 0})
    found = st.builds(
        lambda cats, more: {
            "phi_detected": True,
            "phi_categories": cats,
            "finding_count": len(cats) + more,
        },
        st.lists(st.sampled_from(categories), min_size=1, max_size=3, unique=True),
        st.integers(0, 20),
    )
    return st.one_of(clean, found)


def load_base_entities(bundle: Bundle) -> list[dict[str, Any]]:
    """The bundle's base entities as Cedar JSON (its `entities.json`; empty if none)."""
    path = Path(bundle.directory) / ENTITIES_FILE
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []


def bundle_literals(bundle: Bundle) -> Literals:
    """The strings, numbers and entity uids written in the bundle's policies,
    plus the strings and numbers among its base entities' attributes, each
    also filed under the attribute it is compared with (or the value of)."""
    harvest = _Harvest()
    for policy in sorted(bundle.policies.values(), key=lambda p: p.policy_id):
        for node in _walk(policy.est):
            if isinstance(node, Mapping):
                harvest.policy_node(node)
    for entity in load_base_entities(bundle):
        attrs = entity.get("attrs")
        for name, value in attrs.items() if isinstance(attrs, Mapping) else ():
            for leaf in _walk(value, skip=("__entity", "__extn")):
                harvest.add(leaf, str(name))
    return harvest.literals()


# Operators whose operands are worth matching: `attr OP literal` or the reverse.
_COMPARISONS = (
    "==", "!=", "<", "<=", ">", ">=", "contains", "containsAll", "containsAny", "like"
)  # fmt: skip


@dataclass
class _Harvest:
    """Literals found so far, in first-seen order (dicts as ordered sets)."""

    strings: dict[str, None] = field(default_factory=dict)
    longs: dict[int, None] = field(default_factory=dict)
    uids: dict[tuple[str, str], None] = field(default_factory=dict)
    by_attribute: dict[str, _Harvest] = field(default_factory=dict)

    def add(self, value: Any, attribute: str | None = None) -> None:
        if isinstance(value, str):
            self.strings[value] = None
        elif isinstance(value, int) and not isinstance(value, bool):
            self.longs[value] = None
        else:
            return
        if attribute is not None:
            self.by_attribute.setdefault(attribute, _Harvest()).add(value)

    def policy_node(self, node: Mapping[str, Any]) -> None:
        if "Value" in node:
            self.add(node["Value"])
        ref = node.get("__entity")
        if not isinstance(ref, Mapping):  # scope constraints hold `{"type", "id"}` bare
            ref = node if "type" in node and "id" in node else None
        if ref is not None and isinstance(ref.get("type"), str) and isinstance(ref.get("id"), str):
            self.uids[(ref["type"], ref["id"])] = None
        for op in _COMPARISONS:
            operands = node.get(op)
            if isinstance(operands, Mapping):
                self.comparison(operands)

    def comparison(self, operands: Mapping[str, Any]) -> None:
        left, right = operands.get("left"), operands.get("right")
        if isinstance(operands.get("pattern"), list):
            # A string matching the pattern with empty wildcards, and one
            # with something in each wildcard.
            right = {
                "Set": [
                    {
                        "Value": "".join(
                            p["Literal"] if isinstance(p, Mapping) else fill
                            for p in operands["pattern"]
                        )
                    }
                    for fill in ("", "x")
                ]
            }
        for side, other in ((left, right), (right, left)):
            name = _attribute_name(side)
            if name is None or not isinstance(other, Mapping):
                continue
            elements = other.get("Set")
            for item in elements if isinstance(elements, list) else [other]:
                if isinstance(item, Mapping) and "Value" in item:
                    self.add(item["Value"], name)

    def literals(self) -> Literals:
        return Literals(
            tuple(self.strings),
            tuple(self.longs),
            tuple(self.uids),
            {name: h.literals() for name, h in self.by_attribute.items()},
        )


def _attribute_name(expr: Any) -> str | None:
    """`x.name` in a policy's JSON form: the attribute read, else None."""
    access = expr.get(".") if isinstance(expr, Mapping) else None
    name = access.get("attr") if isinstance(access, Mapping) else None
    return name if isinstance(name, str) else None


def _walk(value: Any, skip: Sequence[str] = ()) -> Iterator[Any]:
    """Every node of a JSON value, depth first, not entering mappings with a `skip` key."""
    stack = [value]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, Mapping) and not any(k in item for k in skip):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


_ACTION_REF = re.compile(r'^(?P<type>.+)::"(?P<id>(?:[^"\\]|\\.)*)"$')


def _resolve_action(bundle: Bundle, action: ActionUid | EntityUid | str) -> ActionDef:
    requestable = bundle.slices
    if isinstance(action, EntityUid):
        uid: ActionUid | None = ActionUid(action.type, action.id)
    elif isinstance(action, ActionUid):
        uid = action
    else:
        m = _ACTION_REF.match(action)
        if m is not None:
            uid = ActionUid(m["type"], re.sub(r"\\(.)", r"\1", m["id"]))
        else:
            by_id = [u for u in requestable if u.id == action]
            if len(by_id) > 1:
                raise ValueError(
                    f"action `{action}` is ambiguous: " + ", ".join(str(u) for u in sorted(by_id))
                )
            uid = by_id[0] if by_id else None
    if uid is None or uid not in requestable:
        known = ", ".join(str(u) for u in sorted(requestable))
        raise ValueError(f"`{action}` is not a requestable action of the bundle (known: {known})")
    return requestable[uid].action


def requests(
    bundle: Bundle,
    action: ActionUid | EntityUid | str | None = None,
    *,
    base_entities: bool = True,
) -> SearchStrategy[Request]:
    """Requests the engine accepts, for `action` (an `ActionUid`, an
    `EntityUid`, `'Action::"name"'` or a bare `"name"`) or any requestable action.

    Principal and resource are of the types the action applies to. Their ids
    are the bundle's own entities (from its `entities.json`, unless
    `base_entities` is False) or fresh ones, which then come with the request
    as per-request entities (with, sometimes, a few more fresh entities they
    can be `in`); fresh uids never collide with a uid of `entities.json`.
    Entities of the bundle's bundle-only types (`@proctor_source("bundle")`)
    are never supplied and never parents: a fresh party of such a type is an
    unknown entity.
    The context is well-typed for the action, without the reserved
    `approval` and `payload` (Proctor fills those); when the action declares
    `payload`, `payload_findings` is sometimes (if `payload` is required,
    always) a consistent finding. Raises ValueError for an unknown action.
    """
    model = bundle.model
    base = _base_index(bundle)
    lits = bundle_literals(bundle)
    # Every uid entities.json mentions (as an entity or a parent) is off
    # limits for fresh entities: re-defining one is an error, and becoming
    # the parent of an existing entity could close a cycle.
    taken = frozenset(base.mentioned)
    fresh: dict[str, list[str]] = {}
    for name, declared in model.entity_types.items():
        if declared.enum is None:
            literal = [i for t, i in lits.uids if t == name and (t, i) not in taken]
            fresh[name] = list(dict.fromkeys([*literal, *_fresh_ids(name, taken)]))
    existing = base.ids if base_entities else {}
    known = {t: [*existing.get(t, ()), *fresh.get(t, ())] for t in model.entity_types}
    templates = base.attrs if base_entities else {}
    setup = _RequestSetup(model, existing, fresh, known, lits, templates, bundle.bundle_only_types)
    if action is not None:
        return _request_for(setup, _resolve_action(bundle, action))
    actions = [bundle.slices[u].action for u in sorted(bundle.slices)]
    if not actions:
        raise ValueError("the bundle has no requestable action")
    return st.one_of(*(_request_for(setup, a) for a in actions))


@dataclass(frozen=True)
class _BaseIndex:
    ids: Mapping[str, tuple[str, ...]]
    attrs: Mapping[str, tuple[Mapping[str, Any], ...]]
    mentioned: frozenset[tuple[str, str]]


def _base_index(bundle: Bundle) -> _BaseIndex:
    ids: dict[str, list[str]] = {}
    attrs: dict[str, list[Mapping[str, Any]]] = {}
    mentioned: set[tuple[str, str]] = set()
    for entity in load_base_entities(bundle):
        uid = entity.get("uid")
        if isinstance(uid, Mapping) and isinstance(uid.get("type"), str):
            t, i = str(uid["type"]), str(uid.get("id"))
            ids.setdefault(t, []).append(i)
            attrs.setdefault(t, []).append(entity.get("attrs") or {})
            mentioned.add((t, i))
        for parent in entity.get("parents", []):
            if isinstance(parent, Mapping):
                mentioned.add((str(parent.get("type")), str(parent.get("id"))))
    return _BaseIndex(
        {t: tuple(v) for t, v in ids.items()},
        {t: tuple(v) for t, v in attrs.items()},
        frozenset(mentioned),
    )


@dataclass(frozen=True)
class _RequestSetup:
    model: SchemaModel
    existing: Mapping[str, Sequence[str]]  # base entity ids the request may use
    fresh: Mapping[str, Sequence[str]]  # ids for entities the request brings along
    known: Mapping[str, Sequence[str]]  # both: what references may point at
    literals: Literals
    templates: Mapping[str, Sequence[Mapping[str, Any]]]  # base attributes, by type
    bundle_only: frozenset[str]  # types a request may not supply (nor claim membership in)


def _party(setup: _RequestSetup, type_name: str) -> SearchStrategy[EntityUid]:
    declared = setup.model.entity_types.get(type_name)
    if declared is not None and declared.enum is not None:
        ids: Sequence[str] = declared.enum
    else:
        existing = setup.existing.get(type_name, ())
        fresh = setup.fresh.get(type_name, ())
        # Half the time an existing entity (they are the interesting ones a
        # bundle's authors wrote), listed first so examples shrink towards them.
        ids_strategy = st.one_of(*(st.sampled_from(group) for group in (existing, fresh) if group))
        # builds(), not map(lambda ...): hypothesis then prints counterexamples
        # as `EntityUid(type='Agent', id='x')`, not as the lambda's source.
        return st.builds(EntityUid, type=st.just(type_name), id=ids_strategy)
    return st.builds(EntityUid, type=st.just(type_name), id=st.sampled_from(ids))


def _request_for(setup: _RequestSetup, action: ActionDef) -> SearchStrategy[Request]:
    model = setup.model
    context_type = RecordType(
        {n: a for n, a in action.context.attributes.items() if n not in RESERVED_CONTEXT}
    )
    payload = action.context.attributes.get("payload")
    findings: SearchStrategy[dict[str, Any] | None] = st.none()
    if payload is not None and isinstance(payload.type, RecordType):
        declared = payload.type.attributes
        usable = payload_findings().map(lambda f: {k: v for k, v in f.items() if k in declared})
        findings = usable if payload.required else st.one_of(st.none(), usable)

    graphs: dict[tuple[EntityUid, ...], SearchStrategy[list[dict[str, Any]]]] = {}

    def graph_for(brought: tuple[EntityUid, ...]) -> SearchStrategy[list[dict[str, Any]]]:
        # One strategy per set of fresh parties, built on first use: building
        # strategies costs far more than drawing from them.
        if brought not in graphs:
            # Extra fresh entities only of types the fresh parties can be `in`:
            # anything else would never be reached by the request.
            ancestors = {a for uid in brought for a in model.entity_ancestors(uid.type)}
            graphs[brought] = entities(
                model,
                setup.existing,
                pool=setup.fresh,
                include=brought,
                types=sorted(ancestors),
                max_size=2,
                literals=setup.literals,
                like=setup.templates,
                bundle_only=setup.bundle_only,
            )
        return graphs[brought]

    # Fresh parties of bundle-only types stay unknown entities: the request
    # may name them but not describe them.
    suppliable = {t: ids for t, ids in setup.fresh.items() if t not in setup.bundle_only}
    return _build_request(
        EntityUid(action.uid.type, action.uid.id),
        st.one_of(*(_party(setup, t) for t in action.principal_types)),
        st.one_of(*(_party(setup, t) for t in action.resource_types)),
        values(context_type, model, setup.known, literals=setup.literals),
        findings,
        suppliable,
        graph_for,
    )


@st.composite
def _build_request(
    draw: st.DrawFn,
    action: EntityUid,
    principals: SearchStrategy[EntityUid],
    resources: SearchStrategy[EntityUid],
    contexts: SearchStrategy[dict[str, Any]],
    findings: SearchStrategy[dict[str, Any] | None],
    fresh: Mapping[str, Sequence[str]],
    graph_for: Callable[[tuple[EntityUid, ...]], SearchStrategy[list[dict[str, Any]]]],
) -> Request:
    principal, resource = draw(principals), draw(resources)
    brought = tuple(
        uid for uid in dict.fromkeys((principal, resource)) if uid.id in fresh.get(uid.type, ())
    )
    return Request(
        principal=principal,
        action=action,
        resource=resource,
        context=draw(contexts),
        entities=tuple(draw(graph_for(brought))),
        payload_findings=draw(findings),
    )
