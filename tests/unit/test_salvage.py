"""Reading Dixa's list item by item: unreadable items are skipped and reported, never fatal."""

from __future__ import annotations

import pytest

from dixa_tui.api.errors import DixaResponseError
from dixa_tui.api.salvage import SkippedDefinition, read_definitions, skipped_lines


def _raw(defs) -> list[dict]:
    return [d.to_dixa() for d in defs]


def test_a_clean_list_reads_whole(defs):
    read = read_definitions(_raw(defs))
    assert read.definitions == defs and read.skipped == ()


@pytest.mark.parametrize("payload", [None, {"data": []}, "x", 5])
def test_a_response_that_is_not_a_list_still_raises(payload):
    with pytest.raises(DixaResponseError) as info:
        read_definitions(payload)
    assert "not a list" in str(info.value)


def test_unreadable_items_are_skipped_with_index_id_and_reason(defs):
    raw = _raw(defs)
    items = [raw[0], None, raw[1] | {"id": 7}, raw[2] | {"isRequired": "maybe"}, "text",
             raw[3], raw[4] | {"inputDefinition": "Select"}, raw[5]]
    read = read_definitions(items)
    assert [d.id for d in read.definitions] == [defs[i].id for i in (0, 3, 5)]
    assert [(s.index, s.id) for s in read.skipped] == [
        (1, None), (2, None), (3, defs[2].id), (4, None), (6, defs[4].id)]
    reasons = [s.reason for s in read.skipped]
    assert reasons[0] == "not an object (null)"
    assert reasons[1].startswith("id:") and reasons[2].startswith("isRequired:")
    assert reasons[4].startswith("inputDefinition:")  # the union's tag names are left out


def test_a_repeated_id_keeps_the_first(defs):
    raw = _raw(defs)
    read = read_definitions([raw[0], raw[1], raw[0] | {"label": "impostor"}])
    assert [d.label for d in read.definitions] == [defs[0].label, defs[1].label]
    assert read.skipped == (SkippedDefinition(
        2, defs[0].id, "the same id as item 0: only the first is shown"),)
    assert read.skipped_ids() == {defs[0].id}


def test_long_reasons_are_cut_and_lines_say_how_many(defs):
    raw = _raw(defs)
    items = [raw[0] | {"id": n} for n in range(5)]
    read = read_definitions([*items, raw[1] | {"createdAt": "x" * 5000}])
    assert read.definitions == [] and len(read.skipped) == 6
    assert all(len(s.reason) <= 160 for s in read.skipped)
    lines = skipped_lines(read.skipped, limit=2)
    assert lines[0].startswith(f"{len(read.skipped)} definitions sent by Dixa could not be")
    assert lines[1] == "  item 0: id: Input should be a valid string"
    assert lines[-1] == f"  and {len(read.skipped) - 2} more"
    assert skipped_lines(read.skipped[:1])[0].startswith("1 definition sent by Dixa could not "
                                                         "be read and is left out")
