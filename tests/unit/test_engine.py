"""Engine semantics as a named table: positives and negatives side by side."""

from __future__ import annotations

from pathlib import Path

import pytest

from proctor.service.bundle import load_bundle
from proctor.service.engine import EntityUid, Request, decide
from proctor.service.errors import InvalidRequestError

SCHEMA = """
entity Group;
entity User in [Group] { level: Long };
entity Doc { level: Long };
type Approval = { granted: Bool };
action read appliesTo { principal: [User], resource: [Doc], context: { n: Long, approval?: Approval } };
"""
S = '(principal, action == Action::"read", resource)'
APPROVED = "unless { context has approval && context.approval.granted }"


def permit(pid: str, cond: str = "true") -> str:
    return f'@id("{pid}")\npermit {S} when {{ {cond} }};\n'


def forbid(pid: str, cond: str = "true") -> str:
    return f'@id("{pid}")\nforbid {S} when {{ {cond} }};\n'


def gate(
    pid: str, groups: str = 'Group::\\"a\\"', quorum: int = 1, ttl: str = "15m", cond: str = "true"
) -> str:
    return f'@id("{pid}")\n@approval("{groups}")\n@quorum("{quorum}")\n@ttl("{ttl}")\nforbid {S} when {{ {cond} }} {APPROVED};\n'


def mask(pid: str, directives: str, cond: str = "true") -> str:
    return f'@id("{pid}")\n@mask("{directives}")\npermit {S} when {{ {cond} }};\n'


OVERFLOW = "resource.level + 9223372036854775807 > 0"  # errors when level > 0


@pytest.mark.parametrize(
    ("policies", "decision", "policy_ids", "code"),
    [
        pytest.param(permit("p"), "ALLOW", ("p",), "allowed", id="permit-allows"),
        pytest.param(
            permit("p", "context.n > 5"),
            "DENY",
            (),
            "no_matching_permit",
            id="unsatisfied-permit-denies",
        ),
        pytest.param("", "DENY", (), "no_matching_permit", id="default-deny"),
        pytest.param(
            permit("p") + forbid("f"),
            "DENY",
            ("f",),
            "forbidden_by_policy",
            id="forbid-beats-permit",
        ),
        pytest.param(
            permit("p") + forbid("f", "context.n > 5"),
            "ALLOW",
            ("p",),
            "allowed",
            id="unsatisfied-forbid",
        ),
        pytest.param(
            permit("p") + gate("g"),
            "NEEDS_APPROVAL",
            ("g",),
            "approval_required",
            id="gate-needs-approval",
        ),
        pytest.param(
            gate("g"), "DENY", ("g",), "no_matching_permit", id="gate-without-permit-denies"
        ),
        pytest.param(
            permit("p") + gate("g") + forbid("f"),
            "DENY",
            ("f", "g"),
            "forbidden_by_policy",
            id="gate-plus-forbid-denies",
        ),
        pytest.param(
            permit("p") + gate("g", cond="context.n > 5"),
            "ALLOW",
            ("p",),
            "allowed",
            id="unsatisfied-gate",
        ),
        pytest.param(
            mask("m", "$.a=redact"), "DENY", (), "no_matching_permit", id="mask-never-grants"
        ),
        pytest.param(
            permit("p") + forbid("f", OVERFLOW),
            "DENY",
            (),
            "evaluation_error",
            id="erroring-forbid-denies",
        ),
        pytest.param(
            permit("p", OVERFLOW), "DENY", (), "evaluation_error", id="erroring-permit-denies"
        ),
        pytest.param(
            permit("p") + gate("g", cond=OVERFLOW),
            "DENY",
            (),
            "evaluation_error",
            id="erroring-gate-denies",
        ),
        pytest.param(
            permit("p") + mask("m", "$.a=redact", OVERFLOW),
            "ALLOW",
            ("p",),
            "allowed",
            id="erroring-mask-still-allows",
        ),
    ],
)
def test_decisions(
    tmp_path: Path, policies: str, decision: str, policy_ids: tuple[str, ...], code: str
) -> None:
    out = decide(_bundle(tmp_path, policies), _request(level=1))
    assert (out.decision, out.policy_ids, out.reason_code) == (decision, policy_ids, code)
    assert out.decision != "ALLOW" or not out.requirements


def test_gates_add_up(tmp_path: Path) -> None:
    policies = (
        permit("p")
        + gate("g1", 'Group::\\"a\\", Group::\\"b\\"', quorum=1, ttl="1h")
        + gate("g2", 'Group::\\"b\\"', quorum=2, ttl="10m")
    )
    out = decide(_bundle(tmp_path, policies), _request())
    assert out.decision == "NEEDS_APPROVAL"
    assert [(str(r.group), r.quorum, r.policy_ids) for r in out.requirements] == [
        ('Group::"a"', 1, ("g1",)),
        ('Group::"b"', 2, ("g1", "g2")),
    ]
    assert (out.ttl_seconds, out.uses) == (600, 1)


def test_masks_merge_and_erroring_masks_apply(tmp_path: Path) -> None:
    policies = (
        permit("p")
        + mask("m1", "$.ssn=partial(keep=4); $.name=tokenize")
        + mask("m2", "$.ssn=redact")
        + mask("m3", "$.dob=generalize(year)", OVERFLOW)
        + mask("m4", "$.zip=drop", "context.n > 99")
    )
    out = decide(_bundle(tmp_path, policies), _request(level=1))
    got = {str(m.selector): (m.operator.name, m.rule_id) for m in out.masks}
    assert got == {
        "$.ssn": ("redact", "m2"),
        "$.name": ("tokenize", "m1"),
        "$.dob": ("generalize", "m3"),
    }


