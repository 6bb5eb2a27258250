"""Loading bundles: every problem is reported with file, line and policy id."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from proctor.service.bundle import load_bundle
from proctor.service.errors import BundleError

SCHEMA = """
entity Group;
entity User in [Group] { level: Long };
entity Doc;
type Approval = { granted: Bool };
action read appliesTo { principal: [User], resource: [Doc], context: { approval?: Approval } };
action write appliesTo { principal: [User], resource: [Doc], context: {} };
"""
GOOD = '@id("ok")\npermit (principal, action == Action::"read", resource);\n'


def bundle(
    tmp_path: Path, policies: str, schema: str | None = SCHEMA, entities: object = None
) -> Path:
    d = tmp_path / "b"
    d.mkdir(exist_ok=True)
    if schema is not None:
        (d / "schema.cedarschema").write_text(schema)
    (d / "p.cedar").write_text(policies)
    if entities is not None:
        (d / "entities.json").write_text(json.dumps(entities))
    return d


@pytest.mark.parametrize(
    ("policies", "problem"),
    [
        pytest.param(
            "permit (principal, action, resource);\n",
            "p.cedar:1: policy `(no @id)`: policy has no `@id",
            id="missing-id",
        ),
        pytest.param(
            GOOD + "\n" + GOOD,
            "p.cedar:4: policy `ok`: duplicate @id; first defined at",
            id="duplicate-id",
        ),
        pytest.param(
            GOOD + '\n\n@id("bad")\npermit (principal, action, resource) when { 1 + };\n',
            "p.cedar:5: cannot parse policy",
            id="parse-error-line",
        ),
        pytest.param(
            '@id("t")\npermit (principal == ?principal, action, resource);\n',
            "p.cedar:1: policy templates",
            id="template-rejected",
        ),
        pytest.param(
            '@id("v")\npermit (principal, action == Action::"read", resource) when { principal.levl > 1 };\n',
            "p.cedar:1: policy `v`: does not validate against the schema",
            id="validation-names-id",
        ),
        pytest.param(
            '@id("g")\n@approval("Group::\\"x\\"")\nforbid (principal, action == Action::"write", resource);\n',
            'policy `g`: its action `Action::"write"` declares no `approval`',
            id="gate-needs-approval-in-context",
        ),
        pytest.param(
            '@id("m")\n@aproval("Group::\\"x\\"")\nforbid (principal, action, resource);\n',
            "did you mean `@approval`",
            id="near-miss",
        ),
        pytest.param(
            '@id("m")\n@mask("$.x=shred")\npermit (principal, action, resource);\n',
            "unknown masking operator `shred`",
            id="bad-mask",
        ),
    ],
)
def test_policy_problems(tmp_path: Path, policies: str, problem: str) -> None:
    with pytest.raises(BundleError) as info:
        load_bundle(bundle(tmp_path, policies))
    assert any(problem in p for p in info.value.problems), info.value.problems


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    text = (
        "permit (principal, action, resource);\n"
        + GOOD
        + GOOD
        + '@id("x") permit (principal, action, resource) when { ( };\n'
    )
    with pytest.raises(BundleError) as info:
        load_bundle(bundle(tmp_path, text))
    assert len(info.value.problems) == 3, info.value.problems


@pytest.mark.parametrize(
    ("schema", "entities", "problem"),
    [
        pytest.param(None, None, "no schema", id="missing-schema"),
        pytest.param("entity User { ;", None, "invalid schema", id="bad-schema"),
        pytest.param(
            SCHEMA,
            [
                {
                    "uid": {"type": "User", "id": "u"},
                    "attrs": {"level": "123-45-6789"},
                    "parents": [],
                }
            ],
            "[0].attrs.level: expected Long",
            id="entity-attr-type",
        ),
        pytest.param(
            SCHEMA,
            [{"uid": {"type": "Nope", "id": "u"}, "attrs": {}, "parents": []}],
            "[0].uid.type: unknown entity type `Nope`",
            id="entity-unknown-type",
        ),
        pytest.param(
            SCHEMA,
            [
                {
                    "uid": {"type": "Doc", "id": "d"},
                    "attrs": {},
                    "parents": [{"type": "Group", "id": "g"}],
                }
            ],
            "`Doc` cannot be a member of `Group`",
            id="entity-bad-parent",
        ),
    ],
)
def test_schema_and_entity_problems(
    tmp_path: Path, schema: str | None, entities: object, problem: str
) -> None:
    with pytest.raises(BundleError) as info:
        load_bundle(bundle(tmp_path, GOOD, schema=schema, entities=entities))
    assert any(problem in p for p in info.value.problems), info.value.problems
    assert not any("123-45-6789" in p for p in info.value.problems)


def test_version_is_a_content_hash(tmp_path: Path, example_bundle_dir: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(example_bundle_dir, a)
    shutil.copytree(example_bundle_dir, b)
    assert load_bundle(a).version == load_bundle(b).version
    (b / "email.cedar").write_text((b / "email.cedar").read_text() + "\n// a comment\n")
    assert load_bundle(a).version != load_bundle(b).version


def test_slices_hold_only_relevant_policies(example_bundle_dir: Path) -> None:
    from proctor.service.cedar_schema import ActionUid

    b = load_bundle(example_bundle_dir)
    read = b.slices[ActionUid("Action", "read_patient_record")]
    export = b.slices[ActionUid("Action", "export_patient_data")]
    # The masking rule scoped `action in Action::"ReadPHI"` reaches both members of the group.
    assert "agents-see-no-direct-identifiers" in read.masks
    assert "agents-see-no-direct-identifiers" in export.masks
    assert "export-phi-needs-privacy-office" not in read.policy_ids
    assert set(export.twins) == {"export-phi-needs-privacy-office"}
    assert ActionUid("Action", "ReadPHI") not in b.slices  # a group is never requested itself


def test_whole_context_use_falls_back_to_a_probe(tmp_path: Path) -> None:
    from proctor.service.cedar_schema import ActionUid
    from proctor.service.engine import EntityUid, Request, decide

    policies = (
        GOOD
        + '@id("g")\n@approval("Group::\\"x\\"")\nforbid (principal, action == Action::"read", resource)\n'
        + "when { context == context }\n"
        + "unless { context has approval && context.approval.granted };\n"
    )
    b = load_bundle(bundle(tmp_path, policies))
    sl = b.slices[ActionUid("Action", "read")]
    assert sl.needs_probe and not sl.twins
    req = Request(EntityUid("User", "u"), EntityUid("Action", "read"), EntityUid("Doc", "d"))
    out = decide(b, req)
    assert (out.decision, out.policy_ids) == ("NEEDS_APPROVAL", ("g",))
    assert decide(b, req, granted=True).decision == "ALLOW"
