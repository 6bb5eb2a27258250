"""A typed model of a Cedar schema, and a validator for Cedar JSON values.

`cedarpy` validates schemas but does not expose their contents. Proctor needs
them (which principal/resource types an action applies to, its context shape,
the action and entity hierarchies, enum entities, tags), so this module parses
the schema into frozen dataclasses.

We never parse user-written schema text. cedarpy re-renders every valid schema
(Cedar syntax, or the JSON format) into one canonical Cedar-syntax form, and we
parse that: `str(cedarpy.Schema.from_str(text))`. What that form looks like
(cedar-policy 4.12, `validator/cedar_schema/fmt.rs`):

* declarations are sorted: empty namespace first, then `namespace A::B { ... }`
  blocks; inside each, common types, then entity types, then actions;
* type references are kept exactly as written, *not* qualified or inlined
  (`approval?: Approval`, `Set<String>`, `Other::Thing`), so we must resolve them
  with Cedar's rules (see `_Resolver`);
* types that came from the JSON format print with a `__cedar::` prefix
  (`__cedar::Long`, `__cedar::ipaddr`); Cedar-syntax input keeps `Long`/`ipaddr`;
* `entity E in [P, Q] = { ... } tags T;` and `entity C enum ["a", "b"];`;
* actions are always quoted, parents always `[Type::"id"]`
  (`in [Action::"g", Other::Action::"h"]`), and `appliesTo` always lists
  `principal`, `resource` and `context` (possibly `{}` or a common-type name);
  an action that applies to nothing has no `appliesTo` at all;
* attribute names that are not plain identifiers are quoted (`"weird name"?: Long`,
  `"in": Long`), strings use Rust's `escape_debug` escapes (`\\n`, `\\'`, `\\u{ad}`);
* annotations (`@doc("...")`) precede declarations and attributes;
* a schema cedarpy cannot render prints as `<unrenderable Schema: ...>`.

`validate_value` checks a Cedar JSON value (as produced by `json.loads`) against
a schema type the way Cedar's schema-directed parser does (cedar-policy-core
`entities/json/value.rs`), and explains problems by path, never by value.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, TypeAlias, TypeVar

import cedarpy

__all__ = [
    "ActionDef",
    "ActionUid",
    "Attribute",
    "BoolType",
    "CedarType",
    "EntityType",
    "EntityTypeDef",
    "ExtensionName",
    "ExtensionType",
    "LongType",
    "RecordType",
    "SchemaError",
    "SchemaModel",
    "SetType",
    "StringType",
    "parse_schema",
    "parse_schema_json",
    "type_name",
    "validate_value",
]


class SchemaError(ValueError):
    """The schema is invalid (cedarpy's message, prefixed) or cannot be modelled."""


# --------------------------------------------------------------------------- types

ExtensionName: TypeAlias = Literal["ipaddr", "decimal", "datetime", "duration"]
_EXTENSION_NAMES: tuple[ExtensionName, ...] = ("ipaddr", "decimal", "datetime", "duration")


@dataclass(frozen=True)
class LongType:
    """Cedar `Long`: a signed 64-bit integer."""


@dataclass(frozen=True)
class StringType:
    """Cedar `String`."""


@dataclass(frozen=True)
class BoolType:
    """Cedar `Bool`."""


@dataclass(frozen=True)
class SetType:
    """Cedar `Set<element>`."""

    element: CedarType


@dataclass(frozen=True)
class Attribute:
    """One attribute of a record type."""

    type: CedarType
    required: bool


@dataclass(frozen=True, repr=False)
class RecordType:
    """A closed Cedar record: values may carry only the declared attributes."""

    attributes: Mapping[str, Attribute]

    def __post_init__(self) -> None:
        # A read-only view, so a "frozen" model cannot be changed through it.
        object.__setattr__(self, "attributes", MappingProxyType(dict(self.attributes)))

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.attributes.items(), key=lambda kv: kv[0])))

    def __repr__(self) -> str:
        return f"RecordType({dict(self.attributes)!r})"


@dataclass(frozen=True)
class EntityType:
    """A reference to an entity type, fully qualified (`Hospital::Agent`).

    Action types (`Action`, `Ns::Action`) can appear here too: Cedar lets an
    attribute hold an action entity.
    """

    name: str


@dataclass(frozen=True)
class ExtensionType:
    """A Cedar extension type."""

    name: ExtensionName


CedarType: TypeAlias = (
    LongType | StringType | BoolType | SetType | RecordType | EntityType | ExtensionType
)


@dataclass(frozen=True)
class EntityTypeDef:
    """An entity type declaration.

    `member_of` lists the (fully qualified) types an entity of this type may
    directly be `in`; `tags` is the tag value type, if the type has tags; `enum`
    lists the only valid entity ids of an enumerated type (which then has no
    attributes, parents or tags).
    """

    name: str
    member_of: tuple[str, ...]
    shape: RecordType
    tags: CedarType | None
    enum: tuple[str, ...] | None
    # Annotations on the declaration (`@proctor_source("bundle")`), as text.
    annotations: tuple[tuple[str, str], ...] = ()

    def annotation(self, key: str) -> str | None:
        """The value of one annotation, or None when absent."""
        return dict(self.annotations).get(key)


@dataclass(frozen=True, order=True)
class ActionUid:
    """An action's entity uid: `type` is `Action` or `Ns::Action`."""

    type: str
    id: str

    def __str__(self) -> str:
        return f"{self.type}::{_quote(self.id)}"


