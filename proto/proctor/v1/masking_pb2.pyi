from proctor.v1 import decision_pb2 as _decision_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MaskRequest(_message.Message):
    __slots__ = ("json", "text", "directives", "scope")
    JSON_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    DIRECTIVES_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    json: str
    text: str
    directives: _containers.RepeatedCompositeFieldContainer[_decision_pb2.MaskDirective]
    scope: str
    def __init__(self, json: _Optional[str] = ..., text: _Optional[str] = ..., directives: _Optional[_Iterable[_Union[_decision_pb2.MaskDirective, _Mapping]]] = ..., scope: _Optional[str] = ...) -> None: ...

class MaskResponse(_message.Message):
    __slots__ = ("json", "text", "masked_paths")
    JSON_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    MASKED_PATHS_FIELD_NUMBER: _ClassVar[int]
    json: str
    text: str
    masked_paths: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, json: _Optional[str] = ..., text: _Optional[str] = ..., masked_paths: _Optional[_Iterable[str]] = ...) -> None: ...

class RevealRequest(_message.Message):
    __slots__ = ("tokens", "scope", "approval_id")
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    APPROVAL_ID_FIELD_NUMBER: _ClassVar[int]
    tokens: _containers.RepeatedScalarFieldContainer[str]
    scope: str
    approval_id: str
    def __init__(self, tokens: _Optional[_Iterable[str]] = ..., scope: _Optional[str] = ..., approval_id: _Optional[str] = ...) -> None: ...

class RevealResponse(_message.Message):
    __slots__ = ("values",)
    class ValuesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.ScalarMap[str, str]
    def __init__(self, values: _Optional[_Mapping[str, str]] = ...) -> None: ...
