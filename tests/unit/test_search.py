"""The definitions filter: ranking, fuzzy names, ids, options, and per-keystroke narrowing."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dixa_tui.api.models import CustomAttributeDefinition
from dixa_tui.domain.search import DefinitionSearch
from dixa_tui.mock import MockState


def definition(i: int, label: str, identifier: str, options: list[str] | None = None) -> Any:
    spec: dict[str, Any] = {"_type": "Text"}
    if options is not None:
        spec = {"_type": "Select", "options": [
            {"id": f"o{n}", "label": o, "value": f"v{n}", "orderIndex": n}
            for n, o in enumerate(options)]}
    return CustomAttributeDefinition.model_validate({
        "id": f"00000000-0000-0000-0000-{i:012d}", "entityType": "Contact",
        "identifier": identifier, "label": label, "inputDefinition": spec})


def labels(search: DefinitionSearch, defs: list[Any], query: str) -> list[str]:
    return [defs[i].identifier for i in search.filter(query)]


def test_ranking_prefix_then_contains_then_options_then_fuzzy() -> None:
    defs = [definition(1, "Old order number", "old_order"),
            definition(2, "Order number", "order_number"),
            definition(3, "Reason", "reason", ["Wrong order"]),
            definition(4, "Ordinal", "o_r_d")]
    search = DefinitionSearch(defs)
    assert labels(search, defs, "order") == ["order_number", "old_order", "reason"]
    assert labels(search, defs, "ordnum") == ["old_order", "order_number"]
    assert labels(search, defs, "ORDER  NUMBER") == ["order_number", "old_order"]
    assert labels(search, defs, "") == [d.identifier for d in defs]


def test_ids_need_a_real_fragment() -> None:
    defs = [definition(123456, "A", "a"), definition(7, "B", "b")]
    search = DefinitionSearch(defs)
    assert labels(search, defs, "12345") == []  # short: would match UUIDs by chance
    assert labels(search, defs, "000000123456") == ["a"]


def test_demo_option_labels_are_searched() -> None:
    defs = MockState.demo().definitions
    search = DefinitionSearch(defs)
    assert "contact_reason" in labels(search, defs, "damaged")


words = st.text(alphabet="abcdo _10-", min_size=0, max_size=8)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(words, words), min_size=1, max_size=25),
       st.text(alphabet="abcdo _10-", max_size=14))
def test_typing_narrows_to_the_same_answer_as_a_fresh_search(names, query) -> None:
    defs = [definition(i, label, ident) for i, (label, ident) in enumerate(names)]
    typed = DefinitionSearch(defs)
    for k in range(len(query) + 1):
        assert typed.filter(query[:k]) == DefinitionSearch(defs).filter(query[:k]), query[:k]
    # and backspacing all the way
    for k in range(len(query), -1, -1):
        assert typed.filter(query[:k]) == DefinitionSearch(defs).filter(query[:k]), query[:k]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(words, words), min_size=1, max_size=25),
       st.lists(st.text(alphabet="abcdo _10-", max_size=14), min_size=1, max_size=12))
def test_any_sequence_of_queries_answers_like_a_fresh_search(names, queries) -> None:
    defs = [definition(i, label, ident) for i, (label, ident) in enumerate(names)]
    reused = DefinitionSearch(defs)
    for query in queries:
        assert reused.filter(query) == DefinitionSearch(defs).filter(query), query


def test_index_is_built_on_first_need_not_on_construction() -> None:
    defs = [definition(0, "Order number", "order_number"), definition(1, "Carrier", "carrier")]
    search = DefinitionSearch(defs)
    assert not search.prepared and len(search) == 2
    assert search.filter("") == [0, 1]
    assert not search.prepared  # the whole list needs no index
    assert labels(search, defs, "carr") == ["carrier"]
    assert search.prepared
    prepared = DefinitionSearch(defs)
    prepared.prepare()
    assert prepared.prepared and labels(prepared, defs, "ordnum") == ["order_number"]


def test_an_unknown_input_type_with_options_of_any_shape_is_searchable() -> None:
    """Dixa may add input types; their fields are kept as sent and are not option trees."""
    odd = [CustomAttributeDefinition.model_validate({
        "id": f"00000000-0000-0000-0000-00000000000{i}", "entityType": "Contact",
        "identifier": f"multi_{i}", "label": f"Multi {i}",
        "inputDefinition": {"_type": "MultiSelect", "options": options}})
        for i, options in enumerate(["[not a list]", [{"id": "o", "label": "Inner"}], 5])]
    defs = [definition(9, "Plain", "plain"), *odd]
    search = DefinitionSearch(defs)
    assert labels(search, defs, "multi") == ["multi_0", "multi_1", "multi_2"]
    assert labels(search, defs, "inner") == []


def _subsequence(term: str, text: str) -> bool:
    rest = iter(text)
    return all(ch in rest for ch in term)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab]^-\\.*é", min_size=1, max_size=5),
       st.text(alphabet="ab]^-\\.*é\n", max_size=30))
def test_fuzzy_is_exactly_letters_in_order(term: str, text: str) -> None:
    from dixa_tui.domain.search import _fuzzy

    assert (_fuzzy(term).match(text) is not None) == _subsequence(term, text)


def test_a_10000_character_label_costs_one_pass() -> None:
    """The old pattern (``a.*?b.*?z``) backtracked over every a and b: this never ended."""
    defs = [definition(1, "ab" * 5000, "long"), definition(2, "a b z", "abz")]
    search = DefinitionSearch(defs)
    assert labels(search, defs, "abz") == ["abz"]
    assert labels(search, defs, "bbbz") == []
