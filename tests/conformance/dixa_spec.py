"""Dixa's own OpenAPI document, and the test copy with its known defects worked around.

The document
------------
``dixa-openapi-subset.json`` is a byte-for-byte copy of the project's reference file
``dixa-api/openapi-subset.json`` (the ``shared`` folder beside the repository on the
development machines, which a fresh clone of this repository does not have; so it is vendored
here rather than skipped). That file is a verbatim subset of Dixa's generated OpenAPI 3.0.3
document for API v1: ``github.com/ktabori/dixa-mcp``, ``src/dixa-api.json``, commit
``a4cf3370f959d6bd2983d97d696bdd124552228b`` (2025-03-26); its ``info.x-subset-of`` says the
same. Never edit it: every deviation lives in ``conformance_copy`` below, in code, with the
reason next to it. ``test_spec_copy.py`` pins its hash.

The workarounds
---------------
Each one is a function here, and ``test_spec_copy.py`` proves each is needed: the verbatim
document rejects Dixa's own examples (or the mock's answers) for exactly that reason, and the
patched copy still rejects broken payloads. The numbers are those of the defect list in the
reference README (``dixa-api/README.md``).

1. ``discriminate_by_type``: defect 1. ``CustomAttributeInputDefinition`` is a ``oneOf`` of
   ``Select`` and ``Text`` whose properties are all optional, so every object matches both
   and strict JSON Schema rejects *every* input definition, Dixa's own example included
   ("valid under more than one"). Real payloads say which branch they are in ``_type``. The
   same defect, not in the README's list, hits ``Conversation`` (eleven conversation kinds,
   most with the same required fields) and ``ConversationLink``: Dixa's own conversation
   example fails on both. Each branch gets ``_type`` required and equal to the branch's
   title (``Select``, ``Text``, ``EmailConversation``, ``SideConversation`` ... exactly the
   values Dixa's examples carry), and the ``oneOf`` an OpenAPI ``discriminator``.
2. ``allow_zoned_timestamps``: not in the README's list. Definitions' ``createdAt`` and
   ``updatedAt`` are declared ``format: date-time`` (RFC 3339), but Dixa writes them as
   ``2023-01-01T08:23:54.246Z[GMT]`` (Java's ``ZonedDateTime``), in its own examples too.
   Those two fields get a pattern for RFC 3339 with an optional ``[zone]`` suffix instead;
   every other timestamp keeps ``format: date-time``.
3. ``document_missing_statuses``: defect 3. 401 is documented only on the PATCHes and the
   search, yet every operation answers 401 without a valid key; ``GET
   /custom-attributes/{id}`` documents no 404, yet answers one for an unknown id. Both are
   added with Dixa's own error schemas (``Unauthorized``, ``NotFound``).
4. ``allow_null_to_clear``: defect 6. The PATCH body's description says
   ``Map[UUID, Option[AttributeValue]]`` (``null`` clears) but the schema forbids ``null``.
   The client clears with ``null`` and the mock accepts it, so the body's values become
   nullable, and so does ``value`` in the PATCH *responses* (a cleared attribute is echoed as
   ``null``: the mock's choice; what Dixa echoes is unverified). GET responses stay strict:
   a cleared attribute is absent there.
5. ``at_base_path``: defect 2. Beta is not in the document; docs.dixa.io documents the same
   operations and bodies under ``/beta``, so the paths are rewritten for that run.

Out of scope: ``GET /v1/search/conversations`` is in the document but neither the client nor
the mock implements it (``NOT_SERVED``); it is dropped from the copy, and a test checks that
the mock serves every other operation.
"""

from __future__ import annotations

import copy
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).with_name("dixa-openapi-subset.json")
SPEC_SHA256 = "bf3b2f55915ce7ac6ba4daf915a79cc8d82e754ca5ceb7e05aa531ea99b4423a"
NOT_SERVED = {"getSearchConversations": "full-text search: neither the client nor the mock "
                                        "implements it"}
DOCUMENT_PREFIX = "/v1"
ZONED_DATE_TIME = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
                   r"(Z|[+-][0-9]{2}:[0-9]{2})(\[[A-Za-z0-9_/+-]+\])?$")
Spec = dict[str, Any]


@cache
def _verbatim_text() -> bytes:
    return SPEC_PATH.read_bytes()


def verbatim() -> Spec:
    """Dixa's document as it is (a fresh copy: callers may change it)."""
    spec: Spec = json.loads(_verbatim_text())
    return spec


def verbatim_sha256() -> str:
    return hashlib.sha256(_verbatim_text()).hexdigest()


def schemas(spec: Spec) -> dict[str, Any]:
    found: dict[str, Any] = spec["components"]["schemas"]
    return found


def operations(spec: Spec) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId -> (METHOD, path, operation)."""
    return {op["operationId"]: (method.upper(), path, op)
            for path, item in spec["paths"].items() for method, op in item.items()}


# -- the workarounds ---------------------------------------------------------------------


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def untagged_unions(spec: Spec) -> list[str]:
    """Schemas that are a ``oneOf`` of object schemas with neither a discriminator nor a
    property that tells the branches apart: the shape of defect 1."""
    found = []
    for name, schema in schemas(spec).items():
        branches = schema.get("oneOf") or []
        if len(branches) < 2 or "discriminator" in schema:
            continue
        if all("$ref" in b for b in branches):
            found.append(name)
    return found


def discriminate_by_type(spec: Spec) -> None:
    """Defect 1 (and the same defect on Conversation / ConversationLink): each branch of an
    untagged union must carry ``_type`` equal to its title, as Dixa's payloads do."""
    all_schemas = schemas(spec)
    for name in untagged_unions(spec):
        union = all_schemas[name]
        mapping = {}
        tagged = []
        for branch in union["oneOf"]:
            target = all_schemas[_ref_name(branch["$ref"])]
            tag = target["title"]
            mapping[tag] = branch["$ref"]
            tagged.append({"allOf": [branch, {
                "type": "object", "required": ["_type"],
                "properties": {"_type": {"type": "string", "enum": [tag]}}}]})
        union["oneOf"] = tagged
        union["discriminator"] = {"propertyName": "_type", "mapping": mapping}


