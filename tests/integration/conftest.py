"""Integration fixtures: a real gRPC server on a free port, real clients."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest

from proctor.service.testing import InProcessServer
from proctor.v1 import decision_pb2, decision_pb2_grpc, value_pb2


@pytest.fixture(scope="session")
def server(example_bundle_dir) -> Iterator[InProcessServer]:
    """Proctor on the example bundle, for the whole session."""
    with InProcessServer(example_bundle_dir) as srv:
        yield srv


@pytest.fixture(scope="session")
def channel(server: InProcessServer) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(server.address) as ch:
        grpc.channel_ready_future(ch).result(timeout=10)
        yield ch


@pytest.fixture(scope="session")
def stub(channel: grpc.Channel) -> decision_pb2_grpc.DecisionServiceStub:
    return decision_pb2_grpc.DecisionServiceStub(channel)


def ref(text: str) -> value_pb2.EntityRef:
    """`Agent::care-assistant` → EntityRef."""
    type_, _, id_ = text.partition("::")
    return value_pb2.EntityRef(type=type_, id=id_)


def val(x: object) -> value_pb2.Value:
    """A Python value as a Cedar wire value (ints are Longs)."""
    if isinstance(x, bool):
        return value_pb2.Value(bool_value=x)
    if isinstance(x, int):
        return value_pb2.Value(long_value=x)
    if isinstance(x, str):
        return value_pb2.Value(string_value=x)
    if isinstance(x, list):
        return value_pb2.Value(set_value=value_pb2.ValueSet(values=[val(v) for v in x]))
    if isinstance(x, dict):
        return value_pb2.Value(
            record_value=value_pb2.Record(attributes={k: val(v) for k, v in x.items()})
        )
    raise TypeError(type(x))


def authz(
    principal: str, action: str, resource: str, **context: object
) -> decision_pb2.AuthorizeRequest:
    """An AuthorizeRequest from short names."""
    return decision_pb2.AuthorizeRequest(
        principal=ref(principal),
        action=ref(f"Action::{action}"),
        resource=ref(resource),
        context=value_pb2.Record(attributes={k: val(v) for k, v in context.items()}),
    )
