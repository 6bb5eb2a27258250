"""Proctor's policy annotations and their grammar.

Cedar has only permit and forbid. Proctor reads annotations to add approval
gates and masking without changing what Cedar means:

* ``@id("…")`` — required on every policy, unique in the bundle.
* ``@approval("Group::\\"a\\", Group::\\"b\\"")`` — on a forbid: the forbid is an
  approval gate, lifted only by a verified grant.
* ``@quorum("N")`` — distinct approvals needed from each group (default 1).
* ``@ttl("15m")`` — how long the request waits and a grant lives (default 15m).
* ``@uses("N")`` — how many times a grant may be used (default 1).
* ``@mask("…")`` — on a permit: a masking rule, evaluated in its own set,
  never part of the access decision.

Values are checked when the bundle loads. Keys close to these (``@aproval``,
``@Approval``) are errors, because a misspelt gate would otherwise silently
turn into a plain forbid or, worse, a masking rule into an access grant. Any
other annotation is allowed and passed through.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from proctor.masking import Directive, DirectiveError, parse_directives

KNOWN_KEYS = frozenset({"id", "approval", "quorum", "ttl", "uses", "mask"})
GATE_KEYS = frozenset({"quorum", "ttl", "uses"})

DEFAULT_TTL_SECONDS = 15 * 60
MIN_TTL_SECONDS = 10
MAX_TTL_SECONDS = 30 * 24 * 3600
MAX_QUORUM = 25
MAX_USES = 1000

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}")
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
# An entity reference in Cedar syntax, `Ns::Type::"id"`; ids may contain
# escaped quotes.
_ENTITY_REF = re.compile(
    r'\s*(?P<type>[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)::"(?P<id>(?:[^"\\]|\\.)*)"\s*'
)


class AnnotationError(ValueError):
    """One bad annotation; the loader adds file, line and policy id."""


@dataclass(frozen=True, slots=True, order=True)
class GroupRef:
    """An approver group: a Cedar entity, usually ``Group::"…"``."""

    type: str
    id: str

    def __str__(self) -> str:
        escaped = self.id.replace("\\", "\\\\").replace('"', '\\"')
        return f'{self.type}::"{escaped}"'


@dataclass(frozen=True, slots=True)
class Gate:
    """An approval gate: the requirements one approvable forbid adds."""

    groups: tuple[GroupRef, ...]
    quorum: int
    ttl_seconds: int
    uses: int


@dataclass(frozen=True, slots=True)
class PolicyAnnotations:
    """What Proctor read from one policy's annotations."""

    policy_id: str
    gate: Gate | None
    masks: tuple[Directive, ...]
    other: Mapping[str, str]


def parse_duration(text: str) -> int:
    """``90s``, ``15m``, ``2h``, ``1d12h`` → seconds."""
    m = _DURATION.fullmatch(text.strip())
    if not text.strip() or m is None or not any(m.groups()):
        raise AnnotationError(
            f'`@ttl("{text}")` is not a duration; write e.g. `30s`, `15m`, `2h` or `1d`'
        )
    d, h, mi, s = (int(g) if g else 0 for g in m.groups())
    seconds = ((d * 24 + h) * 60 + mi) * 60 + s
    if not MIN_TTL_SECONDS <= seconds <= MAX_TTL_SECONDS:
        raise AnnotationError(
            f'`@ttl("{text}")` must be between {MIN_TTL_SECONDS}s and {MAX_TTL_SECONDS // 86400}d'
        )
    return seconds


def format_duration(seconds: int) -> str:
    """Seconds → the shortest ``1d2h3m4s`` form (inverse of parse_duration)."""
    out = ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            out += f"{seconds // size}{unit}"
            seconds %= size
    return out or "0s"


