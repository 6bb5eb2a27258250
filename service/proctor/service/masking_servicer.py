"""proctor.v1.MaskingService: masking for callers that do not embed
``proctor.masking``, and Reveal — turning tokens back into originals, only
with a granted approval for the tokens' scope, and audited.

To reveal, an agent first asks ``Authorize`` for ``Action::"reveal"`` on
the scope (e.g. ``TokenScope::"<scope>"``); the bundle's policies decide
(typically NEEDS_APPROVAL by the privacy office); once approved, ``Reveal``
with that approval id uses the grant once and returns the originals.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc

from proctor.masking import (
    DirectiveError,
    MaskContext,
    TokenVault,
    apply_directives,
    detokenize,
    directive_from_wire,
    mask_text,
)
from proctor.service.approvals.model import GrantRefused
from proctor.service.approvals.notice import ReviewRefused
from proctor.service.approvals.store import ApprovalStore
from proctor.service.audit.auditor import Auditor
from proctor.service.bundle import Bundle
from proctor.service.errors import InvalidRequestError
from proctor.service.servicer import guarded
from proctor.v1 import masking_pb2, masking_pb2_grpc

REVEAL_ACTION = "reveal"
MAX_TOKENS = 1000
MAX_TOKEN_CHARS = 256


@dataclass(frozen=True, slots=True)
class RevealGate:
    """What Reveal checks grants against."""

    store: ApprovalStore
    bundles: Callable[[], Bundle | None]
    auditor: Auditor | None = None


class MaskingServicer(masking_pb2_grpc.MaskingServiceServicer):
    """proctor.v1.MaskingService."""

    def __init__(
        self,
        make_context: Callable[[str], MaskContext],
        max_request_bytes: int,
        vault: TokenVault,
        reveal: RevealGate | None = None,
        blocking_vault: bool = False,
    ) -> None:
        self._make_context = make_context
        self._max_bytes = max_request_bytes
        self._vault = vault
        self._reveal = reveal
        # A vault that does network I/O (Redis) runs masking in a worker thread.
        self._blocking = blocking_vault

    async def _run(self, fn: Callable[[], Any]) -> Any:
        return await asyncio.to_thread(fn) if self._blocking else fn()

    @guarded
    async def Mask(
        self, request: masking_pb2.MaskRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> masking_pb2.MaskResponse:
        """Apply directives to a JSON document or free text."""
        size = request.ByteSize()
        if size > self._max_bytes:
            raise InvalidRequestError(
                "", f"request is {size} bytes; the limit is {self._max_bytes}"
            )
        directives = []
        for i, d in enumerate(request.directives):
            try:
                directives.append(directive_from_wire(d.selector, d.operator, d.params, d.rule_id))
            except DirectiveError as exc:
                raise InvalidRequestError(f"directives[{i}]", str(exc)) from None
        ctx = self._make_context(request.scope or "default")
        kind = request.WhichOneof("content")
        if kind == "text":
            text = request.text
            masked = await self._run(lambda: mask_text(text, directives, ctx))
            return masking_pb2.MaskResponse(text=masked)
        if kind != "json":
            raise InvalidRequestError("content", "set `json` (a document) or `text`")
        try:
            document = json.loads(request.json)
        except json.JSONDecodeError as exc:
            raise InvalidRequestError(
                "json", f"is not valid JSON (line {exc.lineno} column {exc.colno})"
            ) from None
        result = await self._run(lambda: apply_directives(document, directives, ctx))
        return masking_pb2.MaskResponse(
            json=json.dumps(result.document), masked_paths=result.masked_paths
        )

    @guarded
    async def Reveal(
        self, request: masking_pb2.RevealRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> masking_pb2.RevealResponse:
        """Originals for the tokens, with a granted reveal approval for the scope."""
        gate = self._reveal
        if gate is None:
            await context.abort(
                grpc.StatusCode.UNIMPLEMENTED,
                "Reveal needs the approval store, which this server does not have",
            )
            raise AssertionError("unreachable")
        scope, approval_id, tokens = request.scope, request.approval_id, list(request.tokens)
        if not scope:
            raise InvalidRequestError("scope", "is required: tokens are revealed per scope")
        if not approval_id:
            raise InvalidRequestError(
                "approval_id",
                f'is required: ask Authorize for Action::"{REVEAL_ACTION}" on the scope first',
            )
        if not tokens or len(tokens) > MAX_TOKENS:
            raise InvalidRequestError("tokens", f"must hold 1 to {MAX_TOKENS} tokens")
        for i, token in enumerate(tokens):
            if not token or len(token) > MAX_TOKEN_CHARS:
                raise InvalidRequestError(f"tokens[{i}]", "is empty or too long to be a token")
        bundle = gate.bundles()
        if bundle is None:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "no policy bundle is loaded")
            raise AssertionError("unreachable")
        try:
            record = await gate.store.consume_reveal(
                approval_id, REVEAL_ACTION, scope, bundle.version
            )
        except GrantRefused as refused:
            await context.abort(
                grpc.StatusCode.PERMISSION_DENIED, f"{refused.code}: {refused.message}"
            )
            raise AssertionError("unreachable") from None
        except ReviewRefused:
            await context.abort(
                grpc.StatusCode.PERMISSION_DENIED, "approval_invalid: no such approval"
            )
            raise AssertionError("unreachable") from None

        def reveal() -> dict[str, str]:
            found: dict[str, str] = {}
            for token in tokens:
                value = detokenize(token, self._vault, scope)
                if value is not None:
                    found[token] = value if isinstance(value, str) else json.dumps(value)
            return found

        values = await self._run(reveal)
        if gate.auditor is not None:
            gate.auditor.revealed(
                record, hashlib.sha256(scope.encode()).hexdigest()[:16], len(tokens), len(values)
            )
        return masking_pb2.RevealResponse(values=values)
