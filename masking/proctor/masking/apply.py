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
from itertools import compress, count
from operator import itemgetter, not_
from typing import Any

from proctor.masking.directives import Detect, Directive, Drop, Operator, Segment, Selector
from proctor.masking.directives import merge_directives as _merge
from proctor.masking.operators import (
    REDACTED,
    Dropped,
    MaskContext,
    detect,
    detect_text,
    drop,
    leaf_function,
    operator_function,
    tokenize,
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
# leaves, merge the operators that land on one leaf, apply them, copy the
# containers on the way to what changed, and report the paths in the general
# algorithm's order.
#
# The fast path does that from a plan compiled once per directive list: the
# selectors become one automaton over the document (a state is the set of
# (directive, next segment) pairs still open at a container; its transitions
# by member name are worked out ahead, with the merged operator of every
# directive that picks a member), so one walk serves every selector, and
# applying does no parsing, merging or dispatch by name (operators come from
# leaf_function, with shortcuts for the commonest leaves). Operators are pure
# functions of the value, except ``tokenize``, whose vault claims are made
# in the general algorithm's order after the walk; the others run as the walk
# meets their leaves. When a selector picks a container, the walk gives up
# (:class:`_Fallback`, before any vault is touched) and the general
# algorithm runs instead, from scratch. The walk meets the leaves of each
# depth in path order unless it has to take members no selector names (see
# _Job.ordered), so most of the time the paths are put in order by their
# rank and depth alone.

_CHILD, _ANY, _DESCEND = 0, 1, 2
_KIND = {"child": _CHILD, "wildcard": _ANY, "descendant": _DESCEND}
_MAX_STATES = 256  # more (odd `..` combinations): the general algorithm
_MAX_PLANS = 256
_TRIES = 8  # fallbacks in a row before a plan skips the fast path ...
_RETRY_AFTER = 64  # ... until this many
# Leaf types that hold nothing a selector could walk into.
_SCALARS = frozenset({str, int, float, bool, type(None)})
_MISSING = object()
# A masked leaf's place in the general algorithm's order begins with
# (-rank, depth). Both go into one small int, -rank * _DEPTHS + depth, so a
# sort compares one int where it compared two tuple items; documents nested
# deeper than _DEPTHS take the general algorithm.
_DEPTHS = 1 << 24
_ORDER = itemgetter(0)
_TEXT = itemgetter(3)


class _Fallback(Exception):
    """A selector picked a container (or the document is nested too deep):
    the general algorithm takes over."""


# How the walk applies a pick to a leaf: a value that already is REDACTED
# stays as it is, any other gets the operator's result (_APPLY), or gets it
# after the walk (_LATER: tokenize, whose vault claims go in the general
# algorithm's order); or the member goes, whatever it holds (_DROP).
_APPLY, _LATER, _DROP = 0, 1, 2
# What to do with a picked leaf: (-rank * _DEPTHS, operator, its function, how).
_Pick = tuple[int, Operator, Callable[..., Any], int]
# A member's transition: its pick, or the state below it, or both.
_Default = tuple["_Pick | None", "_State | None"]


class _State:
    """What is still to match at a container."""

    __slots__ = ("default", "inner", "leaves", "names")

    def __init__(self) -> None:
        # Named members, sorted by name: those a directive picks (name, path
        # segment, and the pick's four items, flat: one unpacking per member
        # in the walk), and those only walked into (name, path segment,
        # state below). A picked member that turns out to be a container
        # sends the document to the general algorithm, so a member with a
        # pick never needs its state below.
        self.leaves: tuple[tuple[str, str, int, Operator, Callable[..., Any], int], ...]
        self.leaves = ()
        self.inner: tuple[tuple[str, str, _State], ...] = ()
        self.names: frozenset[str] = frozenset()
        # Every other member (and every array element): (pick or None, state
        # below or None), only when a wildcard or a descendant selector is
        # open here.
        self.default: _Default | None = None


class _Plan:
    """A directive list compiled for :func:`_apply_fast`."""

    __slots__ = ("directives", "misses", "start")

    def __init__(self, directives: tuple[Directive, ...]) -> None:
        self.directives = directives
        self.start: _State | None = None
        # Fallbacks since the fast path last succeeded: a policy whose
        # selectors keep picking containers stops trying it for a while.
        self.misses = 0
        steps = [
            tuple((_KIND[seg.kind], seg.name) for seg in d.selector.segments) for d in directives
        ]
        # The root selector masks the whole document: the general algorithm.
        if all(steps) and not any(_renamed(d.operator) for d in directives):
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
            fn = leaf_function(op)
            how = _DROP if isinstance(op, Drop) else _LATER if fn is tokenize else _APPLY
            p = picks[ds] = (-op.rank * _DEPTHS, op, fn, how)
        return p

    def state_for(open_: frozenset[tuple[int, int]]) -> _State:
        st = states.get(open_)
        if st is None:
            st = states[open_] = _State()
            todo.append((open_, st))
        return st

    def transition(open_: frozenset[tuple[int, int]], key: str | None) -> _Default | None:
        """``key`` None: a member no selector names, or an array element."""
        picked: set[int] = set()
        below: set[tuple[int, int]] = set()
        for d, i in open_:
            kind, name = steps[d][i]
            last = i + 1 == len(steps[d])
            if kind == _DESCEND:
                below.add((d, i))  # keep looking, in every container under here
            if kind == _ANY or (key is not None and key == name):
                if last:
                    picked.add(d)
                else:
                    below.add((d, i + 1))
        if not picked and not below:
            return None
        return (
            pick_for(frozenset(picked)) if picked else None,
            state_for(frozenset(below)) if below else None,
        )

    start = state_for(frozenset((d, 0) for d in range(len(directives))))
    while todo:
        if len(states) > _MAX_STATES:
            return None
        open_, st = todo.pop()
        leaves, inner = [], []
        for name in sorted({steps[d][i][1] for d, i in open_ if steps[d][i][0] != _ANY}):
            trans = transition(open_, name)
            if trans is None:
                continue
            pick, below = trans
            seg = format_path((name,))[1:]
            if pick is not None:
                leaves.append((name, seg, *pick))
            elif below is not None:
                inner.append((name, seg, below))
        st.leaves, st.inner = tuple(leaves), tuple(inner)
        st.names = frozenset([leaf[0] for leaf in leaves] + [name for name, _, _ in inner])
        if any(steps[d][i][0] != _CHILD for d, i in open_):
            st.default = transition(open_, None)
    return start


def _renamed(op: Operator) -> bool:
    """Whether ``op`` is a ``Drop`` not named drop, or named drop but no
    ``Drop`` (a subclass renaming one). The walk, which drops exactly the
    ``Drop`` operators, leaves such directives to the general algorithm.
    (Merging picks one of the operators merged or makes a plain one, so
    checking the directives' own operators is enough.)"""
    return isinstance(op, Drop) != (operator_function(op) is drop)


# Plans by the ids of the directives, then by their value. An entry holds
# its directives, so while it is cached no other object can have their ids:
# equal ids are the same directives. (The service rebuilds its directives
# for every request; directive_from_wire hands back the same objects.)
_PLANS_BY_IDS: dict[tuple[int, ...], tuple[tuple[Directive, ...], _Plan]] = {}
_PLANS: dict[tuple[Directive, ...], _Plan] = {}
# The last tuple of directives seen and its plan, as one tuple: rebinding it
# is atomic, so a thread never pairs one call's directives with another's plan.
_last_plan: tuple[object, _Plan | None] = (None, None)


def _plan_for(directives: Sequence[Directive]) -> _Plan:
    global _last_plan  # noqa: PLW0603 - a one-entry cache
    last_directives, last = _last_plan
    if directives is last_directives and last is not None:
        return last  # the same tuple as last time (a tuple never changes)
    ids = tuple(map(id, directives))
    hit = _PLANS_BY_IDS.get(ids)
    if hit is not None:
        if type(directives) is tuple:
            _last_plan = (directives, hit[1])
        return hit[1]
    key = tuple(directives)
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) >= _MAX_PLANS:
            _PLANS.clear()
        plan = _PLANS[key] = _Plan(key)
    if len(_PLANS_BY_IDS) >= _MAX_PLANS:
        _PLANS_BY_IDS.clear()
    _PLANS_BY_IDS[ids] = (key, plan)
    if type(directives) is tuple:
        _last_plan = (directives, plan)
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