def parse_groups(text: str) -> tuple[GroupRef, ...]:
    """``Group::"a", Group::"b"`` → group references (sorted, distinct)."""
    groups: list[GroupRef] = []
    pos = 0
    while pos < len(text):
        m = _ENTITY_REF.match(text, pos)
        if m is None:
            raise AnnotationError(
                f'`@approval` needs entity references like `Group::\\"privacy-office\\"`, '
                f"separated by commas; cannot read `{text[pos:].strip()}`"
            )
        ident = re.sub(r"\\(.)", r"\1", m.group("id"))
        groups.append(GroupRef(m.group("type"), ident))
        pos = m.end()
        if pos < len(text):
            if text[pos] != ",":
                raise AnnotationError(
                    f"`@approval` groups must be separated by commas near `{text[pos:]}`"
                )
            pos += 1
    if not groups:
        raise AnnotationError('`@approval` needs at least one group, e.g. `Group::\\"security\\"`')
    if len(set(groups)) != len(groups):
        raise AnnotationError("`@approval` names the same group twice")
    return tuple(sorted(groups))


def _int_value(key: str, text: str, hi: int) -> int:
    if not re.fullmatch(r"[0-9]{1,4}", text.strip()) or not 1 <= int(text) <= hi:
        raise AnnotationError(f'`@{key}("{text}")` must be a whole number from 1 to {hi}')
    return int(text)


def _near_miss(key: str) -> str | None:
    """The Proctor key an unknown annotation key was probably meant to be."""
    if key.lower() in KNOWN_KEYS:
        return key.lower()
    close = difflib.get_close_matches(key.lower(), sorted(KNOWN_KEYS), n=1, cutoff=0.75)
    return close[0] if close else None


def parse_annotations(
    annotations: Mapping[str, str | None], effect: Literal["permit", "forbid"]
) -> PolicyAnnotations:
    """Read and check one policy's annotations.

    Raises :class:`AnnotationError` with a message that names the annotation
    and suggests the fix.
    """
    for key in annotations:
        if key not in KNOWN_KEYS:
            meant = _near_miss(key)
            if meant is not None and len(key) > 1:
                raise AnnotationError(f"unknown annotation `@{key}`; did you mean `@{meant}`?")
    values = {k: ("" if v is None else v) for k, v in annotations.items()}
    policy_id = values.get("id", "")
    if "id" not in values or not policy_id:
        raise AnnotationError('policy has no `@id("…")`; every policy needs a stable, unique id')
    if not _ID.fullmatch(policy_id):
        raise AnnotationError(
            f'`@id("{policy_id}")` must be 1-128 characters of letters, digits and `._:/-`, '
            "starting with a letter or digit"
        )
    gate: Gate | None = None
    if "approval" in values:
        if effect != "forbid":
            raise AnnotationError(
                "`@approval` belongs on a forbid (an approval gate); on a permit it would grant "
                "access without approval"
            )
        if "mask" in values:
            raise AnnotationError("a policy cannot be both an approval gate and a masking rule")
        gate = Gate(
            groups=parse_groups(values["approval"]),
            quorum=_int_value("quorum", values["quorum"], MAX_QUORUM) if "quorum" in values else 1,
            ttl_seconds=parse_duration(values["ttl"]) if "ttl" in values else DEFAULT_TTL_SECONDS,
            uses=_int_value("uses", values["uses"], MAX_USES) if "uses" in values else 1,
        )
    else:
        for key in sorted(GATE_KEYS & values.keys()):
            raise AnnotationError(f"`@{key}` only applies with `@approval` on the same policy")
    masks: tuple[Directive, ...] = ()
    if "mask" in values:
        if effect != "permit":
            raise AnnotationError(
                "`@mask` belongs on a permit (a masking rule says when the mask applies)"
            )
        try:
            masks = parse_directives(values["mask"], rule_id=policy_id)
        except DirectiveError as exc:
            raise AnnotationError(f"`@mask`: {exc}") from None
    other = {k: v for k, v in values.items() if k not in KNOWN_KEYS}
    return PolicyAnnotations(policy_id=policy_id, gate=gate, masks=masks, other=other)
