"""The demo organization's custom attribute definitions: Trailhead Outfitters' settings.

Trailhead Outfitters is an invented Nordic webshop for outdoor gear. Its definitions are
Dixa's six example definitions (``data/example-definitions.json``, unchanged, so tests can
target them) followed by the catalog below, written as compact specs: an option is a label,
or ``(label, [children])``; a leading ``~`` marks it deactivated; its ``value`` is the label
as a slug. Ids are ``uuid5`` names, timestamps come from a ``random.Random`` seeded by the
identifier, and ``orderIndex`` counts in pre-order across the tree, as in Dixa's example:
every run builds the same organization.

The catalog covers what the app must handle: both entity types, Text and Select, Selects
nested three levels deep, archived, deactivated and required attributes, deactivated
options, Text with and without placeholders, and definitions without a description or
``updatedAt``.
"""

from __future__ import annotations

import json
import random
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any, TypeAlias

from dixa_tui.api.models import CustomAttributeDefinition, parse_definitions

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://dixa-tui.invalid/mock/trailhead-outfitters")
_ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "ü": "u"})
OptionSpec: TypeAlias = "str | tuple[str, Sequence[OptionSpec]]"


@dataclass(frozen=True)
class Spec:
    entity: str
    identifier: str
    label: str
    options: Sequence[OptionSpec] | None = None  # None: a Text attribute
    placeholder: str | None = None
    description: str | None = None
    required: bool = False
    archived: bool = False
    deactivated: bool = False
    updated: bool = True


EU_SIZES = [f"EU {n}" for n in range(36, 48)]

CONVERSATION_SPECS = [
    Spec("Conversation", "product_category", "Product category", [
        ("Tents & shelters", ["Backpacking tents", "Family tents", "Tarps & bivvies"]),
        ("Sleeping", [("Sleeping bags", ["Down", "Synthetic"]), "Sleeping mats",
                      "~Hammocks"]),
        ("Footwear", ["Hiking boots", "Trail runners", "Approach shoes", "Sandals"]),
        ("Clothing", [("Jackets", ["Hardshell", "Softshell", "Insulated"]), "Base layers",
                      "Trousers", "Gloves & hats"]),
        ("Climbing", ["Ropes", "Harnesses", "Helmets", "Chalk & bags"]),
        ("Backpacks", ["Daypacks", "Trekking packs", "Child carriers"]),
        ("Cooking", ["Stoves", "Cookware", "Water filters"]),
        ("Electronics", ["Headlamps", "GPS & watches", "Power banks"]),
        "Gift cards",
    ], description="Which kind of product the conversation is about", required=True),
    Spec("Conversation", "return_reason", "Return reason", [
        ("Wrong size", ["Too small", "Too large"]),
        ("Defective", ["Zipper", "Seams", "Sole", "Other defect"]),
        "Not as described", "Changed mind", "Arrived too late", "~Ordered by mistake",
    ], description="Why the customer sends the item back"),
    Spec("Conversation", "resolution", "Resolution", [
        ("Refund", ["Full refund", "Partial refund"]), "Replacement", "Store credit",
        ("Repair", ["In-house repair", "Manufacturer repair"]), "Information provided",
        "No action needed",
    ], description="How the conversation was resolved"),
    Spec("Conversation", "refund_status", "Refund status",
         ["Not requested", "Requested", "Approved", "Issued", "Rejected"], updated=False),
    Spec("Conversation", "carrier", "Carrier",
         ["PostNord", "GLS", "DHL Express", "Bring", "UPS", "~DAO"],
         description="Who delivers the parcel"),
    Spec("Conversation", "tracking_number", "Tracking number",
         placeholder="e.g. 00370726201234567890",
         description="The carrier's tracking number for the shipment"),
    Spec("Conversation", "rma_number", "RMA number", placeholder="RMA-000000",
         description="Return authorisation from the warehouse system"),
    Spec("Conversation", "warranty_claim_id", "Warranty claim", placeholder="WAR-00000",
         updated=False),
    Spec("Conversation", "sku", "SKU", placeholder="e.g. TNT-2P-GRN",
         description="Article number of the product concerned"),
    Spec("Conversation", "sentiment", "Sentiment",
         ["Positive", "Neutral", "Negative", "Frustrated"]),
    Spec("Conversation", "payment_method", "Payment method", [
        ("Card", ["Visa", "Mastercard", "American Express"]), "MobilePay",
        ("Klarna", ["Pay later", "Slice it"]), "Gift card", "~PayPal",
    ], description="How the order was paid"),
    Spec("Conversation", "delivery_option", "Delivery option",
         ["Home delivery", "Parcel shop", "Click & collect", "Express next day"],
         updated=False),
    Spec("Conversation", "store_involved", "Store involved", [
        ("Denmark", [("Copenhagen", ["Nørrebro", "Frederiksberg"]), "Aarhus", "Odense"]),
        ("Sweden", ["Stockholm", "Gothenburg"]), ("Norway", ["Oslo", "Bergen"]),
        "Webshop only",
    ], description="The physical store, if one was involved"),
    Spec("Conversation", "follow_up", "Follow-up needed",
         [("Yes", ["Call back", "Email update"]), "No"]),
    Spec("Conversation", "handover_notes", "Handover notes",
         placeholder="What the next agent should know"),
    Spec("Conversation", "damage_photos", "Damage photos", placeholder="https://",
         description="Link to the customer's photos of the damage"),
    Spec("Conversation", "campaign_code", "Campaign code", placeholder="SUMMER23-XXXX",
         description="Only used in the 2023 summer campaign", deactivated=True),
    Spec("Conversation", "legacy_ticket_ref", "Legacy ticket", placeholder="ZD-000000",
         description="Zendesk ticket number from before the move to Dixa",
         archived=True, deactivated=True),
    Spec("Conversation", "old_contact_reason", "Contact reason (2022)",
         [("Order", ["Status", "Change"]), "Product", "Other"],
         description="Replaced by Contact reason", archived=True),
    Spec("Conversation", "exchange_size", "Exchange size", [
        ("Footwear", EU_SIZES[2:11]), ("Clothing", ["XS", "S", "M", "L", "XL", "~XXL"]),
    ], description="The size the customer wants instead"),
    Spec("Conversation", "order_channel", "Order channel", [
        ("Webshop", ["Desktop", "Mobile app"]), "Store",
        ("Marketplace", ["Amazon", "Zalando"]), "~Phone order",
    ], updated=False),
    Spec("Conversation", "bot_outcome", "Chatbot outcome",
         ["Resolved by bot", "Handed to agent"], deactivated=True,
         description="From the chatbot pilot"),
    Spec("Conversation", "repair_ticket", "Repair ticket", placeholder="REP-0000"),
]