@dataclass(frozen=True)
class ActionDef:
    """An action declaration.

    An action without `appliesTo` (typically an action group such as
    `Action::"ReadPHI"`) has no principal or resource types and an empty context.
    """

    uid: ActionUid
    member_of: tuple[ActionUid, ...]
    principal_types: tuple[str, ...]
    resource_types: tuple[str, ...]
    context: RecordType


@dataclass(frozen=True)
class SchemaModel:
    """The contents of a Cedar schema, with names fully qualified and common types inlined."""

    entity_types: Mapping[str, EntityTypeDef]
    actions: Mapping[ActionUid, ActionDef]

    def __post_init__(self) -> None:
        object.__setattr__(self, "entity_types", MappingProxyType(dict(self.entity_types)))
        object.__setattr__(self, "actions", MappingProxyType(dict(self.actions)))

    def action_ancestors(self, uid: ActionUid) -> frozenset[ActionUid]:
        """The action groups `uid` is transitively `in`, not including `uid` itself.

        Raises KeyError if `uid` is not declared.
        """
        return _closure(uid, lambda u: self.actions[u].member_of)

    def action_descendants(self, uid: ActionUid) -> frozenset[ActionUid]:
        """The actions transitively `in` `uid`, *including* `uid` itself.

        This is the set of actions a policy scoped to `action in uid` covers.
        Raises KeyError if `uid` is not declared.
        """
        if uid not in self.actions:
            raise KeyError(uid)
        children: dict[ActionUid, list[ActionUid]] = {}
        for action in self.actions.values():
            for parent in action.member_of:
                children.setdefault(parent, []).append(action.uid)
        return _closure(uid, lambda u: children.get(u, ())) | {uid}

    def entity_ancestors(self, type_name: str) -> frozenset[str]:
        """The entity types an entity of `type_name` may transitively be `in`.

        Does not include `type_name` itself (unless the hierarchy has a cycle).
        Raises KeyError if `type_name` is not a declared entity type.
        """
        return _closure(type_name, lambda t: self.entity_types[t].member_of)

    def is_action_type(self, type_name: str) -> bool:
        """Whether `type_name` (e.g. `Action`, `Ns::Action`) is the type of a declared action."""
        return any(uid.type == type_name for uid in self.actions)


_T = TypeVar("_T")
_I = TypeVar("_I")


def _closure(start: _T, parents: Callable[[_T], Iterable[_T]]) -> frozenset[_T]:
    seen: set[_T] = set()
    todo = list(parents(start))
    while todo:
        item = todo.pop()
        if item not in seen:
            seen.add(item)
            todo.extend(parents(item))
    return frozenset(seen)


# ----------------------------------------------------------------------- tokenizer


@dataclass(frozen=True)
class _Token:
    kind: str  # "ident", "string", "punct" or "eof"
    text: str  # for strings: the decoded value
    pos: int


class _SyntaxError(Exception):
    """Our parser could not read cedarpy's rendering (a bug here, or a new Cedar construct)."""


# Not whitespace-sensitive; `//` comments and escapes are handled although
# cedarpy's rendering has no comments.
_TOKEN_RE = re.compile(
    r"""
      (?P<space>\s+|//[^\n]*)
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<punct>::|[{}\[\]()<>,;:=?@])
    """,
    re.VERBOSE | re.DOTALL,
)
# Cedar's string escapes (Rust's, minus \x above 0x7F).
_ESCAPE_RE = re.compile(
    r"\\(?:([nrt0\\'\"])|x([0-7][0-9a-fA-F])|u\{([0-9a-fA-F]{1,6})\}|(.))", re.DOTALL
)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", "\\": "\\", "'": "'", '"': '"'}


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    column = pos - text.rfind("\n", 0, pos)
    return f"line {line} column {column}"


def _unescape(body: str, text: str, pos: int) -> str:
    def replace(m: re.Match[str]) -> str:
        simple, hex2, hex6, _bad = m.groups()
        if simple is not None:
            return _SIMPLE_ESCAPES[simple]
        code = int(hex2 or hex6 or "D800", 16)  # no hex digits: an unknown escape
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise _SyntaxError(f"{_where(text, pos)}: bad escape in string")
        return chr(code)

    return _ESCAPE_RE.sub(replace, body)


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if m is None or m.lastgroup is None:
            raise _SyntaxError(f"{_where(text, pos)}: unexpected character {text[pos]!r}")
        if m.lastgroup == "string":
            tokens.append(_Token("string", _unescape(m[0][1:-1], text, pos), pos))
        elif m.lastgroup != "space":
            tokens.append(_Token(m.lastgroup, m[0], pos))
        pos = m.end()
    tokens.append(_Token("eof", "", pos))
    return tokens


