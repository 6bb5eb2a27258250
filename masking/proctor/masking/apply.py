"""Applying directives to a JSON document (and to free text).

:func:`apply_directives` resolves every selector against the *input*
document, merges the operators that land on the same concrete path (the most
restrictive wins, as in :func:`~proctor.masking.directives.merge_directives`),
then applies them most-restrictive-first. A path under one already masked is
left alone, so a redacted object is not hashed afterwards and a dropped
element is not tokenized.

The input is never mutated: containers on the way to a changed value are
copied on first write, everything else is shared with the input. Reported
paths are concrete (``$.patients[2].ssn``) and refer to positions in the
input, so a dropped array element does not renumber its siblings' paths.
They carry keys and indexes, never values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from proctor.masking.directives import Detect, Directive, Drop, Operator, Segment, Selector
from proctor.masking.directives import merge_directives as _merge
from proctor.masking.operators import (
    REDACTED,
    Dropped,
    MaskContext,
    detect,
    detect_text,
    operator_function,
)

__all__ = [
    "MaskContext",
    "MaskResult",
    "Path",
    "apply_directives",
    "format_path",
    "mask_text",
    "select",
]

Path = tuple[str | int, ...]
"""A concrete location: object keys and array indexes from the root."""

# The same identifier rule as selectors, so a reported path parses back.
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*\Z")
_ROOT = Selector(())
# A tuple, not `dict | list`: isinstance is faster with one, on a hot path.
_CONTAINERS = (dict, list)


class _Hole:
    """Stands in for a dropped array element until the end, so the indexes
    of its siblings (and of every path computed up front) stay valid."""

    __slots__ = ()


_HOLE = _Hole()


@dataclass(frozen=True, slots=True)
class MaskResult:
    """The masked copy of a document and the paths that were masked, in the
    order they were masked.

    ``document`` is typed ``Any`` like ``json.loads``'s result, so callers can
    index into it without narrowing every level."""

    document: Any
    masked_paths: tuple[str, ...]


def format_path(path: Path) -> str:
    """``("patients", 2, "ssn")`` → ``$.patients[2].ssn``; keys that are not
    identifiers are quoted: ``$["first name"]``."""
    out = "$"
    for key in path:
        if isinstance(key, int):
            out += f"[{key}]"
        elif (key.isascii() and key.isidentifier()) or _IDENT.match(key):
            out += "." + key
        else:
            out += f"[{json.dumps(key, ensure_ascii=False)}]"
    return out


def select(document: object, selector: Selector) -> list[tuple[Path, Any]]:
    """Every (path, value) ``selector`` picks in ``document``, outer before
    inner; a path that does not exist picks nothing."""
    if not selector.segments:
        return [((), document)]
    out: list[tuple[Path, Any]] = []
    _match(document, selector.segments, 0, (), out)
    return out


def _match(node: Any, segs: tuple[Segment, ...], i: int, path: Path, out: list[Any]) -> None:
    """Apply ``segs[i:]`` (at least one segment) to ``node`` at ``path``."""
    seg = segs[i]
    last = i + 1 == len(segs)
    if seg.kind == "child":
        if isinstance(node, dict) and seg.name in node:
            sub = (*path, seg.name)
            if last:
                out.append((sub, node[seg.name]))
            else:
                _match(node[seg.name], segs, i + 1, sub, out)
    elif seg.kind == "wildcard":
        # `[*]` on an object takes its members too: a selector that silently
        # matched nothing because the data was an object would leak.
        children = (
            enumerate(node)
            if isinstance(node, list)
            else node.items()
            if isinstance(node, dict)
            else ()
        )
        for key, child in children:
            if last:
                out.append(((*path, key), child))
            else:
                _match(child, segs, i + 1, (*path, key), out)
    else:
        _descend(node, seg.name, segs, i, path, out)


def _descend(
    node: Any, name: str, segs: tuple[Segment, ...], i: int, path: Path, out: list[Any]
) -> None:
    """``..name``: members called ``name`` at any depth, through objects and
    arrays, breadth first (so outer matches come before inner ones)."""
    last = i + 1 == len(segs)
    if not isinstance(node, _CONTAINERS):
        return
    queue: list[tuple[Any, Path]] = [(node, path)]
    for here, at in queue:  # the loop also visits what it appends
        if isinstance(here, dict):
            if name in here:
                sub = (*at, name)
                if last:
                    out.append((sub, here[name]))
                else:
                    _match(here[name], segs, i + 1, sub, out)
            children: Any = here.items()
        else:
            children = enumerate(here)
        for key, child in children:
            if isinstance(child, _CONTAINERS):
                queue.append((child, (*at, key)))


def _merged_operator(directives: list[Directive]) -> Operator:
    if len(directives) == 1:
        return directives[0].operator
    # Same rules as merging by selector: put them under one selector and merge.
    same = [Directive(_ROOT, d.operator, d.rule_id) for d in directives]
    return _merge(same)[0].operator


class _Work:
    """The masked copy under construction: copy-on-write over the input."""

    def __init__(self, root: Any) -> None:
        self.root = root
        # path → the container this copy owns there. Only containers on the
        # way to a changed value are copied; the rest is shared with the
        # input. Once a path is masked nothing under it is written again, so
        # an entry never goes stale while it can still be used.
        self.owned: dict[Path, Any] = {}
        self.holes = False

    def own(self, path: Path) -> Any:
        """The container at ``path``, copied into this document if needed."""
        mine = self.owned.get(path)
        if mine is not None:
            return mine
        if path:
            parent = self.own(path[:-1])
            original = parent[path[-1]]
        else:
            original = self.root
        mine = dict(original) if isinstance(original, dict) else list(original)
        if path:
            parent[path[-1]] = mine
        else:
            self.root = mine
        self.owned[path] = mine
        return mine

    def set(self, path: Path, value: Any) -> None:
        if path:
            self.own(path[:-1])[path[-1]] = value
        else:
            self.root = value

    def remove(self, path: Path) -> None:
        if not path:
            self.root = REDACTED  # the document itself cannot vanish
            return
        parent = self.own(path[:-1])
        if isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = _HOLE
            self.holes = True

    def result(self) -> Any:
        if self.holes:
            # Holes only ever sit in lists this copy owns: filtering them in
            # place never touches the caller's document.
            for mine in self.owned.values():
                if isinstance(mine, list) and any(x is _HOLE for x in mine):
                    mine[:] = [x for x in mine if x is not _HOLE]
        return self.root


def _without_holes(node: Any) -> Any:
    """A hole-free copy, for operators that read a whole container."""
    if isinstance(node, list):
        return [_without_holes(x) for x in node if x is not _HOLE]
    if isinstance(node, dict):
        return {k: _without_holes(v) for k, v in node.items()}
    return node


def _under(path: Path, masked: set[Path], lengths: set[int]) -> bool:
    """Whether ``path`` or one of its ancestors is masked (``lengths``: the
    lengths of the masked paths, so only those prefixes are looked up)."""
    n = len(path)
    return any(k <= n and path[:k] in masked for k in lengths)


def _detect_tree(node: Any, path: Path, op: Operator, ctx: MaskContext, masked: set[Path]) -> Any:
    """``detect`` over a container, leaving alone what is already masked
    (a token or pseudonym inside must not be rewritten into ``[SSN]``)."""
    if isinstance(node, dict):
        return {
            key: child
            if (*path, key) in masked
            else _detect_tree(child, (*path, key), op, ctx, masked)
            for key, child in node.items()
        }
    if isinstance(node, list):
        return [
            child if (*path, j) in masked else _detect_tree(child, (*path, j), op, ctx, masked)
            for j, child in enumerate(node)
            if child is not _HOLE
        ]
    return detect(node, op, ctx)


# --- the compiled fast path ---------------------------------------------------------
#
# Most directives select leaves (strings, numbers). When every path the
# directives pick holds a leaf, nothing is masked under anything else and no
# container is read whole, so the general algorithm reduces to: find the
# leaves, merge the operators that land on one leaf, order them as the general
# algorithm does, apply, and copy the containers on the way to what changed.
#
# The fast path does that from a plan compiled once per directive list: the
# selectors become one automaton over the document (a state is the set of
# (directive, next segment) pairs still open at a container; its transitions
# by member name are worked out ahead, with the merged operator of every
# directive that picks a member), so one walk serves every selector, and
# applying does no parsing, merging or dispatch by name. When a selector
# picks a container, the walk gives up (:class:`_Fallback`) and the general
# algorithm runs instead, from scratch.

_CHILD, _ANY, _DESCEND = 0, 1, 2
_KIND = {"child": _CHILD, "wildcard": _ANY, "descendant": _DESCEND}
_MAX_STATES = 256  # more (odd `..` combinations): the general algorithm
_MAX_PLANS = 256
# Leaf types that hold nothing a selector could walk into.
_SCALARS = frozenset({str, int, float, bool, type(None)})


class _Fallback(Exception):
    """A selector picked a container: the general algorithm takes over."""


# What to do with a picked leaf: (-rank, operator, its function, whether a
# value that already is REDACTED stays as it is (every operator but drop)).
_Pick = tuple[int, Operator, Callable[..., Any], bool]
# A member's transition: (its pick or None, the state below it or None, its
# path segment or None when it depends on the key).
_Trans = tuple["_Pick | None", "_State | None", "str | None"]


class _State:
    """What is still to match at a container."""

    __slots__ = ("default", "named", "scan")

    def __init__(self) -> None:
        # Members by name; every other member (and every array element) by
        # ``default``, which exists only when a wildcard or a descendant
        # selector is open here (``scan``: every member must be looked at).
        self.named: dict[str, _Trans] = {}
        self.default: _Trans | None = None
        self.scan = False


class _Plan:
    """A directive list compiled for :func:`_apply_fast`."""

    __slots__ = ("directives", "start")

    def __init__(self, directives: tuple[Directive, ...]) -> None:
        self.directives = directives
        self.start: _State | None = None
        steps = [
            tuple((_KIND[seg.kind], seg.name) for seg in d.selector.segments) for d in directives
        ]
        if all(steps):  # the root selector masks the whole document: general path
            self.start = _compile(directives, steps)


def _compile(
    directives: tuple[Directive, ...], steps: list[tuple[tuple[int, str], ...]]
) -> _State | None:
    """The automaton's start state, or ``None`` if it has too many states."""
    picks: dict[frozenset[int], _Pick] = {}
    states: dict[frozenset[tuple[int, int]], _State] = {}
    todo: list[tuple[frozenset[tuple[int, int]], _State]] = []

    def pick_for(ds: frozenset[int]) -> _Pick:
        p = picks.get(ds)
        if p is None:
            op = _merged_operator([directives[d] for d in sorted(ds)])
            p = picks[ds] = (-op.rank, op, operator_function(op), not isinstance(op, Drop))
        return p

    def state_for(open_: frozenset[tuple[int, int]]) -> _State:
        st = states.get(open_)
        if st is None:
            st = states[open_] = _State()
            todo.append((open_, st))
        return st

    def transition(open_: frozenset[tuple[int, int]], key: str | None) -> _Trans | None:
        """``key`` None: a member no selector names, or an array element."""
        picked: set[int] = set()
        below: set[tuple[int, int]] = set()
        for d, i in open_:
            kind, name = steps[d][i]
            last = i + 1 == len(steps[d])
            if kind == _DESCEND:
                below.add((d, i))  # keep looking, in every container under here
            if kind == _ANY or (kind != _ANY and key is not None and key == name):
                if last:
                    picked.add(d)
                else:
                    below.add((d, i + 1))
        if not picked and not below:
            return None
        return (
            pick_for(frozenset(picked)) if picked else None,
            state_for(frozenset(below)) if below else None,
            None if key is None else format_path((key,))[1:],
        )

    start = state_for(frozenset((d, 0) for d in range(len(directives))))
    while todo:
        if len(states) > _MAX_STATES:
            return None
        open_, st = todo.pop()
        names = {name for d, i in open_ for kind, name in (steps[d][i],) if kind != _ANY}
        for name in names:
            trans = transition(open_, name)
            if trans is not None:
                st.named[name] = trans
        st.scan = any(steps[d][i][0] != _CHILD for d, i in open_)
        if st.scan:
            st.default = transition(open_, None)
    return start


