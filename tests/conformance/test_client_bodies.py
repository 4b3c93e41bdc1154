"""Every PATCH body the client sends validates against Dixa's request schema.

Bodies are built the way the CLI and the TUI build them (``dixa_tui.domain.patch`` from
staged edits), sent through ``DixaClient``, and taken off the wire at an httpx transport, so
what is checked is the bytes that leave the process. Bodies without a clear validate against
the *verbatim* document; a clear sends ``null``, which the document's schema forbids although
its description allows it (defect 6), so those validate against the test copy, and the
verbatim document rejects them for that reason only.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from dixa_spec import conformance_copy, errors, request_schema, response_schema, verbatim
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dixa_tui.api.client import DixaClient
from dixa_tui.api.models import CustomAttributeDefinition, SelectInput
from dixa_tui.domain.options import path_values, walk
from dixa_tui.domain.patch import StagedEdit, Target, TargetKind, build_patch
from dixa_tui.mock import DEMO_API_KEY, MockState, create_app
from dixa_tui.mock.demo import DEMO_CONVERSATION_ID, DEMO_END_USER_ID

OPERATION = {"enduser": "patchEndusersUseridCustom-attributes",
             "conversation": "patchConversationsConversationidCustom-attributes"}
TARGETS: dict[TargetKind, str] = {"enduser": DEMO_END_USER_ID,
                                  "conversation": str(DEMO_CONVERSATION_ID)}
VERBATIM = verbatim()
FIXED = conformance_copy()


class Recorder(httpx.AsyncBaseTransport):
    """Passes requests to ``inner`` and keeps each (request, response body) pair."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.exchanges: list[tuple[httpx.Request, Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        self.exchanges.append((request, json.loads(content) if content else None))
        return httpx.Response(response.status_code, headers=response.headers,
                              content=content)

    def patches(self) -> list[tuple[httpx.Request, Any]]:
        return [(r, body) for r, body in self.exchanges if r.method == "PATCH"]


def editable(state: MockState, kind: TargetKind) -> list[CustomAttributeDefinition]:
    entity = Target(kind, TARGETS[kind]).entity_type
    return [d for d in state.definitions if d.entity_type == entity and not d.is_archived
            and d.is_editable_type]


def valid_edit(definition: CustomAttributeDefinition, text: str) -> StagedEdit:
    """A value Dixa takes: ``text`` for a Text, the deepest active path for a Select."""
    spec = definition.input_definition
    if isinstance(spec, SelectInput):
        paths = [p for p in walk(spec.options) if not any(o.is_deactivated for o in p)]
        return StagedEdit(definition.identifier, path_values(max(paths, key=len)))
    return StagedEdit(definition.identifier, text)


async def send(kind: TargetKind, edits: list[StagedEdit], version: str = "v1",
               state: MockState | None = None) -> tuple[dict[str, Any], Recorder]:
    """Build the body from ``edits`` like the CLI and TUI do, and send it to the mock."""
    state = state or MockState.demo()
    recorder = Recorder(httpx.ASGITransport(app=create_app(state)))
    plan = build_patch(state.definitions, Target(kind, TARGETS[kind]), edits)
    assert not plan.errors, plan.errors
    async with DixaClient(DEMO_API_KEY, base_url="http://mock", api_version=version,  # type: ignore[arg-type]
                          transport=recorder, rate=0) as client:
        if kind == "enduser":
            await client.patch_end_user_attributes(TARGETS[kind], plan.body)
        else:
            await client.patch_conversation_attributes(int(TARGETS[kind]), plan.body)
    return plan.body, recorder


def wire_body(recorder: Recorder) -> tuple[Any, Any]:
    """The one PATCH's JSON body as sent, and the mock's answer."""
    (request, answer), = recorder.patches()
    assert request.headers["content-type"] == "application/json"
    return json.loads(request.content), answer


@pytest.mark.parametrize("version", ["v1", "beta"])
@pytest.mark.parametrize("kind", ["enduser", "conversation"])
async def test_every_attribute_set_at_once_conforms_to_the_verbatim_spec(
        kind: TargetKind, version: str) -> None:
    state = MockState.demo()
    edits = [valid_edit(d, f"Ünïcode \"quoted\" {d.identifier} 🌲") for d in editable(state, kind)]
    assert len(edits) > 10
    body, recorder = await send(kind, edits, version, state)
    sent, answer = wire_body(recorder)
    assert sent == body and len(sent) == len(edits)
    assert errors(VERBATIM, request_schema(VERBATIM, OPERATION[kind]), sent) == []
    assert errors(FIXED, response_schema(FIXED, OPERATION[kind]), answer) == []
    assert recorder.patches()[0][0].url.path.startswith(f"/{version}/")


@pytest.mark.parametrize("kind", ["enduser", "conversation"])
async def test_a_clear_sends_null_which_only_defect_6_forbids(kind: TargetKind) -> None:
    state = MockState.demo()
    definitions = editable(state, kind)
    edits = [StagedEdit.clear(definitions[0].identifier),
             valid_edit(definitions[1], "kept")]
    _, recorder = await send(kind, edits, state=state)
    sent, answer = wire_body(recorder)
    assert sent[definitions[0].id] is None
    name = request_schema(VERBATIM, OPERATION[kind])
    found = errors(VERBATIM, name, sent)
    assert found and all(e.startswith(f"{definitions[0].id}:") for e in found)
    assert errors(FIXED, name, sent) == []
    assert errors(FIXED, response_schema(FIXED, OPERATION[kind]), answer) == []


def _edits(kind: TargetKind) -> st.SearchStrategy[list[StagedEdit]]:
    """Any mix of valid values and clears over the target's editable definitions."""
    definitions = editable(MockState.demo(), kind)

    def one(d: CustomAttributeDefinition) -> st.SearchStrategy[StagedEdit]:
        spec = d.input_definition
        if isinstance(spec, SelectInput):
            paths = [path_values(p) for p in walk(spec.options)
                     if not any(o.is_deactivated for o in p)]
            value: st.SearchStrategy[Any] = st.sampled_from(paths)
        else:
            value = st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=40)
        ref = st.sampled_from([d.id, d.identifier])
        return st.builds(StagedEdit, ref, st.none() | value)

    return st.lists(st.sampled_from(definitions), min_size=1, max_size=6,
                    unique_by=lambda d: d.id).flatmap(
        lambda chosen: st.tuples(*(one(d) for d in chosen)).map(list))


def _property(kind: TargetKind) -> Callable[[], None]:
    @given(_edits(kind))
    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    def check(edits: list[StagedEdit]) -> None:
        body, recorder = asyncio.run(send(kind, edits))
        sent, answer = wire_body(recorder)
        assert sent == body
        name = request_schema(VERBATIM, OPERATION[kind])
        assert errors(FIXED, name, sent) == []
        if None not in sent.values():
            assert errors(VERBATIM, name, sent) == []
        assert errors(FIXED, response_schema(FIXED, OPERATION[kind]), answer) == []

    return check


def test_any_staged_edits_make_a_conforming_enduser_body() -> None:
    _property("enduser")()


def test_any_staged_edits_make_a_conforming_conversation_body() -> None:
    _property("conversation")()