def _quote(s: str) -> str:
    """Quote `s` as a Cedar string literal."""
    out = ['"']
    for c in s:
        if c in "\\\"'":
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif c == "\0":
            out.append("\\0")
        elif not c.isprintable():
            out.append(f"\\u{{{ord(c):x}}}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


# -------------------------------------------------------------------------- parser
# Raw declarations keep names as written; _Resolver qualifies them afterwards,
# because a reference may point at a declaration that comes later in the text.


@dataclass(frozen=True)
class _RawName:
    name: str  # as written: `Approval`, `Other::Thing`, `__cedar::Long`


@dataclass(frozen=True)
class _RawSet:
    element: _Raw


@dataclass(frozen=True)
class _RawRecord:
    attributes: tuple[tuple[str, _Raw, bool], ...]  # (name, type, required)


_Raw: TypeAlias = _RawName | _RawSet | _RawRecord


@dataclass(frozen=True)
class _RawCommon:
    ns: str
    name: str
    type: _Raw


@dataclass(frozen=True)
class _RawEntity:
    ns: str
    name: str
    member_of: tuple[str, ...]
    shape: _RawRecord
    tags: _Raw | None
    enum: tuple[str, ...] | None
    annotations: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _RawAction:
    ns: str
    id: str
    parents: tuple[tuple[str | None, str], ...]  # (type as written or None for `Action`, id)
    principals: tuple[str, ...]
    resources: tuple[str, ...]
    context: _Raw | None


@dataclass
class _RawSchema:
    commons: list[_RawCommon]
    entities: list[_RawEntity]
    actions: list[_RawAction]


class _Parser:
    """Recursive descent over Cedar schema syntax: what cedarpy prints, and a bit more."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0
        self.out = _RawSchema([], [], [])

    # -- token helpers
    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def fail(self, expected: str) -> _SyntaxError:
        tok = self.peek()
        found = "end of input" if tok.kind == "eof" else f"{tok.kind} {tok.text!r}"
        return _SyntaxError(f"{_where(self.text, tok.pos)}: expected {expected}, found {found}")

    def at(self, text: str) -> bool:
        tok = self.peek()
        return tok.kind in ("punct", "ident") and tok.text == text

    def accept(self, text: str) -> bool:
        if self.at(text):
            self.pos += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.accept(text):
            raise self.fail(repr(text))

    def ident(self) -> str:
        tok = self.peek()
        if tok.kind != "ident":
            raise self.fail("an identifier")
        self.pos += 1
        return tok.text

    def string(self) -> str:
        tok = self.peek()
        if tok.kind != "string":
            raise self.fail("a string")
        self.pos += 1
        return tok.text

    def path(self) -> str:
        parts = [self.ident()]
        while self.at("::") and self.peek(1).kind == "ident":
            self.pos += 1
            parts.append(self.ident())
        return "::".join(parts)

    def separated(self, item: Callable[[], _I], close: str) -> list[_I]:
        """`item (',' item)* ','? close`, the opening bracket already consumed."""
        items: list[_I] = []
        while not self.accept(close):
            items.append(item())
            if not self.accept(","):
                self.expect(close)
                break
        return items

    def one_or_list(self, item: Callable[[], _I]) -> list[_I]:
        if self.accept("["):
            return self.separated(item, "]")
        return [item()]

    # -- grammar
    def parse(self) -> _RawSchema:
        while self.peek().kind != "eof":
            annotations = self.annotations()
            if self.accept("namespace"):
                ns = self.path()
                self.expect("{")
                while not self.accept("}"):
                    self.declaration(ns, self.annotations())
            else:
                self.declaration("", annotations)
        return self.out

    def annotations(self) -> tuple[tuple[str, str], ...]:
        # Annotations carry no meaning for Cedar; Proctor reads a few on
        # entity types (e.g. `@proctor_source("bundle")`).
        found: list[tuple[str, str]] = []
        while self.accept("@"):
            key, value = self.ident(), ""
            if self.accept("("):
                value = self.string()
                self.expect(")")
            found.append((key, value))
        return tuple(found)

    def declaration(self, ns: str, annotations: tuple[tuple[str, str], ...] = ()) -> None:
        if self.accept("type"):
            name = self.ident()
            self.expect("=")
            self.out.commons.append(_RawCommon(ns, name, self.type()))
        elif self.accept("entity"):
            self.entity(ns, annotations)
        elif self.accept("action"):
            self.action(ns)
        else:
            raise self.fail("`type`, `entity` or `action`")
        self.expect(";")

    def entity(self, ns: str, annotations: tuple[tuple[str, str], ...] = ()) -> None:
        names = [self.ident()]
        while self.accept(","):
            names.append(self.ident())
        member_of: list[str] = []
        shape = _RawRecord(())
        tags: _Raw | None = None
        enum: tuple[str, ...] | None = None
        # Positional parsing: `enum`/`in`/`tags` are keywords only here, so an
        # entity type may itself be called `tags` or `enum`.
        if self.accept("enum"):
            self.expect("[")
            enum = tuple(self.separated(self.string, "]"))
        else:
            if self.accept("in"):
                member_of = self.one_or_list(self.path)
            if self.accept("=") or self.at("{"):
                shape = self.record()
            if self.accept("tags"):
                tags = self.type()
        for name in names:
            self.out.entities.append(
                _RawEntity(ns, name, tuple(member_of), shape, tags, enum, annotations)
            )

    def action_name(self) -> str:
        return self.string() if self.peek().kind == "string" else self.ident()

    def action_ref(self) -> tuple[str | None, str]:
        if self.peek().kind == "string":
            return None, self.string()
        parts = [self.ident()]
        while self.accept("::"):
            if self.peek().kind == "string":
                return "::".join(parts), self.string()
            parts.append(self.ident())
        if len(parts) == 1:  # `in [g]`: a bare action name
            return None, parts[0]
        raise self.fail('an action reference such as Action::"name"')

    def action(self, ns: str) -> None:
        ids = [self.action_name()]
        while self.accept(","):
            ids.append(self.action_name())
        parents: list[tuple[str | None, str]] = []
        principals: list[str] = []
        resources: list[str] = []
        context: _Raw | None = None
        if self.accept("in"):
            parents = self.one_or_list(self.action_ref)
        if self.accept("appliesTo"):
            self.expect("{")
            while not self.accept("}"):
                key = self.ident()
                self.expect(":")
                if key == "principal":
                    principals = self.one_or_list(self.path)
                elif key == "resource":
                    resources = self.one_or_list(self.path)
                elif key == "context":
                    context = self.type()
                else:
                    raise _SyntaxError(f"unknown appliesTo key {key!r}")
                if not self.accept(","):
                    self.expect("}")
                    break
        if self.accept("attributes"):  # legacy action attributes: not part of the model
            self.record()
        for action_id in ids:
            self.out.actions.append(
                _RawAction(
                    ns, action_id, tuple(parents), tuple(principals), tuple(resources), context
                )
            )

    def type(self) -> _Raw:
        if self.at("{"):
            return self.record()
        if self.at("Set") and self.peek(1).text == "<" and self.peek(1).kind == "punct":
            self.pos += 2
            element = self.type()
            self.expect(">")
            return _RawSet(element)
        return _RawName(self.path())

    def record(self) -> _RawRecord:
        self.expect("{")

        def attribute() -> tuple[str, _Raw, bool]:
            self.annotations()
            name = self.string() if self.peek().kind == "string" else self.ident()
            required = not self.accept("?")
            self.expect(":")
            return name, self.type(), required

        return _RawRecord(tuple(self.separated(attribute, "}")))


# ------------------------------------------------------------------------ resolver

_PRIMITIVES: dict[str, CedarType] = {"Long": LongType(), "String": StringType(), "Bool": BoolType()}
_BUILTINS: dict[str, CedarType] = {**_PRIMITIVES, **{e: ExtensionType(e) for e in _EXTENSION_NAMES}}


def _qualify(ns: str, name: str) -> str:
    return f"{ns}::{name}" if ns else name


def _candidates(ns: str, name: str) -> tuple[str, ...]:
    # Cedar (RFC 24/52, validator/schema/raw_name.rs): an unqualified name inside
    # namespace N means N::name if that is declared, else the empty namespace's
    # `name`; a qualified name means exactly itself.
    if "::" in name or not ns:
        return (name,)
    return (_qualify(ns, name), name)


class _Resolver:
    """Qualifies names and inlines common types, following Cedar's resolution rules."""

    def __init__(self, raw: _RawSchema) -> None:
        self.commons = {_qualify(c.ns, c.name): c for c in raw.commons}
        self.entity_names = {_qualify(e.ns, e.name) for e in raw.entities}
        self.action_uids = {ActionUid(_qualify(a.ns, "Action"), a.id) for a in raw.actions}
        # Cedar adds the builtins as common types `__cedar::X`, plus aliases `X`
        # in the empty namespace unless the user declared an `X` there (an
        # entity type may be called `String`; then `String` means the entity).
        self.builtins = {f"__cedar::{n}": t for n, t in _BUILTINS.items()}
        for n, t in _BUILTINS.items():
            if n not in self.commons and n not in self.entity_names:
                self.builtins[n] = t
        # Action types count as entity types in type positions (`a: Action`).
        self.type_entities = self.entity_names | {uid.type for uid in self.action_uids}
        self.resolved_commons: dict[str, CedarType] = {}
        self.resolving: set[str] = set()

    def type(self, raw: _Raw, ns: str) -> CedarType:
        if isinstance(raw, _RawSet):
            return SetType(self.type(raw.element, ns))
        if isinstance(raw, _RawRecord):
            return self.record(raw, ns)
        for candidate in _candidates(ns, raw.name):
            # Per candidate, a common type wins over an entity type (RFC 24).
            if candidate in self.commons:
                return self.common(candidate)
            if candidate in self.builtins:
                return self.builtins[candidate]
            if candidate in self.type_entities:
                return EntityType(candidate)
        raise SchemaError(f"cannot resolve type {raw.name!r} in namespace {ns!r}")

    def record(self, raw: _RawRecord, ns: str) -> RecordType:
        return RecordType(
            {name: Attribute(self.type(t, ns), required) for name, t, required in raw.attributes}
        )

    def common(self, name: str) -> CedarType:
        if name not in self.resolved_commons:
            if name in self.resolving:  # Cedar rejects cycles; guard against looping anyway
                raise SchemaError(f"cycle in common type {name!r}")
            self.resolving.add(name)
            definition = self.commons[name]
            self.resolved_commons[name] = self.type(definition.type, definition.ns)
            self.resolving.discard(name)
        return self.resolved_commons[name]

    def entity_name(self, name: str, ns: str) -> str:
        for candidate in _candidates(ns, name):
            if candidate in self.entity_names:
                return candidate
        raise SchemaError(f"cannot resolve entity type {name!r} in namespace {ns!r}")

    def action_ref(self, type_name: str | None, action_id: str, ns: str) -> ActionUid:
        for candidate in _candidates(ns, type_name or "Action"):
            uid = ActionUid(candidate, action_id)
            if uid in self.action_uids:
                return uid
        raise SchemaError(f"cannot resolve action {type_name or 'Action'}::{_quote(action_id)}")


def _build_model(raw: _RawSchema) -> SchemaModel:
    r = _Resolver(raw)
    entity_types: dict[str, EntityTypeDef] = {}
    for e in raw.entities:
        name = _qualify(e.ns, e.name)
        entity_types[name] = EntityTypeDef(
            name=name,
            member_of=tuple(r.entity_name(p, e.ns) for p in e.member_of),
            shape=r.record(e.shape, e.ns),
            tags=None if e.tags is None else r.type(e.tags, e.ns),
            enum=e.enum,
            annotations=e.annotations,
        )
    actions: dict[ActionUid, ActionDef] = {}
    for a in raw.actions:
        uid = ActionUid(_qualify(a.ns, "Action"), a.id)
        context = RecordType({}) if a.context is None else r.type(a.context, a.ns)
        if not isinstance(context, RecordType):  # Cedar rejects this; be explicit anyway
            raise SchemaError(f"context of {uid} is not a record type")
        actions[uid] = ActionDef(
            uid=uid,
            member_of=tuple(r.action_ref(t, i, a.ns) for t, i in a.parents),
            principal_types=tuple(r.entity_name(p, a.ns) for p in a.principals),
            resource_types=tuple(r.entity_name(p, a.ns) for p in a.resources),
            context=context,
        )
    return SchemaModel(entity_types=entity_types, actions=actions)


def _model_from_rendering(schema: object) -> SchemaModel:
    rendered = str(schema)
    if rendered.startswith("<unrenderable Schema"):
        # cedarpy prints this (rather than raising) when the schema cannot be
        # expressed in Cedar syntax, e.g. a JSON entity shape given as a common type.
        raise SchemaError(f"schema cannot be modelled: {rendered.strip('<>')}")
    try:
        return _build_model(_Parser(rendered).parse())
    except _SyntaxError as e:
        raise SchemaError(f"cannot read cedarpy's rendering of the schema: {e}") from e


def parse_schema(text: str) -> tuple[cedarpy.Schema, SchemaModel]:
    """Parse a schema in Cedar syntax into cedarpy's handle and a `SchemaModel`.

    Raises SchemaError (with cedarpy's message) if the schema is invalid.
    """
    try:
        schema = cedarpy.Schema.from_str(text)
    except ValueError as e:
        raise SchemaError(f"invalid Cedar schema: {e}") from e
    return schema, _model_from_rendering(schema)


def parse_schema_json(text: str) -> tuple[cedarpy.Schema, SchemaModel]:
    """Parse a schema in Cedar's JSON format into cedarpy's handle and a `SchemaModel`.

    Raises SchemaError if the schema is invalid, or if it is one of the few JSON
    schemas the Cedar syntax cannot express faithfully (see below).
    """
    try:
        schema = cedarpy.Schema.from_json_str(text)
    except ValueError as e:
        raise SchemaError(f"invalid Cedar JSON schema: {e}") from e
    # The JSON format can say "the *entity* type A" where the empty namespace
    # declares both a common type and an entity type `A`; the Cedar rendering
    # prints a bare `A`, which means the common type. cedarpy itself refuses to
    # render such collisions inside a namespace; we refuse them everywhere.
    fragment = json.loads(text)
    empty = fragment.get("", {}) if isinstance(fragment, dict) else {}
    both = set(empty.get("commonTypes") or {}) & set(empty.get("entityTypes") or {})
    if both:
        raise SchemaError(
            "schema cannot be modelled: names declared both as common and entity type: "
            + ", ".join(sorted(both))
        )
    return schema, _model_from_rendering(schema)


# ----------------------------------------------------------- extension constructors
# Cedar checks a constructor's string argument when it builds the request; these
# mirror cedar-policy-core 4.12 (`extensions/{ipaddr,decimal,datetime}.rs`,
# which use Rust's std IP parser) so we accept exactly the same strings.

_I64_MIN, _I64_MAX = -(2**63), 2**63 - 1
_ASCII_DIGITS = frozenset("0123456789")
_HEX = frozenset("0123456789abcdefABCDEF")


def _i64(value: int) -> bool:
    return _I64_MIN <= value <= _I64_MAX


def _small_int(digits: str, max_digits: int = 20) -> int | None:
    """`int(digits)` for ASCII digits, or None if it has more than `max_digits` significant digits.

    Guards Python's int-from-huge-string limit; the callers' ranges are far smaller.
    """
    significant = digits.lstrip("0") or "0"
    return int(significant) if len(significant) <= max_digits else None


def _is_ipv4(s: str) -> bool:
    # Rust: exactly four decimal octets, 1-3 digits, <= 255, no leading zeros.
    parts = s.split(".")
    return len(parts) == 4 and all(
        1 <= len(p) <= 3
        and set(p) <= _ASCII_DIGITS
        and not (len(p) > 1 and p[0] == "0")
        and int(p) <= 255
        for p in parts
    )


def _ipv6_groups(text: str) -> int | None:
    if not text:
        return 0
    parts = text.split(":")
    if all(1 <= len(p) <= 4 and set(p) <= _HEX for p in parts):
        return len(parts)
    return None


def _is_ipv6(s: str) -> bool:
    # Rust: up to eight groups of 1-4 hex digits, one `::` standing for at least
    # one zero group. An embedded IPv4 tail (`::1.2.3.4`) is never reachable:
    # Cedar rejects strings with two colons and two dots before parsing.
    # Unlike Python's ipaddress, no `%zone` suffix.
    head, sep, tail = s.partition("::")
    if not sep:
        return _ipv6_groups(s) == 8
    h, t = _ipv6_groups(head), _ipv6_groups(tail)
    return h is not None and t is not None and h + t <= 7


def _valid_ipaddr(s: str) -> bool:
    if len(s.encode("utf-8", "surrogatepass")) > 43:
        return False
    if s.count(":") >= 2 and s.count(".") >= 2:  # Cedar forbids IPv4-in-IPv6
        return False
    addr, slash, prefix = s.partition("/")
    if not slash:
        return _is_ipv4(s) or _is_ipv6(s)
    if _is_ipv4(addr):
        max_chars, max_prefix = 2, 32
    elif _is_ipv6(addr):
        max_chars, max_prefix = 3, 128
    else:
        return False
    return (
        0 < len(prefix) <= max_chars
        and set(prefix) <= _ASCII_DIGITS
        and (prefix == "0" or not prefix.startswith("0"))
        and int(prefix) <= max_prefix
    )


_DECIMAL = re.compile(r"(-?)([0-9]+)\.([0-9]+)")


def _valid_decimal(s: str) -> bool:
    # `-?digits.digits`, at most 4 fractional digits, value in i64 after scaling by 10^4.
    m = _DECIMAL.fullmatch(s)
    if m is None or len(m[3]) > 4:
        return False
    whole = _small_int(m[2])
    if whole is None:
        return False
    scaled = (-whole if m[1] else whole) * 10_000
    if not (_i64(-whole if m[1] else whole) and _i64(scaled)):
        return False
    fraction = int(m[3]) * 10 ** (4 - len(m[3]))
    return _i64(scaled - fraction if m[1] else scaled + fraction)


_DURATION = re.compile(r"-?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?")
_DURATION_UNITS = (1000, 60_000, 3_600_000, 86_400_000)  # s, m, h, d in milliseconds


def _valid_duration(s: str) -> bool:
    m = _DURATION.fullmatch(s)
    if s in ("", "-") or m is None:
        return False
    values = [_small_int(g) if g is not None else 0 for g in m.groups()]
    if any(v is None or v > 2**64 - 1 for v in values):  # Cedar parses each as u64
        return False
    days, hours, minutes, seconds, millis = (v or 0 for v in values)
    sign = -1 if s.startswith("-") else 1
    total = sign * millis
    if not _i64(total):
        return False
    # Same order and overflow checks as Cedar: each quantity must fit i64, as
    # must its product with the unit and every partial sum.
    for quantity, unit in zip((seconds, minutes, hours, days), _DURATION_UNITS, strict=True):
        if not (_i64(quantity) and _i64(quantity * unit)):
            return False
        total += sign * quantity * unit
        if not _i64(total):
            return False
    return True


_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_HMS = re.compile(r"T([0-9]{2}):([0-9]{2}):([0-9]{2})")
_MS_OFFSET = re.compile(r"(?:\.[0-9]{3})?(?:Z|[+-]([0-9]{2})([0-9]{2}))")
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _valid_datetime(s: str) -> bool:
    # YYYY-MM-DD, optionally followed by THH:MM:SS then Z, .SSSZ, (+|-)hhmm or
    # .SSS(+|-)hhmm. Year 0000 is valid (proleptic Gregorian, a leap year), so
    # Python's datetime (years 1..9999) cannot be used.
    date = _DATE.match(s)
    if date is None:
        return False
    year, month, day = (int(g) for g in date.groups())
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    date_ok = 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1] + (month == 2 and leap)
    if not date_ok or len(s) == 10:
        return date_ok
    hms = _HMS.match(s, 10)
    tail = _MS_OFFSET.fullmatch(s, 19) if hms is not None else None
    if hms is None or tail is None:
        return False
    hour, minute, second = (int(g) for g in hms.groups())
    offset_ok = tail[1] is None or (int(tail[1]) <= 23 and int(tail[2]) <= 59)
    return hour <= 23 and minute <= 59 and second <= 59 and offset_ok


