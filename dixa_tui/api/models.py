"""Pydantic models of the Dixa schemas this product uses.

Parsing is deliberately forgiving where Dixa's data may drift (unknown fields are kept, an
unknown ``inputDefinition._type`` becomes a read-only kind, ``null`` where a string is
expected becomes an empty string) and strict where our logic depends on it (ids, option
trees). Models dump back to Dixa's own JSON shape with ``to_dixa()``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    Tag,
    TypeAdapter,
    ValidationError,
)
from pydantic.alias_generators import to_camel

from dixa_tui.api.errors import DixaResponseError
from dixa_tui.api.gcpause import gc_paused
from dixa_tui.api.rows import zone_stripped

EntityType = Literal["Contact", "Conversation"]
AttributeValue = str | list[str]


class _Stamp(datetime):
    """A datetime that remembers the text Dixa sent, so dumping gives back exactly that."""

    source: str

    def __reduce_ex__(self, protocol: Any) -> Any:  # copies and pickles keep the text
        return (_stamp, (datetime.fromisoformat(self.isoformat()), self.source))


def _stamp(moment: datetime, source: str) -> _Stamp:
    stamp = _Stamp(moment.year, moment.month, moment.day, moment.hour, moment.minute,
                   moment.second, moment.microsecond, moment.tzinfo)
    stamp.source = source
    return stamp


def _parse_timestamp(value: Any) -> Any:
    """Dixa writes timestamps like ``2023-03-14T09:12:41.118Z[GMT]``: drop the zone name
    to parse, keep the text to write it back unchanged."""
    if not isinstance(value, str):
        return value
    text = zone_stripped(value)  # the one rule, shared with the list rows' check
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text  # pydantic's own parser gets the last word (and the error message)
    return _stamp(moment, value)


def _iso_z(moment: datetime) -> str:
    """``2024-05-21T07:44:10.06Z``: UTC, the fraction without trailing zeros (as Dixa does)."""
    source = getattr(moment, "source", None)
    if isinstance(source, str) and source.endswith("Z"):
        return source
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def _gmt(moment: datetime) -> str:
    """Definitions carry the zone name too: ``2024-05-21T07:44:10.06Z[GMT]``."""
    source = getattr(moment, "source", None)
    if isinstance(source, str) and source.endswith("Z[GMT]"):
        return source
    return _iso_z(moment) + "[GMT]"


def _none_to_empty(value: Any) -> Any:
    return "" if value is None else value


Timestamp = Annotated[datetime, BeforeValidator(_parse_timestamp),
                      PlainSerializer(_iso_z, when_used="json")]
GmtTimestamp = Annotated[datetime, BeforeValidator(_parse_timestamp),
                         PlainSerializer(_gmt, when_used="json")]
LooseStr = Annotated[str, BeforeValidator(_none_to_empty)]


class DixaModel(BaseModel):
    """Base: camelCase on the wire, snake_case in Python, unknown fields kept."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="allow", frozen=True
    )

    def to_dixa(self) -> dict[str, Any]:
        """Dixa's own JSON shape: camelCase keys; absent optional fields stay absent."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class SelectOption(DixaModel):
    id: str
    label: LooseStr = ""
    value: LooseStr
    is_deactivated: bool = False
    order_index: int = 0
    nested_options: list[SelectOption] = Field(default_factory=list)


class TextInput(DixaModel):
    kind: Literal["Text"] = Field("Text", alias="_type")
    placeholder: str | None = None


class SelectInput(DixaModel):
    kind: Literal["Select"] = Field("Select", alias="_type")
    options: list[SelectOption] = Field(default_factory=list)


class UnknownInput(DixaModel):
    """An input type this version does not know (Dixa may add some): shown, never edited."""

    kind: str = Field("", alias="_type")


def _input_kind(value: Any) -> str:
    if isinstance(value, BaseModel):
        value = value.model_dump(by_alias=True)
    if not isinstance(value, dict):
        return "Unknown"
    kind = value.get("_type")
    if kind == "Text" or kind == "Select":
        return str(kind)
    if kind is None and "options" in value:
        return "Select"
    if kind is None and "placeholder" in value:
        return "Text"
    return "Unknown"


InputDefinition = Annotated[
    Annotated[TextInput, Tag("Text")]
    | Annotated[SelectInput, Tag("Select")]
    | Annotated[UnknownInput, Tag("Unknown")],
    Discriminator(_input_kind),
]


class CustomAttributeDefinition(DixaModel):
    id: str
    entity_type: str
    identifier: LooseStr = ""
    label: LooseStr = ""
    input_definition: InputDefinition
    description: str | None = None
    created_at: GmtTimestamp | None = None
    updated_at: GmtTimestamp | None = None
    is_required: bool = False
    is_archived: bool = False
    is_deactivated: bool = False

    @property
    def input_type(self) -> str:
        """``Text``, ``Select``, or the unknown ``_type`` Dixa sent."""
        return self.input_definition.kind or "Unknown"

    @property
    def is_editable_type(self) -> bool:
        return not isinstance(self.input_definition, UnknownInput)

    @property
    def options(self) -> list[SelectOption]:
        """A Select's option tree; ``[]`` for every other type. An input type this version
        does not know keeps its fields as sent, so its "options" (of any shape) never count."""
        spec = self.input_definition
        return spec.options if isinstance(spec, SelectInput) else []


class CustomAttribute(DixaModel):
    """One attribute value on an end user or a conversation."""

    id: str
    name: LooseStr = ""
    identifier: LooseStr = ""
    value: AttributeValue | None = None

    def to_dixa(self) -> dict[str, Any]:
        """A cleared value is ``null``, not absent."""
        return {**super().to_dixa(), "value": self.value}


class EndUser(DixaModel):
    id: str
    created_at: Timestamp | None = None
    display_name: str | None = None
    email: str | None = None
    phone_number: str | None = None
    additional_emails: list[str] = Field(default_factory=list)
    additional_phone_numbers: list[str] = Field(default_factory=list)
    first_name: str | None = None
    last_name: str | None = None
    middle_names: list[str] = Field(default_factory=list)
    avatar_url: str | None = None
    external_id: str | None = None
    custom_attributes: list[CustomAttribute] = Field(default_factory=list)


class Conversation(DixaModel):
    """Any of Dixa's conversation kinds; the kind is in ``type`` (``_type`` on the wire)."""

    id: int
    requester_id: str | None = None
    channel: str | None = None
    created_at: Timestamp | None = None
    type: str | None = Field(None, alias="_type")
    direction: str | None = None
    state: str | None = None
    state_updated_at: Timestamp | None = None
    subject: str | None = None
    language: str | None = None
    custom_attributes: list[CustomAttribute] = Field(default_factory=list)


