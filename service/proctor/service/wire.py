"""Translation between the proctor.v1 wire types and Cedar JSON.

Both directions check their input and raise
:class:`~proctor.service.errors.InvalidRequestError` naming the field
(``context.rows``, ``entities[2].uid.type``) and never quoting a value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from proctor.client import _values
from proctor.client._errors import InvalidRequest as ClientInvalidRequest
from proctor.service.engine import EntityUid
from proctor.service.errors import InvalidRequestError
from proctor.v1 import value_pb2

MAX_ID_LENGTH = 1024
MAX_DEPTH = 32
MAX_STRING = 64 * 1024
MAX_ENTITIES = 1000
EXTENSION_FUNCTIONS = frozenset({"ip", "decimal", "datetime", "duration"})
_TYPE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*")
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


def _checked(convert: Callable[..., Any]) -> Callable[..., Any]:
    """The client's converters, raising the service's error type."""

    def wrapper(data: Any, field: str) -> Any:
        try:
            return convert(data, field)
        except ClientInvalidRequest as exc:
            raise InvalidRequestError(exc.field, str(exc).removeprefix(f"{exc.field}: ")) from None

    wrapper.__doc__ = convert.__doc__
    return wrapper


# Python / Cedar JSON -> wire: one implementation, shared with the Python SDK.
json_to_value: Callable[[Any, str], value_pb2.Value] = _checked(_values.json_to_value)
json_to_record: Callable[[Mapping[str, Any], str], dict[str, value_pb2.Value]] = _checked(
    _values.json_to_record
)
json_to_entity: Callable[[Any, str], value_pb2.Entity] = _checked(_values.json_to_entity)
parse_entity_uid: Callable[[str, str], value_pb2.EntityRef] = _checked(
    lambda text, field: _values.Entity.parse(text, field).to_wire()
)