_CONSTRUCTOR_CHECKS: dict[ExtensionName, Callable[[str], bool]] = {
    "ipaddr": _valid_ipaddr,
    "decimal": _valid_decimal,
    "datetime": _valid_datetime,
    "duration": _valid_duration,
}
# Extension constructor function name -> the type it builds.
_CONSTRUCTORS: dict[str, ExtensionName] = {
    "ip": "ipaddr",
    "decimal": "decimal",
    "datetime": "datetime",
    "duration": "duration",
}
# Cedar also evaluates these inside `__extn` escapes (e.g. a Long context value
# written as toMilliseconds(duration("1h"))). We deliberately reject them: no
# client needs them, and accepting them would mean re-implementing Cedar's
# arithmetic and its overflow errors.
_COMPUTED_FUNCTIONS = frozenset(
    (
        "isIpv4",
        "isIpv6",
        "isLoopback",
        "isMulticast",
        "isInRange",
        "lessThan",
        "lessThanOrEqual",
        "greaterThan",
        "greaterThanOrEqual",
        "offset",
        "durationSince",
        "toDate",
        "toTime",
        "toMilliseconds",
        "toSeconds",
        "toMinutes",
        "toHours",
        "toDays",
    )
)


# ----------------------------------------------------------------------- validator
# Messages name paths, type names and schema attribute names only, never values:
# context values may be patient data.

