"""The 2,000-policy benchmark bundle as data, shared by its two renderings.

``gen_large_bundle.py`` writes it as Cedar for Proctor, ``cerbos/gen_large.py``
as Cerbos resource policies; both read the same :func:`rules`, so the logic is
the same on both sides. 10 resource kinds x 5 verbs = 50 actions, 40 policies
per action:

* 24 role permits: an agent with a role, of the resource's department, up to a
  sensitivity;
* 4 team permits: the human the agent acts for is in the team that owns the
  resource (a group membership Proctor reads from ``entities.json``; Cerbos gets
  the human's groups as a principal attribute);
* 10 approval gates: sensitivity at or above a level and an amount above a
  threshold need a team's approval;
* 2 hard forbids: a quarantined environment or a public channel.

:func:`decide` applies Proctor's decision rule to the same data, so the request
mix has known answers that both servers must give.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Literal

from bench.scenarios import ALLOW, DENY, NEEDS_APPROVAL, Ref, Scenario

KINDS = (
    "Ticket",
    "Invoice",
    "Report",
    "Pipeline",
    "Secret",
    "Bucket",
    "Notebook",
    "Model",
    "Dashboard",
    "Queue",
)
VERBS = ("read", "update", "delete", "export", "share")
ROLES = tuple(f"role-{i:02d}" for i in range(30))
TEAMS = tuple(f"team-{i:02d}" for i in range(20))
DEPARTMENTS = tuple(f"dept-{i}" for i in range(10))
USERS = tuple(f"user-{i:03d}" for i in range(40))
ENVIRONMENTS = ("production", "staging", "development")
CHANNELS = ("api", "batch", "console")
AMOUNT_THRESHOLDS = (100, 1_000, 10_000, 100_000)
SEED = 2000

Kind = Literal["role_permit", "team_permit", "gate", "forbid_env", "forbid_channel"]


@dataclass(frozen=True, slots=True)
class Rule:
    """One policy (Cedar) = one rule (Cerbos)."""

    id: str
    resource_kind: str
    action: str
    kind: Kind
    role: str = ""
    team: str = ""
    sensitivity: int = 0
    amount: int = 0
    value: str = ""

    @property
    def effect(self) -> str:
        return "permit" if self.kind.endswith("permit") else "forbid"


def action_id(kind: str, verb: str) -> str:
    return f"{kind.lower()}_{verb}"


def actions() -> list[tuple[str, str]]:
    """(resource kind, action id) for all 50 actions."""
    return [(kind, action_id(kind, verb)) for kind in KINDS for verb in VERBS]


def user_teams(user: str) -> tuple[str, ...]:
    """The two teams a user belongs to (entities.json on Proctor's side)."""
    i = int(user.split("-")[1])
    return tuple(sorted({TEAMS[i % len(TEAMS)], TEAMS[(i * 7 + 3) % len(TEAMS)]}))


def rules() -> list[Rule]:
    """All 2,000 rules, deterministic."""
    out: list[Rule] = []
    for kind, action in actions():
        rng = random.Random(f"{SEED}:{action}")
        for i in range(40):
            rid = f"{action}-{i:02d}"
            if i < 24:
                out.append(
                    Rule(
                        f"{rid}-role",
                        kind,
                        action,
                        "role_permit",
                        role=rng.choice(ROLES),
                        sensitivity=rng.randint(1, 4),
                    )
                )
            elif i < 28:
                out.append(Rule(f"{rid}-team", kind, action, "team_permit", team=rng.choice(TEAMS)))
            elif i < 38:
                out.append(
                    Rule(
                        f"{rid}-gate",
                        kind,
                        action,
                        "gate",
                        team=rng.choice(TEAMS),
                        sensitivity=rng.randint(3, 5),
                        amount=rng.choice(AMOUNT_THRESHOLDS),
                    )
                )
            elif i == 38:
                out.append(
                    Rule(
                        f"{rid}-quarantine",
                        kind,
                        action,
                        "forbid_env",
                        value=f"quarantine-{rng.randint(0, 9)}",
                    )
                )
            else:
                out.append(
                    Rule(
                        f"{rid}-public",
                        kind,
                        action,
                        "forbid_channel",
                        value=f"public-{rng.randint(0, 9)}",
                    )
                )
    return out


@dataclass(frozen=True, slots=True)
class Request:
    """The attributes one large-bundle request carries."""

    agent: str
    roles: tuple[str, ...]
    department: str
    on_behalf_of: str
    resource_kind: str
    action: str
    resource_id: str
    resource_department: str
    sensitivity: int
    owner: str
    environment: str
    amount: int
    channel: str


def matches(rule: Rule, req: Request) -> bool:
    """Whether a rule's condition holds for a request (no approval granted)."""
    if rule.action != req.action:
        return False
    if rule.kind == "role_permit":
        return (
            rule.role in req.roles
            and req.department == req.resource_department
            and req.sensitivity <= rule.sensitivity
        )
    if rule.kind == "team_permit":
        return rule.team in user_teams(req.on_behalf_of) and req.owner == rule.team
    if rule.kind == "gate":
        return req.sensitivity >= rule.sensitivity and req.amount > rule.amount
    if rule.kind == "forbid_env":
        return req.environment == rule.value
    return req.channel == rule.value


def decide(all_rules: list[Rule], req: Request) -> str:
    """Proctor's decision rule over the same data."""
    hit = [r for r in all_rules if matches(r, req)]
    if any(r.kind.startswith("forbid") for r in hit):
        return DENY
    if not any(r.effect == "permit" for r in hit):
        return DENY
    if any(r.kind == "gate" for r in hit):
        return NEEDS_APPROVAL
    return ALLOW


def _random_request(rng: random.Random, all_rules: list[Rule], n: int) -> Request:
    kind, action = rng.choice(actions())
    permits = [r for r in all_rules if r.action == action and r.kind == "role_permit"]
    # Give the agent one role that some permit of this action names, so
    # allowed answers are common, as they are in real traffic.
    roles = {rng.choice(permits).role, *rng.sample(ROLES, 2)}
    dept = rng.choice(DEPARTMENTS)
    return Request(
        agent=f"agent-{n:04d}",
        roles=tuple(sorted(roles)),
        department=dept,
        on_behalf_of=rng.choice(USERS),
        resource_kind=kind,
        action=action,
        resource_id=f"{kind.lower()}-{rng.randint(0, 99999):05d}",
        resource_department=dept if rng.random() < 0.85 else rng.choice(DEPARTMENTS),
        sensitivity=rng.randint(0, 5),
        owner=rng.choice(TEAMS),
        environment=rng.choice(ENVIRONMENTS)
        if rng.random() < 0.9
        else f"quarantine-{rng.randint(0, 9)}",
        amount=rng.choice((50, 500, 5_000, 50_000, 500_000)),
        channel=rng.choice(CHANNELS) if rng.random() < 0.9 else f"public-{rng.randint(0, 9)}",
    )


def scenario(req: Request, expected: str) -> Scenario:
    return Scenario(
        name=f"{req.action}-{req.agent}",
        principal_type="Agent",
        principal_id=req.agent,
        roles=req.roles,
        principal_attrs={
            "model_id": "ops-llm-2026-10",
            "roles": list(req.roles),
            "phi_clearance": False,
            "on_behalf_of": Ref("User", req.on_behalf_of),
            "department": req.department,
        },
        action=req.action,
        resource_type=req.resource_kind,
        resource_id=req.resource_id,
        resource_attrs={
            "department": req.resource_department,
            "sensitivity": req.sensitivity,
            "owner": req.owner,
            "environment": req.environment,
        },
        context={"amount": req.amount, "channel": req.channel},
        expected=expected,
        cerbos_principal_extra={"on_behalf_of_groups": list(user_teams(req.on_behalf_of))},
    )


# Per 8 requests: 4 allowed, 2 needing approval, 2 denied.
MIX_SHAPE = (ALLOW, NEEDS_APPROVAL, ALLOW, DENY, ALLOW, NEEDS_APPROVAL, ALLOW, DENY)


def large_mix(variants: int = 1) -> list[Scenario]:
    """``8 * variants`` distinct requests over distinct actions where possible."""
    all_rules = rules()
    rng = random.Random(SEED)
    wanted = list(MIX_SHAPE) * variants
    out: list[Scenario] = []
    used_actions: set[str] = set()
    n = 0
    for outcome in wanted:
        for _ in range(100_000):
            n += 1
            req = _random_request(rng, all_rules, n)
            if req.action in used_actions and len(used_actions) < len(actions()):
                continue
            if decide(all_rules, req) == outcome:
                used_actions.add(req.action)
                out.append(scenario(req, outcome))
                break
        else:
            raise RuntimeError(f"no request found with outcome {outcome}")
    return out


def describe() -> dict[str, Any]:
    all_rules = rules()
    counts: dict[str, int] = {}
    for r in all_rules:
        counts[r.kind] = counts.get(r.kind, 0) + 1
    return {"policies": len(all_rules), "actions": len(actions()), "by_kind": counts}
