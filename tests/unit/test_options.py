from __future__ import annotations

from dixa_tui.api.models import SelectInput, SelectOption
from dixa_tui.domain.options import (
    count_options,
    depth,
    labels_for_values,
    match_path,
    parse_path,
    path_label,
    path_values,
    walk,
)


def _reason(defs) -> SelectInput:
    spec = defs[1].input_definition
    assert isinstance(spec, SelectInput)
    return spec


def test_walk_is_preorder_by_order_index(defs):
    paths = list(walk(_reason(defs).options))
    assert [path_label(p) for p in paths][:4] == [
        "Payment", "Payment > Card", "Payment > Bank transfer", "Payment > Invoice"]
    assert [o.order_index for p in paths for o in p[-1:]] == list(range(1, 11))
    assert count_options(_reason(defs).options) == 10 and depth(_reason(defs).options) == 3


def test_match_path_level_by_level(defs):
    options = _reason(defs).options
    full = match_path(options, ["delivery", "damaged", "item"])
    assert full.complete and full.is_leaf and path_values(full.matched) == [
        "delivery", "damaged", "item"]
    broken = match_path(options, ["delivery", "lost"])
    assert not broken.complete and broken.failed_value == "lost"
    assert [o.value for o in broken.candidates] == ["late", "damaged"]
    assert labels_for_values(options, ["delivery", "lost"]) == "Delivery > lost"


def test_deep_trees_do_not_recurse():
    leaf = SelectOption(id="x", label="x", value="x")
    node = leaf
    for i in range(3000):
        node = SelectOption(id=str(i), label=str(i), value=str(i), nested_options=[node])
    assert depth([node]) == 3001


def test_parse_path():
    assert parse_path("delivery/damaged/item") == ["delivery", "damaged", "item"]
    assert parse_path("with space/x") == ["with space", "x"]
    assert parse_path("") == []
    assert parse_path("a//b") is None and parse_path("a/") is None and parse_path("/a") is None


def test_resolve_path_text_takes_values_labels_and_either_separator(defs):
    from dixa_tui.domain.options import resolve_path_text

    options = _reason(defs).options
    for text in ("payment/card", "Payment/Card", "payment/Card", "PAYMENT/card",
                 "Payment > Card", " payment / card "):
        assert resolve_path_text(options, text).values == ["payment", "card"], text
    assert resolve_path_text(options, "Delivery/Damaged/Item").values == [
        "delivery", "damaged", "item"]


def test_resolve_path_text_says_what_exists(defs):
    from dixa_tui.domain.options import resolve_path_text

    options = _reason(defs).options
    wrong = resolve_path_text(options, "delivery/lost")
    assert wrong.values is None
    assert "'lost' is not an option under 'delivery'" in (wrong.problem or "")
    assert "'late' (Late)" in (wrong.problem or "")
    assert "no sub-options" in (resolve_path_text(options, "other/x").problem or "")
    assert "is empty" in (resolve_path_text(options, " ").problem or "")


def test_resolve_path_text_values_with_a_slash_and_ambiguous_labels():
    from dixa_tui.domain.options import resolve_path_text

    leaf = SelectOption(id="l", label="Leaf", value="x")
    slashed = SelectOption(id="s", label="Either/or", value="a/b", nested_options=[leaf])
    twin_a = SelectOption(id="1", label="Same", value="one")
    twin_b = SelectOption(id="2", label="Same", value="two")
    assert resolve_path_text([slashed], "a/b/x").values == ["a/b", "x"]
    assert resolve_path_text([slashed], "Either/or/Leaf").values == ["a/b", "x"]
    ambiguous = resolve_path_text([twin_a, twin_b], "Same")
    assert ambiguous.values is None and "names 2 options" in (ambiguous.problem or "")
    assert resolve_path_text([twin_a, twin_b], "two").values == ["two"]