class _Job:
    """One fast application: the context and what the walk collects."""

    __slots__ = ("ctx", "holed", "later", "ordered", "reported")

    def __init__(self, ctx: MaskContext) -> None:
        self.ctx = ctx
        # Per leaf masked: (order, parent's path, key, path text). Sorted,
        # these are in the general algorithm's order: (order, parent's path,
        # key) compares as (-rank, depth, path), and paths are unique, so
        # the text is never compared.
        self.reported: list[tuple[int, Path, Any, str]] = []
        # Whether the walk met the leaves of each depth in path order (it
        # takes named members by name, array elements by index): then
        # sorting by ``order`` alone, which keeps the walk's order among
        # equals, is enough. Members no selector names come in the
        # document's order, which may not be the paths' order.
        self.ordered = True
        # Tokenizations for after the walk, sortable the same way:
        # (order, parent's path, key, value, operator, its function,
        # container to set).
        self.later: list[tuple[int, Path, Any, Any, Operator, Callable[..., Any], Any]] = []
        self.holed: list[list[Any]] = []  # arrays with dropped elements


def _visit_dict(node: Any, state: _State, path: Path, text: str, depth: int, job: _Job) -> Any:
    """``node`` (an object at ``path``, its members ``depth`` keys below the
    root) masked in ``state``: a copy if anything in it changes (or will,
    after the walk), else ``node``."""
    if depth >= _DEPTHS:
        raise _Fallback
    mine: Any = None
    get = node.get
    report = job.reported.append
    ctx = job.ctx
    for key, seg, rank_order, op, fn, how in state.leaves:
        child = get(key, _MISSING)
        if child is _MISSING:
            continue
        if type(child) not in _SCALARS and isinstance(child, _CONTAINERS):
            raise _Fallback
        report((rank_order + depth, path, key, text + seg))
        if how:  # _DROP or _LATER
            if how == _DROP:
                if mine is None:
                    mine = dict(node)
                del mine[key]
            elif child != REDACTED:
                if mine is None:
                    mine = dict(node)
                job.later.append((rank_order + depth, path, key, child, op, fn, mine))
            continue
        if child == REDACTED:
            continue  # already as masked as it gets
        new = fn(child, op, ctx)
        if new is not child:
            if mine is None:
                mine = dict(node)
            mine[key] = new
    nested = 0  # named members that are not scalars
    if state.inner:
        mine, nested = _visit_inner(node, mine, state.inner, path, text, depth, job)
    default = state.default
    if default is None:
        return node if mine is None else mine
    pick, below = default
    if pick is None:
        # Only containers can hold more. When every member that is not a
        # scalar is a named one (counted at C speed, not member by member
        # in Python), there is nothing left to do.
        if nested == 0:
            if _SCALARS.issuperset(map(type, node.values())):
                return node if mine is None else mine
        elif len(node) - sum(map(_SCALARS.__contains__, map(type, node.values()))) == nested:
            return node if mine is None else mine
        keys = compress(node, map(not_, map(_SCALARS.__contains__, map(type, node.values()))))
        members = [(k, _segment(k), node[k]) for k in keys if k not in state.names]
    else:
        members = [(k, _segment(k), v) for k, v in node.items() if k not in state.names]
    if not members:
        return node if mine is None else mine
    job.ordered = False  # the document's order, not the paths'
    if pick is None:
        return _walk_members(node, mine, members, below, path, text, depth, job)
    return _pick_members(node, mine, members, pick, path, text, depth, job)


