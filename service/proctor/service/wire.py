"""Translation between the proctor.v1 wire types and Cedar JSON.

Both directions check their input and raise
:class:`~proctor.service.errors.InvalidRequestError` naming the field
(``context.rows``, ``entities[2].uid.type``) and never quoting a value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from proctor.service.engine import EntityUid
from proctor.service.errors import InvalidRequestError
from proctor.v1 import value_pb2

MAX_ID_LENGTH = 1024
MAX_DEPTH = 32
MAX_STRING = 64 * 1024
MAX_ENTITIES = 1000
EXTENSION_FUNCTIONS = frozenset({"ip", "decimal", "datetime", "duration"})
_TYPE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*")
_CEDAR_UID = re.compile(r'^\s*(?P<type>[A-Za-z_][A-Za-z0-9_:]*)::"(?P<id>(?:[^"\\]|\\.)*)"\s*$')
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


# --- wire -> Cedar JSON -------------------------------------------------------


def entity_uid(ref: value_pb2.EntityRef, field: str, present: bool = True) -> EntityUid:
    """Check and convert an entity reference."""
    if not present:
        raise InvalidRequestError(field, 'is required, e.g. {type: "Agent", id: "triage-bot"}')
    if not ref.type:
        raise InvalidRequestError(f"{field}.type", "is required")
    if len(ref.type) > 256 or not _TYPE_NAME.fullmatch(ref.type):
        raise InvalidRequestError(
            f"{field}.type",
            "is not a Cedar entity type name (letters, digits, `_`, namespaces joined by `::`)",
        )
    if not ref.id:
        raise InvalidRequestError(f"{field}.id", "is required")
    if len(ref.id) > MAX_ID_LENGTH:
        raise InvalidRequestError(f"{field}.id", f"is longer than {MAX_ID_LENGTH} characters")
    return EntityUid(ref.type, ref.id)


def value_to_json(value: value_pb2.Value, field: str, depth: int = 0) -> Any:
    """One wire value as Cedar JSON."""
    if depth > MAX_DEPTH:
        raise InvalidRequestError(field, f"nests deeper than {MAX_DEPTH} levels")
    kind = value.WhichOneof("kind")
    if kind == "bool_value":
        return value.bool_value
    if kind == "long_value":
        return value.long_value
    if kind == "string_value":
        if len(value.string_value) > MAX_STRING:
            raise InvalidRequestError(field, f"is longer than {MAX_STRING} characters")
        return value.string_value
    if kind == "set_value":
        return [
            value_to_json(v, f"{field}[{i}]", depth + 1)
            for i, v in enumerate(value.set_value.values)
        ]
    if kind == "record_value":
        return record_to_json(value.record_value.attributes, field, depth + 1)
    if kind == "entity_value":
        return {"__entity": entity_uid(value.entity_value, field).to_json()}
    if kind == "extension_value":
        ext = value.extension_value
        if ext.fn not in EXTENSION_FUNCTIONS:
            raise InvalidRequestError(
                f"{field}.fn",
                f"unknown extension function `{ext.fn[:40]}` "
                f"(known: {', '.join(sorted(EXTENSION_FUNCTIONS))})",
            )
        return {"__extn": {"fn": ext.fn, "arg": ext.arg}}
    raise InvalidRequestError(field, "has no value (set exactly one kind)")


def record_to_json(
    attributes: Mapping[str, value_pb2.Value], field: str, depth: int = 0
) -> dict[str, Any]:
    """A wire record as a Cedar JSON object."""
    return {
        name: value_to_json(v, f"{field}.{name}" if field else name, depth)
        for name, v in attributes.items()
    }


def entity_to_json(entity: value_pb2.Entity, field: str) -> dict[str, Any]:
    """A wire entity as Cedar's entity JSON."""
    uid = entity_uid(entity.uid, f"{field}.uid", entity.HasField("uid"))
    out: dict[str, Any] = {
        "uid": uid.to_json(),
        "attrs": record_to_json(entity.attributes, f"{field}.attributes"),
        "parents": [
            entity_uid(p, f"{field}.parents[{i}]").to_json() for i, p in enumerate(entity.parents)
        ],
    }
    if entity.tags:
        out["tags"] = record_to_json(entity.tags, f"{field}.tags")
    return out


