"""Properties of the parsers and the patch builder over generated organizations."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dixa_tui.api.errors import DixaResponseError
from dixa_tui.api.models import CustomAttributeDefinition, SelectInput, parse_definitions
from dixa_tui.domain.options import match_path, path_values, walk
from dixa_tui.domain.patch import StagedEdit, Target, build_patch

_ids = itertools.count()
values = st.text(alphabet="abcxyz_", min_size=1, max_size=4)


def options(depth: int) -> st.SearchStrategy[list[dict]]:
    child = options(depth - 1) if depth > 0 else st.just([])
    option = st.builds(
        lambda v, off, kids: {"id": f"o{next(_ids)}", "label": v.upper(), "value": v,
                              "isDeactivated": off, "orderIndex": next(_ids),
                              "nestedOptions": kids},
        values, st.booleans(), child)
    return st.lists(option, max_size=4, unique_by=lambda o: o["value"])


definition = st.builds(
    lambda entity, select, opts, archived, off: {
        "id": f"00000000-0000-4000-8000-{next(_ids):012d}", "entityType": entity,
        "identifier": f"attr_{next(_ids)}", "label": "L",
        "inputDefinition": {"_type": "Select", "options": opts} if select
        else {"_type": "Text"},
        "createdAt": "2024-01-01T00:00:00Z[GMT]", "isRequired": False,
        "isArchived": archived, "isDeactivated": off},
    st.sampled_from(["Contact", "Conversation"]), st.booleans(), options(2), st.booleans(),
    st.booleans())
organizations = st.lists(definition, min_size=1, max_size=8).map(parse_definitions)
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                           lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                           max_leaves=10)


def edit_for(draw: st.DrawFn, d: CustomAttributeDefinition) -> StagedEdit:
    spec = d.input_definition
    choice = draw(st.sampled_from(["valid", "clear", "junk"]))
    if choice == "clear":
        return StagedEdit.clear(d.identifier)
    if choice == "junk":
        return StagedEdit(d.id, draw(json_values))
    if isinstance(spec, SelectInput):
        paths = list(walk(spec.options))
        if paths:
            return StagedEdit(d.id, path_values(draw(st.sampled_from(paths))))
        return StagedEdit(d.id, draw(st.lists(values, max_size=3)))
    return StagedEdit(d.id, draw(st.text(max_size=10)))


@st.composite
def scenarios(draw: st.DrawFn):
    defs = draw(organizations)
    staged = draw(st.lists(st.sampled_from(defs), min_size=1, max_size=len(defs),
                           unique_by=lambda d: d.id))
    kind = draw(st.sampled_from(["enduser", "conversation"]))
    target = Target(kind, "93b885ad-fe0d-3089-8df6-34904fd59f71" if kind == "enduser"
                    else str(draw(st.integers(1, 2**63 - 1))))
    return defs, target, [edit_for(draw, d) for d in staged]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_patch_builder_properties(scenario):
    defs, target, edits = scenario
    plan = build_patch(defs, target, edits)
    by_id = {d.id: d for d in defs} | {d.identifier: d for d in defs}
    if plan.errors:
        assert plan.body == {} and not plan.sendable(force=True)
        return
    # keys are exactly the staged definitions
    assert set(plan.body) == {by_id[e.ref].id for e in edits}
    for edit in edits:
        d = by_id[edit.ref]
        value = plan.body[d.id]
        assert d.entity_type == target.entity_type and not d.is_archived
        if edit.value is None:
            assert value is None
        elif isinstance(d.input_definition, SelectInput):
            assert match_path(d.input_definition.options, value).complete
        else:
            assert isinstance(value, str)


@settings(max_examples=150, deadline=None)
@given(st.lists(json_values | definition, max_size=4) | json_values)
def test_parsing_succeeds_or_raises_our_typed_error(payload):
    try:
        parsed = parse_definitions(payload)
    except DixaResponseError:
        return
    assert all(isinstance(d, CustomAttributeDefinition) for d in parsed)


# -- hostile organizations: shared identifiers, unknown types, someone else's text ---------

hostile_text = st.sampled_from(["[b]x[/b]", "\x1b[31mred", "سبب", "📦", "a\u200bb", "/"]) | \
    st.text(max_size=6)


@st.composite
def hostile_scenarios(draw: st.DrawFn):
    """Definitions whose identifiers collide and hold markup; some of an input type we do
    not know; edits by id or by identifier, valid, cleared or anything."""
    raw = draw(st.lists(definition, min_size=1, max_size=6))
    names = draw(st.lists(st.sampled_from(["[i]dup[/i]", "dup", "\x1b[1mx", "same"]),
                          min_size=len(raw), max_size=len(raw)))
    for item, name in zip(raw, names, strict=True):
        item["identifier"] = name
        item["label"] = draw(hostile_text)
        if draw(st.integers(0, 5)) == 0:
            item["inputDefinition"] = {"_type": draw(hostile_text), "options": []}
    defs = parse_definitions(raw)
    staged = draw(st.lists(st.sampled_from(defs), min_size=1, max_size=len(defs),
                           unique_by=lambda d: d.id))
    edits = []
    for d in staged:
        edit = edit_for(draw, d)
        by_name = draw(st.booleans())
        edits.append(StagedEdit(d.identifier if by_name else d.id, edit.value))
    kind = draw(st.sampled_from(["enduser", "conversation"]))
    target = Target(kind, "93b885ad-fe0d-3089-8df6-34904fd59f71" if kind == "enduser"
                    else "10001")
    return defs, target, edits


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_scenarios())
def test_patch_builder_on_hostile_organizations(scenario):
    defs, target, edits = scenario
    plan = build_patch(defs, target, edits)
    by_identifier: dict[str, list[CustomAttributeDefinition]] = {}
    for d in defs:
        by_identifier.setdefault(d.identifier, []).append(d)
    ambiguous = [e for e in edits if e.ref not in {d.id for d in defs}
                 and len(by_identifier.get(e.ref, [])) > 1]
    if ambiguous:  # an identifier two definitions share never picks one of them
        assert any(p.code == "ambiguous" for p in plan.errors)
    if plan.errors:
        assert plan.body == {} and not plan.sendable(force=True)
        return
    resolved = [next(d for d in defs if e.ref in (d.id, d.identifier)) for e in edits]
    assert list(plan.body) == [d.id for d in resolved]  # exactly the staged ids, in order
    for edit, d in zip(edits, resolved, strict=True):
        value = plan.body[d.id]
        assert d.is_editable_type and not d.is_archived
        if edit.value is None:
            assert value is None  # clearing is null
        elif isinstance(d.input_definition, SelectInput):
            paths = {tuple(path_values(p)) for p in walk(d.input_definition.options)}
            assert tuple(value) in paths  # a path that exists in the tree
        else:
            assert isinstance(value, str)
    assert plan.sendable(force=True) and plan.sendable() == (not plan.warnings)
