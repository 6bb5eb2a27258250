"""In-process cost of a Proctor decision, against raw cedarpy.

    python -m bench.authorize            # prints a Markdown report
    python -m bench.authorize --quick    # fewer iterations, for a smoke run

Two measurements, each the median of several repeats, interleaved so machine
noise hits both sides alike:

1. **Engine overhead.** ``proctor.service.engine.decide`` against
   ``cedarpy.is_authorized`` with pre-parsed ``PolicySet`` / ``Entities`` /
   ``Schema`` handles of the same bundle, on the same request. Proctor's number
   includes everything the engine does: the approval context, the
   would-it-be-allowed-if-approved answer, masking rules and their merge.
2. **Cost growth.** Bundles of 10, 200 and 2,000 policies over 50 actions in
   which the benchmarked action always has the same 10 relevant policies.
   Proctor slices policies by action, so its cost should stay flat; raw cedarpy
   evaluates the whole set.

gRPC throughput against Cerbos is ``bench/loadgen.py``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cedarpy

from proctor.service.bundle import Bundle, load_bundle
from proctor.service.engine import EntityUid, Request, decide

ROOT = Path(__file__).resolve().parent.parent


def per_call_us(fn: Callable[[], object], iterations: int, repeats: int) -> float:
    """Median over ``repeats`` of the mean µs per call over ``iterations``."""
    for _ in range(min(200, iterations)):
        fn()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(iterations):
            fn()
        samples.append((time.perf_counter() - t0) / iterations * 1e6)
    return statistics.median(samples)


def raw_handles(directory: Path) -> tuple[Any, Any, Any]:
    """The bundle as raw cedarpy would use it: one pre-parsed set of every policy."""
    schema = cedarpy.Schema.from_str((directory / "schema.cedarschema").read_text())
    text = "\n".join(p.read_text() for p in sorted(directory.rglob("*.cedar")))
    entities_path = directory / "entities.json"
    entities = cedarpy.Entities.from_json_str(
        entities_path.read_text() if entities_path.exists() else "[]", schema
    )
    return cedarpy.PolicySet.from_str(text), entities, schema


def compare(
    bundle: Bundle, directory: Path, request: Request, iterations: int, repeats: int
) -> dict[str, Any]:
    """Engine vs raw cedarpy on one request."""
    policies, entities, schema = raw_handles(directory)
    context = dict(request.context)
    if bundle.slices[_action(request)].approval is not None:
        context["approval"] = {"granted": False}  # the same context Cedar sees in Proctor
    raw_request = {
        "principal": request.principal.to_json(),
        "action": request.action.to_json(),
        "resource": request.resource.to_json(),
        "context": context,
    }
    delta = json.dumps(list(request.entities))

    def raw() -> Any:
        # Per-request entities cost raw cedarpy the same merge they cost Proctor.
        ents = entities.with_added_json_str(delta, schema) if request.entities else entities
        return cedarpy.is_authorized(raw_request, policies, ents, schema)

    raw_decision = raw().decision
    outcome = decide(bundle, request)
    engine_us, raw_us = [], []
    for _ in range(repeats):  # interleave the two sides
        engine_us.append(per_call_us(lambda: decide(bundle, request), iterations, 1))
        raw_us.append(per_call_us(raw, iterations, 1))
    e, r = statistics.median(engine_us), statistics.median(raw_us)
    return {
        "proctor": outcome.decision,
        "cedar": raw_decision.name,
        "engine_us": e,
        "raw_us": r,
        "ratio": e / r,
    }


def _action(request: Request) -> Any:
    from proctor.service.cedar_schema import ActionUid

    return ActionUid(request.action.type, request.action.id)


# --- synthetic bundles for cost growth -------------------------------------------

ACTIONS = 50
RELEVANT = 10

GROWTH_SCHEMA = """
entity Group;
entity User in [Group] { level: Long };
entity Doc { level: Long, owner: String };
type Approval = { granted: Bool };
""" + "".join(
    f"action act{i} appliesTo {{ principal: [User], resource: [Doc], "
    f"context: {{ amount: Long, approval?: Approval }} }};\n"
    for i in range(ACTIONS)
)


def _policy(i: int, action: int) -> str:
    scope = f'(principal, action == Action::"act{action}", resource)'
    kind = i % 5
    if kind == 0:
        return (
            f'@id("gate-{i}")\n@approval("Group::\\"g{i % 7}\\"")\n'
            f"forbid {scope} when {{ context.amount > {1000 + i} && resource.level > {i % 9} }} "
            "unless { context has approval && context.approval.granted };\n"
        )
    if kind == 1:
        return f'@id("forbid-{i}")\nforbid {scope} when {{ resource.owner == "quarantine-{i}" }};\n'
    return (
        f'@id("permit-{i}")\npermit {scope} when {{ principal.level >= {i % 4} && '
        f"resource.level <= {5 + i % 5} }};\n"
    )


def write_growth_bundle(directory: Path, total: int) -> None:
    """``total`` policies over 50 actions; ``act0`` always has exactly 10."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "schema.cedarschema").write_text(GROWTH_SCHEMA)
    lines = [_policy(i, 0) for i in range(RELEVANT)]
    lines += [_policy(i, 1 + (i % (ACTIONS - 1))) for i in range(RELEVANT, total)]
    (directory / "policies.cedar").write_text("\n".join(lines))


