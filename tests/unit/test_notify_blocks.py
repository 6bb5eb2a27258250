"""Slack Block Kit and Teams card text built from a Notice: request-derived
strings are shown literally, never as Slack mentions, links or formatting."""

from __future__ import annotations

import json

from proctor.service.approvals.notice import Notice, NoticeRequirement
from proctor.service.approvals.notify.channels import (
    CONTEXT_LIMIT,
    code_block,
    mrkdwn,
    slack_blocks,
    teams_card,
)

HOSTILE = "<!channel> <https://evil.example|Approve here> & ``` *bold*"


def _notice(context: str = "{}", status: str = "PENDING") -> Notice:
    return Notice(
        approval_id="apr_0123abcd" + "1" * 24,
        status=status,
        principal='Agent::"care-assistant"',
        action='Action::"export_patient_data"',
        resource=f'Dataset::"{HOSTILE}"',
        on_behalf_of='User::"<!here>"',
        requirements=(NoticeRequirement('Group::"privacy-office"', 1, 0, ("export-gate",)),),
        policy_ids=("export-gate",),
        review_context_json=context,
        decision_id="dec_1",
        bundle_version="sha256:v1",
        created_at=1_700_000_000.0,
        expires_at=1_700_000_900.0,
    )


def _mrkdwn_texts(blocks: list[dict[str, object]]) -> list[str]:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(str(node["text"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return found


def test_mrkdwn_escapes_the_three_control_characters() -> None:
    assert mrkdwn("a < b && c > d") == "a &lt; b &amp;&amp; c &gt; d"


def test_no_request_value_becomes_a_mention_or_a_link() -> None:
    blocks = slack_blocks(_notice(context=json.dumps({"note": HOSTILE})), "created")
    texts = _mrkdwn_texts(blocks)
    assert texts
    for text in texts:
        assert "<" not in text and ">" not in text
    assert any("&lt;!channel&gt;" in t for t in texts)


def test_a_fence_in_the_context_cannot_close_the_code_block() -> None:
    for ticks in range(2, 8):
        fence = "`" * ticks
        block = code_block(f'{{"x": "{fence} *out of the block* {fence}"}}')
        assert block.startswith("```") and block.endswith("```")
        assert "``" not in block[3:-3]


def test_the_context_is_cut_to_slacks_limit_after_escaping() -> None:
    block = code_block("<" * (CONTEXT_LIMIT * 2))
    inner = block[3:-3]
    assert inner.endswith(" …")
    body = inner.removesuffix(" …")
    assert len(body) <= CONTEXT_LIMIT
    assert body == "&lt;" * (len(body) // 4)  # never cut inside an entity
    assert len(slack_blocks(_notice(context="&" * 10_000), "created")[3]["text"]["text"]) < 3000


def test_buttons_only_while_pending() -> None:
    created = slack_blocks(_notice(), "created")
    actions = [b for b in created if b["type"] == "actions"]
    assert [e["action_id"] for e in actions[0]["elements"]] == ["proctor_approve", "proctor_deny"]
    decided = slack_blocks(_notice(status="DENIED"), "decided")
    assert not [b for b in decided if b["type"] == "actions"]
    assert decided[0]["text"]["text"] == "Approval denied"


def test_teams_card_links_to_the_review_page() -> None:
    card = teams_card(_notice(), "created", "https://p.example/approvals/{id}")
    (attachment,) = card["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    (action,) = attachment["content"]["actions"]
    assert action == {
        "type": "Action.OpenUrl",
        "title": "Review",
        "url": "https://p.example/approvals/apr_0123abcd" + "1" * 24,
    }