# Plans by the identity of the directive tuple (the plan holds the tuple, so
# its id cannot be reused while cached), then by value.
_PLANS_BY_ID: dict[int, _Plan] = {}
_PLANS: dict[tuple[Directive, ...], _Plan] = {}


def _plan_for(directives: Sequence[Directive]) -> _Plan:
    plan = _PLANS_BY_ID.get(id(directives))
    if plan is not None and plan.directives is directives:
        return plan
    key = tuple(directives)
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) >= _MAX_PLANS:
            _PLANS.clear()
        plan = _PLANS[key] = _Plan(key)
    if type(directives) is tuple:
        if plan.directives is not directives:
            plan = _Plan(directives)
        if len(_PLANS_BY_ID) >= _MAX_PLANS:
            _PLANS_BY_ID.clear()
        _PLANS_BY_ID[id(directives)] = plan
    return plan


_INDEX_SEGMENTS = tuple(f"[{i}]" for i in range(256))
_KEY_SEGMENTS: dict[str, str] = {}


def _segment(key: Any) -> str:
    """``key``'s part of a reported path, as :func:`format_path` writes it."""
    if type(key) is int:
        return _INDEX_SEGMENTS[key] if 0 <= key < 256 else f"[{key}]"
    if type(key) is str:
        seg = _KEY_SEGMENTS.get(key)
        if seg is None:
            if len(_KEY_SEGMENTS) >= 4096:
                _KEY_SEGMENTS.clear()
            seg = _KEY_SEGMENTS[key] = format_path((key,))[1:]
        return seg
    return format_path((key,))[1:]