def allow_zoned_timestamps(spec: Spec) -> None:
    """Definitions' timestamps end in ``Z[GMT]`` (Dixa's own example does): not RFC 3339."""
    properties = schemas(spec)["CustomAttributeDefinition"]["properties"]
    for field in ("createdAt", "updatedAt"):
        assert properties[field] == {"type": "string", "format": "date-time"}, field
        properties[field] = {"type": "string", "pattern": ZONED_DATE_TIME}


def _error_response(description: str, schema: str, message: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema}"},
        "example": {"message": message}}}}


def document_missing_statuses(spec: Spec) -> None:
    """Defect 3: 401 on every operation, 404 on GET /custom-attributes/{id}."""
    unauthorized = _error_response(
        "The API key is missing or not valid (added by the test copy: defect 3)",
        "Unauthorized", "User is unauthorized to perform an underlying operation")
    for _, _, op in operations(spec).values():
        op["responses"].setdefault("401", copy.deepcopy(unauthorized))
    _, _, get_one = operations(spec)["getCustom-attributesCustomattributeid"]
    assert "404" not in get_one["responses"]
    get_one["responses"]["404"] = _error_response(
        "No custom attribute has this id (added by the test copy: defect 3)", "NotFound",
        "The requested resource could not be found")


def allow_null_to_clear(spec: Spec) -> None:
    """Defect 6: ``null`` clears a value in a PATCH body, and comes back as ``null``."""
    all_schemas = schemas(spec)
    value = all_schemas["Map_UUID_Option_AttributeValue"]["additionalProperties"]
    value["nullable"] = True
    cleared = copy.deepcopy(all_schemas["CustomAttribute"])
    cleared["title"] = "PatchedCustomAttribute"
    cleared["properties"]["value"]["nullable"] = True
    all_schemas["PatchedCustomAttribute"] = cleared
    for output in ("PatchEndUserCustomAttributesOutput", "PatchConversationCustomAttributesOutput"):
        items = all_schemas[output]["properties"]["data"]["items"]
        assert items == {"$ref": "#/components/schemas/CustomAttribute"}, output
        all_schemas[output]["properties"]["data"]["items"] = {
            "$ref": "#/components/schemas/PatchedCustomAttribute"}


def at_base_path(spec: Spec, prefix: str) -> None:
    """Defect 2: the same operations under another prefix (``/beta``)."""
    if prefix == DOCUMENT_PREFIX:
        return
    spec["paths"] = {prefix + path.removeprefix(DOCUMENT_PREFIX): item
                     for path, item in spec["paths"].items()}


def drop_not_served(spec: Spec) -> None:
    for op_id in NOT_SERVED:
        method, path, _ = operations(spec)[op_id]
        del spec["paths"][path][method.lower()]
        if not spec["paths"][path]:
            del spec["paths"][path]


WORKAROUNDS = (discriminate_by_type, allow_zoned_timestamps, document_missing_statuses,
               allow_null_to_clear)


def conformance_copy(prefix: str = DOCUMENT_PREFIX, *, skip: tuple[Any, ...] = ()) -> Spec:
    """The document with every workaround above applied (except those in ``skip``), the
    operations the mock does not serve dropped, and the paths under ``prefix``."""
    spec = verbatim()
    for workaround in WORKAROUNDS:
        if workaround not in skip:
            workaround(spec)
    drop_not_served(spec)
    at_base_path(spec, prefix)
    return spec


# -- validating payloads outside schemathesis --------------------------------------------


def _to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` as JSON Schema (the only 3.0-only keyword used here)."""
    if isinstance(node, list):
        return [_to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _to_json_schema(v) for k, v in node.items()
           if k not in ("nullable", "discriminator", "example")}
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def validator(spec: Spec, schema_name: str) -> Any:
    """A JSON Schema validator (formats checked) for ``components.schemas[schema_name]``."""
    import jsonschema_rs

    document = {"$ref": f"#/components/schemas/{schema_name}",
                "components": _to_json_schema(spec["components"])}
    return jsonschema_rs.Draft4Validator(document, validate_formats=True)


def errors(spec: Spec, schema_name: str, instance: Any) -> list[str]:
    """Every reason ``instance`` is not a valid ``schema_name``, with where it is."""
    return [f"{'/'.join(map(str, e.instance_path)) or '(root)'}: {e.message[:300]}"
            for e in validator(spec, schema_name).iter_errors(instance)]


def example(spec: Spec, op_id: str, status: str = "200") -> Any:
    _, _, op = operations(spec)[op_id]
    return op["responses"][status]["content"]["application/json"]["example"]


def response_schema(spec: Spec, op_id: str, status: str = "200") -> str:
    _, _, op = operations(spec)[op_id]
    return _ref_name(op["responses"][status]["content"]["application/json"]["schema"]["$ref"])


def request_schema(spec: Spec, op_id: str) -> str:
    _, _, op = operations(spec)[op_id]
    return _ref_name(op["requestBody"]["content"]["application/json"]["schema"]["$ref"])
