"""Decision semantics, checked against an independent model.

Hypothesis generates small bundles (permits, forbids, approval gates and
masking rules over a few conditions, some of which overflow at run time) and
requests; a plain-Python oracle computes what DESIGN §2 says the answer must
be. The properties this pins down: a forbid beats a permit; NEEDS_APPROVAL is
never reported as ALLOW; any evaluation error denies; masking rules never
grant access; the same input gives the same output.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from proctor.service.bundle import load_bundle
from proctor.service.engine import EntityUid, Request, decide

SCHEMA = """
entity Group;
entity User in [Group] { level: Long, flag: Bool };
entity Doc { level: Long };
type Approval = { granted: Bool };
action act appliesTo {
  principal: [User], resource: [Doc],
  context: { n: Long, approval?: Approval }
};
"""
INT64_MAX = 2**63 - 1


@dataclass(frozen=True)
class Cond:
    """A condition the oracle can evaluate; None means a run-time error."""

    cedar: str
    kind: str
    k: int

    def holds(self, n: int, plevel: int, flag: bool, rlevel: int) -> bool | None:
        if self.kind == "true":
            return True
        if self.kind == "n_gt":
            return n > self.k
        if self.kind == "plevel_ge":
            return plevel >= self.k
        if self.kind == "rlevel_lt":
            return rlevel < self.k
        if self.kind == "flag":
            return flag
        if self.kind == "overflow":  # resource.level + k overflows when level > 0
            total = rlevel + self.k
            return None if total > INT64_MAX or total < -(2**63) else total > 0
        raise AssertionError(self.kind)


CONDS = st.one_of(
    st.just(Cond("true", "true", 0)),
    st.integers(-3, 3).map(lambda k: Cond(f"context.n > {k}", "n_gt", k)),
    st.integers(-3, 3).map(lambda k: Cond(f"principal.level >= {k}", "plevel_ge", k)),
    st.integers(-3, 3).map(lambda k: Cond(f"resource.level < {k}", "rlevel_lt", k)),
    st.just(Cond("principal.flag", "flag", 0)),
    st.just(Cond(f"resource.level + {INT64_MAX} > 0", "overflow", INT64_MAX)),
)


@dataclass(frozen=True)
class Pol:
    kind: str  # permit, forbid, gate, mask
    cond: Cond

    def cedar(self, i: int) -> str:
        ann = f'@id("p{i}")\n'
        scope = '(principal, action == Action::"act", resource)'
        if self.kind == "gate":
            ann += '@approval("Group::\\"g\\"")\n'
            return (
                f"{ann}forbid {scope} when {{ {self.cond.cedar} }} "
                "unless { context has approval && context.approval.granted };\n"
            )
        if self.kind == "mask":
            ann += f'@mask("$.f{i}=redact")\n'
        effect = "forbid" if self.kind == "forbid" else "permit"
        return f"{ann}{effect} {scope} when {{ {self.cond.cedar} }};\n"


POLICIES = st.lists(
    st.builds(Pol, st.sampled_from(["permit", "forbid", "gate", "mask"]), CONDS),
    min_size=1,
    max_size=6,
)
SMALL = st.integers(-4, 4)


def oracle(pols: list[Pol], n: int, plevel: int, flag: bool, rlevel: int) -> tuple[str, set[str]]:
    sat = {i: p.cond.holds(n, plevel, flag, rlevel) for i, p in enumerate(pols)}
    masks = {f"$.f{i}" for i, p in enumerate(pols) if p.kind == "mask" and sat[i] is not False}
    if any(sat[i] is None for i, p in enumerate(pols) if p.kind != "mask"):
        return "DENY", set()
    permits = any(sat[i] for i, p in enumerate(pols) if p.kind == "permit")
    forbids = any(sat[i] for i, p in enumerate(pols) if p.kind == "forbid")
    gates = any(sat[i] for i, p in enumerate(pols) if p.kind == "gate")
    if forbids or not permits:
        return "DENY", set()
    if gates:
        return "NEEDS_APPROVAL", masks
    return "ALLOW", masks


@given(POLICIES, SMALL, SMALL, st.booleans(), st.one_of(SMALL, st.just(INT64_MAX)))
def test_engine_matches_the_model(
    pols: list[Pol], n: int, plevel: int, flag: bool, rlevel: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "schema.cedarschema").write_text(SCHEMA)
        (d / "p.cedar").write_text("".join(p.cedar(i) for i, p in enumerate(pols)))
        bundle = load_bundle(d)
    request = Request(
        principal=EntityUid("User", "u"),
        action=EntityUid("Action", "act"),
        resource=EntityUid("Doc", "d"),
        context={"n": n},
        entities=[
            {
                "uid": {"type": "User", "id": "u"},
                "attrs": {"level": plevel, "flag": flag},
                "parents": [],
            },
            {"uid": {"type": "Doc", "id": "d"}, "attrs": {"level": rlevel}, "parents": []},
        ],
    )
    outcome = decide(bundle, request)
    expected, masks = oracle(pols, n, plevel, flag, rlevel)
    assert outcome.decision == expected, outcome
    if expected != "DENY":
        assert {str(m.selector) for m in outcome.masks} == masks
    assert decide(bundle, request) == outcome  # same input, same output
    if expected == "NEEDS_APPROVAL":
        # With a verified grant the gates lift, and nothing else changes.
        assert decide(bundle, request, granted=True).decision == "ALLOW"