def test_a_grant_lifts_gates_but_not_forbids(tmp_path: Path) -> None:
    b = _bundle(tmp_path, permit("p") + gate("g") + forbid("f", "context.n > 5"))
    assert decide(b, _request(n=1), granted=True).reason_code == "allowed_with_approval"
    assert decide(b, _request(n=9), granted=True).policy_ids == ("f",)


@pytest.mark.parametrize(
    ("request_", "field", "words"),
    [
        pytest.param(
            {"action": EntityUid("Action", "raed")},
            "action",
            'did you mean `Action::"read"`',
            id="unknown-action",
        ),
        pytest.param(
            {"principal": EntityUid("Doc", "d")},
            "principal.type",
            "not a valid principal type",
            id="principal-type",
        ),
        pytest.param(
            {"context": {"n": "123-45-6789"}}, "context.n", "expected Long", id="context-type"
        ),
        pytest.param(
            {"context": {}}, "context.n", "missing required attribute", id="context-missing"
        ),
        pytest.param(
            {"context": {"n": 1, "approval": {"granted": True}}},
            "context.approval",
            "reserved",
            id="self-approval",
        ),
        pytest.param(
            {"context": {"n": 1, "payload": {}}}, "context.payload", "reserved", id="self-findings"
        ),
    ],
)
def test_invalid_requests_name_the_field(
    tmp_path: Path, request_: dict[str, object], field: str, words: str
) -> None:
    base = _request()
    req = Request(
        principal=request_.get("principal", base.principal),  # type: ignore[arg-type]
        action=request_.get("action", base.action),  # type: ignore[arg-type]
        resource=base.resource,
        context=request_.get("context", base.context),  # type: ignore[arg-type]
        entities=base.entities,
    )
    with pytest.raises(InvalidRequestError) as info:
        decide(_bundle(tmp_path, permit("p")), req)
    assert info.value.field == field
    assert words in str(info.value)
    assert "123-45-6789" not in str(info.value)


def _bundle(tmp_path: Path, policies: str):
    d = tmp_path / "bundle"
    d.mkdir(exist_ok=True)
    (d / "schema.cedarschema").write_text(SCHEMA)
    (d / "p.cedar").write_text(policies or "// no policies\n")
    return load_bundle(d)


def _request(n: int = 1, level: int = 0) -> Request:
    return Request(
        principal=EntityUid("User", "u"),
        action=EntityUid("Action", "read"),
        resource=EntityUid("Doc", "d"),
        context={"n": n},
        entities=[
            {"uid": {"type": "User", "id": "u"}, "attrs": {"level": 0}, "parents": []},
            {"uid": {"type": "Doc", "id": "d"}, "attrs": {"level": level}, "parents": []},
        ],
    )


def test_context_round_trips_cedar_json_exactly() -> None:
    """Cedar JSON → wire → Cedar JSON is the identity (Long vs decimal, sets,
    records, entity references, extension values)."""
    from hypothesis import given
    from hypothesis import strategies as st

    from proctor.service.wire import json_to_record, record_to_json

    leaves = st.one_of(
        st.booleans(),
        st.integers(-(2**63), 2**63 - 1),
        st.text(max_size=10),
        st.builds(
            lambda t, i: {"__entity": {"type": t, "id": i}},
            st.sampled_from(["User", "Ns::Doc"]),
            st.text(min_size=1, max_size=6),
        ),
        st.builds(
            lambda fn, arg: {"__extn": {"fn": fn, "arg": arg}},
            st.sampled_from(["ip", "decimal", "datetime", "duration"]),
            st.text(max_size=8),
        ),
    )
    values = st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=10,
    )

    @given(st.dictionaries(st.text(max_size=6), values, max_size=4))
    def round_trip(context: dict[str, object]) -> None:
        assert record_to_json(json_to_record(context, "context"), "context") == context

    round_trip()


def test_errors_never_echo_planted_values(example_bundle_dir: Path) -> None:
    """Plant PHI-like values wherever a request can be wrong: the error names
    the field, never the value."""
    from hypothesis import given
    from hypothesis import strategies as st

    bundle = load_bundle(example_bundle_dir)
    phi = st.from_regex(
        r"[0-9]{3}-[0-9]{2}-[0-9]{4}|[A-Z][a-z]{3,8} [A-Z][a-z]{3,8}|MRN[0-9]{7}", fullmatch=True
    )

    @given(phi, st.sampled_from(["rows", "destination", "extra", "nested"]))
    def planted(value: str, where: str) -> None:
        context: dict[str, object] = {"rows": 1, "destination": "s3://hospital-research/x"}
        if where == "nested":
            context["destination"] = {"inner": [value]}
        else:
            context[where] = value  # a string where a Long is due, or an undeclared attribute
        req = Request(
            EntityUid("Agent", "care-assistant"),
            EntityUid("Action", "export_patient_data"),
            EntityUid("Dataset", "oncology-cohort-2026"),
            context,
        )
        if where == "destination":  # a valid String: decided, and not echoed
            assert value not in decide(bundle, req).reason_message
            return
        with pytest.raises(InvalidRequestError) as info:
            decide(bundle, req)
        assert value not in str(info.value)

    planted()