def _visit_inner(
    node: dict[Any, Any],
    mine: Any,
    inner: tuple[tuple[str, str, _State], ...],
    path: Path,
    text: str,
    depth: int,
    job: _Job,
) -> tuple[Any, int]:
    """:func:`_visit_dict` for the named members of ``node`` that are only
    walked into: ``mine`` (the copy, if any) and how many of these members
    are not scalars."""
    nested = 0
    get = node.get
    for key, seg, below in inner:
        child = get(key)  # a missing member reads as None, a scalar
        if type(child) in _SCALARS:
            continue
        nested += 1
        if isinstance(child, dict):
            new = _visit_dict(child, below, (*path, key), text + seg, depth + 1, job)
        elif isinstance(child, list):
            new = _visit_list(child, below, (*path, key), text + seg, depth + 1, job)
        else:
            continue
        if new is not child:
            if mine is None:
                mine = dict(node)
            mine[key] = new
    return mine, nested


def _visit_list(node: Any, state: _State, path: Path, text: str, depth: int, job: _Job) -> Any:
    """:func:`_visit_dict` for an array: every element goes by
    ``state.default``."""
    if state.default is None:
        return node
    if depth >= _DEPTHS:
        raise _Fallback
    pick, below = state.default
    segs = _INDEX_SEGMENTS if len(node) <= len(_INDEX_SEGMENTS) else _index_segments(len(node))
    members = zip(count(), segs, node)
    if pick is not None:
        return _pick_members(node, None, members, pick, path, text, depth, job)
    return _walk_members(node, None, members, below, path, text, depth, job)