def entities_to_json(entities: Any, field: str = "entities") -> list[dict[str, Any]]:
    """The per-request entities as Cedar JSON."""
    if len(entities) > MAX_ENTITIES:
        raise InvalidRequestError(field, f"at most {MAX_ENTITIES} entities per request")
    return [entity_to_json(e, f"{field}[{i}]") for i, e in enumerate(entities)]


# --- Cedar JSON -> wire (for the CLI and clients) ---------------------------------


def parse_entity_uid(text: str, field: str) -> value_pb2.EntityRef:
    """``Agent::"triage-bot"`` (Cedar syntax) or ``Agent::triage-bot`` → EntityRef."""
    m = _CEDAR_UID.match(text)
    if m is None:
        type_, sep, ident = text.partition("::")
        if not sep or not ident or not _TYPE_NAME.fullmatch(type_.strip()):
            raise InvalidRequestError(field, 'must look like Type::"id", e.g. Agent::"triage-bot"')
        return value_pb2.EntityRef(type=type_.strip(), id=ident)
    ident = re.sub(r"\\(.)", r"\1", m.group("id"))
    return value_pb2.EntityRef(type=m.group("type"), id=ident)


def json_to_value(data: Any, field: str) -> value_pb2.Value:
    """Cedar JSON (as parsed by ``json.loads``) → wire value."""
    if isinstance(data, bool):
        return value_pb2.Value(bool_value=data)
    if isinstance(data, int):
        if not INT64_MIN <= data <= INT64_MAX:
            raise InvalidRequestError(field, "is outside Cedar's Long range (64-bit)")
        return value_pb2.Value(long_value=data)
    if isinstance(data, float):
        raise InvalidRequestError(
            field,
            "Cedar has no floating-point numbers; use a Long or "
            '{"__extn": {"fn": "decimal", "arg": "1.5"}}',
        )
    if isinstance(data, str):
        return value_pb2.Value(string_value=data)
    if isinstance(data, list):
        return value_pb2.Value(
            set_value=value_pb2.ValueSet(
                values=[json_to_value(v, f"{field}[{i}]") for i, v in enumerate(data)]
            )
        )
    if isinstance(data, dict):
        if set(data) == {"__entity"} and isinstance(data["__entity"], dict):
            e = data["__entity"]
            return value_pb2.Value(
                entity_value=value_pb2.EntityRef(
                    type=str(e.get("type", "")), id=str(e.get("id", ""))
                )
            )
        if set(data) == {"__extn"} and isinstance(data["__extn"], dict):
            x = data["__extn"]
            return value_pb2.Value(
                extension_value=value_pb2.ExtensionValue(
                    fn=str(x.get("fn", "")), arg=str(x.get("arg", ""))
                )
            )
        return value_pb2.Value(
            record_value=value_pb2.Record(attributes=json_to_record(data, field))
        )
    raise InvalidRequestError(field, "null is not a Cedar value; leave the attribute out instead")


def json_to_record(data: Mapping[str, Any], field: str) -> dict[str, value_pb2.Value]:
    """A Cedar JSON object → wire record attributes."""
    return {k: json_to_value(v, f"{field}.{k}" if field else k) for k, v in data.items()}


def json_to_entity(data: Any, field: str) -> value_pb2.Entity:
    """Cedar entity JSON → wire entity."""
    if not isinstance(data, dict) or not isinstance(data.get("uid"), dict):
        raise InvalidRequestError(field, "an entity needs `uid`, `attrs` and `parents`")
    unknown = set(data) - {"uid", "attrs", "parents", "tags"}
    if unknown:
        raise InvalidRequestError(f"{field}.{sorted(unknown)[0]}", "unknown entity key")
    uid = data["uid"]
    uid = uid.get("__entity", uid)
    return value_pb2.Entity(
        uid=value_pb2.EntityRef(type=str(uid.get("type", "")), id=str(uid.get("id", ""))),
        attributes=json_to_record(data.get("attrs", {}), f"{field}.attrs"),
        parents=[
            value_pb2.EntityRef(type=str(p.get("type", "")), id=str(p.get("id", "")))
            for p in data.get("parents", [])
            if isinstance(p, dict)
        ],
        tags=json_to_record(data.get("tags", {}), f"{field}.tags"),
    )
