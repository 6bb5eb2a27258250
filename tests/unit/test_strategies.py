"""The schema-driven strategies: every value validates, every entity graph
loads, every request is accepted by the engine — over the example bundle and
schemas with namespaces, enum entities, tags, extension types, sets of
entities, action-typed attributes and quoted names. Plus the pytest plugin.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path

import cedarpy
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from proctor.service.bundle import Bundle, load_bundle
from proctor.service.cedar_schema import (
    ActionUid,
    CedarType,
    EntityType,
    SchemaModel,
    SetType,
    validate_value,
)
from proctor.service.engine import RESERVED_CONTEXT, EntityUid, decide
from proctor.service.strategies import (
    PHI_CATEGORIES,
    bundle_literals,
    entities,
    load_base_entities,
    payload_findings,
    requests,
    values,
)

PERMIT_ALL = '@id("permit-all")\npermit (principal, action, resource);\n'

NAMESPACES = {
    "schema.cedarschema": """
        namespace Hospital {
          entity Team in [Team];
          entity Agent in [Team] { name: String, team?: Team, boss?: Staff::Person };
          entity Ward { beds: Long, staff: Set<Staff::Person> };
          type Approval = { granted: Bool, reviewers: Set<Agent>, groups?: Set<Team> };
          action "admit" appliesTo {
            principal: [Agent, Staff::Person],
            resource: [Ward],
            context: { beds: Long, note?: String, approval?: Approval },
          };
        }
        namespace Staff {
          entity Person in [Hospital::Team] { level: Long, "full name"?: String };
          action "page patient" appliesTo {
            principal: [Person], resource: [Hospital::Ward], context: {},
          };
        }
    """,
    "policies.cedar": PERMIT_ALL
    + """
        @id("many-beds-need-leads")
        @approval("Hospital::Team::\\"leads\\"")
        forbid (principal, action == Hospital::Action::"admit", resource)
        when { context.beds > 3 }
        unless { context has approval && context.approval.granted };

        @id("leads-admit")
        permit (principal in Hospital::Team::"leads", action, resource);
    """,
    # `new-0` is the first id the generator invents, and `new-1` a parent
    # entities.json mentions without defining: fresh uids must avoid both.
    "entities.json": [
        {"uid": {"type": "Hospital::Team", "id": "new-0"}, "attrs": {}, "parents": []},
        {"uid": {"type": "Hospital::Team", "id": "leads"}, "attrs": {}, "parents": []},
        {
            "uid": {"type": "Hospital::Agent", "id": "triage"},
            "attrs": {"name": "triage"},
            "parents": [{"type": "Hospital::Team", "id": "leads"}],
        },
        {
            "uid": {"type": "Staff::Person", "id": "new-0"},
            "attrs": {"level": 3},
            "parents": [{"type": "Hospital::Team", "id": "new-1"}],
        },
    ],
}

ENUMS_AND_TAGS = {
    "schema.cedarschema": """
        entity Role enum ["admin", "viewer"];
        @proctor_source("bundle")
        entity Group in [Group];
        entity User in [Role, Group] { name: String } tags String;
        entity Doc { owner: User, labels: Set<String>, roles: Set<Role> } tags Set<Long>;
        action view appliesTo {
          principal: [User], resource: [Doc, Role], context: { reason?: String, as?: Role },
        };
        action assume appliesTo { principal: [User], resource: [Role], context: {} };
    """,
    "policies.cedar": PERMIT_ALL
    + """
        @id("tagged-docs")
        permit (principal, action == Action::"view", resource is Doc)
        when { resource.hasTag("x") && resource.getTag("x").contains(1) };

        @id("admins")
        permit (principal in Role::"admin", action, resource)
        when { principal.hasTag("badge") && principal.getTag("badge") == "gold" };
    """,
    "entities.json": [
        {"uid": {"type": "Group", "id": "root"}, "attrs": {}, "parents": []},
        {
            "uid": {"type": "User", "id": "ann"},
            "attrs": {"name": "Ann"},
            "parents": [{"type": "Role", "id": "admin"}, {"type": "Group", "id": "root"}],
            "tags": {"badge": "gold"},
        },
    ],
}

EXTENSIONS = {
    "schema.cedarschema": """
        entity User { ip: ipaddr, balance: decimal, born: datetime, "weird name"?: duration };
        entity Doc {
          readers: Set<User>,
          meta: { created: datetime, ttl?: duration, tags: Set<String> },
        };
        type PayloadFindings = {
          phi_detected: Bool, phi_categories: Set<String>, finding_count: Long,
        };
        action read appliesTo {
          principal: [User],
          resource: [Doc],
          context: {
            from: ipaddr, amount: decimal, at: datetime, within: duration,
            cc: Set<User>, via?: Action, nested: { deep: Set<{ x: Long, "y z"?: Bool }> },
            payload?: PayloadFindings,
          },
        };
        action "scan doc" appliesTo {
          principal: [User], resource: [Doc], context: { payload: PayloadFindings },
        };
    """,
    "policies.cedar": PERMIT_ALL
    + """
        @id("local-reads")
        permit (principal, action == Action::"read", resource)
        when {
          context.from.isInRange(ip("10.0.0.0/8")) &&
          context.amount.lessThan(decimal("10.0")) &&
          context.at < datetime("2030-01-01") &&
          context.within <= duration("1h") &&
          context.cc.contains(principal)
        };

        @id("flagged-scans")
        permit (principal, action == Action::"scan doc", resource)
        when { context.payload.phi_detected && context.payload.finding_count > 2 };
    """,
}

ODD: dict[str, Mapping[str, object]] = {
    "namespaces": NAMESPACES,
    "enums_and_tags": ENUMS_AND_TAGS,
    "extensions": EXTENSIONS,
}


def write_bundle(root: Path, files: Mapping[str, object]) -> Path:
    root.mkdir(parents=True)
    for name, content in files.items():
        text = json.dumps(content) if isinstance(content, list) else textwrap.dedent(str(content))
        (root / name).write_text(text)
    return root


@pytest.fixture(scope="module")
def odd_bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Bundle]:
    tmp = tmp_path_factory.mktemp("odd")
    return {name: load_bundle(write_bundle(tmp / name, files)) for name, files in ODD.items()}


@pytest.fixture(scope="module")
def all_bundles(odd_bundles: dict[str, Bundle], example_bundle_dir: Path) -> dict[str, Bundle]:
    return {**odd_bundles, "example": load_bundle(example_bundle_dir)}


BUNDLE_NAMES = [*ODD, "example"]
FIRST = settings(database=None, phases=[Phase.generate])  # `find` without shrinking


def schema_types(model: SchemaModel) -> Iterator[tuple[str, CedarType]]:
    """Every type a schema declares, named, with the entity types it references."""
    for name, declared in sorted(model.entity_types.items()):
        yield f"{name} attrs", declared.shape
        if declared.tags is not None:
            yield f"{name} tags", declared.tags
        yield f"{name} ref", EntityType(name)
    for uid, action in sorted(model.actions.items()):
        yield f"{uid} context", action.context


# --- values ------------------------------------------------------------------


@pytest.mark.parametrize("name", BUNDLE_NAMES)
@settings(max_examples=40)
@given(data=st.data())
def test_values_validate_against_their_type(data, name, all_bundles):
    model = all_bundles[name].model
    label, t = data.draw(st.sampled_from(list(schema_types(model))), label="type")
    value = data.draw(values(t, model, literals=bundle_literals(all_bundles[name])), label=label)
    assert validate_value(value, t, "v", model) == []
    json.dumps(value)  # plain JSON: no tuples, sets or floats sneak in


@settings(max_examples=60)
@given(data=st.data())
def test_entity_refs_use_the_ids_given(data, all_bundles):
    model = all_bundles["namespaces"].model
    t = SetType(EntityType("Hospital::Agent"))
    refs = data.draw(values(t, model, {"Hospital::Agent": ["a", "b"]}))
    assert {r["__entity"]["id"] for r in refs} <= {"a", "b"}
    roles = data.draw(values(EntityType("Role"), all_bundles["enums_and_tags"].model, {}))
    assert roles["__entity"]["id"] in ("admin", "viewer")


@settings(max_examples=60)
@given(findings=payload_findings())
def test_payload_findings_are_consistent(findings):
    count, categories = findings["finding_count"], findings["phi_categories"]
    assert findings["phi_detected"] == (count > 0) == bool(categories)
    assert set(categories) <= set(PHI_CATEGORIES) and count >= len(categories)


# --- entities ----------------------------------------------------------------


@pytest.mark.parametrize("name", BUNDLE_NAMES)
@settings(max_examples=40)
@given(data=st.data())
def test_entities_load_with_cedarpy(data, name, all_bundles):
    bundle = all_bundles[name]
    graph = data.draw(entities(bundle.model, max_size=6))
    uids = [(e["uid"]["type"], e["uid"]["id"]) for e in graph]
    assert len(uids) == len(set(uids))
    cedarpy.Entities.from_json_str(json.dumps(graph), bundle.schema)  # raises if invalid


@settings(max_examples=40)
@given(data=st.data())
def test_entities_include_what_is_asked_and_extend_base_entities(data, all_bundles):
    bundle = all_bundles["enums_and_tags"]
    existing = {"Group": ["root"], "User": ["ann"]}
    wanted = [EntityUid("User", "u1"), EntityUid("Doc", "d1"), EntityUid("Role", "admin")]
    sealed = data.draw(st.booleans(), label="bundle_only")
    graph = data.draw(
        entities(
            bundle.model,
            existing,
            pool={"User": ["ann", "u2"]},
            include=wanted,
            bundle_only=bundle.bundle_only_types if sealed else (),
        )
    )
    uids = [(e["uid"]["type"], e["uid"]["id"]) for e in graph]
    # Included entities come last (enum entities need no data); `ann` exists already.
    assert uids[-2:] == [("User", "u1"), ("Doc", "d1")]
    assert ("User", "ann") not in uids
    if sealed:
        assert all(p["type"] != "Group" for e in graph for p in e["parents"])
        assert all(t != "Group" for t, _ in uids)
    bundle.entities.with_added_json_str(json.dumps(graph), bundle.schema)


# --- requests ----------------------------------------------------------------


@pytest.fixture(scope="module")
def any_request(all_bundles: dict[str, Bundle]) -> dict[tuple[str, bool], st.SearchStrategy]:
    """requests() per bundle and base_entities, built once (building reads entities.json)."""
    return {
        (name, base): requests(bundle, base_entities=base)
        for name, bundle in all_bundles.items()
        for base in (True, False)
    }


@pytest.mark.parametrize("name", BUNDLE_NAMES)
@pytest.mark.parametrize("base", [True, False], ids=["base", "fresh-only"])
@settings(max_examples=60)
@given(data=st.data())
def test_every_generated_request_is_accepted(data, name, base, all_bundles, any_request):
    bundle = all_bundles[name]
    request = data.draw(any_request[name, base])
    action = bundle.model.actions[ActionUid(request.action.type, request.action.id)]
    assert request.principal.type in action.principal_types
    assert request.resource.type in action.resource_types
    assert not set(RESERVED_CONTEXT) & set(request.context)
    base_uids = {(e["uid"]["type"], e["uid"]["id"]) for e in load_base_entities(bundle)}
    fresh = {(e["uid"]["type"], e["uid"]["id"]) for e in request.entities}
    assert not fresh & base_uids
    parent_types = {p["type"] for e in request.entities for p in e["parents"]}
    assert not ({t for t, _ in fresh} | parent_types) & bundle.bundle_only_types
    if not base:
        assert (request.principal.type, request.principal.id) not in base_uids
    for granted in (False, True):
        outcome = decide(bundle, request, granted=granted)  # raises InvalidRequestError if not
        if name != "example":
            # The odd bundles permit everything and their conditions cannot
            # error, so anything but ALLOW (or an approval) means Cedar balked.
            assert outcome.decision in ("ALLOW", "NEEDS_APPROVAL"), outcome


@pytest.fixture(scope="module")
def scan_and_read(all_bundles: dict[str, Bundle]) -> st.SearchStrategy:
    bundle = all_bundles["extensions"]
    return st.tuples(requests(bundle, 'Action::"scan doc"'), requests(bundle, "read"))


@settings(max_examples=60)
@given(data=st.data())
def test_payload_findings_only_where_declared(data, scan_and_read, any_request):
    scan, read = data.draw(scan_and_read)
    assert scan.payload_findings is not None  # `payload` is required there
    if read.payload_findings is not None:
        assert set(read.payload_findings) == {"phi_detected", "phi_categories", "finding_count"}
    other = data.draw(any_request["enums_and_tags", True])
    assert other.payload_findings is None


def test_actions_can_be_named_in_several_ways(all_bundles):
    bundle = all_bundles["namespaces"]
    for form in (
        "admit",
        'Hospital::Action::"admit"',
        ActionUid("Hospital::Action", "admit"),
        EntityUid("Hospital::Action", "admit"),
    ):
        found = find(requests(bundle, form), lambda _: True, settings=FIRST)
        assert found.action == EntityUid("Hospital::Action", "admit")
    with pytest.raises(ValueError, match="not a requestable action"):
        requests(bundle, "discharge")
    with pytest.raises(ValueError, match="not a requestable action"):
        requests(all_bundles["example"], "ReadPHI")  # an action group


def test_the_odd_bundles_exercise_bundle_only_types(all_bundles):
    # Preconditions of the request properties above.
    assert all_bundles["enums_and_tags"].bundle_only_types == {"Group"}
    assert all_bundles["example"].bundle_only_types == {"Group", "User"}


def test_literals_come_from_policies_and_base_entities(all_bundles):
    lits = bundle_literals(all_bundles["example"])
    assert {
        "data-export",
        "oncology",
        "s3://hospital-research/",
        "s3://hospital-research/x",
    } <= set(lits.strings)
    assert "User" not in lits.strings  # entity references are not strings
    assert 10 in lits.longs
    assert ("Group", "engineering") in lits.uids


# --- the pytest plugin ---------------------------------------------------------


def run_pytest(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_plugin_fixtures_without_and_with_a_bundle(tmp_path: Path, example_bundle_dir: Path):
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    assert True\n")
    (tmp_path / "test_bundle.py").write_text(
        textwrap.dedent(
            """
            from hypothesis import given, settings, strategies as st
            from proctor.service.pytest_plugin import requests

            @settings(max_examples=5, database=None)
            @given(data=st.data())
            def test_delete(data, proctor_requests, proctor_decide, proctor_bundle):
                assert requests(proctor_bundle, "delete_repository") is not None
                request = data.draw(proctor_requests("delete_repository"))
                if request.principal.type == "Agent":
                    assert proctor_decide(request, granted=True).decision == "DENY"
            """
        )
    )
    # No policies/ here: tests that do not use the fixtures still pass.
    r = run_pytest(tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "1 passed" in r.stdout and "no policy bundle at" in r.stdout
    r = run_pytest(tmp_path, f"--proctor-bundle={example_bundle_dir}")
    assert r.returncode == 0, r.stdout + r.stderr