_MAX_NESTING = 127  # serde_json, which Cedar parses the context with, stops at 128 levels
_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPAQUE_KEY = "[<non-identifier key>]"


def type_name(t: CedarType) -> str:
    """A short human-readable name for a schema type, as used in validation messages."""
    if isinstance(t, SetType):
        return f"Set<{type_name(t.element)}>"
    if isinstance(t, EntityType):
        return f"entity of type {t.name}"
    if isinstance(t, ExtensionType):
        return t.name
    if isinstance(t, RecordType):
        return "record"
    return {LongType: "Long", StringType: "String", BoolType: "Bool"}[type(t)]


def _attr_path(path: str, name: str) -> str:
    """Path to a declared attribute (the name comes from the schema, so it is safe to show)."""
    if _IDENT_RE.fullmatch(name):
        return f"{path}.{name}"
    return f"{path}[{json.dumps(name, ensure_ascii=False)}]"


def _key_path(path: str, key: str) -> str:
    """Path to a key the client chose: shown only if it is a short identifier, since a
    free-form key could itself be data (an SSN never looks like an identifier)."""
    if len(key) <= 64 and _IDENT_RE.fullmatch(key):
        return f"{path}.{key}"
    return path + _OPAQUE_KEY


def _describe(v: object) -> str:
    """What kind of JSON value `v` is, without revealing it."""
    if isinstance(v, dict):
        if "__entity" in v:
            return "an entity reference"
        return "an extension value" if "__extn" in v else "a record"
    if isinstance(v, int) and not isinstance(v, bool) and not _i64(v):
        return "an integer outside the 64-bit Long range"
    names: dict[type, str] = {type(None): "null", bool: "Bool", int: "Long", str: "String"}
    names |= {float: "a non-integer number", list: "Set", tuple: "Set"}
    return names.get(type(v), type(v).__name__)


