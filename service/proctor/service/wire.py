"""Translation between the proctor.v1 wire types and Cedar JSON.

Both directions check their input and raise
:class:`~proctor.service.errors.InvalidRequestError` naming the field
(``context.rows``, ``entities[2].uid.type``) and never quoting a value.
"""

from __future__ import annotations

import functools
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
    kind, ident = ref.type, ref.id
    if not _valid_type(kind):
        if not kind:
            raise InvalidRequestError(f"{field}.type", "is required")
        raise InvalidRequestError(
            f"{field}.type",
            "is not a Cedar entity type name (letters, digits, `_`, namespaces joined by `::`)",
        )
    if not ident:
        raise InvalidRequestError(f"{field}.id", "is required")
    if len(ident) > MAX_ID_LENGTH:
        raise InvalidRequestError(f"{field}.id", f"is longer than {MAX_ID_LENGTH} characters")
    return EntityUid(kind, ident)


@functools.lru_cache(maxsize=4096)
def _valid_type(name: str) -> bool:
    # Few distinct type names occur: check each once.
    return 0 < len(name) <= 256 and _TYPE_NAME.fullmatch(name) is not None


class _Invalid(Exception):
    """A value problem found below the top level; the path is built on the
    way out (field names are built only when something is wrong)."""

    def __init__(self, path: list[str], problem: str) -> None:
        self.path = path  # innermost first
        self.problem = problem


def value_to_json(value: value_pb2.Value, field: str, depth: int = 0) -> Any:
    """One wire value as Cedar JSON."""
    try:
        return _value(value, depth)
    except _Invalid as exc:
        raise InvalidRequestError(field + "".join(reversed(exc.path)), exc.problem) from None


def _value(value: value_pb2.Value, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise _Invalid([], f"nests deeper than {MAX_DEPTH} levels")
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        text = value.string_value
        if len(text) > MAX_STRING:
            raise _Invalid([], f"is longer than {MAX_STRING} characters")
        return text
    if kind == "long_value":
        return value.long_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "set_value":
        out = []
        for i, v in enumerate(value.set_value.values):
            try:
                out.append(_value(v, depth + 1))
            except _Invalid as exc:
                exc.path.append(f"[{i}]")
                raise
        return out
    if kind == "record_value":
        return _record(value.record_value.attributes, depth + 1)
    if kind == "entity_value":
        try:
            return {"__entity": entity_uid(value.entity_value, "").to_json()}
        except InvalidRequestError as exc:
            raise _Invalid([exc.field], exc.problem) from None
    if kind == "extension_value":
        ext = value.extension_value
        if ext.fn not in EXTENSION_FUNCTIONS:
            raise _Invalid(
                [".fn"],
                f"unknown extension function `{ext.fn[:40]}` "
                f"(known: {', '.join(sorted(EXTENSION_FUNCTIONS))})",
            )
        return {"__extn": {"fn": ext.fn, "arg": ext.arg}}
    raise _Invalid([], "has no value (set exactly one kind)")


def _record(attributes: Mapping[str, value_pb2.Value], depth: int) -> dict[str, Any]:
    out = {}
    for name, v in attributes.items():
        try:
            out[name] = _value(v, depth)
        except _Invalid as exc:
            exc.path.append(f".{name}")
            raise
    return out


def record_to_json(
    attributes: Mapping[str, value_pb2.Value], field: str, depth: int = 0
) -> dict[str, Any]:
    """A wire record as a Cedar JSON object."""
    try:
        return _record(attributes, depth)
    except _Invalid as exc:
        path = "".join(reversed(exc.path))
        if not field:  # a top-level record: ``rows``, not ``.rows``
            path = path.removeprefix(".")
        raise InvalidRequestError(field + path, exc.problem) from None


def entity_to_json(entity: value_pb2.Entity, field: str) -> dict[str, Any]:
    """A wire entity as Cedar's entity JSON."""
    uid = entity_uid(entity.uid, f"{field}.uid", entity.HasField("uid"))
    out: dict[str, Any] = {
        "uid": {"type": uid.type, "id": uid.id},
        "attrs": record_to_json(entity.attributes, f"{field}.attributes")
        if entity.attributes
        else {},
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
