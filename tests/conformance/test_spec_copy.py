"""The vendored spec is Dixa's, unchanged, and every workaround in the test copy is needed.

For each workaround: the verbatim document rejects Dixa's own example (or a payload the
mock and Dixa send) for exactly the reason the workaround names, the test copy accepts it,
and the test copy still rejects a payload that is really wrong. So no workaround is wider
than its defect, and none can be dropped without a test failing.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from dixa_spec import (
    NOT_SERVED,
    SPEC_SHA256,
    allow_null_to_clear,
    allow_zoned_timestamps,
    conformance_copy,
    discriminate_by_type,
    document_missing_statuses,
    errors,
    example,
    operations,
    request_schema,
    response_schema,
    verbatim,
    verbatim_sha256,
)

from dixa_tui.mock.app import API_PREFIXES, OPERATIONS

REPO = Path(__file__).resolve().parents[2]
USER = "434ce9f5-14c8-4be1-a0a8-f755010deb9b"


def test_the_vendored_document_is_the_reference_file() -> None:
    assert verbatim_sha256() == SPEC_SHA256
    spec = verbatim()
    assert spec["openapi"] == "3.0.3"
    assert spec["info"]["x-subset-of"]["commit"] == "a4cf3370f959d6bd2983d97d696bdd124552228b"
    # Where the project keeps the reference data (beside a checkout on the development
    # machines); a fresh clone has no such folder, and then only the hash above is checked.
    shared = REPO.parent / "shared" / "dixa-api" / "openapi-subset.json"
    if shared.is_file():
        assert shared.read_bytes() == (REPO / "tests/conformance/dixa-openapi-subset.json"
                                       ).read_bytes()


def test_the_mock_serves_every_operation_of_the_copy_under_both_prefixes() -> None:
    def shape(method: str, path: str) -> tuple[str, str]:
        import re

        return method, re.sub(r"\{[^}]+\}", "{}", path)

    served = {shape(m, p) for m, p, _ in OPERATIONS}
    for prefix in API_PREFIXES:
        documented = {shape(m, p.removeprefix(prefix))
                      for m, p, _ in operations(conformance_copy(prefix)).values()}
        assert documented == served
    assert set(operations(verbatim())) - set(operations(conformance_copy())) == set(NOT_SERVED)


def test_defect_1_input_definitions_need_the_type_discriminator() -> None:
    spec, fixed = verbatim(), conformance_copy()
    listing = example(spec, "getCustom-attributes")
    found = errors(spec, "ListCustomAttributesDefinitionsOutput", listing)
    assert any("inputDefinition" in e and "more than one" in e for e in found)
    assert errors(fixed, "ListCustomAttributesDefinitionsOutput", listing) == []
    text = {"_type": "Text", "placeholder": "1234"}
    select = {"_type": "Select", "options": []}
    for good in (text, select):
        assert errors(fixed, "CustomAttributeInputDefinition", good) == []
    for bad in ({"placeholder": "1234"}, {"_type": "Number"}, {"_type": "Text", "placeholder": 5},
                {"_type": "Select", "options": [{"label": "no id"}]}):
        assert errors(fixed, "CustomAttributeInputDefinition", bad), bad


def test_the_same_defect_on_conversations_and_their_links() -> None:
    spec, fixed = verbatim(), conformance_copy()
    answer = example(spec, "getConversationsConversationid")
    assert errors(spec, "GetConversationOutput", answer)
    assert errors(fixed, "GetConversationOutput", answer) == []
    relabelled = copy.deepcopy(answer)
    relabelled["data"]["_type"] = "EmailConversation"  # lacks toEmail, fromEmail, ...
    assert errors(fixed, "GetConversationOutput", relabelled)
    relabelled["data"]["_type"] = "Carrier pigeon"
    assert errors(fixed, "GetConversationOutput", relabelled)


def test_definition_timestamps_carry_a_zone_name() -> None:
    spec = verbatim()
    discriminate_by_type(spec)  # only the timestamp problem is left
    single = example(spec, "getCustom-attributesCustomattributeid")
    found = errors(spec, "GetCustomAttributesDefinitionsOutput", single)
    assert found and all("date-time" in e and "Z[GMT]" in e for e in found)
    allow_zoned_timestamps(spec)
    assert errors(spec, "GetCustomAttributesDefinitionsOutput", single) == []
    for bad in ("yesterday", "2023-01-05 06:42:31", "2023-01-05T06:42:31.532Z[GMT"):
        broken = copy.deepcopy(single)
        broken["data"]["createdAt"] = bad
        assert errors(spec, "GetCustomAttributesDefinitionsOutput", broken), bad
    # End users' and conversations' timestamps keep the strict format.
    user = {"id": USER, "createdAt": "2020-12-16T09:41:43Z[GMT]"}
    assert errors(spec, "EndUser", user)


def test_defect_3_statuses_every_operation_answers() -> None:
    spec = verbatim()
    missing_401 = {op_id for op_id, (_, _, op) in operations(spec).items()
                   if "401" not in op["responses"]}
    assert missing_401 == {"getCustom-attributes", "getCustom-attributesCustomattributeid",
                           "getEndusers", "getEndusersUserid", "getEndusersUseridConversations",
                           "getConversationsConversationid"}
    document_missing_statuses(spec)
    for op_id in operations(spec):
        assert response_schema(spec, op_id, "401") == "Unauthorized", op_id
    assert response_schema(spec, "getCustom-attributesCustomattributeid", "404") == "NotFound"


def test_defect_6_null_clears_in_patch_bodies_only() -> None:
    spec = verbatim()
    body = {USER: None, "befae0d9-9679-42b9-af76-e76f64e28429": ["a", "b"]}
    name = request_schema(spec, "patchEndusersUseridCustom-attributes")
    assert any("null" in e for e in errors(spec, name, body))
    allow_null_to_clear(spec)
    assert errors(spec, name, body) == []
    for bad in ({USER: 5}, {USER: [None]}, {USER: {"value": "x"}}, {USER: [1, 2]}):
        assert errors(spec, name, bad), bad
    echoed = {"data": [{"id": USER, "name": "N", "identifier": "n", "value": None}]}
    for op_id in ("patchEndusersUseridCustom-attributes",
                  "patchConversationsConversationidCustom-attributes"):
        assert errors(spec, response_schema(spec, op_id), echoed) == []
    # Reads never show a cleared value as null: it is absent there.
    user = {"id": USER, "createdAt": "2020-12-16T09:41:43Z", "customAttributes":
            echoed["data"]}
    assert errors(spec, "EndUser", user)


@pytest.mark.parametrize("prefix", ["/v1", "/beta"])
def test_the_copy_keeps_dixas_operations_under_each_prefix(prefix: str) -> None:
    fixed = conformance_copy(prefix)
    assert all(path.startswith(prefix + "/") for path in fixed["paths"])
    original = operations(verbatim())
    for op_id, (method, path, _) in operations(fixed).items():
        assert (method, prefix + original[op_id][1].removeprefix("/v1")) == (method, path)
