"""The usage tally: fill rates, option counts through a branch, stale paths, deactivated
options in use, unused branches once, required attributes left empty, archived ones."""

from __future__ import annotations

from typing import Any

from dixa_tui.api.models import CustomAttributeDefinition
from dixa_tui.domain.usage import UsageTally


def option(value: str, children: list[dict[str, Any]] | None = None, *, off: bool = False,
           order: int = 0) -> dict[str, Any]:
    return {"id": f"o-{value}", "value": value, "label": value.title(), "isDeactivated": off,
            "orderIndex": order, "nestedOptions": children or []}


def definition(identifier: str, options: list[dict[str, Any]] | None = None,
               entity: str = "Conversation", **flags: Any) -> CustomAttributeDefinition:
    spec = {"_type": "Select", "options": options} if options is not None else {"_type": "Text"}
    return CustomAttributeDefinition.model_validate(
        {"id": identifier, "entityType": entity, "identifier": identifier,
         "label": identifier.title(), "inputDefinition": spec} | flags)


REASON = definition("reason", [
    option("delivery", [option("damaged", [option("item", order=1), option("box", order=2)],
                               order=1), option("late", order=2)], order=1),
    option("payment", [option("card", order=1), option("invoice", off=True, order=2)],
           order=2),
    option("legacy", [option("old", order=1)], order=3),
], isRequired=True)
NOTE = definition("note")
OLD = definition("old_note", isArchived=True)
GONE = definition("gone_note", isArchived=True)
CONTACT = definition("tier", [option("gold")], entity="Contact")


def tally() -> UsageTally:
    t = UsageTally([REASON, NOTE, OLD, GONE, CONTACT])
    t.add({"reason": ["delivery", "damaged", "item"], "note": "x"}, closed=True)
    t.add({"reason": ["delivery", "damaged", "item"], "old_note": "kept"})
    t.add({"reason": ["delivery", "late"], "note": ""}, closed=True)
    t.add({"reason": ["payment", "invoice"], "note": None})
    t.add({"reason": ["delivery", "lost"], "tier": ["gold"]})  # no such option under delivery
    t.add({}, closed=True)
    t.add({"reason": []}, closed=False)
    return t


def test_fill_rates_and_counts_through_a_branch():
    report = tally().report()
    assert (report.conversations, report.closed) == (7, 3)
    by = {a.identifier: a for a in report.attributes}
    assert list(by) == ["reason", "note", "old_note"]  # Contact ones and empty archived out
    reason = by["reason"]
    assert (reason.filled, reason.empty, reason.fill_rate) == (5, 2, 5 / 7)
    counts = {o.path: (o.count, o.exact) for o in reason.options}
    assert counts[("delivery",)] == (4, 0)  # the stale delivery/lost counts for delivery
    assert counts[("delivery", "damaged")] == (2, 0)
    assert counts[("delivery", "damaged", "item")] == (2, 2)
    assert counts[("delivery", "late")] == (1, 1)
    assert counts[("payment", "invoice")] == (1, 1)
    assert reason.share(4) == 4 / 5
    assert reason.unknown == ((("delivery", "lost"), 1),)
    assert [o.path for o in reason.options][:3] == [("delivery",), ("delivery", "damaged"),
                                                    ("delivery", "damaged", "item")]
    assert by["note"].filled == 1 and by["old_note"].filled == 1


def test_deactivated_in_use_unused_branches_once_and_required_left_empty():
    report = tally().report()
    reason = report.attributes[0]
    assert [o.path for o in reason.deactivated_in_use] == [("payment", "invoice")]
    assert [o.path for o in reason.never_used] == [("delivery", "damaged", "box"),
                                                   ("payment", "card"), ("legacy",)]
    assert [a.identifier for a in report.required_left_empty] == ["reason"]
    assert reason.empty_closed == 1  # the empty {} closed one; the [] one is open


def test_an_empty_census_reports_nothing_used():
    report = UsageTally([REASON]).report()
    reason = report.attributes[0]
    assert report.conversations == 0 and reason.fill_rate is None and reason.share(1) is None
    assert [o.path for o in reason.never_used] == [("delivery",), ("payment",), ("legacy",)]
    assert report.required_left_empty == ()


def test_to_json_carries_the_findings():
    data = tally().report().to_json()
    assert data["required_left_empty"] == ["reason"]
    assert data["deactivated_in_use"] == {"reason": [["payment", "invoice"]]}
    assert data["never_used"]["reason"] == [["delivery", "damaged", "box"],
                                            ["payment", "card"], ["legacy"]]
    reason = data["attributes"][0]
    assert reason["unknown_values"] == [{"path": ["delivery", "lost"], "count": 1}]