# An entry per leaf picked: [-rank, depth, path, value, pick, path text],
# then the new value appended. Lists compare element by element, so sorting
# entries orders them as the general algorithm's plan; paths are unique, so
# nothing after the path is ever compared.
_VALUE, _PICK, _TEXT, _NEW = 3, 4, 5, 6


def _visit(node: Any, state: _State, path: Path, text: str, out: list[list[Any]]) -> Any:
    """Walk ``node`` (a container at ``path``) in ``state``: the edits under
    it (members by key: an entry, or the edits of a container), or ``None``."""
    edits: dict[Any, Any] | None = None
    named = state.named
    if isinstance(node, dict):
        if state.scan:
            default = state.default
            if default is not None and default[0] is not None:
                # A wildcard picks every member: look at each.
                work: Any = ((key, child, named.get(key, default)) for key, child in node.items())
            else:
                work = [(key, node[key], trans) for key, trans in named.items() if key in node]
                # Only containers can hold more; skip the rest without a look
                # at each when there is no container among them.
                if default is not None and not all(
                    map(_SCALARS.__contains__, map(type, node.values()))
                ):
                    work.extend(
                        (key, child, default)
                        for key, child in node.items()
                        if isinstance(child, _CONTAINERS) and key not in named
                    )
        else:
            work = [(key, node[key], trans) for key, trans in named.items() if key in node]
    elif state.scan and state.default is not None:
        default = state.default
        work = ((key, child, default) for key, child in enumerate(node))
    else:
        return None
    for key, child, (pick, below, seg) in work:
        if isinstance(child, _CONTAINERS):
            if pick is not None:
                raise _Fallback
            if below is not None:
                sub = _visit(child, below, (*path, key), text + (seg or _segment(key)), out)
                if sub:
                    if edits is None:
                        edits = {}
                    edits[key] = sub
        elif pick is not None:
            at = (*path, key)
            entry = [pick[0], len(at), at, child, pick, text + (seg or _segment(key))]
            if edits is None:
                edits = {}
            edits[key] = entry
            out.append(entry)
    return edits