CONTACT_SPECS = [
    Spec("Contact", "preferred_language", "Preferred language",
         ["English", "Danish", "Swedish", "Norwegian", "German", "Finnish"],
         description="Language to answer in", required=True),
    Spec("Contact", "preferred_channel", "Preferred channel",
         ["Email", "Phone", "Chat", "SMS", "~Fax"], updated=False),
    Spec("Contact", "marketing_consent", "Marketing consent", [
        ("Opted in", ["Newsletter", "SMS offers", "Both"]), "Opted out", "Not asked",
    ], description="What the customer agreed to receive"),
    Spec("Contact", "customer_segment", "Customer segment", [
        ("Consumer", ["Hiker", "Climber", "Camper", "Trail runner", "Paddler"]),
        ("Business", ["Club or association", "School", "Corporate"]),
        ("Pro deal", ["Mountain guide", "Ambassador"]),
    ], description="Segment used for campaigns and pro pricing"),
    Spec("Contact", "home_store", "Home store", [
        ("Denmark", ["Copenhagen", "Aarhus", "Odense"]),
        ("Sweden", ["Stockholm", "Gothenburg"]), ("Norway", ["Oslo", "Bergen"]),
        "Online only",
    ]),
    Spec("Contact", "agent_note", "Agent note",
         placeholder="Anything agents should know about this customer"),
    Spec("Contact", "company_name", "Company name", updated=False),
    Spec("Contact", "vat_number", "VAT number", placeholder="DK12345678",
         description="For business customers who need invoices with VAT"),
    Spec("Contact", "account_status", "Account status", [
        "Active", ("On hold", ["Payment issue", "Fraud review"]), "Closed",
    ], description="Set by the finance team"),
    Spec("Contact", "shoe_size", "Shoe size", EU_SIZES, updated=False),
    Spec("Contact", "club_member_number", "Club member number", placeholder="DNT-000000",
         description="Partner club discount; the partnership ended", deactivated=True),
    Spec("Contact", "newsletter_segment_2022", "Newsletter segment (2022)",
         ["Summer", "Winter", "All season"], archived=True),
    Spec("Contact", "favorite_activity", "Favourite activity", [
        ("Hiking", ["Day hikes", ("Multi-day", ["Hut to hut", "Wild camping"])]),
        ("Climbing", ["Sport", "Trad", "Bouldering"]),
        ("Winter", ["Ski touring", "Cross-country"]),
        ("Paddling", ["Kayak", "SUP"]),
    ], description="What the customer buys gear for"),
    Spec("Contact", "birthday", "Birthday", placeholder="YYYY-MM-DD",
         description="For the birthday voucher"),
    Spec("Contact", "account_manager", "Account manager", updated=False),
    Spec("Contact", "customer_since", "Customer since", placeholder="YYYY"),
    Spec("Contact", "returns_watch", "Returns watch", ["None", "Watch", "~Blocked"],
         description="Customers with unusually many returns"),
]

