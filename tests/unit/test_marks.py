"""Marks on a list: toggle, all (and all again: none), a shift-range from the anchor."""

from __future__ import annotations

from dixa_tui.tui.marks import Marks


def test_toggle_all_and_range() -> None:
    marks: Marks[int] = Marks()
    order = [10, 20, 30, 40, 50]
    assert marks.toggle(20) and 20 in marks and marks.count == 1
    marks.extend(order, 40)
    assert marks.in_order(order) == [20, 30, 40]
    assert not marks.toggle(30) and marks.in_order(order) == [20, 40]
    assert marks.mark_all(order) == 5
    assert marks.mark_all(order) == 0  # every one was marked: all unmarked
    marks.toggle(50)
    marks.keep([10, 20])
    assert marks.count == 0
    marks.mark_all([1, 2])
    marks.clear()
    assert marks.count == 0 and marks.anchor is None


def test_a_range_without_an_anchor_marks_one_row() -> None:
    marks: Marks[str] = Marks()
    marks.extend(["a", "b"], "b")
    assert marks.in_order(["a", "b"]) == ["b"]