GROWTH_REQUEST = Request(
    principal=EntityUid("User", "u"),
    action=EntityUid("Action", "act0"),
    resource=EntityUid("Doc", "d"),
    context={"amount": 5000},
    entities=(),
)
GROWTH_ENTITIES = [
    {"uid": {"type": "User", "id": "u"}, "attrs": {"level": 3}, "parents": []},
    {"uid": {"type": "Doc", "id": "d"}, "attrs": {"level": 4, "owner": "ward-7"}, "parents": []},
]


def example_requests() -> dict[str, Request]:
    """The example bundle's scenarios used for the overhead ratio."""
    return {
        "export (NEEDS_APPROVAL)": Request(
            principal=EntityUid("Agent", "care-assistant"),
            action=EntityUid("Action", "export_patient_data"),
            resource=EntityUid("Dataset", "oncology-cohort-2026"),
            context={"rows": 120, "destination": "s3://hospital-research/cohort-2026"},
        ),
        "read record (ALLOW + masks)": Request(
            principal=EntityUid("Agent", "care-assistant"),
            action=EntityUid("Action", "read_patient_record"),
            resource=EntityUid("PatientRecord", "pr-1001"),
        ),
        "export, agent and dataset sent per request (NEEDS_APPROVAL)": Request(
            principal=EntityUid("Agent", "care-assistant-7"),
            action=EntityUid("Action", "export_patient_data"),
            resource=EntityUid("Dataset", "cohort-7"),
            context={"rows": 120, "destination": "s3://hospital-research/cohort-2026"},
            entities=(
                {
                    "uid": {"type": "Agent", "id": "care-assistant-7"},
                    "attrs": {
                        "model_id": "clinical-llm-2026-10",
                        "roles": ["clinical", "data-export", "messaging"],
                        "phi_clearance": False,
                        "on_behalf_of": {"__entity": {"type": "User", "id": "dr-lee"}},
                        "department": "oncology",
                    },
                    "parents": [],
                },
                {
                    "uid": {"type": "Dataset", "id": "cohort-7"},
                    "attrs": {"department": "oncology", "contains_phi": True},
                    "parents": [],
                },
            ),
        ),
        "delete repo (DENY)": Request(
            principal=EntityUid("Agent", "ops-bot"),
            action=EntityUid("Action", "delete_repository"),
            resource=EntityUid("Repository", "ehr-infra"),
        ),
    }


def main() -> None:
    """Run both measurements and print a Markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer iterations")
    args = parser.parse_args()
    iterations, repeats = (300, 3) if args.quick else (3000, 7)

    print(f"### In-process engine vs raw cedarpy ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n")
    print(
        f"Machine: {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}, cedarpy {_version('cedarpy')}. Command: "
        f"`python -m bench.authorize{' --quick' if args.quick else ''}`; "
        f"{iterations} calls x {repeats} interleaved repeats, medians.\n"
    )
    bundle_dir = ROOT / "policies"
    bundle = load_bundle(bundle_dir)
    print("| request (example bundle) | Proctor | Cedar | Proctor µs | raw cedarpy µs | ratio |")
    print("|---|---|---|---|---|---|")
    for name, req in example_requests().items():
        r = compare(bundle, bundle_dir, req, iterations, repeats)
        print(
            f"| {name} | {r['proctor']} | {r['cedar']} | {r['engine_us']:.1f} | "
            f"{r['raw_us']:.1f} | {r['ratio']:.2f}x |"
        )
    print(
        "\n| bundle size (50 actions, 10 relevant to the request) | Proctor µs | "
        "raw cedarpy µs | Proctor vs its 10-policy cost |"
    )
    print("|---|---|---|---|")
    base = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for total in (10, 200, 2000):
            d = Path(tmp) / str(total)
            write_growth_bundle(d, total)
            (d / "entities.json").write_text(json.dumps(GROWTH_ENTITIES))
            b = load_bundle(d)
            r = compare(b, d, GROWTH_REQUEST, iterations, repeats)
            base = base or r["engine_us"]
            print(
                f"| {total} | {r['engine_us']:.1f} | {r['raw_us']:.1f} | "
                f"{r['engine_us'] / base:.2f}x |"
            )


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


if __name__ == "__main__":
    main()
