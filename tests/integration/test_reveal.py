"""MaskingService.Reveal: tokens come back only with a granted reveal
approval for their scope, once; the Redis vault holds no original in clear."""

from __future__ import annotations

import functools
import json
import threading
import time

import grpc
import pytest
import redis
from hypothesis import given, settings
from hypothesis import strategies as st

from proctor.service.vault import RedisVault
from proctor.v1 import decision_pb2, masking_pb2, masking_pb2_grpc

from .approval_support import approval_server, refused

pytestmark = pytest.mark.integration

SSN = "078-05-1120"
RECORD = {"name": "Jane Q. Doe", "ssn": SSN, "mrn": "00482913", "visit": "follow-up"}
DIRECTIVES = [
    decision_pb2.MaskDirective(selector="$.ssn", operator="tokenize"),
    decision_pb2.MaskDirective(selector="$.name", operator="tokenize"),
    decision_pb2.MaskDirective(selector="$.mrn", operator="redact"),
]


def test_reveal_needs_an_approval_for_the_scope_and_uses_it_once(
    example_bundle_dir, redis_server_url, redis_prefix
) -> None:
    with approval_server(
        example_bundle_dir, redis_server_url, redis_prefix, insecure_dev=True
    ) as proctor:
        channel = grpc.insecure_channel(proctor.server.address)
        masking = masking_pb2_grpc.MaskingServiceStub(channel)
        masked = masking.Mask(
            masking_pb2.MaskRequest(json=json.dumps(RECORD), directives=DIRECTIVES, scope="dec_77"),
            timeout=10,
        )
        doc = json.loads(masked.json)
        assert doc["ssn"] != SSN and doc["name"] != RECORD["name"] and doc["mrn"] != "00482913"
        tokens = [doc["ssn"], doc["name"], "tok_AAAAAAAAAAAAAAAA"]

        def reveal(approval_id: str, scope: str = "dec_77") -> masking_pb2.RevealResponse:
            response: masking_pb2.RevealResponse = masking.Reveal(
                masking_pb2.RevealRequest(tokens=tokens, scope=scope, approval_id=approval_id),
                timeout=10,
            )
            return response

        code, message = refused(lambda: reveal("apr_" + "0" * 32))
        assert code == grpc.StatusCode.PERMISSION_DENIED and "approval_invalid" in message
        asked = proctor.authorize(
            "Agent::care-assistant", "reveal", "TokenScope::dec_77", purpose="call back"
        )
        assert asked.decision == decision_pb2.DECISION_NEEDS_APPROVAL
        ticket = asked.approval.id
        code, message = refused(lambda: reveal(ticket))
        assert code == grpc.StatusCode.PERMISSION_DENIED and "approval_pending" in message
        proctor.review(ticket, reviewer="User::priya")
        code, message = refused(lambda: reveal(ticket, scope="dec_other"))
        assert code == grpc.StatusCode.PERMISSION_DENIED and "this scope" in message
        values = reveal(ticket).values
        assert dict(values) == {
            doc["ssn"]: SSN,
            doc["name"]: RECORD["name"],
        }  # unknown token: absent
        code, message = refused(lambda: reveal(ticket))
        assert code == grpc.StatusCode.PERMISSION_DENIED and "approval_consumed" in message
        # Redis holds sealed originals only.
        client = redis.Redis.from_url(redis_server_url)
        try:
            vault_keys = client.keys(f"{redis_prefix}:vault:*")
            assert len(vault_keys) == 2
            for key in client.keys(f"{redis_prefix}*"):
                if client.type(key) == b"string":
                    raw = client.get(key)
                    assert SSN.encode() not in raw and b"Jane" not in raw
        finally:
            client.close()
        channel.close()