def _index_segments(n: int) -> list[str]:
    return [f"[{i}]" for i in range(n)]


def _walk_members(
    node: Any,
    mine: Any,
    members: Any,
    below: _State | None,
    path: Path,
    text: str,
    depth: int,
    job: _Job,
) -> Any:
    """:func:`_visit_dict` for the containers among ``members`` ((key, path
    segment, member) of ``node``), each visited in state ``below``."""
    if below is None:  # (never: a transition without a pick has a state below)
        return node if mine is None else mine
    for key, seg, child in members:
        if isinstance(child, dict):
            new = _visit_dict(child, below, (*path, key), text + seg, depth + 1, job)
        elif isinstance(child, list):
            new = _visit_list(child, below, (*path, key), text + seg, depth + 1, job)
        else:
            continue
        if new is not child:
            if mine is None:
                mine = dict(node) if isinstance(node, dict) else list(node)
            mine[key] = new
    return node if mine is None else mine


def _pick_members(
    node: Any, mine: Any, members: Any, pick: _Pick, path: Path, text: str, depth: int, job: _Job
) -> Any:
    """:func:`_visit_dict` for ``members`` ((key, path segment, member) of
    ``node``) that ``pick`` picks, all of them."""
    rank_order, op, fn, how = pick
    order = rank_order + depth
    report = job.reported.append
    ctx = job.ctx
    holes = False
    for key, seg, child in members:
        if type(child) not in _SCALARS and isinstance(child, _CONTAINERS):
            raise _Fallback
        report((order, path, key, text + seg))
        if how != _DROP and child == REDACTED:
            continue
        if mine is None and how != _APPLY:
            mine = dict(node) if isinstance(node, dict) else list(node)
        if how == _LATER:
            job.later.append((order, path, key, child, op, fn, mine))
        elif how == _DROP:
            if isinstance(mine, dict):
                del mine[key]
            else:
                mine[key] = _HOLE  # until the end: later indexes stay valid
                holes = True
        else:
            new = fn(child, op, ctx)
            if new is not child:
                if mine is None:
                    mine = dict(node) if isinstance(node, dict) else list(node)
                mine[key] = new
    if holes:
        job.holed.append(mine)
    return node if mine is None else mine


def _apply_fast(document: Any, start: _State, ctx: MaskContext) -> MaskResult:
    if not isinstance(document, _CONTAINERS):
        return MaskResult(document, ())  # no selector picks anything in a leaf
    job = _Job(ctx)
    if isinstance(document, dict):
        masked = _visit_dict(document, start, (), "$", 1, job)
    else:
        masked = _visit_list(document, start, (), "$", 1, job)
    reported = job.reported
    if not reported:
        return MaskResult(document, ())
    if job.ordered:
        reported.sort(key=_ORDER)  # stable: equal orders stay in path order
    else:
        reported.sort()
    if job.later:
        later = job.later  # claims in the general algorithm's order
        if job.ordered:
            later.sort(key=_ORDER)
        else:
            later.sort()
        for _, _, key, value, op, fn, mine in later:
            mine[key] = fn(value, op, ctx)  # tokenize never drops
    for mine in job.holed:
        mine[:] = [x for x in mine if x is not _HOLE]
    return MaskResult(masked, tuple(map(_TEXT, reported)))


def apply_directives(
    document: object, directives: Sequence[Directive], ctx: MaskContext
) -> MaskResult:
    """Mask ``document`` (parsed JSON: dicts, lists, scalars) by
    ``directives``; the input is left untouched.

    ``document`` is typed ``object`` because a recursive JSON type is
    invariant: a caller's ``dict[str, str]`` would not match it."""
    plan = _plan_for(directives)
    if plan.start is not None:
        if plan.misses < _TRIES:
            try:
                result = _apply_fast(document, plan.start, ctx)
            except _Fallback:
                plan.misses += 1
            except RecursionError:
                pass  # nested deeper than a walk by recursion goes: as before
            else:
                if plan.misses:
                    plan.misses = 0
                return result
        else:  # try again now and then: the documents may have changed
            plan.misses = 0 if plan.misses >= _RETRY_AFTER else plan.misses + 1
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
