"""Evidence chains: any deleted, reordered or edited record, and any forged
checkpoint, is found and named."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from proctor.service.audit.evidence import Chain, verify

KEY = Ed25519PrivateKey.generate()
PUBLIC = (KEY.public_key(),)


def trail(n: int = 6, instance: str = "i-1", checkpoint_after: int = 3) -> list[dict[str, Any]]:
    chain = Chain(instance)
    records = []
    for i in range(n):
        records.append(chain.append("span", {"name": "proctor.authorize", "attributes": {"n": i}}))
        if (i + 1) % checkpoint_after == 0:
            records.append(chain.checkpoint(KEY, 1_000 + i))
    return records


def check(records: list[dict[str, Any]], keys=PUBLIC):
    return verify(((f"f:{i + 1}", r) for i, r in enumerate(records)), keys)


def test_an_intact_trail_verifies_with_signatures() -> None:
    result = check(trail())
    assert result.ok and result.signatures_checked
    (report,) = result.instances.values()
    assert (report.records, report.checkpoints, report.unsigned_tail) == (8, 2, 0)


def test_two_instances_interleaved_each_keep_their_chain() -> None:
    a, b = trail(instance="a"), trail(instance="b")
    mixed = [r for pair in zip(a, b, strict=True) for r in pair]
    assert check(mixed).ok


@pytest.mark.parametrize(
    ("tamper", "words"),
    [
        (lambda rs: rs.pop(2), "missing"),
        (lambda rs: rs.insert(1, rs.pop(2)), "out of order"),
        (lambda rs: rs[1]["attributes"].update(n=99), "edited"),
        (lambda rs: rs[1].update(prev="0" * 64), "`prev` does not match"),
    ],
    ids=["deleted", "reordered", "edited", "relinked"],
)
def test_tampering_is_found_and_named(tamper, words) -> None:
    records = trail()
    tamper(records)
    result = check(records)
    assert not result.ok and words in result.problem
    assert result.problem.startswith("f:")


def test_a_rebuilt_chain_is_caught_by_the_next_checkpoint() -> None:
    """An attacker edits record 2 and recomputes every link after it; without
    the signing key the checkpoint no longer matches."""
    records = trail()
    forged = Chain("i-1")
    rebuilt = []
    for r in records:
        body = {
            k: v for k, v in r.items() if k not in ("v", "kind", "instance", "seq", "prev", "link")
        }
        if r["seq"] == 2:
            body["attributes"] = {"n": 1234}
        if r["kind"] == "checkpoint":
            rebuilt.append({**copy.deepcopy(r), "seq": forged.seq + 1, "prev": forged.prev})
            forged.append("checkpoint", body)  # keeps seq in step; signature is the old one
            rebuilt[-1]["link"] = forged.prev
        else:
            rebuilt.append(forged.append(r["kind"], body))
    result = check(rebuilt)
    assert not result.ok and "checkpoint" in result.problem


def test_a_checkpoint_signed_by_another_key_is_forged() -> None:
    other = Ed25519PrivateKey.generate()
    chain = Chain("i-1")
    records = [chain.append("span", {"name": "x"}), chain.checkpoint(other, 5)]
    assert "unknown key" in check(records).problem
    assert check(records, keys=(other.public_key(),)).ok
    assert check(records, keys=()).ok  # structure only, and it says so
    assert not check(records, keys=()).signatures_checked


@given(st.data())
def test_any_single_deletion_is_detected(data) -> None:
    records = trail(n=12, checkpoint_after=4)
    index = data.draw(st.integers(0, len(records) - 2))  # the last one has no successor
    del records[index]
    assert not check(records).ok


def test_lines_written_in_one_pass_verify_like_records() -> None:
    import json

    chain = Chain("i-9")
    lines = [
        chain.line("span", {"name": "proctor.authorize", "attributes": {"n": i}}) for i in range(3)
    ]
    records = [json.loads(text) for text in lines]
    records.append(chain.checkpoint(KEY, 7))
    assert check(records).ok
    assert records[1]["prev"] == records[0]["link"]
