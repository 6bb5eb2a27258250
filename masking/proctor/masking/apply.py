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
from collections.abc import Sequence
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


def apply_directives(
    document: object, directives: Sequence[Directive], ctx: MaskContext
) -> MaskResult:
    """Mask ``document`` (parsed JSON: dicts, lists, scalars) by
    ``directives``; the input is left untouched.

    ``document`` is typed ``object`` because a recursive JSON type is
    invariant: a caller's ``dict[str, str]`` would not match it."""
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
