"""The hostile organization: everything someone else's Dixa could put in front of dixa-tui.

Labels, identifiers, option labels, descriptions, placeholders, values and the mock's own
error messages carry Rich markup, ANSI and OSC escape sequences (colours, clear-screen,
window titles, OSC 52 clipboard writes, OSC 8 links), C0 and C1 control characters, line
breaks, right-to-left text and bidi overrides, emoji and ZWJ sequences, zero-width and
combining characters and wide CJK text. The shapes are hostile too: a 10,000-character
label, a Select with no options, options nested 8 levels deep, two definitions sharing an
identifier, unknown ``_type`` values (one of them markup), missing optional fields, ``null``
where a string is expected, an id that is not a UUID, and 3,000 items in all, some of which
are not definitions dixa-tui can read (a number for an id, ``null``, a string, a repeated
id, a bad timestamp...): the client must skip and report those and show the rest.

Deterministic: every call builds the same organization. ``hostile_payload()`` is the raw
list Dixa would send (``python -m dixa_tui.mock.hostile FILE`` writes it as an org file);
``build_hostile_state()`` is the mock's state for it, with hand-made people whose current
values are hostile too (``HOSTILE_END_USER_ID``, conversation ``HOSTILE_CONVERSATION_ID``).
Reach it with ``dixa-tui mock serve --org hostile``.
"""

from __future__ import annotations

import json
import random
import sys
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from dixa_tui.api.models import AttributeValue, Conversation, EndUser
from dixa_tui.api.salvage import DefinitionsRead, read_definitions
from dixa_tui.mock.records import ConversationRecord, EndUserRecord
from dixa_tui.mock.state import MockState

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://dixa-tui.invalid/mock/hostile")
HOSTILE_SEED = 66
HOSTILE_ITEMS = 3000  # items in the listing, readable or not
DEEP_LEVELS = 8
LONG_LABEL_LENGTH = 10_000

# -- the ingredients -----------------------------------------------------------------------

MARKUP = "[bold red]Refund[/] [link=https://evil.example]click[/link] [@click=app.quit]x[/]"
ANSI = "\x1b[31mRED\x1b[0m\x1b[2J\x1b[H"
OSC = ("\x1b]0;pwned title\x07\x1b]52;c;ZXZpbA==\x07"
       "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\")
C1 = "\x9b31mC1\x9d0;c1 title\x9c"
CONTROLS = "nul\x00 bel\x07 bs\x08 tab\t cr\r lf\n del\x7f"
RTL = "سبب الاتصال עברית"
BIDI = "\u202eexe.txt\u202c \u2066iso\u2069\u200f"
EMOJI = "📦🚚 👩‍👩‍👧‍👦 🏳️‍🌈 🇩🇰"
ZERO_WIDTH = "zero\u200bwidth\u200c\u200d\ufeff"
COMBINING = "Z̤̈ͅa̴̡͎l̶̰̓g̷̙̀o̶̗͝ e\u0301"
CJK = "顧客の問い合わせ理由"
SERVER_NOTE = " [bold red]Dixa says[/] \x1b[31mno\x1b[0m\x1b]0;pwned\x07 ‮!"
FRAGMENTS = [MARKUP, ANSI + "ansi", OSC, C1, RTL, BIDI, EMOJI, ZERO_WIDTH, COMBINING, CJK,
             "[b]", "[/]", "\\[x]", "line\nbreak", "tab\there"]

# Visible marks: what a test looks for on screen. Each survives ``text.clean`` as it is.
LONG_LABEL = ("Long label ✂ [dim]not markup[/dim] " * 400)[: LONG_LABEL_LENGTH - 4] + " END"
HOSTILE_ID = "[bold]id[red]\x1b[31m-not-a-uuid"  # no "/": ids are path segments
DUPLICATE_IDENTIFIER = "duplicate"
HOSTILE_END_USER_ID = str(uuid.uuid5(NAMESPACE, "enduser/eve"))
QUIET_END_USER_ID = str(uuid.uuid5(NAMESPACE, "enduser/nobody"))
HOSTILE_CONVERSATION_ID = 66601


def _id(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"definition/{name}"))


def _stamp(n: int) -> str:
    return f"2024-0{1 + n % 9}-1{n % 10}T0{n % 10}:1{n % 6}:2{n % 10}.{n % 1000:03d}Z[GMT]"


def _definition(name: str, entity: str, identifier: Any, label: Any, spec: dict[str, Any],
                n: int, **extra: Any) -> dict[str, Any]:
    payload = {"id": _id(name), "entityType": entity, "identifier": identifier,
               "label": label, "inputDefinition": spec, "createdAt": _stamp(n),
               "updatedAt": _stamp(n + 1), "isRequired": False, "isArchived": False,
               "isDeactivated": False}
    return payload | extra


