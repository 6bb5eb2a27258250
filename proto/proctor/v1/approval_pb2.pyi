import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from proctor.v1 import decision_pb2 as _decision_pb2
from proctor.v1 import value_pb2 as _value_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReviewVerdict(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REVIEW_VERDICT_UNSPECIFIED: _ClassVar[ReviewVerdict]
    REVIEW_VERDICT_APPROVE: _ClassVar[ReviewVerdict]
    REVIEW_VERDICT_DENY: _ClassVar[ReviewVerdict]
REVIEW_VERDICT_UNSPECIFIED: ReviewVerdict
REVIEW_VERDICT_APPROVE: ReviewVerdict
REVIEW_VERDICT_DENY: ReviewVerdict

class Approval(_message.Message):
    __slots__ = ("id", "status", "principal", "action", "resource", "on_behalf_of", "decision_id", "bundle_version", "requirements", "reviews", "created_at", "expires_at", "decided_at", "review_context_json", "uses_remaining", "policy_ids")
    ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    ON_BEHALF_OF_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    BUNDLE_VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUIREMENTS_FIELD_NUMBER: _ClassVar[int]
    REVIEWS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    REVIEW_CONTEXT_JSON_FIELD_NUMBER: _ClassVar[int]
    USES_REMAINING_FIELD_NUMBER: _ClassVar[int]
    POLICY_IDS_FIELD_NUMBER: _ClassVar[int]
    id: str
    status: _decision_pb2.ApprovalStatus
    principal: _value_pb2.EntityRef
    action: _value_pb2.EntityRef
    resource: _value_pb2.EntityRef
    on_behalf_of: _value_pb2.EntityRef
    decision_id: str
    bundle_version: str
    requirements: _containers.RepeatedCompositeFieldContainer[_decision_pb2.ApprovalRequirement]
    reviews: _containers.RepeatedCompositeFieldContainer[Review]
    created_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    decided_at: _timestamp_pb2.Timestamp
    review_context_json: str
    uses_remaining: int
    policy_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., status: _Optional[_Union[_decision_pb2.ApprovalStatus, str]] = ..., principal: _Optional[_Union[_value_pb2.EntityRef, _Mapping]] = ..., action: _Optional[_Union[_value_pb2.EntityRef, _Mapping]] = ..., resource: _Optional[_Union[_value_pb2.EntityRef, _Mapping]] = ..., on_behalf_of: _Optional[_Union[_value_pb2.EntityRef, _Mapping]] = ..., decision_id: _Optional[str] = ..., bundle_version: _Optional[str] = ..., requirements: _Optional[_Iterable[_Union[_decision_pb2.ApprovalRequirement, _Mapping]]] = ..., reviews: _Optional[_Iterable[_Union[Review, _Mapping]]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., review_context_json: _Optional[str] = ..., uses_remaining: _Optional[int] = ..., policy_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class Review(_message.Message):
    __slots__ = ("reviewer", "verdict", "reason", "reviewed_at", "groups")
    REVIEWER_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REVIEWED_AT_FIELD_NUMBER: _ClassVar[int]
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    reviewer: _value_pb2.EntityRef
    verdict: ReviewVerdict
    reason: str
    reviewed_at: _timestamp_pb2.Timestamp
    groups: _containers.RepeatedCompositeFieldContainer[_value_pb2.EntityRef]
    def __init__(self, reviewer: _Optional[_Union[_value_pb2.EntityRef, _Mapping]] = ..., verdict: _Optional[_Union[ReviewVerdict, str]] = ..., reason: _Optional[str] = ..., reviewed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., groups: _Optional[_Iterable[_Union[_value_pb2.EntityRef, _Mapping]]] = ...) -> None: ...

class GetApprovalRequest(_message.Message):
    __slots__ = ("approval_id",)
    APPROVAL_ID_FIELD_NUMBER: _ClassVar[int]
    approval_id: str
    def __init__(self, approval_id: _Optional[str] = ...) -> None: ...

class GetApprovalResponse(_message.Message):
    __slots__ = ("approval",)
    APPROVAL_FIELD_NUMBER: _ClassVar[int]
    approval: Approval
    def __init__(self, approval: _Optional[_Union[Approval, _Mapping]] = ...) -> None: ...

class ListApprovalsRequest(_message.Message):
    __slots__ = ("status", "group", "principal", "action", "page_size", "page_token")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    status: _decision_pb2.ApprovalStatus
    group: _value_pb2.EntityRef
    principal: _value_pb2.EntityRef
    action: _value_pb2.EntityRef
    page_size: int
    page_token: str
    def __init__(self, status: _Optional[_Union[_decision_pb2.ApprovalStatus, str]] = ..., group: _Optional[_Union[_value_pb2.EntityRef, _Mapping]] = ..., principal: _Optional[_Union[_value_pb2.EntityRef, _Mapping]] = ..., action: _Optional[_Union[_value_pb2.EntityRef, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListApprovalsResponse(_message.Message):
    __slots__ = ("approvals", "next_page_token")
    APPROVALS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    approvals: _containers.RepeatedCompositeFieldContainer[Approval]
    next_page_token: str
    def __init__(self, approvals: _Optional[_Iterable[_Union[Approval, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ReviewRequest(_message.Message):
    __slots__ = ("approval_id", "verdict", "reason", "reviewer")
    APPROVAL_ID_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REVIEWER_FIELD_NUMBER: _ClassVar[int]
    approval_id: str
    verdict: ReviewVerdict
    reason: str
    reviewer: _value_pb2.EntityRef
    def __init__(self, approval_id: _Optional[str] = ..., verdict: _Optional[_Union[ReviewVerdict, str]] = ..., reason: _Optional[str] = ..., reviewer: _Optional[_Union[_value_pb2.EntityRef, _Mapping]] = ...) -> None: ...

class ReviewResponse(_message.Message):
    __slots__ = ("approval",)
    APPROVAL_FIELD_NUMBER: _ClassVar[int]
    approval: Approval
    def __init__(self, approval: _Optional[_Union[Approval, _Mapping]] = ...) -> None: ...

class WatchApprovalRequest(_message.Message):
    __slots__ = ("approval_id",)
    APPROVAL_ID_FIELD_NUMBER: _ClassVar[int]
    approval_id: str
    def __init__(self, approval_id: _Optional[str] = ...) -> None: ...

class WatchApprovalResponse(_message.Message):
    __slots__ = ("approval",)
    APPROVAL_FIELD_NUMBER: _ClassVar[int]
    approval: Approval
    def __init__(self, approval: _Optional[_Union[Approval, _Mapping]] = ...) -> None: ...
