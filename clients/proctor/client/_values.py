"""Python values → Cedar values on the wire.

``str`` → String, ``int`` → Long, ``bool`` → Bool, ``list``/``set``/``tuple``
→ Set, ``dict`` → Record; ``Entity("Type", "id")`` or Cedar JSON
``{"__entity": {"type", "id"}}`` → entity reference; ``{"__extn": {"fn",
"arg"}}`` → extension value such as ``decimal("1.5")``. ``float`` and
``None`` are refused: Cedar has neither.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from proctor.client._errors import InvalidRequest
from proctor.v1 import value_pb2

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_CEDAR_UID = re.compile(r'^\s*(?P<type>[A-Za-z_][A-Za-z0-9_:]*)::"(?P<id>(?:[^"\\]|\\.)*)"\s*$')
_TYPE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*")


@dataclass(frozen=True, slots=True)
class Entity:
    """A Cedar entity reference: ``Entity("Agent", "triage-bot")``."""

    type: str
    id: str

    def __str__(self) -> str:
        escaped = self.id.replace("\\", "\\\\").replace('"', '\\"')
        return f'{self.type}::"{escaped}"'

    @classmethod
    def parse(cls, text: str, field: str = "") -> Entity:
        """``Agent::"triage-bot"`` (Cedar syntax) or ``Agent::triage-bot``."""
        m = _CEDAR_UID.match(text)
        if m is None:
            kind, sep, ident = text.partition("::")
            if not sep or not ident or not _TYPE_NAME.fullmatch(kind.strip()):
                raise InvalidRequest(field, 'must look like Type::"id", e.g. Agent::"triage-bot"')
            return cls(kind.strip(), ident)
        return cls(m.group("type"), re.sub(r"\\(.)", r"\1", m.group("id")))

    def to_wire(self) -> value_pb2.EntityRef:
        """The wire form."""
        return value_pb2.EntityRef(type=self.type, id=self.id)


EntityLike = Entity | str | tuple[str, str]


def entity(value: EntityLike, field: str) -> value_pb2.EntityRef:
    """An entity given as ``Entity``, Cedar text or a ``(type, id)`` pair."""
    if isinstance(value, Entity):
        return value.to_wire()
    if isinstance(value, str):
        return Entity.parse(value, field).to_wire()
    if isinstance(value, tuple) and len(value) == 2:
        return value_pb2.EntityRef(type=str(value[0]), id=str(value[1]))
    raise InvalidRequest(field, 'must be an Entity, "Type::\\"id\\"" or (type, id)')


def json_to_value(data: Any, field: str) -> value_pb2.Value:
    """A Python / Cedar JSON value → wire value."""
    if isinstance(data, bool):
        return value_pb2.Value(bool_value=data)
    if isinstance(data, int):
        if not INT64_MIN <= data <= INT64_MAX:
            raise InvalidRequest(field, "is outside Cedar's Long range (64-bit)")
        return value_pb2.Value(long_value=data)
    if isinstance(data, float):
        raise InvalidRequest(
            field,
            "Cedar has no floating-point numbers; use a Long or "
            '{"__extn": {"fn": "decimal", "arg": "1.5"}}',
        )
    if isinstance(data, str):
        return value_pb2.Value(string_value=data)
    if isinstance(data, Entity):
        return value_pb2.Value(entity_value=data.to_wire())
    if isinstance(data, list | tuple | set | frozenset):
        items = sorted(data, key=repr) if isinstance(data, set | frozenset) else data
        return value_pb2.Value(
            set_value=value_pb2.ValueSet(
                values=[json_to_value(v, f"{field}[{i}]") for i, v in enumerate(items)]
            )
        )
    if isinstance(data, Mapping):
        if set(data) == {"__entity"} and isinstance(data["__entity"], Mapping):
            e = data["__entity"]
            return value_pb2.Value(
                entity_value=value_pb2.EntityRef(
                    type=str(e.get("type", "")), id=str(e.get("id", ""))
                )
            )
        if set(data) == {"__extn"} and isinstance(data["__extn"], Mapping):
            x = data["__extn"]
            return value_pb2.Value(
                extension_value=value_pb2.ExtensionValue(
                    fn=str(x.get("fn", "")), arg=str(x.get("arg", ""))
                )
            )
        return value_pb2.Value(
            record_value=value_pb2.Record(attributes=json_to_record(data, field))
        )
    raise InvalidRequest(field, "null is not a Cedar value; leave the attribute out instead")


def json_to_record(data: Mapping[str, Any], field: str) -> dict[str, value_pb2.Value]:
    """A mapping → wire record attributes."""
    return {k: json_to_value(v, f"{field}.{k}" if field else k) for k, v in data.items()}


def json_to_entity(data: Any, field: str) -> value_pb2.Entity:
    """Cedar entity JSON (``uid``, ``attrs``, ``parents``, ``tags``) → wire entity."""
    if not isinstance(data, Mapping) or not isinstance(data.get("uid"), Mapping):
        raise InvalidRequest(field, "an entity needs `uid`, `attrs` and `parents`")
    unknown = set(data) - {"uid", "attrs", "parents", "tags"}
    if unknown:
        raise InvalidRequest(f"{field}.{sorted(unknown)[0]}", "unknown entity key")
    uid = data["uid"]
    uid = uid.get("__entity", uid)
    return value_pb2.Entity(
        uid=value_pb2.EntityRef(type=str(uid.get("type", "")), id=str(uid.get("id", ""))),
        attributes=json_to_record(data.get("attrs", {}), f"{field}.attrs"),
        parents=[
            value_pb2.EntityRef(type=str(p.get("type", "")), id=str(p.get("id", "")))
            for p in data.get("parents", [])
            if isinstance(p, Mapping)
        ],
        tags=json_to_record(data.get("tags", {}), f"{field}.tags"),
    )