def _json_problems(value: object, path: str) -> list[str]:
    """Problems that make `value` unrepresentable as the JSON Cedar parses.

    Checked over the whole value, including parts Cedar would otherwise ignore
    (extra keys of an entity reference), because cedarpy serializes it all.
    Iterative, so hostile nesting cannot exhaust Python's stack.
    """
    problems: list[str] = []
    stack: list[tuple[object, str, int]] = [(value, path, 0)]
    while stack:
        v, p, depth = stack.pop()
        if not isinstance(v, dict | list | tuple):
            problem = _scalar_problem(v)
            if problem:
                problems.append(f"{p}: {problem}")
        elif depth >= _MAX_NESTING:
            problems.append(f"{p}: nested more than {_MAX_NESTING} levels deep")
        elif isinstance(v, dict):
            for k, child in v.items():
                if not isinstance(k, str):
                    problems.append(f"{p}: record keys must be strings")
                elif not _encodable(k):
                    problems.append(f"{p + _OPAQUE_KEY}: key is not valid Unicode")
                else:
                    stack.append((child, _key_path(p, k), depth + 1))
        else:
            stack.extend((child, f"{p}[{i}]", depth + 1) for i, child in enumerate(v))
    return problems


def _scalar_problem(v: object) -> str | None:
    if isinstance(v, str):
        return None if _encodable(v) else "string is not valid Unicode (lone surrogate)"
    if isinstance(v, float):
        return None if math.isfinite(v) else "not a finite number"
    if isinstance(v, int):  # includes bool
        return None if abs(v) < 2**1024 else "number too large"  # even a float cannot hold it
    return None if v is None else f"not a JSON value ({type(v).__name__})"


