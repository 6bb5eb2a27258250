"""What an agent (or the MCP gateway) does with a decision around a tool
call: mask the tool's result with the decision's directives, locally, and
word a refusal so a model can be told safely what happened."""

from __future__ import annotations

import functools
import json
import os
import secrets
import time
from typing import Any

from proctor.client._client import Decision
from proctor.client._errors import ApprovalDenied, ApprovalTimeout
from proctor.masking import (
    InMemoryVault,
    MaskContext,
    apply_directives,
    detect,
    directive_from_wire,
    mask_text,
)


class ResultMasker:
    """Applies a decision's directives to tool results. Keyed operators use
    ``key``, else ``PROCTOR_MASK_KEY``, else a random per-process key; tokens
    are kept in an in-process vault, scoped by decision id."""

    def __init__(self, key: bytes | None = None) -> None:
        env = os.environ.get("PROCTOR_MASK_KEY", "")
        self._key = key or (bytes.fromhex(env) if env else secrets.token_bytes(32))
        self._vault = InMemoryVault(time.monotonic)

    def __call__(self, result: Any, decision: Decision) -> Any:
        """``result`` masked: JSON-like values by selector, strings holding a
        JSON object or array likewise, other strings by ``detect``."""
        if not decision.masks:
            return result
        directives = [
            directive_from_wire(m.selector, m.operator, dict(m.params), m.rule_id)
            for m in decision.masks
        ]
        ctx = MaskContext(
            hash_key=self._key,
            vault=self._vault,
            scope=decision.decision_id,
            detector=functools.partial(detect, mode="fast"),
        )
        if isinstance(result, str):
            try:
                parsed = json.loads(result)
            except ValueError:
                return mask_text(result, directives, ctx)
            if isinstance(parsed, dict | list):
                return json.dumps(apply_directives(parsed, directives, ctx).document)
            return mask_text(result, directives, ctx)
        return apply_directives(result, directives, ctx).document


def refusal_message(
    action: str, decision: Decision | None, error: Exception | None = None
) -> tuple[str, str]:
    """(message, pending approval id) for a tool that did not run. The
    message names the action, the reason code and the ticket — no request
    values."""
    if isinstance(error, ApprovalTimeout):
        return (
            f"Proctor: `{action}` is waiting for human approval (ticket {error.approval_id}); "
            "it did not run. Try again after a reviewer decides.",
            error.approval_id,
        )
    if isinstance(error, ApprovalDenied):
        return f"Proctor: a reviewer denied `{action}`; it did not run.", ""
    assert decision is not None
    if decision.decision == "NEEDS_APPROVAL" and decision.approval is not None:
        groups = ", ".join(f"{q} from {g}" for g, q, _ in decision.approval.requirements)
        return (
            f"Proctor: `{action}` needs human approval ({groups}); ticket "
            f"{decision.approval.id} is pending and the action did not run.",
            decision.approval.id,
        )
    return (
        f"Proctor denied `{action}` ({decision.reason_code}): {decision.reason}. "
        "The action did not run.",
        "",
    )