SPECS = CONVERSATION_SPECS + CONTACT_SPECS


def slug(label: str) -> str:
    """``Tents & shelters`` -> ``tents_shelters``: the option ``value`` for a label.

    Values stay ASCII (``Nørrebro`` -> ``norrebro``) so they are easy to type in the CLI;
    labels keep their letters."""
    text = label.lower().translate(_ASCII)
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def _options(identifier: str, specs: Sequence[OptionSpec], prefix: tuple[str, ...],
             counter: list[int]) -> list[dict[str, Any]]:
    built = []
    for spec in specs:
        label, children = (spec, []) if isinstance(spec, str) else spec
        deactivated = label.startswith("~")
        label = label.lstrip("~")
        path = (*prefix, slug(label))
        counter[0] += 1
        option: dict[str, Any] = {
            "id": str(uuid.uuid5(NAMESPACE, f"option/{identifier}/{'/'.join(path)}")),
            "label": label, "value": path[-1], "isDeactivated": deactivated,
            "orderIndex": counter[0],
        }
        option["nestedOptions"] = _options(identifier, children, path, counter)
        built.append(option)
    return built


def _definition(spec: Spec) -> dict[str, Any]:
    rng = random.Random(f"definition/{spec.identifier}")
    created = datetime(2022, 9, 1, tzinfo=UTC) + timedelta(
        seconds=rng.randrange(600 * 86400), milliseconds=rng.randrange(1000))
    payload: dict[str, Any] = {
        "id": str(uuid.uuid5(NAMESPACE, f"definition/{spec.identifier}")),
        "entityType": spec.entity, "identifier": spec.identifier, "label": spec.label,
        "createdAt": created.isoformat(), "isRequired": spec.required,
        "isArchived": spec.archived, "isDeactivated": spec.deactivated,
    }
    if spec.options is None:
        payload["inputDefinition"] = {"_type": "Text"}
        if spec.placeholder is not None:
            payload["inputDefinition"]["placeholder"] = spec.placeholder
    else:
        payload["inputDefinition"] = {"_type": "Select",
                                      "options": _options(spec.identifier, spec.options, (),
                                                          [0])}
    if spec.description is not None:
        payload["description"] = spec.description
    if spec.updated:
        updated = created + timedelta(seconds=rng.randrange(300 * 86400),
                                      milliseconds=rng.randrange(1000))
        payload["updatedAt"] = updated.isoformat()
    return payload


def example_definitions() -> list[CustomAttributeDefinition]:
    """Dixa's six example definitions, from the package data file."""
    text = resources.files("dixa_tui.mock").joinpath("data/example-definitions.json")
    payload = json.loads(text.read_text(encoding="utf-8"))
    return parse_definitions(payload["data"], "read example definitions")


def demo_definitions() -> list[CustomAttributeDefinition]:
    """The demo organization's definitions: the examples first, then the catalog."""
    return example_definitions() + parse_definitions([_definition(s) for s in SPECS],
                                                     "build demo definitions")
