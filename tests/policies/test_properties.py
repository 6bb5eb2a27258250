"""Properties of the example bundle: invariants that hold for *every* request
the schema allows, not just the YAML cases.

Written the way a policy team would, with the Proctor pytest plugin's
fixtures (`proctor_requests`, `proctor_decide`, `proctor_bundle`) and
schema-driven requests. The suite's hypothesis profile is derandomized, so
these run the same examples every time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import Phase, event, find, given, settings
from hypothesis import strategies as st

from proctor.masking import Redact
from proctor.service.bundle import Bundle
from proctor.service.cedar_schema import ActionUid
from proctor.service.engine import EntityUid, Request
from proctor.service.strategies import load_base_entities

READ_PHI = ActionUid("Action", "ReadPHI")
SSN_SELECTORS = ("$.ssn", "$..ssn")

Attrs = Mapping[str, Any]


@pytest.fixture(scope="module")
def base_attrs(proctor_bundle: Bundle) -> dict[tuple[str, str], Attrs]:
    """Attributes of the bundle's own entities, by uid."""
    return {
        (e["uid"]["type"], e["uid"]["id"]): e["attrs"] for e in load_base_entities(proctor_bundle)
    }


def attrs_of(request: Request, uid: EntityUid, base: Mapping[tuple[str, str], Attrs]) -> Attrs:
    """The attributes the engine sees for `uid`: the request's own entity, else the base one."""
    for entity in request.entities:
        if (entity["uid"]["type"], entity["uid"]["id"]) == (uid.type, uid.id):
            attrs: Attrs = entity["attrs"]
            return attrs
    return base.get((uid.type, uid.id), {})


def read_phi_actions(bundle: Bundle) -> list[ActionUid]:
    """The requestable actions in Action::"ReadPHI"."""
    return sorted(bundle.model.action_descendants(READ_PHI) & set(bundle.slices))


@settings(max_examples=500)
@given(data=st.data())
def test_no_agent_exports_phi_without_approval(data, proctor_requests, proctor_decide, base_attrs):
    request = data.draw(proctor_requests("export_patient_data"))
    phi = attrs_of(request, request.resource, base_attrs).get("contains_phi")
    if request.principal.type == "Agent" and phi:
        decision = proctor_decide(request).decision
        event(f"agent exports a PHI dataset: {decision}")  # see --hypothesis-show-statistics
        assert decision != "ALLOW"


@settings(max_examples=400)
@given(data=st.data())
def test_agents_without_clearance_never_see_ssns(
    data, proctor_bundle, proctor_requests, proctor_decide, base_attrs
):
    action = data.draw(st.sampled_from(read_phi_actions(proctor_bundle)))
    request = data.draw(proctor_requests(action))
    principal = attrs_of(request, request.principal, base_attrs)
    if request.principal.type != "Agent" or principal.get("phi_clearance"):
        return
    outcome = proctor_decide(request)
    event(f"uncleared agent: {outcome.decision}")
    # NEEDS_APPROVAL carries the masks that will apply once approved: same rule.
    if outcome.decision in ("ALLOW", "NEEDS_APPROVAL"):
        ssn = [
            d
            for d in outcome.masks
            if str(d.selector) in SSN_SELECTORS and d.operator.rank >= Redact.rank
        ]
        assert ssn, f"{outcome.decision} without an SSN mask: {outcome.masks}"


@settings(max_examples=100)
@given(data=st.data())
def test_agents_never_delete_repositories(data, proctor_requests, proctor_decide):
    request = data.draw(proctor_requests("delete_repository"))
    if request.principal.type == "Agent":
        for granted in (False, True):
            outcome = proctor_decide(request, granted=granted)
            assert outcome.decision == "DENY"
            assert "agents-never-delete-repositories" in outcome.policy_ids


@settings(max_examples=400)
@given(data=st.data())
def test_approval_outcomes_are_well_formed(data, proctor_requests, proctor_decide):
    request = data.draw(proctor_requests())
    asked = proctor_decide(request)
    approved = proctor_decide(request, granted=True)
    event(f"{asked.decision}, approved: {approved.decision}")
    # A verified grant never asks for another approval.
    assert approved.decision != "NEEDS_APPROVAL"
    if asked.decision == "NEEDS_APPROVAL":
        assert asked.requirements
        assert all(r.quorum >= 1 for r in asked.requirements)
        assert asked.ttl_seconds > 0 and asked.uses >= 1
        # "The same request, approved, would be allowed", with the masks announced.
        assert approved.decision == "ALLOW"
        assert approved.masks == asked.masks
    else:
        assert not asked.requirements


@settings(max_examples=150)
@given(data=st.data(), granted=st.booleans())
def test_decisions_are_deterministic(data, granted, proctor_requests, proctor_decide):
    request = data.draw(proctor_requests())
    assert proctor_decide(request, granted=granted) == proctor_decide(request, granted=granted)


# The properties above only bite if the generator reaches the requests they
# constrain; these pin that it does (a vacuous property passes silently).
REACH = settings(max_examples=2000, phases=[Phase.generate], database=None)


def test_generator_reaches_phi_exports_that_need_approval(
    proctor_requests, proctor_decide, base_attrs
):
    def gated(r: Request) -> bool:
        phi = attrs_of(r, r.resource, base_attrs).get("contains_phi") is True
        return r.principal.type == "Agent" and phi and proctor_decide(r).decision != "DENY"

    found = find(proctor_requests("export_patient_data"), gated, settings=REACH)
    assert proctor_decide(found).decision == "NEEDS_APPROVAL"


def test_generator_reaches_uncleared_agents_reading_phi(
    proctor_requests, proctor_decide, base_attrs
):
    def uncleared_allow(r: Request) -> bool:
        principal = attrs_of(r, r.principal, base_attrs)
        return (
            r.principal.type == "Agent"
            and not principal.get("phi_clearance")
            and proctor_decide(r).decision == "ALLOW"
        )

    find(proctor_requests("read_patient_record"), uncleared_allow, settings=REACH)


def test_generator_reaches_approvals(proctor_requests, proctor_decide):
    find(
        proctor_requests(),
        lambda r: proctor_decide(r).decision == "NEEDS_APPROVAL",
        settings=REACH,
    )
