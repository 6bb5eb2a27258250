"""Splitting Cedar files into policies with line numbers; approval twins."""

from __future__ import annotations

import json

import cedarpy
import pytest

from proctor.service.policy_text import (
    ContextUsedWhole,
    mentions_approval,
    split_policies,
    substitute_approval,
)


def test_split_keeps_lines_and_ignores_semicolons_in_strings_and_comments() -> None:
    text = (
        "// header; with a semicolon\n"
        '@id("a")\n'
        'permit (principal, action, resource) when { context.s == "x;y" };\n'
        "\n"
        "// second\n"
        '@id("b") forbid (principal, action, resource)\n'
        "when { [1, 2].contains(1) };\n"
        "// trailing comment only\n"
    )
    chunks = split_policies(text)
    assert [c.line for c in chunks] == [2, 6]
    assert '"x;y"' in chunks[0].text


def test_unterminated_tail_is_its_own_chunk() -> None:
    chunks = split_policies('@id("a") permit (principal, action, resource);\n\n@id("b") permit (')
    assert [c.line for c in chunks] == [1, 3]


def _est(src: str) -> dict[str, object]:
    return next(iter(json.loads(cedarpy.policies_to_json_str(src))["staticPolicies"].values()))


@pytest.mark.parametrize(
    ("condition", "mentions"),
    [
        pytest.param("context has approval && context.approval.granted", True, id="standard-gate"),
        pytest.param('context["approval"].granted', True, id="index-form"),
        pytest.param("context.rows > 10", False, id="other-attr"),
        pytest.param("principal.approval", False, id="not-context"),
    ],
)
def test_mentions_approval(condition: str, mentions: bool) -> None:
    est = _est(f"forbid (principal, action, resource) unless {{ {condition} }};")
    assert mentions_approval(est) is mentions


def test_twin_evaluates_as_approved() -> None:
    est = _est(
        "forbid (principal, action, resource) unless { context has approval && context.approval.granted };"
    )
    twin = substitute_approval(est, {"granted": True})
    static = {"orig": {**est, "effect": "permit"}, "twin": {**twin, "effect": "permit"}}
    ps = cedarpy.PolicySet.from_json_str(
        json.dumps({"staticPolicies": static, "templates": {}, "templateLinks": []})
    )
    r = cedarpy.is_authorized(
        {
            "principal": 'A::"a"',
            "action": 'Action::"x"',
            "resource": 'R::"r"',
            "context": {"approval": {"granted": False}},
        },
        ps,
        "[]",
    )
    assert r.diagnostics.reasons == ["orig"]  # the twin is not satisfied: approval lifts it


def test_whole_context_use_is_detected() -> None:
    est = _est(
        "forbid (principal, action, resource) when { context == {} && context.approval.granted };"
    )
    with pytest.raises(ContextUsedWhole):
        substitute_approval(est, {"granted": True})
