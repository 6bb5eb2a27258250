"""Masking directives: which field (selector) gets which operator.

A directive list is written in a policy's ``@mask`` annotation as
``selector=operator`` items separated by ``;``::

    $.ssn=redact; $.dob=generalize(year); $.phone=partial(keep=4);
    $.notes=detect(NAME,PHONE,SSN)

and travels on the wire as (selector, operator, params, rule_id). Parsing is
strict: an unknown operator, a bad parameter or a malformed selector is an
error that says what was expected, so a typo in a policy fails at load time
instead of leaking data at run time.

When several masking rules apply to the same field, the most restrictive
operator wins (:func:`merge_directives`): a field is better over-masked than
leaked.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar, Literal

# HIPAA Safe Harbor identifier categories that ``detect(...)`` accepts. ``ALL``
# means every category.
CATEGORIES: frozenset[str] = frozenset(
    {
        "NAME",
        "ADDRESS",
        "ZIP",
        "CITY",
        "FACILITY",
        "DATE",
        "AGE",
        "PHONE",
        "FAX",
        "EMAIL",
        "SSN",
        "MRN",
        "HEALTH_PLAN",
        "ACCOUNT",
        "LICENSE",
        "NPI",
        "DEA",
        "VEHICLE",
        "DEVICE",
        "URL",
        "IP",
        "BIOMETRIC",
        "PHOTO",
        "ID",
        "ALL",
    }
)


class DirectiveError(ValueError):
    """A masking directive or selector that cannot be parsed.

    ``code`` is stable for machines; the message names the offending text and,
    where it can, suggests the fix.
    """

    code = "invalid_mask_directive"


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""


# --- selectors --------------------------------------------------------------

_IDENT = r"[A-Za-z_][A-Za-z0-9_\-]*"
_SEGMENT = re.compile(
    rf"""
    (?P<descend>\.\.(?P<dname>{_IDENT}))      # ..name: any depth
  | \.(?P<name>{_IDENT})                       # .name
  | \[\*\]                                     # [*]: every element
  | \[(?P<q>["'])(?P<qname>(?:(?!(?P=q)).)+)(?P=q)\]  # ["quoted name"]
    """,
    re.VERBOSE,
)

SegmentKind = Literal["child", "descendant", "wildcard"]


@dataclass(frozen=True, slots=True)
class Segment:
    """One step of a selector."""

    kind: SegmentKind
    name: str = ""

    def __str__(self) -> str:
        if self.kind == "wildcard":
            return "[*]"
        prefix = ".." if self.kind == "descendant" else "."
        if re.fullmatch(_IDENT, self.name):
            return f"{prefix}{self.name}"
        quoted = '["' + self.name + '"]'
        return quoted if self.kind == "child" else f"..{quoted}"


@dataclass(frozen=True, slots=True)
class Selector:
    """A JSONPath subset: ``$.a.b``, ``$.a[*].b``, ``$..name``, ``$["a b"]``."""

    segments: tuple[Segment, ...]

    def __str__(self) -> str:
        return "$" + "".join(str(s) for s in self.segments)


@functools.lru_cache(maxsize=1024)
def parse_selector(text: str) -> Selector:
    """Parse a selector; raises :class:`DirectiveError` naming what is wrong.
    (Cached: selectors are immutable and policies repeat them.)"""
    src = text.strip()
    if not src.startswith("$"):
        raise DirectiveError(f"selector `{src}` must start with `$`, e.g. `$.ssn`")
    pos, segments = 1, []
    while pos < len(src):
        m = _SEGMENT.match(src, pos)
        if m is None:
            raise DirectiveError(
                f"selector `{src}` is not supported at `{src[pos:]}`; "
                'use `.name`, `..name`, `[*]` or `["quoted name"]`'
            )
        if m.group("descend"):
            segments.append(Segment("descendant", m.group("dname")))
        elif m.group("name"):
            segments.append(Segment("child", m.group("name")))
        elif m.group("qname"):
            segments.append(Segment("child", m.group("qname")))
        else:
            segments.append(Segment("wildcard"))
        pos = m.end()
    if not segments:
        raise DirectiveError("selector `$` selects the whole document; name a field, e.g. `$.ssn`")
    return Selector(tuple(segments))


# --- operators --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Operator:
    """Base of the operators. ``rank`` orders them by how little they reveal:
    when two rules mask one field differently, the higher rank wins."""

    name: ClassVar[str] = ""
    rank: ClassVar[int] = 0

    def params(self) -> dict[str, str]:
        """The operator's parameters as wire strings."""
        return {}

    def __str__(self) -> str:
        """The operator as written in ``@mask``: ``partial(keep=4)``,
        ``generalize(year)``, ``detect(NAME,SSN)``."""
        p = self.params()
        if not p:
            return self.name
        if self.name in ("generalize", "detect"):
            return f"{self.name}({','.join(p.values())})"
        return f"{self.name}({','.join(f'{k}={v}' for k, v in p.items())})"


@dataclass(frozen=True, slots=True)
class Drop(Operator):
    """Remove the field entirely."""

    name: ClassVar[str] = "drop"
    rank: ClassVar[int] = 7


@dataclass(frozen=True, slots=True)
class Redact(Operator):
    """Replace the value with a fixed marker. The safe default."""

    name: ClassVar[str] = "redact"
    rank: ClassVar[int] = 6


@dataclass(frozen=True, slots=True)
class Hash(Operator):
    """Keyed HMAC-SHA256 pseudonym: stable per key, irreversible."""

    name: ClassVar[str] = "hash"
    rank: ClassVar[int] = 5


@dataclass(frozen=True, slots=True)
class Tokenize(Operator):
    """Reversible token; the original stays in a scoped, expiring vault."""

    name: ClassVar[str] = "tokenize"
    rank: ClassVar[int] = 4


GeneralizeTo = Literal["year", "month", "zip3", "age90"]
_GENERALIZE_TO: tuple[GeneralizeTo, ...] = ("year", "month", "zip3", "age90")


@dataclass(frozen=True, slots=True)
class Generalize(Operator):
    """Keep a coarse part: a date's year or month, a ZIP's first three digits,
    ages over 89 as 90+."""

    name: ClassVar[str] = "generalize"
    rank: ClassVar[int] = 3
    to: GeneralizeTo = "year"

    def params(self) -> dict[str, str]:
        return {"to": self.to}


@dataclass(frozen=True, slots=True)
class DateShift(Operator):
    """Shift dates by a per-subject offset of up to ``days`` days."""

    name: ClassVar[str] = "date_shift"
    rank: ClassVar[int] = 2
    days: int = 30

    def params(self) -> dict[str, str]:
        return {"days": str(self.days)}


@dataclass(frozen=True, slots=True)
class Partial(Operator):
    """Keep the last ``keep`` characters, mask the rest."""

    name: ClassVar[str] = "partial"
    rank: ClassVar[int] = 1
    keep: int = 4

    def params(self) -> dict[str, str]:
        return {"keep": str(self.keep)}


@dataclass(frozen=True, slots=True)
class Detect(Operator):
    """Scan free text and mask only the identifiers found in it."""

    name: ClassVar[str] = "detect"
    rank: ClassVar[int] = 0
    categories: frozenset[str] = frozenset({"ALL"})

    def params(self) -> dict[str, str]:
        return {"categories": ",".join(sorted(self.categories))}


OPERATORS: Mapping[str, type[Operator]] = {
    op.name: op for op in (Drop, Redact, Hash, Tokenize, Generalize, DateShift, Partial, Detect)
}

_MAX_KEEP = 16
_MAX_SHIFT_DAYS = 3650


def _int_param(op: str, key: str, value: str, lo: int, hi: int) -> int:
    if not re.fullmatch(r"\d{1,6}", value) or not lo <= int(value) <= hi:
        raise DirectiveError(
            f"`{op}({key}=…)` needs a whole number from {lo} to {hi}, got `{value}`"
        )
    return int(value)


def _build_operator(name: str, params: Mapping[str, str]) -> Operator:
    """Build an operator from its name and named parameters."""
    cls = OPERATORS.get(name)
    if cls is None:
        raise DirectiveError(
            f"unknown masking operator `{name}`{_did_you_mean(name, OPERATORS)}"
            f" (known: {', '.join(sorted(OPERATORS))})"
        )
    allowed = {
        "partial": {"keep"},
        "generalize": {"to"},
        "date_shift": {"days"},
        "detect": {"categories"},
    }.get(name, set())
    for key in params:
        if key not in allowed:
            hint = f"; `{name}` takes {', '.join(sorted(allowed))}" if allowed else ""
            raise DirectiveError(f"`{name}` has no parameter `{key}`{hint}")
    if cls is Partial:
        return Partial(keep=_int_param(name, "keep", params.get("keep", "4"), 0, _MAX_KEEP))
    if cls is DateShift:
        return DateShift(
            days=_int_param(name, "days", params.get("days", "30"), 1, _MAX_SHIFT_DAYS)
        )
    if cls is Generalize:
        to = params.get("to", "")
        for option in _GENERALIZE_TO:
            if to == option:
                return Generalize(to=option)
        raise DirectiveError(
            f"`generalize` needs one of {', '.join(_GENERALIZE_TO)}, got `{to}`"
            f"{_did_you_mean(to, _GENERALIZE_TO)}"
        )
    if cls is Detect:
        cats = [c.strip().upper() for c in params.get("categories", "ALL").split(",") if c.strip()]
        if not cats:
            raise DirectiveError("`detect` needs at least one category, e.g. `detect(NAME,SSN)`")
        for c in cats:
            if c not in CATEGORIES:
                raise DirectiveError(
                    f"unknown PHI category `{c}` in `detect`{_did_you_mean(c, CATEGORIES)}"
                )
        return Detect(categories=frozenset(cats))
    return cls()


_OP_CALL = re.compile(r"^(?P<name>[a-z_][a-z0-9_]*)\s*(?:\((?P<args>[^()]*)\))?$")
# A bare argument goes to the operator's one parameter: partial(4), generalize(year).
_POSITIONAL = {"partial": "keep", "generalize": "to", "date_shift": "days", "detect": "categories"}


def _parse_operator(text: str) -> Operator:
    m = _OP_CALL.match(text.strip())
    if m is None:
        raise DirectiveError(f"cannot read operator `{text.strip()}`; write e.g. `partial(keep=4)`")
    name, args = m.group("name"), m.group("args")
    params: dict[str, str] = {}
    if args is not None and args.strip():
        if "=" in args:
            for part in args.split(","):
                key, sep, value = part.partition("=")
                if not sep:
                    raise DirectiveError(f"mixed arguments in `{text.strip()}`; use `key=value`")
                params[key.strip()] = value.strip()
        elif name in _POSITIONAL:
            params[_POSITIONAL[name]] = args.strip()
        else:
            raise DirectiveError(f"`{name}` takes no arguments, got `{text.strip()}`")
    return _build_operator(name, params)


@dataclass(frozen=True, slots=True)
class Directive:
    """Mask the fields ``selector`` picks with ``operator``; ``rule_id`` is
    the ``@id`` of the masking rule it came from."""

    selector: Selector
    operator: Operator
    rule_id: str = ""


def parse_directives(text: str, rule_id: str = "") -> tuple[Directive, ...]:
    """Parse ``@mask`` text: ``selector=operator`` items separated by ``;``."""
    items = [item.strip() for item in text.split(";")]
    items = [item for item in items if item]
    if not items:
        raise DirectiveError("empty @mask: write e.g. `$.ssn=redact`")
    out: list[Directive] = []
    seen: set[str] = set()
    for item in items:
        sel_text, sep, op_text = item.partition("=")
        if not sep or not op_text.strip():
            raise DirectiveError(
                f"`{item}` needs the form `selector=operator`, e.g. `$.ssn=redact`"
            )
        # `partial(keep=4)` contains `=`, but selectors never do, so the first
        # `=` always ends the selector.
        selector = parse_selector(sel_text)
        if str(selector) in seen:
            raise DirectiveError(f"selector `{selector}` appears twice in one @mask")
        seen.add(str(selector))
        out.append(Directive(selector, _parse_operator(op_text), rule_id))
    return tuple(out)


_MAX_WIRE_CACHE = 4096
_FROM_WIRE: dict[tuple[str, str, tuple[tuple[str, str], ...], str], Directive] = {}


def directive_from_wire(
    selector: str, operator: str, params: Mapping[str, str], rule_id: str = ""
) -> Directive:
    """Rebuild a directive from its wire form (the ``MaskDirective`` message).

    The same wire form gives the same (immutable) directive object, so a
    policy's directives, rebuilt for every request, are parsed once and
    find their compiled plan by identity."""
    key = (selector, operator, tuple(sorted(params.items())), rule_id)
    directive = _FROM_WIRE.get(key)
    if directive is None:
        directive = Directive(parse_selector(selector), _build_operator(operator, params), rule_id)
        if len(_FROM_WIRE) >= _MAX_WIRE_CACHE:
            _FROM_WIRE.clear()
        _FROM_WIRE[key] = directive
    return directive


def _merge_same(a: Directive, b: Directive) -> Directive:
    """Two equally restrictive directives on one selector (``a`` sorts first)."""
    x, y = a.operator, b.operator
    if isinstance(x, Redact):  # an escalation (below) meeting a later operator
        return a
    if isinstance(x, Partial) and isinstance(y, Partial):
        return a if x.keep <= y.keep else b
    if isinstance(x, Detect) and isinstance(y, Detect):
        cats = x.categories | y.categories
        return Directive(
            a.selector, Detect(frozenset({"ALL"}) if "ALL" in cats else cats), a.rule_id
        )
    if x == y:
        return a
    if (
        isinstance(x, Generalize)
        and isinstance(y, Generalize)
        and {x.to, y.to} == {"year", "month"}
    ):
        return a if x.to == "year" else b
    # Parameters that cannot be ordered (zip3 vs year, two different date
    # shifts): neither is known to be safe for the other's data, so redact.
    return Directive(a.selector, Redact(), a.rule_id)


def merge_directives(directives: Iterable[Directive]) -> tuple[Directive, ...]:
    """Union of directives, the most restrictive operator winning per selector.

    Deterministic and independent of input order: the result is sorted by
    selector, and among equally restrictive directives the rule id that sorts
    first is kept.
    """
    groups: dict[str, list[Directive]] = {}
    for d in directives:
        groups.setdefault(str(d.selector), []).append(d)
    out = []
    for key in sorted(groups):
        items = sorted(groups[key], key=lambda d: (d.rule_id, str(d.operator)))
        top = max(d.operator.rank for d in items)
        out.append(functools.reduce(_merge_same, [d for d in items if d.operator.rank == top]))
    return tuple(out)