class PageMeta(DixaModel):
    previous: str | None = None
    next: str | None = None


class ErrorBody(DixaModel):
    message: str


class ListEnvelope(DixaModel):
    data: list[Any] = Field(default_factory=list)
    meta: PageMeta | None = None


_definitions: TypeAdapter[list[CustomAttributeDefinition]] = TypeAdapter(
    list[CustomAttributeDefinition])
_attributes: TypeAdapter[list[CustomAttribute]] = TypeAdapter(list[CustomAttribute])


def _fail(operation: str, exc: ValidationError) -> DixaResponseError:
    errors = exc.errors()
    where = ".".join(str(p) for p in errors[0]["loc"]) if errors else ""
    message = errors[0]["msg"] if errors else "invalid"
    if len(where) > 200:  # a deep place keeps its start and end; what was wrong survives
        where = f"{where[:80]}…{where[-80:]}"
    return DixaResponseError(
        operation, f"unexpected response shape at {where or 'body'}: {message}")


def parse_definitions(payload: Any, operation: str = "list definitions") -> list[
    CustomAttributeDefinition
]:
    """Definitions from a list of Dixa objects; raises DixaResponseError, nothing else."""
    try:
        with gc_paused():
            return _definitions.validate_python(payload)
    except ValidationError as exc:
        raise _fail(operation, exc) from None


def definitions_adapter() -> TypeAdapter[list[CustomAttributeDefinition]]:
    """The validator of a list of definitions (``api.salvage`` feeds it JSON directly)."""
    return _definitions


def parse_attributes(payload: Any, operation: str = "patch") -> list[CustomAttribute]:
    try:
        return _attributes.validate_python(payload)
    except ValidationError as exc:
        raise _fail(operation, exc) from None


M = TypeVar("M", bound=BaseModel)


def parse_model(model: type[M], payload: Any, operation: str) -> M:
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise _fail(operation, exc) from None


def definitions_json(definitions: list[CustomAttributeDefinition]) -> bytes:
    """The JSON list of ``definitions`` in Dixa's shape (each as ``to_dixa()`` gives it),
    encoded by pydantic-core in one pass without building the dicts first."""
    return _definitions.dump_json(definitions, by_alias=True, exclude_none=True)
