import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from proctor.v1 import value_pb2 as _value_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Decision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DECISION_UNSPECIFIED: _ClassVar[Decision]
    DECISION_ALLOW: _ClassVar[Decision]
    DECISION_DENY: _ClassVar[Decision]
    DECISION_NEEDS_APPROVAL: _ClassVar[Decision]

class ApprovalStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    APPROVAL_STATUS_UNSPECIFIED: _ClassVar[ApprovalStatus]
    APPROVAL_STATUS_PENDING: _ClassVar[ApprovalStatus]
    APPROVAL_STATUS_APPROVED: _ClassVar[ApprovalStatus]
    APPROVAL_STATUS_DENIED: _ClassVar[ApprovalStatus]
    APPROVAL_STATUS_EXPIRED: _ClassVar[ApprovalStatus]
    APPROVAL_STATUS_CONSUMED: _ClassVar[ApprovalStatus]
DECISION_UNSPECIFIED: Decision
DECISION_ALLOW: Decision
DECISION_DENY: Decision
DECISION_NEEDS_APPROVAL: Decision
APPROVAL_STATUS_UNSPECIFIED: ApprovalStatus
APPROVAL_STATUS_PENDING: ApprovalStatus
APPROVAL_STATUS_APPROVED: ApprovalStatus
APPROVAL_STATUS_DENIED: ApprovalStatus
APPROVAL_STATUS_EXPIRED: ApprovalStatus
APPROVAL_STATUS_CONSUMED: ApprovalStatus

class AuthorizeRequest(_message.Message):
    __slots__ = ("principal", "action", "resource", "context", "entities", "approval_id", "payload")
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_ID_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    principal: _value_pb2.EntityRef
    action: _value_pb2.EntityRef
    resource: _value_pb2.EntityRef
    context: _value_pb2.Record
    entities: _containers.RepeatedCompositeFieldContainer[_value_pb2.Entity]
    approval_id: str
    payload: Payload
    def __init__(self, principal: _Optional[_Union[_value_pb2.EntityRef, _Mapping]] = ..., action: _Optional[_Union[_value_pb2.EntityRef, _Mapping]] = ..., resource: _Optional[_Union[_value_pb2.EntityRef, _Mapping]] = ..., context: _Optional[_Union[_value_pb2.Record, _Mapping]] = ..., entities: _Optional[_Iterable[_Union[_value_pb2.Entity, _Mapping]]] = ..., approval_id: _Optional[str] = ..., payload: _Optional[_Union[Payload, _Mapping]] = ...) -> None: ...

class Payload(_message.Message):
    __slots__ = ("json", "text")
    JSON_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    json: str
    text: str
    def __init__(self, json: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class AuthorizeResponse(_message.Message):
    __slots__ = ("decision", "decision_id", "policy_ids", "bundle_version", "masks", "approval", "reason")
    DECISION_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_IDS_FIELD_NUMBER: _ClassVar[int]
    BUNDLE_VERSION_FIELD_NUMBER: _ClassVar[int]
    MASKS_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    decision: Decision
    decision_id: str
    policy_ids: _containers.RepeatedScalarFieldContainer[str]
    bundle_version: str
    masks: _containers.RepeatedCompositeFieldContainer[MaskDirective]
    approval: ApprovalTicket
    reason: Reason
    def __init__(self, decision: _Optional[_Union[Decision, str]] = ..., decision_id: _Optional[str] = ..., policy_ids: _Optional[_Iterable[str]] = ..., bundle_version: _Optional[str] = ..., masks: _Optional[_Iterable[_Union[MaskDirective, _Mapping]]] = ..., approval: _Optional[_Union[ApprovalTicket, _Mapping]] = ..., reason: _Optional[_Union[Reason, _Mapping]] = ...) -> None: ...

class Reason(_message.Message):
    __slots__ = ("code", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: str
    message: str
    def __init__(self, code: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class MaskDirective(_message.Message):
    __slots__ = ("selector", "operator", "params", "rule_id")
    class ParamsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SELECTOR_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    selector: str
    operator: str
    params: _containers.ScalarMap[str, str]
    rule_id: str
    def __init__(self, selector: _Optional[str] = ..., operator: _Optional[str] = ..., params: _Optional[_Mapping[str, str]] = ..., rule_id: _Optional[str] = ...) -> None: ...

class ApprovalTicket(_message.Message):
    __slots__ = ("id", "status", "requirements", "expires_at", "retry_after")
    ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REQUIREMENTS_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    RETRY_AFTER_FIELD_NUMBER: _ClassVar[int]
    id: str
    status: ApprovalStatus
    requirements: _containers.RepeatedCompositeFieldContainer[ApprovalRequirement]
    expires_at: _timestamp_pb2.Timestamp
    retry_after: _duration_pb2.Duration
    def __init__(self, id: _Optional[str] = ..., status: _Optional[_Union[ApprovalStatus, str]] = ..., requirements: _Optional[_Iterable[_Union[ApprovalRequirement, _Mapping]]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., retry_after: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class ApprovalRequirement(_message.Message):
    __slots__ = ("group", "quorum", "policy_ids", "approvals")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    QUORUM_FIELD_NUMBER: _ClassVar[int]
    POLICY_IDS_FIELD_NUMBER: _ClassVar[int]
    APPROVALS_FIELD_NUMBER: _ClassVar[int]
    group: _value_pb2.EntityRef
    quorum: int
    policy_ids: _containers.RepeatedScalarFieldContainer[str]
    approvals: int
    def __init__(self, group: _Optional[_Union[_value_pb2.EntityRef, _Mapping]] = ..., quorum: _Optional[int] = ..., policy_ids: _Optional[_Iterable[str]] = ..., approvals: _Optional[int] = ...) -> None: ...

class AuthorizeBatchRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[AuthorizeRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[AuthorizeRequest, _Mapping]]] = ...) -> None: ...

class AuthorizeBatchResponse(_message.Message):
    __slots__ = ("responses",)
    RESPONSES_FIELD_NUMBER: _ClassVar[int]
    responses: _containers.RepeatedCompositeFieldContainer[AuthorizeResponse]
    def __init__(self, responses: _Optional[_Iterable[_Union[AuthorizeResponse, _Mapping]]] = ...) -> None: ...
