"""What the definitions list shows (``tui.listing``): the toggles' flags and the order."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from dixa_tui.tui.listing import Listing


@dataclass
class Row:
    id: str
    label: str
    entity_type: str
    is_archived: bool
    is_deactivated: bool
    identifier: str = ""
    input_type: str = "Text"
    is_required: bool = False
    options: tuple[()] = ()


@given(st.lists(st.tuples(st.booleans(), st.booleans(), st.sampled_from(["Contact",
                                                                           "Conversation"]),
                          st.text(max_size=3)), max_size=40),
       st.booleans(), st.booleans(), st.sampled_from([0, 1, 2]))
def test_the_rows_shown_are_those_the_toggles_show_in_the_order_chosen(
        flags: list[tuple[bool, bool, str, str]], archived: bool, deactivated: bool,
        sort: int) -> None:
    """Archived ones hidden unless shown, deactivated ones (not archived) likewise; Dixa's
    order, by entity (stable), or by label; the counts of what is hidden."""
    rows = [Row(str(i), label, entity, a, d) for i, (a, d, entity, label) in enumerate(flags)]
    listing = Listing()
    listing.set_base(rows)
    listing.show_archived, listing.show_deactivated, listing.sort = archived, deactivated, sort
    shown = [i for i, r in enumerate(rows)
             if (archived or not r.is_archived)
             and (deactivated or not r.is_deactivated or r.is_archived)]
    if sort == 1:
        shown.sort(key=lambda i: rows[i].entity_type)
    elif sort == 2:
        shown.sort(key=lambda i: (rows[i].label.casefold(), i))
    assert listing.rows().order == shown
    assert listing.hidden == (sum(r.is_archived for r in rows),
                              sum(r.is_deactivated and not r.is_archived for r in rows))


def test_a_filtered_list_keeps_the_searchs_order_of_the_rows_the_toggles_show() -> None:
    from dixa_tui.domain.search import DefinitionSearch

    rows = [Row(str(i), label, "Contact", archived, off)
            for i, (label, archived, off) in enumerate([
                ("carton", False, False), ("cart", True, False), ("scar", False, True),
                ("car", False, False), ("boat", False, False), ("acre", False, False)])]
    listing = Listing()
    search = DefinitionSearch(rows)
    search.prepare()
    listing.set_base(rows, search)
    listing.query = "car"
    assert [rows[i].label for i in listing.rows().order] == ["carton", "car"]
    listing.show_archived = listing.show_deactivated = True  # (prefix first, then contains)
    assert [rows[i].label for i in listing.rows().order] == ["carton", "cart", "car", "scar"]