def test_reveal_input_is_checked_by_field(example_bundle_dir, redis_server_url, redis_prefix):
    with approval_server(
        example_bundle_dir, redis_server_url, redis_prefix, insecure_dev=True
    ) as proctor:
        masking = masking_pb2_grpc.MaskingServiceStub(grpc.insecure_channel(proctor.server.address))
        for request, field in (
            (masking_pb2.RevealRequest(tokens=["t"], approval_id="apr_1"), "scope"),
            (masking_pb2.RevealRequest(tokens=["t"], scope="s"), "approval_id"),
            (masking_pb2.RevealRequest(scope="s", approval_id="apr_1"), "tokens"),
        ):
            code, message = refused(functools.partial(masking.Reveal, request, timeout=5))
            assert code == grpc.StatusCode.INVALID_ARGUMENT and message.startswith(f"{field}:")


def test_concurrent_claims_on_one_token_leave_one_winner(redis_server_url, redis_prefix):
    """Two processes tokenizing different values that collide on one token:
    exactly one claim wins, and the token then resolves to that value."""
    key = b"k" * 32
    vaults = [
        RedisVault(redis.Redis.from_url(redis_server_url), key, redis_prefix) for _ in range(8)
    ]
    start = threading.Barrier(8)
    wins: list[str] = []

    def claim(i: int) -> None:
        start.wait()
        if vaults[i].claim("scope", "tok_COLLIDE", f"value-{i}", 60):
            wins.append(f"value-{i}")

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
    assert vaults[0].get("scope", "tok_COLLIDE") == wins[0]
    assert vaults[0].claim("scope", "tok_COLLIDE", wins[0], 60)  # the same value: refresh
    assert vaults[0].get("other-scope", "tok_COLLIDE") is None
    other_key = RedisVault(redis.Redis.from_url(redis_server_url), b"x" * 32, redis_prefix)
    assert other_key.get("scope", "tok_COLLIDE") is None  # sealed under another key


VALUES = st.one_of(
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=40),
    st.from_regex(r"\d{3}-\d{2}-\d{4}", fullmatch=True),
    st.integers(-(10**12), 10**12),
)


@pytest.fixture(scope="module")
def reveal_server(example_bundle_dir, redis_server_url):
    with approval_server(
        example_bundle_dir, redis_server_url, f"reveal-prop-{time.time_ns()}", insecure_dev=True
    ) as proctor:
        yield proctor


@settings(max_examples=25)
@given(values=st.lists(VALUES, min_size=1, max_size=4), scope=st.uuids())
def test_tokens_round_trip_only_with_a_grant(reveal_server, values, scope) -> None:
    """Whatever is tokenized comes back exactly — typed — through Reveal with a
    granted approval for its scope, and not before."""
    proctor = reveal_server
    masking = masking_pb2_grpc.MaskingServiceStub(grpc.insecure_channel(proctor.server.address))
    document = {f"f{i}": v for i, v in enumerate(values)}
    directives = [
        decision_pb2.MaskDirective(selector=f"$.f{i}", operator="tokenize")
        for i in range(len(values))
    ]
    masked = json.loads(
        masking.Mask(
            masking_pb2.MaskRequest(
                json=json.dumps(document), directives=directives, scope=str(scope)
            ),
            timeout=10,
        ).json
    )
    tokens = [masked[k] for k in document]
    assert all(isinstance(t, str) for t in tokens)
    for original, token in zip(values, tokens, strict=True):
        assert token != original

    def reveal(approval_id: str) -> dict[str, str]:
        return dict(
            masking.Reveal(
                masking_pb2.RevealRequest(tokens=tokens, scope=str(scope), approval_id=approval_id),
                timeout=10,
            ).values
        )

    ticket = proctor.authorize(
        "Agent::care-assistant", "reveal", f"TokenScope::{scope}"
    ).approval.id
    code, _ = refused(lambda: reveal(ticket))
    assert code == grpc.StatusCode.PERMISSION_DENIED
    proctor.review(ticket, reviewer="User::ivan")
    revealed = reveal(ticket)
    for original, token in zip(values, tokens, strict=True):
        got = revealed[token]
        assert (json.loads(got) if isinstance(original, int) else got) == original
