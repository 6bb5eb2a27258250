"""Proctor's annotation vocabulary: values are checked at load time."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proctor.service.annotations import (
    AnnotationError,
    GroupRef,
    format_duration,
    parse_annotations,
    parse_duration,
    parse_groups,
)


@pytest.mark.parametrize(
    ("annotations", "effect", "expected"),
    [
        pytest.param({"id": "p"}, "permit", "ok", id="plain-permit"),
        pytest.param({"id": "f"}, "forbid", "ok", id="plain-forbid"),
        pytest.param(
            {"id": "g", "approval": 'Group::"privacy"', "quorum": "2", "ttl": "1h", "uses": "3"},
            "forbid",
            "ok",
            id="full-gate",
        ),
        pytest.param({"id": "m", "mask": "$.ssn=redact"}, "permit", "ok", id="mask-rule"),
        pytest.param(
            {"id": "x", "doc": "free text", "owner": "team"}, "permit", "ok", id="custom-kept"
        ),
        pytest.param({}, "permit", "no `@id", id="missing-id"),
        pytest.param({"id": ""}, "permit", "no `@id", id="empty-id"),
        pytest.param({"id": "has space"}, "permit", "must be 1-128", id="id-with-space"),
        pytest.param({"id": "a#b"}, "permit", "must be 1-128", id="id-with-hash"),
        pytest.param(
            {"id": "p", "aproval": 'Group::"x"'},
            "forbid",
            "did you mean `@approval`",
            id="near-miss-aproval",
        ),
        pytest.param(
            {"id": "p", "Approval": 'Group::"x"'},
            "forbid",
            "did you mean `@approval`",
            id="near-miss-case",
        ),
        pytest.param(
            {"id": "p", "masks": "$.a=redact"},
            "permit",
            "did you mean `@mask`",
            id="near-miss-masks",
        ),
        pytest.param(
            {"id": "p", "approval": 'Group::"x"'},
            "permit",
            "belongs on a forbid",
            id="approval-on-permit",
        ),
        pytest.param(
            {"id": "p", "mask": "$.a=redact"}, "forbid", "belongs on a permit", id="mask-on-forbid"
        ),
        pytest.param(
            {"id": "p", "quorum": "2"}, "forbid", "only applies with `@approval`", id="quorum-alone"
        ),
        pytest.param(
            {"id": "p", "ttl": "5m"}, "forbid", "only applies with `@approval`", id="ttl-alone"
        ),
        pytest.param(
            {"id": "p", "approval": "privacy"},
            "forbid",
            "needs entity references",
            id="approval-not-entity",
        ),
        pytest.param(
            {"id": "p", "approval": ""}, "forbid", "at least one group", id="approval-empty"
        ),
        pytest.param(
            {"id": "p", "approval": 'Group::"a", Group::"a"'},
            "forbid",
            "same group twice",
            id="approval-duplicate",
        ),
        pytest.param(
            {"id": "p", "approval": 'Group::"a"', "quorum": "0"},
            "forbid",
            "whole number from 1",
            id="quorum-zero",
        ),
        pytest.param(
            {"id": "p", "approval": 'Group::"a"', "quorum": "two"},
            "forbid",
            "whole number",
            id="quorum-word",
        ),
        pytest.param(
            {"id": "p", "approval": 'Group::"a"', "ttl": "15 minutes"},
            "forbid",
            "not a duration",
            id="ttl-words",
        ),
        pytest.param(
            {"id": "p", "approval": 'Group::"a"', "ttl": "1s"},
            "forbid",
            "must be between",
            id="ttl-too-short",
        ),
        pytest.param(
            {"id": "p", "approval": 'Group::"a"', "ttl": "400d"},
            "forbid",
            "must be between",
            id="ttl-too-long",
        ),
        pytest.param(
            {"id": "p", "mask": "$.ssn=redactt"}, "permit", "did you mean `redact`", id="mask-typo"
        ),
        pytest.param(
            {"id": "p", "mask": "ssn=redact"},
            "permit",
            "must start with `$`",
            id="mask-bad-selector",
        ),
        pytest.param(
            {"id": "p", "mask": 'Group::"a"', "approval": 'Group::"a"'},
            "forbid",
            "both",
            id="gate-and-mask",
        ),
    ],
)
def test_annotation_table(annotations: dict[str, str], effect: str, expected: str) -> None:
    if expected == "ok":
        parsed = parse_annotations(annotations, effect)  # type: ignore[arg-type]
        assert parsed.policy_id == annotations["id"]
        return
    with pytest.raises(AnnotationError, match=re.escape(expected)):
        parse_annotations(annotations, effect)  # type: ignore[arg-type]


def test_gate_defaults_and_values() -> None:
    gate = parse_annotations({"id": "g", "approval": 'Group::"s", Group::"p"'}, "forbid").gate
    assert gate is not None
    assert gate.groups == (GroupRef("Group", "p"), GroupRef("Group", "s"))
    assert (gate.quorum, gate.ttl_seconds, gate.uses) == (1, 900, 1)


def test_group_ids_may_hold_escaped_quotes_and_namespaces() -> None:
    groups = parse_groups('Hospital::Group::"a \\"b\\"", Group::"c"')
    assert groups == (GroupRef("Group", "c"), GroupRef("Hospital::Group", 'a "b"'))
    assert str(groups[1]) == 'Hospital::Group::"a \\"b\\""'


@given(st.integers(min_value=10, max_value=30 * 86400))
def test_duration_round_trips(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds


@given(
    st.lists(
        st.text(alphabet='abc-_ "\\', min_size=1, max_size=8), min_size=1, max_size=4, unique=True
    )
)
def test_groups_round_trip(ids: list[str]) -> None:
    refs = tuple(sorted(GroupRef("Group", i) for i in ids))
    assert parse_groups(", ".join(str(r) for r in refs)) == refs
