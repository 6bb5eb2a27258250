"""Server-neutral benchmark requests: one :class:`Scenario` becomes a Proctor
``AuthorizeRequest`` or a Cerbos ``CheckResourcesRequest`` with the same meaning.

Mapping (see ``loadgen.py``):

* Proctor gets the principal and the resource as per-request ``entities`` with
  their attributes; the humans an agent acts for, their groups and clusters come
  from the bundle's ``entities.json``. The request ``context`` is Cedar context;
  ``payload_text`` is the data an email would carry, which Proctor scans for PHI.
* Cerbos gets the same attributes as principal/resource ``attr``; entity
  references become plain ids; Cedar's ``principal is Agent`` is the principal
  attribute ``kind``; the context travels as resource attributes (Cerbos
  ``CheckResources`` has no request context); group memberships and PHI
  findings, which Proctor computes itself, are sent precomputed
  (``cerbos_principal_extra`` / ``cerbos_resource_extra``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ALLOW = "ALLOW"
DENY = "DENY"
NEEDS_APPROVAL = "NEEDS_APPROVAL"


@dataclass(frozen=True, slots=True)
class Ref:
    """A Cedar entity reference; Cerbos sees only its id."""

    type: str
    id: str


@dataclass(frozen=True, slots=True)
class Scenario:
    """One request, written once for both servers."""

    name: str
    principal_type: str
    principal_id: str
    roles: tuple[str, ...]
    principal_attrs: dict[str, Any]
    action: str
    resource_type: str
    resource_id: str
    resource_attrs: dict[str, Any]
    context: dict[str, Any]
    expected: str
    resource_parents: tuple[Ref, ...] = ()
    payload_text: str | None = None
    cerbos_principal_extra: dict[str, Any] = field(default_factory=dict)
    cerbos_resource_extra: dict[str, Any] = field(default_factory=dict)

    def cerbos_principal_attrs(self) -> dict[str, Any]:
        # Cerbos has first-class roles; the Cedar attribute `roles` is not repeated.
        cedar = {k: v for k, v in self.principal_attrs.items() if k != "roles"}
        attrs = {"kind": self.principal_type, **_plain(cedar)}
        attrs.update(self.cerbos_principal_extra)
        return attrs

    def cerbos_resource_attrs(self) -> dict[str, Any]:
        clash = set(self.resource_attrs) & set(self.context)
        if clash:
            raise ValueError(f"{self.name}: context and resource share attributes {clash}")
        attrs = {**_plain(self.resource_attrs), **_plain(self.context)}
        attrs.update(self.cerbos_resource_extra)
        return attrs


def _plain(value: Any) -> Any:
    """Cedar-ish Python value -> JSON value for Cerbos (refs become ids)."""
    if isinstance(value, Ref):
        return value.id
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


# PHI the email scenario carries: a name with a date of birth, an SSN and an MRN.
PHI_EMAIL = (
    "Hi team, follow-up for patient Maria Gonzalez (DOB 03/14/1962, MRN 00482913, "
    "SSN 512-44-3921): the biopsy results are attached, please call 617-555-0142."
)


def _care_agent(k: int) -> dict[str, Any]:
    return {
        "principal_type": "Agent",
        "principal_id": f"care-assistant-{k:03d}",
        "roles": ("clinical", "data-export", "messaging"),
        "principal_attrs": {
            "model_id": "clinical-llm-2026-10",
            "roles": ["clinical", "data-export", "messaging"],
            "phi_clearance": False,
            "on_behalf_of": Ref("User", "dr-lee"),
            "department": "oncology",
        },
        "cerbos_principal_extra": {"groups": []},
    }


def _ops_agent(k: int) -> dict[str, Any]:
    return {
        "principal_type": "Agent",
        "principal_id": f"ops-bot-{k:03d}",
        "roles": ("it-ops", "sre", "platform"),
        "principal_attrs": {
            "model_id": "ops-llm-2026-10",
            "roles": ["it-ops", "sre", "platform"],
            "phi_clearance": False,
            "on_behalf_of": Ref("User", "olivia"),
        },
        "cerbos_principal_extra": {"groups": []},
    }


def example_mix(variants: int = 1, email_payload: bool = True) -> list[Scenario]:
    """The example bundle's scenarios, ``variants`` copies with distinct ids.

    Eight requests per variant: the seven of the brief (read a patient record,
    export PHI, reset a privileged password, scale past 10 replicas, delete a
    repository, change IAM, email PHI outside) and one plain export. Without
    ``email_payload`` the email carries no payload: nothing is scanned and the
    bundle treats it as carrying PHI (fail closed), so the answer is the same,
    for Proctor builds that cannot scan payloads yet.
    """
    mix: list[Scenario] = []
    for k in range(variants):
        care = _care_agent(k)
        ops = _ops_agent(k)
        mix += [
            Scenario(
                name=f"read-patient-record-{k}",
                **care,
                action="read_patient_record",
                resource_type="PatientRecord",
                resource_id=f"pr-{1000 + k}",
                resource_attrs={"department": "oncology"},
                context={"purpose": "treatment"},
                expected=ALLOW,
            ),
            Scenario(
                name=f"export-phi-dataset-{k}",
                **care,
                action="export_patient_data",
                resource_type="Dataset",
                resource_id=f"oncology-cohort-{2026 + k}",
                resource_attrs={"department": "oncology", "contains_phi": True},
                context={"rows": 5000 + k, "destination": "s3://hospital-research/cohorts"},
                expected=NEEDS_APPROVAL,
            ),
            Scenario(
                name=f"export-aggregates-{k}",
                **care,
                action="export_patient_data",
                resource_type="Dataset",
                resource_id=f"oncology-aggregates-{k}",
                resource_attrs={"department": "oncology", "contains_phi": False},
                context={"rows": 120 + k, "destination": "s3://hospital-reports/oncology"},
                expected=ALLOW,
            ),
            Scenario(
                name=f"reset-admin-password-{k}",
                **ops,
                action="reset_admin_password",
                resource_type="Account",
                resource_id=f"domain-admin-{k}",
                resource_attrs={"privileged": True},
                context={},
                expected=NEEDS_APPROVAL,
            ),
            Scenario(
                name=f"scale-deployment-{k}",
                **ops,
                action="scale_deployment",
                resource_type="Deployment",
                resource_id=f"ehr-api-{k}",
                resource_attrs={"environment": "production"},
                resource_parents=(Ref("Cluster", "prod"),),
                context={"replicas": 25 + k},
                expected=NEEDS_APPROVAL,
            ),
            Scenario(
                name=f"delete-repository-{k}",
                **ops,
                action="delete_repository",
                resource_type="Repository",
                resource_id=f"ehr-infra-{k}",
                resource_attrs={"visibility": "private"},
                context={},
                expected=DENY,
            ),
            Scenario(
                name=f"change-iam-{k}",
                **ops,
                action="change_iam",
                resource_type="IamRole",
                resource_id=f"billing-reader-{k}",
                resource_attrs={"privileged": False},
                context={"change": "attach-policy"},
                expected=NEEDS_APPROVAL,
            ),
            _phi_email(k, care) if email_payload else _plain_email(k, care),
        ]
    return mix


def _plain_email(k: int, care: dict[str, Any]) -> Scenario:
    return Scenario(
        name=f"send-unscanned-email-{k}",
        **care,
        action="send_email",
        resource_type="Mailbox",
        resource_id=f"outbound-{k}",
        resource_attrs={},
        context={"external_recipients": 2 + k},
        expected=NEEDS_APPROVAL,
    )


def _phi_email(k: int, care: dict[str, Any]) -> Scenario:
    return Scenario(
        name=f"send-phi-email-{k}",
        **care,
        action="send_email",
        resource_type="Mailbox",
        resource_id=f"outbound-{k}",
        resource_attrs={},
        context={"external_recipients": 2 + k},
        payload_text=PHI_EMAIL,
        # What Proctor's scanner finds in PHI_EMAIL; a Cerbos client
        # must scan and send it.
        cerbos_resource_extra={
            "payload": {
                "phi_detected": True,
                "phi_categories": ["NAME", "DATE", "MRN", "SSN", "PHONE"],
                "finding_count": 5,
            }
        },
        expected=NEEDS_APPROVAL,
    )