def _apply_fast(document: Any, start: _State, ctx: MaskContext) -> MaskResult:
    entries: list[list[Any]] = []
    edits = _visit(document, start, (), "$", entries) if isinstance(document, _CONTAINERS) else None
    if not edits:
        return MaskResult(document, ())
    entries.sort()
    for entry in entries:
        value = entry[_VALUE]
        _, op, fn, keeps_redacted = entry[_PICK]
        if keeps_redacted and value == REDACTED:
            entry.append(value)  # already as masked as it gets
        else:
            entry.append(fn(value, op, ctx))
    return MaskResult(_rebuild(document, edits), tuple([entry[_TEXT] for entry in entries]))


def _rebuild(node: Any, edits: dict[Any, Any]) -> Any:
    """``node`` with ``edits`` applied: a copy if anything changed, else
    ``node`` itself."""
    mine: Any = None
    holes = False
    for key, edit in edits.items():
        old = node[key]
        new = _rebuild(old, edit) if type(edit) is dict else edit[_NEW]
        if new is old:
            continue
        if mine is None:
            mine = dict(node) if isinstance(node, dict) else list(node)
        if isinstance(new, Dropped):
            if isinstance(mine, dict):
                del mine[key]
            else:
                mine[key] = _HOLE
                holes = True
        else:
            mine[key] = new
    if mine is None:
        return node
    if holes:
        mine[:] = [x for x in mine if x is not _HOLE]
    return mine


