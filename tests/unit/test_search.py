"""The definitions filter: ranking, fuzzy names, ids, options, and per-keystroke narrowing."""

from __future__ import annotations

from typing import Any

import pytest
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


def reference(defs: list[Any], query: str) -> list[int]:
    """The filter as first written, one definition and one term at a time: what the
    column-wise index must answer, rank for rank."""
    import re

    from dixa_tui.domain.options import walk

    wanted = query.lower().split()
    if not wanted:
        return list(range(len(defs)))
    buckets: dict[int, list[int]] = {}
    for i, d in enumerate(defs):
        label, ident = d.label.lower(), d.identifier.lower()
        options = "\n".join(p[-1].label.lower() for p in walk(d.options))
        score = 0
        for term in wanted:
            fuzzy = (re.compile("".join(f"[^{c}]*+{c}" for c in map(re.escape, term)))
                     if len(term) >= 3 else None)
            if term in f"{label}\n{ident}":
                rank = 0 if label.startswith(term) or ident.startswith(term) else 1
            elif term in options or (len(term) >= 6 and term in d.id.lower()):
                rank = 2
            elif fuzzy is not None and (fuzzy.match(label) or fuzzy.match(ident)):
                rank = 3
            else:
                break
            score += rank
        else:
            buckets.setdefault(score, []).append(i)
    return [i for s in sorted(buckets) for i in buckets[s]]


spaced = st.text(alphabet="abcdoé_1 \n\t\u2028-", min_size=0, max_size=10)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(spaced, spaced, st.lists(spaced, max_size=3) | st.none()),
                min_size=1, max_size=20),
       st.lists(st.text(alphabet="abcdoé_1 -0", max_size=12), min_size=1, max_size=6))
def test_the_index_answers_as_the_plain_filter(names, queries) -> None:
    """Whitespace of any kind inside names (a line break in a label), options, ids."""
    defs = [definition(i, label, ident, options)
            for i, (label, ident, options) in enumerate(names)]
    search = DefinitionSearch(defs)
    for query in queries:
        assert search.filter(query) == reference(defs, query), query


def test_the_index_is_built_in_steps() -> None:
    defs = MockState.demo().definitions
    search = DefinitionSearch(defs)
    steps = 1
    while not search.prepare_some(10):
        assert search.progress == (10 * steps, len(defs))
        steps += 1
    assert steps == -(-len(defs) // 10) and search.prepared
    assert search.filter("damaged") == reference(defs, "damaged")


def test_a_term_long_enough_to_be_fuzzy_looks_for_its_substrings_among_the_last_ones() -> None:
    """Typing ``c``, ``co``, ``con``: the substring matches of ``con`` are among those of
    ``co`` (looked for there only), its fuzzy matches anywhere; the answer is a fresh one's."""
    names = [("Contact reason", "contact_reason", ["Complaint"]), ("Cargo", "c_o_n", []),
             ("Icon", "icon", []), ("Ocean", "x", ["Con artist"]), ("Conversion", "conv", []),
             ("Carton", "box", ["Cotton"]), ("Nothing", "here", ["Coconut"])] * 30
    defs = [definition(i, label, ident, options)
            for i, (label, ident, options) in enumerate(names)]
    typed = DefinitionSearch(defs)
    for query in ("c", "co", "con", "cont", "con", "co", "con"):
        assert typed.filter(query) == DefinitionSearch(defs).filter(query) \
            == reference(defs, query), query


@pytest.mark.parametrize("shared_texts", [0, 512])
def test_option_texts_shared_by_many_definitions_answer_as_each_ones_own(
        monkeypatch: pytest.MonkeyPatch, shared_texts: int) -> None:
    """The same option lists on many definitions (each distinct text tested once, or, with
    more distinct texts than ``SHARED_TEXTS``, each definition's): the plain filter's
    answer, typed key by key or fresh, through many candidates and few, and ids found by a
    long enough fragment (a term with a letter no id has finds none)."""
    from dixa_tui.domain import search

    monkeypatch.setattr(search, "SHARED_TEXTS", shared_texts)
    lists = [["Yes", "No"], ["Contact form", "Phone"], ["Cotton", "Wool"], ["Con artist"],
             [], None]
    defs = [definition(i, f"Label {i}" if i % 7 else f"Contact {i}", f"ident_{i}",
                       lists[i % len(lists)]) for i in range(600)]
    typed = DefinitionSearch(defs)
    queries = ["c", "co", "con", "cont", "conta", "contac", "contact", "contact f", "contact ",
               "", "wo", "woo", "n", "no", "on", "0000-0000", "000000000012", "contac w"]
    for query in queries:
        assert typed.filter(query) == DefinitionSearch(defs).filter(query) \
            == reference(defs, query), query
    assert (typed._shared is not None) == bool(shared_texts)  # (the path taken)


@settings(max_examples=200, deadline=None)
@given(st.sets(st.integers(0, 999)))
def test_a_bit_set_lists_its_members_in_order_however_sparse(members: set[int]) -> None:
    from dixa_tui.domain.search import _members

    bits = sum(1 << i for i in members)
    assert _members(bits, list(range(1000))) == sorted(members)


def test_few_candidates_read_their_shared_option_texts_as_many_would() -> None:
    """A rare word narrows to a few definitions among many sharing their option lists: the
    next term is tested over those few (a column at a time), their shared texts included."""
    lists = [["Yes", "No"], ["Contact form", "Phone"], ["Cotton", "Wool"], ["Con artist"]]
    defs = [definition(i, f"Rare {i}" if i % 50 == 0 else f"Label {i}", f"ident_{i}",
                       lists[i % len(lists)]) for i in range(800)]
    typed = DefinitionSearch(defs)
    for query in ("r", "ra", "rare", "rare ", "rare c", "rare co", "rare con", "rare cot",
                  "rare wo", "rare ph", "ident_1 co"):
        found = typed.filter(query)
        assert found == DefinitionSearch(defs).filter(query) == reference(defs, query), query
    assert typed._shared is not None
    assert len(typed.filter("rare co")) == len([i for i in range(0, 800, 50) if i % 4 != 0])
