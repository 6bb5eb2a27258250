import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetStatusResponse(_message.Message):
    __slots__ = ("bundle_version", "bundle_loaded_at", "access_policies", "masking_policies", "reloads", "reload_failures", "last_reload_error", "version", "instance_id", "evidence_written", "evidence_dropped", "evidence_write_failures", "evidence_export_failures", "evidence_healthy")
    BUNDLE_VERSION_FIELD_NUMBER: _ClassVar[int]
    BUNDLE_LOADED_AT_FIELD_NUMBER: _ClassVar[int]
    ACCESS_POLICIES_FIELD_NUMBER: _ClassVar[int]
    MASKING_POLICIES_FIELD_NUMBER: _ClassVar[int]
    RELOADS_FIELD_NUMBER: _ClassVar[int]
    RELOAD_FAILURES_FIELD_NUMBER: _ClassVar[int]
    LAST_RELOAD_ERROR_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_WRITTEN_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_DROPPED_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_WRITE_FAILURES_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_EXPORT_FAILURES_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_HEALTHY_FIELD_NUMBER: _ClassVar[int]
    bundle_version: str
    bundle_loaded_at: _timestamp_pb2.Timestamp
    access_policies: int
    masking_policies: int
    reloads: int
    reload_failures: int
    last_reload_error: str
    version: str
    instance_id: str
    evidence_written: int
    evidence_dropped: int
    evidence_write_failures: int
    evidence_export_failures: int
    evidence_healthy: bool
    def __init__(self, bundle_version: _Optional[str] = ..., bundle_loaded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., access_policies: _Optional[int] = ..., masking_policies: _Optional[int] = ..., reloads: _Optional[int] = ..., reload_failures: _Optional[int] = ..., last_reload_error: _Optional[str] = ..., version: _Optional[str] = ..., instance_id: _Optional[str] = ..., evidence_written: _Optional[int] = ..., evidence_dropped: _Optional[int] = ..., evidence_write_failures: _Optional[int] = ..., evidence_export_failures: _Optional[int] = ..., evidence_healthy: _Optional[bool] = ...) -> None: ...