def _options(prefix: str, labels: list[tuple[str, str]], depth: int = 1,
             deactivated: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """Options (label, value) of one level; ``orderIndex`` runs backwards, so the display
    order is not the list's order."""
    count = len(labels)
    return [{"id": str(uuid.uuid5(NAMESPACE, f"option/{prefix}/{value}")), "label": label,
             "value": value, "isDeactivated": value in deactivated,
             "orderIndex": count - i, "nestedOptions": []}
            for i, (label, value) in enumerate(labels)]


def deep_options(levels: int = DEEP_LEVELS) -> list[dict[str, Any]]:
    """Two options per level down to ``levels``; at every level the first option holds the
    next level, so one path goes all the way down. Labels and values are hostile; a value
    holds a ``/`` (the CLI's path separator) and the second option of level 3 is
    deactivated."""
    def level(n: int, prefix: str) -> list[dict[str, Any]]:
        ingredient = FRAGMENTS[n % len(FRAGMENTS)]
        labels = [(f"L{n} {ingredient} [deeper]", f"[l{n}]/down"),
                  (f"L{n} leaf {EMOJI[:2]}", f"l{n}\u200bleaf")]
        options = _options(f"{prefix}/{n}", labels,
                           deactivated=frozenset({labels[1][1]}) if n == 3 else frozenset())
        # orderIndex runs backwards: the "deeper" option is listed first but shown last
        if n < levels:
            options[0]["nestedOptions"] = level(n + 1, f"{prefix}/{n}")
        return options

    return level(1, "deep")


def deep_path(levels: int = DEEP_LEVELS) -> list[str]:
    """The values of the path down to the deepest leaf (the last level's leaf option)."""
    return [f"[l{n}]/down" for n in range(1, levels)] + [f"l{levels}\u200bleaf"]


def cast() -> dict[str, dict[str, Any]]:
    """The hand-made hostile definitions, by a stable name (tests find them by it)."""
    defs: dict[str, dict[str, Any]] = {}

    def add(name: str, entity: str, identifier: Any, label: Any, spec: dict[str, Any],
            **extra: Any) -> None:
        defs[name] = _definition(name, entity, identifier, label, spec, len(defs), **extra)

    add("markup", "Conversation", "[i]markup[/i]", MARKUP,
        {"_type": "Text", "placeholder": "[dim]type [b]here[/b][/dim]"},
        description="[b]bold?[/b] \\[escaped\\] [red unclosed")
    add("ansi", "Conversation", "ansi\x1b[1m_bold", f"ANSI {ANSI}red {OSC} after",
        {"_type": "Text", "placeholder": f"paste {OSC}"},
        description=f"C1 {C1}; controls {CONTROLS}\nsecond line\r\nthird line")
    add("rtl", "Contact", "rtl_\u202eexe.txt", f"{RTL} {BIDI}",
        {"_type": "Select", "options": _options("rtl", [
            (RTL, "عربي"), (f"{BIDI} override", "\u202eoverride"), ("עברית", "hebrew")])},
        description=f"{RTL}\u200f mixed with English {BIDI}")
    add("emoji", "Conversation", "emoji_📦", f"{EMOJI} Delivery",
        {"_type": "Select", "options": _options("emoji", [
            ("📦 Parcel", "📦"), ("🚚 Truck 👩‍👩‍👧‍👦", "truck"), ("🏳️‍🌈 Flag", "flag")])},
        description=f"{EMOJI} {ZERO_WIDTH}")
    add("zero_width", "Contact", "zw\u200bid", f"{ZERO_WIDTH} {COMBINING}",
        {"_type": "Text"}, description=COMBINING * 3)
    add("cjk", "Conversation", "cjk_理由", f"{CJK} {CJK}", {"_type": "Text",
                                                          "placeholder": "例えば 注文番号"})
    add("long_label", "Conversation", "long_label", LONG_LABEL, {"_type": "Text"},
        description=("A label of 10,000 characters. " * 20).strip())
    add("no_options", "Conversation", "no_options", "Select [with] no options",
        {"_type": "Select", "options": []}, description="Nothing to choose from")
    add("deep", "Conversation", "deep_[8]", "Deep [8 levels] \x1b[1mtree",
        {"_type": "Select", "options": deep_options()},
        description=f"Options nested {DEEP_LEVELS} levels deep")
    add("duplicate_a", "Conversation", DUPLICATE_IDENTIFIER, "Duplicate [1/2]",
        {"_type": "Text"}, description="Shares its identifier with Duplicate [2/2]")
    add("duplicate_b", "Conversation", DUPLICATE_IDENTIFIER, "Duplicate [2/2]",
        {"_type": "Text"})
    add("unknown_type", "Conversation", "date_picker", "Unknown type [DatePicker]",
        {"_type": "DatePicker", "format": "[b]yyyy[/b]"})
    add("hostile_type", "Contact", "hostile_type", "Type named in markup",
        {"_type": "[red]Multi\x1b[5mSelect\x07", "options": "[not a list]"})
    defs["missing_optional"] = {"id": _id("missing_optional"), "entityType": "Contact",
                                "inputDefinition": {"_type": "Text"}}
    add("nulls", "Conversation", None, None,
        {"_type": "Select", "options": [
            {"id": _id("nulls/option"), "label": None, "value": "null_label",
             "isDeactivated": False, "orderIndex": 1, "nestedOptions": []}]},
        description=None, createdAt=None, updatedAt=None)
    add("untyped_select", "Contact", "untyped_[select]", "No _type, [options] present",
        {"options": _options("untyped", [("[a]", "a"), ("[b]", "b")])})
    add("archived", "Conversation", "archived_[x]", "Archived \x1b[9mstruck",
        {"_type": "Select", "options": _options("archived", [
            ("[deactivated] option", "off"), ("on", "on")], deactivated=frozenset({"off"}))},
        isArchived=True, isDeactivated=True)
    add("deactivated", "Contact", "deactivated_[y]", "Deactivated ‮ reversed",
        {"_type": "Text", "placeholder": None}, isDeactivated=True, isRequired=True)
    add("unknown_entity", "[b]Organization\x1b[0m", "org_level", "Entity [unknown]",
        {"_type": "Text"})
    add("line_breaks", "Contact", "line\nbreaks", "line one\nline two\r\nline three",
        {"_type": "Text", "placeholder": "first\nsecond"})
    defs["hostile_id"] = _definition("hostile_id", "Contact", "hostile_id", "Id is not a UUID",
                                     {"_type": "Text"}, len(defs)) | {"id": HOSTILE_ID}
    return defs


def unreadable() -> dict[str, Any]:
    """Items no version of dixa-tui can read as a definition, by a stable name."""
    base = _definition("unreadable", "Conversation", "unreadable", "Unreadable",
                       {"_type": "Text"}, 0)
    return {
        "number_id": base | {"id": 42, "label": "[red]number id[/red]"},
        "null": None,
        "string": "\x1b[2J[bold]not a definition[/bold]",
        "string_input": base | {"id": _id("bad/input"), "inputDefinition": "Select"},
        "bad_nested": base | {"id": _id("bad/nested"), "inputDefinition": {
            "_type": "Select", "options": [{"id": "o", "label": "x", "value": "x",
                                            "nestedOptions": {"a": 1}}]}},
        "bad_flag": base | {"id": _id("bad/flag"), "isRequired": "sometimes \x1b[31m"},
        "bad_time": base | {"id": _id("bad/time"), "createdAt": "yesterday \x1b]0;t\x07"},
        "repeated_id": cast()["markup"] | {"label": "[red]impostor[/red] with markup's id"},
        "no_entity": {k: v for k, v in base.items() if k != "entityType"}
        | {"id": _id("bad/entity")},
    }


# Where the unreadable items sit in the listing: among the cast and at the very end.
UNREADABLE_AT = {"number_id": 2, "null": 5, "string": 9, "string_input": 13, "bad_nested": 17,
                 "bad_flag": 21, "bad_time": 100, "repeated_id": 1500,
                 "no_entity": HOSTILE_ITEMS - 1}


def _filler(n: int, rng: random.Random) -> dict[str, Any]:
    """One of the many: hostile fragments in ordinary-looking definitions."""
    fragment = rng.choice(FRAGMENTS)
    entity = "Conversation" if n % 2 else "Contact"
    if n % 3 == 0:
        labels = [(f"{rng.choice(FRAGMENTS)} option {k}", f"v{k}_{rng.randrange(100)}")
                  for k in range(rng.randint(1, 5))]
        spec: dict[str, Any] = {"_type": "Select", "options": _options(f"f{n}", labels)}
    else:
        spec = {"_type": "Text", "placeholder": rng.choice(FRAGMENTS)}
    return _definition(f"filler/{n}", entity, f"filler_{n:04d}{rng.choice(['', '_[x]'])}",
                       f"{fragment} filler {n}", spec, n,
                       isArchived=n % 97 == 0, isDeactivated=n % 89 == 0,
                       description=rng.choice(FRAGMENTS))


@cache
def _payload() -> str:
    rng = random.Random(HOSTILE_SEED)
    readable = list(cast().values())
    bad = unreadable()
    filler = HOSTILE_ITEMS - len(readable) - len(bad)
    readable += [_filler(n, rng) for n in range(filler)]
    items: list[Any] = list(readable)
    for name, position in sorted(UNREADABLE_AT.items(), key=lambda pair: pair[1]):
        items.insert(position, bad[name])
    return json.dumps(items, ensure_ascii=False)


def hostile_payload() -> list[Any]:
    """The listing as Dixa would send it (``data`` of ``GET /custom-attributes``): a fresh
    copy on every call."""
    items: list[Any] = json.loads(_payload())
    return items


# -- the people ----------------------------------------------------------------------------

def _values(entity: str) -> dict[str, AttributeValue]:
    """Current values by definition id: hostile text, the deepest path, a stale path."""
    if entity == "Contact":
        return {
            _id("rtl"): ["\u202eoverride"],
            _id("zero_width"): f"{ZERO_WIDTH} {ANSI}\nsecond line {OSC}",
            _id("missing_optional"): "\x1b]52;c;ZXZpbA==\x07copied? [b]no[/b]",
            _id("hostile_type"): "[red]held by a type we do not know[/red]",
            _id("untyped_select"): ["a"],
        }
    return {
        _id("markup"): "[red]value[/red] [link=https://evil.example]x[/link]",
        _id("ansi"): f"{ANSI}red\x1b[0m\nline two {C1}",
        _id("deep"): deep_path(),
        _id("emoji"): ["gone", "[stale]"],  # options since deleted: shown as raw values
        _id("cjk"): f"{CJK} {RTL}",
        _id("unknown_type"): "2024-01-01 [date]",
        _id("duplicate_a"): "first [1/2]",
    }


def hostile_people() -> tuple[list[EndUserRecord], list[ConversationRecord]]:
    eve = EndUser.model_validate({
        "id": HOSTILE_END_USER_ID, "createdAt": "2021-03-04T05:06:07Z",
        "displayName": f"[bold red]Eve[/] {OSC} {RTL}", "email": "eve@example.com",
        "firstName": RTL, "lastName": EMOJI, "externalId": f"[ext]{ANSI}",
        "phoneNumber": "+4520000666", "additionalEmails": ["[b]eve[/b]@example.org"]})
    nobody = EndUser.model_validate({"id": QUIET_END_USER_ID, "displayName": None,
                                     "email": None})
    conversations = [
        Conversation.model_validate({
            "id": HOSTILE_CONVERSATION_ID, "requesterId": HOSTILE_END_USER_ID,
            "channel": "Email", "createdAt": "2024-05-06T07:08:09Z", "state": "Open",
            "_type": "EmailConversation", "language": "[xx]",
            "subject": f"[bold]Subject[/] {ANSI} {OSC}\nsecond line {CJK}"}),
        Conversation.model_validate({
            "id": HOSTILE_CONVERSATION_ID + 1, "requesterId": HOSTILE_END_USER_ID,
            "channel": "[b]Pigeon[/b]\x1b[5m", "_type": "PigeonConversation",
            "state": "Closed\x07"}),
        Conversation.model_validate({"id": HOSTILE_CONVERSATION_ID + 2,
                                     "requesterId": QUIET_END_USER_ID}),
    ]
    users = [EndUserRecord(eve, _values("Contact")), EndUserRecord(nobody, {})]
    return users, [ConversationRecord(conversations[0], _values("Conversation")),
                   *(ConversationRecord(c, {}) for c in conversations[1:])]


@cache
def _read() -> DefinitionsRead:
    return read_definitions(hostile_payload(), "build the hostile organization")


def build_hostile_state() -> MockState:
    """A fresh hostile organization: new records on every call; the parsed definitions
    (frozen) are shared. Definitions are served exactly as ``hostile_payload()`` has them."""
    read = _read()
    users, conversations = hostile_people()
    state = MockState.from_definitions(read.definitions, users, conversations)
    state.keep_as_sent(hostile_payload(), read)
    state.error_note = SERVER_NOTE
    return state


def main(argv: list[str] | None = None) -> int:
    """``python -m dixa_tui.mock.hostile FILE``: write the hostile org file (Dixa's format)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m dixa_tui.mock.hostile FILE", file=sys.stderr)
        return 2
    Path(args[0]).write_text(json.dumps({"data": hostile_payload()}, ensure_ascii=False,
                                        indent=1), encoding="utf-8")
    print(f"wrote {args[0]}: {HOSTILE_ITEMS} items, {len(UNREADABLE_AT)} of them unreadable",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
