"""Reviews: who may review an approval, checked in this order —

1. the approval exists and is still pending;
2. the reviewer is neither the requesting principal nor the human it acts for;
3. the reviewer belongs to a required group (groups from a verified token,
   or the reviewer entity being ``in`` the group in the bundle's entities);
4. when the bundle's schema declares ``Action::"review"``, Cedar permits the
   reviewer to review it (principal: the reviewer; resource: the approval's
   resource; context: the approval's ``action`` id, ``principal`` and
   required ``groups``, as far as the schema declares them);

then the verdict is recorded atomically by the store, which checks 1–3 again
against the record as it is at that instant.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from proctor.service.approvals import model
from proctor.service.approvals.auth import Identity
from proctor.service.approvals.backend import ReviewContextMasker
from proctor.service.approvals.model import ApprovalRecord, Ref, ref_str
from proctor.service.approvals.notice import ReviewRefused, Verdict
from proctor.service.approvals.store import ApprovalStore
from proctor.service.bundle import ActionSlice, Bundle
from proctor.service.cedar_schema import EntityType, SetType, StringType
from proctor.service.engine import EntityUid, Request, decide
from proctor.service.errors import InvalidRequestError

log = logging.getLogger("proctor.approvals")

REVIEW_ACTION = "review"

OnRefused = Callable[[str, Ref, str, str, ApprovalRecord | None], None]
MAX_REASON_CHARS = 2000


class ReviewDesk:
    """Applies reviews for authenticated reviewers."""

    def __init__(
        self,
        store: ApprovalStore,
        bundles: Callable[[], Bundle | None],
        masker: ReviewContextMasker,
    ) -> None:
        self.store = store
        self._bundles = bundles
        self._masker = masker
        # Told of every refused review (audit evidence of attempts).
        self.on_refused: OnRefused | None = None

    async def review(
        self, approval_id: str, identity: Identity, verdict: Verdict, reason: str
    ) -> ApprovalRecord:
        """Record ``identity``'s verdict; ReviewRefused says why not."""
        try:
            return await self._review(approval_id, identity, verdict, reason)
        except ReviewRefused as refused:
            if self.on_refused is not None:
                record = await self.store.get(approval_id) if refused.code != "not_found" else None
                self.on_refused(
                    approval_id, identity.reviewer, refused.code, refused.message, record
                )
            raise

    async def _review(
        self, approval_id: str, identity: Identity, verdict: Verdict, reason: str
    ) -> ApprovalRecord:
        reason = reason.strip()
        if not reason:
            raise InvalidRequestError("reason", "is required: say why (it goes on the audit trail)")
        if len(reason) > MAX_REASON_CHARS:
            raise InvalidRequestError("reason", f"is longer than {MAX_REASON_CHARS} characters")
        record = await self.store.get(approval_id)
        if record is None:
            raise ReviewRefused("not_found", f"no approval {approval_id[:64]}")
        bundle = self._bundles()
        if bundle is None:
            raise ReviewRefused("failed_precondition", "no policy bundle is loaded")
        groups = self.groups_of(identity, bundle)
        masked_reason = self._masker.text(reason)
        # Rules 1–3 on the record as read, for a precise refusal before Cedar.
        model.review(record, identity.reviewer, groups, verdict, masked_reason, self.store.clock())
        self._cedar_check(bundle, record, identity)
        after = await self.store.review(
            approval_id, identity.reviewer, groups, verdict, masked_reason
        )
        log.info(
            "approval %s: %s by %s (%s) -> %s",
            after.id,
            verdict,
            ref_str(identity.reviewer),
            identity.method,
            after.status.value,
        )
        return after

    @staticmethod
    def groups_of(identity: Identity, bundle: Bundle) -> frozenset[Ref]:
        """Groups the credential vouches for plus the bundle's memberships."""
        return identity.groups | bundle.directory_index.ancestors(identity.reviewer)

    def _cedar_check(self, bundle: Bundle, record: ApprovalRecord, identity: Identity) -> None:
        sl = review_slice(bundle)
        if sl is None:
            return
        reviewer = EntityUid(*identity.reviewer)
        entities: list[dict[str, Any]] = []
        if identity.reviewer not in bundle.directory_index and identity.groups:
            # A token-vouched reviewer unknown to the bundle: Cedar sees its
            # groups from the verified claims.
            entities.append(
                {
                    "uid": reviewer.to_json(),
                    "attrs": {},
                    "parents": [{"type": t, "id": i} for t, i in sorted(identity.groups)],
                }
            )
        request = Request(
            principal=reviewer,
            action=EntityUid(sl.action.uid.type, sl.action.uid.id),
            resource=EntityUid(*record.resource),
            context=review_context(sl, record),
            entities=entities,
        )
        try:
            outcome = decide(bundle, request, trusted_entities=True)
        except InvalidRequestError as exc:
            raise ReviewRefused(
                "permission_denied",
                f"the bundle's {sl.action.uid} does not apply to this review ({exc.field})",
            ) from None
        if outcome.decision != "ALLOW":
            raise ReviewRefused(
                "permission_denied",
                f"policy does not permit {ref_str(identity.reviewer)} to review "
                f"{ref_str(record.action)} on {ref_str(record.resource)}: {outcome.reason_message}",
            )


def review_slice(bundle: Bundle) -> ActionSlice | None:
    """The bundle's ``Action::"review"`` (any namespace), if declared."""
    for uid, sl in bundle.slices.items():
        if uid.id == REVIEW_ACTION and uid.type.rsplit("::", 1)[-1] == "Action":
            return sl
    return None


def review_context(sl: ActionSlice, record: ApprovalRecord) -> dict[str, Any]:
    """The review request's context: what the schema declares of ``action``
    (the requested action's id), ``principal`` and ``groups``."""
    declared = sl.action.context.attributes
    context: dict[str, Any] = {}
    action = declared.get("action")
    if action is not None and isinstance(action.type, StringType):
        context["action"] = record.action[1]
    principal = declared.get("principal")
    if (
        principal is not None
        and isinstance(principal.type, EntityType)
        and principal.type.name == record.principal[0]
    ):
        context["principal"] = {"__entity": _json(record.principal)}
    groups = declared.get("groups")
    if (
        groups is not None
        and isinstance(groups.type, SetType)
        and isinstance(groups.type.element, EntityType)
    ):
        kind = groups.type.element.name
        context["groups"] = [
            {"__entity": _json(g)} for g in sorted(record.required_groups) if g[0] == kind
        ]
    return context


def _json(ref: Ref) -> dict[str, str]:
    return {"type": ref[0], "id": ref[1]}