def apply_directives(
    document: object, directives: Sequence[Directive], ctx: MaskContext
) -> MaskResult:
    """Mask ``document`` (parsed JSON: dicts, lists, scalars) by
    ``directives``; the input is left untouched.

    ``document`` is typed ``object`` because a recursive JSON type is
    invariant: a caller's ``dict[str, str]`` would not match it."""
    start = _plan_for(directives).start
    if start is not None:
        try:
            return _apply_fast(document, start, ctx)
        except _Fallback:
            pass
    return _apply_general(document, directives, ctx)


def _apply_general(
    document: object, directives: Sequence[Directive], ctx: MaskContext
) -> MaskResult:
    """The general algorithm (and the reference the fast path is tested
    against): containers masked as a whole, members under them, detect over
    containers."""
    found: dict[Path, tuple[Any, list[Directive]]] = {}
    for directive in directives:
        for path, value in select(document, directive.selector):
            hit = found.get(path)
            if hit is None:
                found[path] = (value, [directive])
            else:
                hit[1].append(directive)
    plan = []
    for path, (value, ds) in found.items():
        op = _merged_operator(ds)
        plan.append((-op.rank, len(path), path, op, value))
    # Most restrictive first; outer before inner at equal rank. Paths are
    # unique, so the sort never compares operators; and two paths first
    # differ at keys of one container, so those keys have the same type.
    plan.sort()

    work = _Work(document)
    masked: set[Path] = set()
    # Only a container can have paths under it, so only masked containers
    # need looking up for every later path.
    masked_containers: set[Path] = set()
    lengths: set[int] = set()
    reported: list[str] = []
    for _, depth, path, op, value in plan:
        if masked_containers and _under(path, masked_containers, lengths):
            continue
        # Unchanged unless a stronger operator already masked a member.
        current = work.owned.get(path, value)
        if current == REDACTED and not isinstance(op, Drop):
            new: Any = current  # already as masked as it gets
        elif isinstance(current, _CONTAINERS):
            masked_containers.add(path)
            lengths.add(depth)
            if isinstance(op, Detect):
                new = _detect_tree(current, path, op, ctx, masked)
            else:
                if work.holes:
                    current = _without_holes(current)
                new = operator_function(op)(current, op, ctx)
        else:
            new = operator_function(op)(current, op, ctx)
        if isinstance(new, Dropped):
            work.remove(path)
        elif new is not current:
            work.set(path, new)
        masked.add(path)
        reported.append(format_path(path))
    return MaskResult(work.result(), tuple(reported))


def mask_text(text: str, directives: Sequence[Directive], ctx: MaskContext) -> str:
    """Mask free text: only ``detect`` directives apply, whatever their
    selector (text has no fields), with their categories united; others are
    ignored. Without a detector the text is redacted."""
    detects = [d.operator for d in directives if isinstance(d.operator, Detect)]
    if not detects:
        return text
    categories: frozenset[str] = frozenset().union(*(op.categories for op in detects))
    if "ALL" in categories:
        categories = frozenset({"ALL"})
    return detect_text(text, categories, ctx.detector)