def _encodable(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _raw_ok(v: object) -> bool:
    """Whether Cedar's schema-less JSON value type can hold `v` (no floats, ints in i64)."""
    if v is None or isinstance(v, bool | str):
        return True
    if isinstance(v, int):
        return _i64(v)
    if isinstance(v, list | tuple):
        return all(_raw_ok(x) for x in v)
    if isinstance(v, dict):
        return all(_raw_ok(x) for x in v.values())
    return False


def _is_expr_escape(v: object) -> bool:
    # `{"__expr": "..."}` was removed in Cedar 3; Cedar still recognises it, to reject it.
    return isinstance(v, dict) and isinstance(v.get("__expr"), str)


def _fn_and_args(v: object) -> tuple[str, list[object]] | None:
    """Cedar's `FnAndArgs`: `{"fn": f, "arg": a}` or `{"fn": f, "args": [..]}`.

    Extra keys are ignored, as serde does."""
    if not isinstance(v, dict) or not isinstance(v.get("fn"), str):
        return None
    fn: str = v["fn"]
    if "arg" in v and _raw_ok(v["arg"]):
        return fn, [v["arg"]]
    args = v.get("args")
    if isinstance(args, list | tuple) and all(_raw_ok(a) for a in args):
        return fn, list(args)
    return None


def _is_unknown_escape(v: object) -> bool:
    # `{"__extn": {"fn": "unknown", "arg": "x"}}` is a partial-evaluation
    # placeholder that Cedar's parser recognises first, at every level, for any
    # type. is_authorized then rejects it as an attribute value but accepts it
    # as a constructor's argument (`decimal(unknown("x"))`); we reject it everywhere.
    if not isinstance(v, dict) or _is_expr_escape(v):
        return False
    inner = v.get("__extn")
    return (
        isinstance(inner, dict)
        and inner.get("fn") == "unknown"
        and isinstance(inner.get("arg"), str)
    )


def _type_and_id(v: object) -> tuple[str, str] | None:
    # Cedar's `TypeAndId` is a plain serde struct, so besides
    # `{"type": t, "id": i}` (extra keys ignored) it also accepts `[t, i]`.
    if isinstance(v, dict):
        t, i = v.get("type"), v.get("id")
    elif isinstance(v, list | tuple) and len(v) == 2:
        t, i = v
    else:
        return None
    return (t, i) if isinstance(t, str) and isinstance(i, str) else None


_PRIMITIVE_CHECKS: dict[type, Callable[[object], bool]] = {
    # bool is an int in Python, but not a Long in JSON.
    LongType: lambda v: isinstance(v, int) and not isinstance(v, bool) and _i64(v),
    BoolType: lambda v: isinstance(v, bool),
    StringType: lambda v: isinstance(v, str),
}


class _Validator:
    def __init__(self, model: SchemaModel, where: str | None) -> None:
        self.model = model
        self.undeclared = (
            f"attribute not declared for {where}" if where else "attribute not declared"
        )
        self.problems: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def mismatch(self, path: str, expected: CedarType, v: object) -> None:
        call = _fn_and_args(v.get("__extn")) if isinstance(v, dict) else None
        if call is not None and call[0] in _COMPUTED_FUNCTIONS:
            self.add(path, f"expected {type_name(expected)}, got a computed extension value")
        else:
            self.add(path, f"expected {type_name(expected)}, got {_describe(v)}")

    def check(self, v: object, t: CedarType, path: str) -> None:
        if _is_unknown_escape(v):
            self.add(path, "unknown() placeholders are not accepted")
        elif isinstance(t, SetType):
            if isinstance(v, list | tuple):
                for i, element in enumerate(v):
                    self.check(element, t.element, f"{path}[{i}]")
            else:
                self.mismatch(path, t, v)
        elif isinstance(t, RecordType):
            self.record(v, t, path)
        elif isinstance(t, EntityType):
            self.entity(v, t, path)
        elif isinstance(t, ExtensionType):
            self.extension(v, t, path)
        elif not _PRIMITIVE_CHECKS[type(t)](v):
            self.mismatch(path, t, v)

    def record(self, v: object, t: RecordType, path: str) -> None:
        if not isinstance(v, dict):
            self.mismatch(path, t, v)
            return
        for name, attribute in t.attributes.items():
            if name in v:
                self.check(v[name], attribute.type, _attr_path(path, name))
            elif attribute.required:
                self.add(_attr_path(path, name), "missing required attribute")
        for key in v:
            if key not in t.attributes:
                self.add(_key_path(path, key), self.undeclared)

    def entity(self, v: object, t: EntityType, path: str) -> None:
        # Cedar tries, in order: the removed `__expr` escape (an error),
        # `{"__entity": {...}}`, then a bare `{"type": .., "id": ..}`.
        if _is_expr_escape(v):
            self.add(path, "the __expr escape is not supported")
            return
        ref = None
        if isinstance(v, dict) and "__entity" in v:
            ref = _type_and_id(v["__entity"])
        ref = ref or _type_and_id(v)
        if ref is None:
            self.mismatch(path, t, v)
            return
        entity_type, entity_id = ref
        if entity_type != t.name:
            # The type string is the client's: echo it only if the schema declares it.
            known = entity_type in self.model.entity_types or self.model.is_action_type(entity_type)
            got = entity_type if known else "an entity of an undeclared type"
            self.add(path, f"expected entity of type {t.name}, got {got}")
            return
        declaration = self.model.entity_types.get(entity_type)
        if declaration is not None:
            if declaration.enum is not None and entity_id not in declaration.enum:
                self.add(path, f"entity id is not one of the declared values of {entity_type}")
        elif ActionUid(entity_type, entity_id) not in self.model.actions:
            self.add(path, f"entity id is not a declared action of type {entity_type}")

    def extension(self, v: object, t: ExtensionType, path: str) -> None:
        # Cedar's `ExtnValueJson`, in order: `__expr` (error); `{"__extn": call}`;
        # a bare call `{"fn": .., "arg": ..}`; else the value is the argument of
        # the type's constructor, so a bare string is the usual form.
        if isinstance(v, str):
            if not _CONSTRUCTOR_CHECKS[t.name](v):
                self.add(path, f"not a valid {t.name} value")
            return
        if _is_expr_escape(v):
            self.add(path, "the __expr escape is not supported")
            return
        call = _fn_and_args(v["__extn"]) if isinstance(v, dict) and "__extn" in v else None
        call = call or _fn_and_args(v)
        if call is None:
            self.mismatch(path, t, v)
            return
        fn, args = call
        built = _CONSTRUCTORS.get(fn)
        if built is None:
            what = "a computed extension value" if fn in _COMPUTED_FUNCTIONS else "an unknown call"
            self.add(path, f"expected {t.name}, got {what}")
        elif built != t.name:
            self.add(path, f"expected {t.name}, got {built}")
        elif len(args) != 1:
            self.add(path, f"{fn}() takes exactly one argument")
        elif not isinstance(args[0], str):
            self.add(path, f"the argument of {fn}() must be a String")
        elif not _CONSTRUCTOR_CHECKS[t.name](args[0]):
            self.add(path, f"not a valid {t.name} value")


def validate_value(
    value: object,
    expected: CedarType,
    path: str,
    model: SchemaModel,
    *,
    where: str | None = None,
) -> list[str]:
    """Check a Cedar JSON value (as from `json.loads`) against a schema type.

    Returns human-readable problems, each prefixed with its path
    (`context.rows: expected Long, got String`); empty means Cedar accepts the
    value in a schema-directed request. `where` names the declaration in
    "attribute not declared" messages (e.g. `Action::"read"`). Messages never
    contain values, only paths, type names and schema attribute names.

    Accepts what Cedar 4.12 accepts, with two deliberate exceptions, both
    stricter: extension values computed by non-constructor functions
    (`{"__extn": {"fn": "offset", ..}}`, a Long written as `toMilliseconds(..)`)
    and `unknown()` partial-evaluation placeholders anywhere (Cedar accepts
    e.g. `decimal(unknown("x"))`). The nesting limit is counted from `value`,
    so pass the whole context for exact agreement.
    """
    problems = _json_problems(value, path)
    if problems:
        return problems
    validator = _Validator(model, where)
    validator.check(value, expected, path)
    return validator.problems
