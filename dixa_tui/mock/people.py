"""Invented customers of a Nordic outdoor-gear webshop, and the words they and agents write.

Only the people and text pools live here; which attributes they get is ``population``'s job.
Emails use reserved example domains and phone numbers follow each country's mobile format
in E.164, so nothing generated belongs to a real person or could be dialled by accident.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from dixa_tui.mock.catalog import NAMESPACE

FIRST_NAMES = [
    "Astrid", "Magnus", "Freja", "Oskar", "Ingrid", "Lars", "Sofie", "Emil", "Maja", "Henrik",
    "Linnea", "Jonas", "Ida", "Mathias", "Sigrid", "Anders", "Karin", "Nils", "Elin", "Rasmus",
    "Thea", "Mikkel", "Liv", "Erik", "Clara", "Viktor", "Nora", "Tobias", "Agnes", "Jakob",
    "Hanna", "Felix", "Saga", "Gustav", "Alma", "Leon", "Emma", "Aksel", "Selma", "Johan",
    "Priya", "Tomasz", "Amira", "Lukas", "Chloé",
]
LAST_NAMES = [
    "Lindqvist", "Hansen", "Johansson", "Nielsen", "Berg", "Andersen", "Eriksson", "Larsen",
    "Solberg", "Karlsson", "Pedersen", "Haugen", "Nilsson", "Kristensen", "Dahl", "Lund",
    "Svensson", "Madsen", "Bakken", "Olsen", "Holm", "Persson", "Jensen", "Strand", "Møller",
    "Sandberg", "Rasmussen", "Nygaard", "Åberg", "Ødegaard", "Kowalski", "Schmidt", "Novak",
]
MIDDLE_NAMES = ["Marie", "Johan", "Louise", "Emil", "Sofie", "Aleksander"]
DOMAINS = ["example.com", "example.org", "example.net", "mail.example", "post.example"]
# (country code, weight, national number generator)
COUNTRIES: list[tuple[str, int, Callable[[random.Random], str]]] = [
    ("+45", 50, lambda r: str(r.randint(2, 6)) + "".join(r.choices("0123456789", k=7))),
    ("+46", 25, lambda r: "7" + "".join(r.choices("0123456789", k=8))),
    ("+47", 20, lambda r: r.choice("49") + "".join(r.choices("0123456789", k=7))),
    ("+49", 5, lambda r: "15" + "".join(r.choices("0123456789", k=9))),
]
FIRST_EXTERNAL_ID = 10001
_ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "é": "e"})

SKUS = ["TNT-2P-GRN", "TNT-4P-SND", "BAG-DWN-REG", "BAG-SYN-LNG", "MAT-INS-RED", "BT-HK-42",
        "BT-HK-44", "TR-RUN-40", "JKT-HS-M-BLU", "JKT-INS-L-BLK", "RPE-9.5-60", "HRN-ALP-M",
        "HLM-CLB-ONE", "PCK-30L-GRY", "PCK-65L-GRN", "STV-GAS-MINI", "FLT-SQZ-1L",
        "HL-400LM"]
COMPANIES = ["Fjord Kayak Club", "Nordlys Guides ApS", "Vestkyst Friluftsskole",
             "Högfjäll Äventyr AB", "Bergen Klatreklubb", "Trail & Fell Events Oy",
             "Copenhagen Scouts", "Aurora Expeditions AS"]
NOTES = [
    "Customer prefers email over phone; answers quickly.",
    "Promised a call back before Friday about the replacement.",
    "Waiting for photos of the damaged zipper before we decide.",
    "Refund approved by team lead, waiting for finance.",
    "Sent size guide; customer will reorder one size up.",
    "Warehouse confirmed the parcel left on Monday.",
    "Do not offer store credit again, customer declined twice.",
    "Long-time club customer, handle returns generously.",
    "Asked for the invoice with VAT for their association.",
    "Speaks Norwegian, English also fine.",
]
SUBJECTS = {
    "payment": ["Charged twice for order {order}", "Payment failed at checkout",
                "Can I get an invoice for order {order}?"],
    "delivery": ["Where is my order {order}?", "Parcel arrived damaged",
                 "Tracking has not moved for a week", "Wrong item in order {order}"],
    "other": ["Question about tent sizes", "Do you repair down jackets?",
              "Is the 65 L pack back in stock?", "Warranty on my hiking boots"],
}


@dataclass(frozen=True)
class Person:
    """One end user before Dixa's shape is put on them (``population.end_user_record``)."""

    id: str
    first_name: str
    last_name: str
    email: str
    created_at: datetime
    phone: str | None = None
    country_code: str = "+45"
    external_id: str | None = None
    middle_names: list[str] = field(default_factory=list)
    additional_emails: list[str] = field(default_factory=list)
    additional_phones: list[str] = field(default_factory=list)
    avatar_url: str | None = None

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _ascii(text: str) -> str:
    return text.lower().translate(_ASCII)


def make_people(rng: random.Random, count: int, taken: set[str] | None = None,
                first_number: int = 0) -> list[Person]:
    """``count`` people with unique emails (none in ``taken``); the n-th person overall
    (``first_number + n``) gets externalId ``CUS-<10001 + n>`` unless they have none."""
    taken = set() if taken is None else taken
    people = []
    for n in range(first_number, first_number + count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        base = f"{_ascii(first)}.{_ascii(last)}"
        domain = rng.choice(DOMAINS)
        email, suffix = f"{base}@{domain}", 2
        while email in taken:
            email, suffix = f"{base}{suffix}@{domain}", suffix + 1
        taken.add(email)
        code, _, national = rng.choices(COUNTRIES, weights=[c[1] for c in COUNTRIES])[0]
        phone = code + national(rng) if rng.random() < 0.85 else None
        people.append(Person(
            id=str(uuid.uuid5(NAMESPACE, f"enduser/{email}")),
            first_name=first, last_name=last, email=email,
            created_at=datetime(2019, 3, 1, tzinfo=UTC)
            + timedelta(seconds=rng.randrange(3 * 365 * 86400)),
            phone=phone, country_code=code,
            external_id=f"CUS-{FIRST_EXTERNAL_ID + n}" if rng.random() < 0.9 else None,
            middle_names=[rng.choice(MIDDLE_NAMES)] if rng.random() < 0.1 else [],
            additional_emails=[f"{_ascii(first)}@{rng.choice(DOMAINS)}"]
            if rng.random() < 0.1 else [],
            additional_phones=[code + national(rng)] if phone and rng.random() < 0.05 else [],
            avatar_url=f"https://avatars.example.com/{rng.getrandbits(48):012x}.png"
            if rng.random() < 0.3 else None,
        ))
    return people


def subject_for(rng: random.Random, values: Mapping[str, object]) -> str:
    """An email subject that fits the conversation's contact reason and order number."""
    reason = values.get("contact_reason")
    topic = reason[0] if isinstance(reason, list) and reason[0] in SUBJECTS else "other"
    order = values.get("order_number")
    choices = SUBJECTS[topic] if isinstance(order, str) else [
        s for s in SUBJECTS[topic] if "{order}" not in s]
    return rng.choice(choices).format(order=order)
