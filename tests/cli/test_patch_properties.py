"""Whatever is staged on the command line, a body with problems is never sent."""

from __future__ import annotations

import json
import os
from typing import Any
from unittest import mock

import httpx
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dixa_tui.api.client import DixaClient
from dixa_tui.api.models import SelectInput
from dixa_tui.cli import main
from dixa_tui.domain.options import path_values, walk
from dixa_tui.domain.patch import StagedEdit, Target, build_patch
from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState, create_app

DEMO = MockState.demo()
CONVERSATION = "10001"
junk = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=4),
                    lambda inner: st.lists(inner, max_size=2), max_leaves=4)


@st.composite
def staged_edits(draw: st.DrawFn) -> list[StagedEdit]:
    chosen = draw(st.lists(st.sampled_from(DEMO.definitions), min_size=1, max_size=3))
    edits = []
    for d in chosen:
        spec = d.input_definition
        kind = draw(st.sampled_from(["valid"] * 6 + ["clear", "junk", "unknown"]))
        if kind == "clear":
            value: Any = None
        elif kind == "junk":
            value = draw(junk)
        elif kind == "unknown":
            edits.append(StagedEdit("no_such_attribute", "x"))
            continue
        elif isinstance(spec, SelectInput):
            value = path_values(draw(st.sampled_from(list(walk(spec.options)))))
        else:
            value = draw(st.text(alphabet="ab\n-", max_size=5))
        edits.append(StagedEdit(d.identifier, value))
    return edits


@settings(max_examples=40, deadline=None, derandomize=bool(os.environ.get("CI")),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(staged_edits(), st.booleans())
def test_problems_never_leave_a_body_that_is_sent(edits: list[StagedEdit], force: bool):
    state, knobs = MockState.demo(), Knobs()
    app = create_app(state, knobs=knobs)

    def client(profile: Any, key: Any, transport: Any = None) -> DixaClient:
        return DixaClient(DEMO_API_KEY, base_url="http://mock", rate=0,
                          transport=httpx.ASGITransport(app=app))

    args = ["--base-url", "http://mock", "patch", "conversation", CONVERSATION]
    for edit in edits:
        if edit.value is None:
            args += ["--clear", edit.ref]
        else:
            args += ["--set-json", f"{edit.ref}={json.dumps(edit.value)}"]
    args += ["--force"] * force
    before = state.conversation_values(int(CONVERSATION))
    with mock.patch("dixa_tui.session.core.open_client", client):
        result = CliRunner().invoke(main, args, env={"DIXA_API_KEY": DEMO_API_KEY})
    assert "Traceback" not in result.output
    plan = build_patch(DEMO.definitions, Target("conversation", CONVERSATION), edits)
    if plan.sendable(force=force):
        assert knobs.writes == 1  # sent once; Dixa may still refuse it (deactivated option)
        assert result.exit_code == 0 or "HTTP 400" in result.stderr, result.output
    else:
        assert result.exit_code == 2, result.output
        assert knobs.writes == 0 and "Nothing was sent" in result.stderr
        assert state.conversation_values(int(CONVERSATION)) == before
