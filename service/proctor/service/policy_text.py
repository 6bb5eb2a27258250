"""Reading Cedar policy files: split them into policies with line numbers, and
rewrite a policy's EST (Cedar's JSON policy form) for evaluation.

Cedar's parser reports errors without positions and names policies
``policy0``, ``policy1`` … by position, so Proctor splits each file itself to
say *which* policy on *which* line is wrong.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

JSON = Any


@dataclass(frozen=True, slots=True)
class Chunk:
    """The text of one policy (with its leading comments and annotations)
    and the line its first token is on."""

    text: str
    line: int


def split_policies(text: str) -> list[Chunk]:
    """Split Cedar policy text at each top-level ``;``.

    Strings (with escapes) and ``//`` comments are skipped, so a ``;`` inside
    them does not split. Text after the last ``;`` that holds more than
    comments and whitespace is returned as its own chunk, so the parser can
    report it.
    """
    chunks: list[Chunk] = []
    start, depth, i, n = 0, 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c == "/" and text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(0, depth - 1)
        elif c == ";" and depth == 0:
            chunks.append(_chunk(text, start, i + 1))
            start = i + 1
        i += 1
    tail = text[start:]
    if _strip_comments(tail).strip():
        chunks.append(_chunk(text, start, n))
    return chunks


def _strip_comments(text: str) -> str:
    return "\n".join(line.split("//", 1)[0] for line in text.splitlines())


def _chunk(text: str, start: int, end: int) -> Chunk:
    body = text[start:end]
    # The policy starts at its first non-blank, non-comment line.
    offset = 0
    for raw in body.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped and not stripped.startswith("//"):
            break
        offset += len(raw)
    line = text.count("\n", 0, start + offset) + 1
    return Chunk(body, line)


# --- approval twins -----------------------------------------------------------


class ContextUsedWhole(Exception):
    """The policy uses ``context`` other than through its attributes, so the
    approval cannot be substituted into it."""


def mentions_approval(node: JSON) -> bool:
    """Whether an EST expression reads ``context.approval`` or tests
    ``context has approval``."""
    if isinstance(node, dict):
        for op in (".", "has"):
            inner = node.get(op)
            if (
                isinstance(inner, dict)
                and inner.get("left") == {"Var": "context"}
                and inner.get("attr") == "approval"
            ):
                return True
        return any(mentions_approval(v) for v in node.values())
    if isinstance(node, list):
        return any(mentions_approval(v) for v in node)
    return False


def substitute_approval(policy: JSON, approval_value: JSON) -> JSON:
    """A copy of an EST policy in which ``context.approval`` is the given
    record literal and ``context has approval`` is true.

    Evaluating this *twin* next to the original answers "would this policy be
    satisfied if the request were approved?" in the same Cedar call, instead
    of a second evaluation of the whole request.
    """
    literal = _literal(approval_value)
    twin = copy.deepcopy(policy)
    twin["conditions"] = [
        {**cond, "body": _subst(cond["body"], literal)} for cond in twin.get("conditions", [])
    ]
    return twin


def _literal(value: JSON) -> JSON:
    if isinstance(value, dict):
        return {"Record": {k: _literal(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"Set": [_literal(v) for v in value]}
    return {"Value": value}


def _subst(node: JSON, literal: JSON) -> JSON:
    if isinstance(node, list):
        return [_subst(v, literal) for v in node]
    if not isinstance(node, dict):
        return node
    if node == {"Var": "context"}:
        # Reached only when `context` is not the left side of `.attr` or
        # `has attr` (those are handled below without descending into it).
        raise ContextUsedWhole
    for op in (".", "has"):
        inner = node.get(op)
        if isinstance(inner, dict) and inner.get("left") == {"Var": "context"}:
            if inner.get("attr") != "approval":
                return node
            return literal if op == "." else {"Value": True}
    return {k: _subst(v, literal) for k, v in node.items()}
