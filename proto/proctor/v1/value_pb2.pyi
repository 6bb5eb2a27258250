from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EntityRef(_message.Message):
    __slots__ = ("type", "id")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    type: str
    id: str
    def __init__(self, type: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class Value(_message.Message):
    __slots__ = ("bool_value", "long_value", "string_value", "set_value", "record_value", "entity_value", "extension_value")
    BOOL_VALUE_FIELD_NUMBER: _ClassVar[int]
    LONG_VALUE_FIELD_NUMBER: _ClassVar[int]
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    SET_VALUE_FIELD_NUMBER: _ClassVar[int]
    RECORD_VALUE_FIELD_NUMBER: _ClassVar[int]
    ENTITY_VALUE_FIELD_NUMBER: _ClassVar[int]
    EXTENSION_VALUE_FIELD_NUMBER: _ClassVar[int]
    bool_value: bool
    long_value: int
    string_value: str
    set_value: ValueSet
    record_value: Record
    entity_value: EntityRef
    extension_value: ExtensionValue
    def __init__(self, bool_value: _Optional[bool] = ..., long_value: _Optional[int] = ..., string_value: _Optional[str] = ..., set_value: _Optional[_Union[ValueSet, _Mapping]] = ..., record_value: _Optional[_Union[Record, _Mapping]] = ..., entity_value: _Optional[_Union[EntityRef, _Mapping]] = ..., extension_value: _Optional[_Union[ExtensionValue, _Mapping]] = ...) -> None: ...

class ValueSet(_message.Message):
    __slots__ = ("values",)
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedCompositeFieldContainer[Value]
    def __init__(self, values: _Optional[_Iterable[_Union[Value, _Mapping]]] = ...) -> None: ...

class Record(_message.Message):
    __slots__ = ("attributes",)
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: Value
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[Value, _Mapping]] = ...) -> None: ...
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    attributes: _containers.MessageMap[str, Value]
    def __init__(self, attributes: _Optional[_Mapping[str, Value]] = ...) -> None: ...

class ExtensionValue(_message.Message):
    __slots__ = ("fn", "arg")
    FN_FIELD_NUMBER: _ClassVar[int]
    ARG_FIELD_NUMBER: _ClassVar[int]
    fn: str
    arg: str
    def __init__(self, fn: _Optional[str] = ..., arg: _Optional[str] = ...) -> None: ...

class Entity(_message.Message):
    __slots__ = ("uid", "attributes", "parents", "tags")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: Value
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[Value, _Mapping]] = ...) -> None: ...
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: Value
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[Value, _Mapping]] = ...) -> None: ...
    UID_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    PARENTS_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    uid: EntityRef
    attributes: _containers.MessageMap[str, Value]
    parents: _containers.RepeatedCompositeFieldContainer[EntityRef]
    tags: _containers.MessageMap[str, Value]
    def __init__(self, uid: _Optional[_Union[EntityRef, _Mapping]] = ..., attributes: _Optional[_Mapping[str, Value]] = ..., parents: _Optional[_Iterable[_Union[EntityRef, _Mapping]]] = ..., tags: _Optional[_Mapping[str, Value]] = ...) -> None: ...
