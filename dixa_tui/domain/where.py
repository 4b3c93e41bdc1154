"""Conditions on attribute values, as typed after ``--where``, checked on values read back.

The forms (keywords in any case; ``IDENT`` is an identifier or a definition id):

- ``IDENT is empty`` / ``IDENT is not empty``
- ``IDENT is VALUE`` / ``IDENT is not VALUE``
- ``IDENT is one of A, B, C`` / ``IDENT is not one of A, B``
- ``IDENT under PATH`` / ``IDENT not under PATH``: a Select value at or below ``PATH``

A Select ``VALUE`` is a path of option values or labels joined by ``/`` or `` > ``
(:func:`~dixa_tui.domain.options.resolve_path_text` reads it); a Text ``VALUE`` is compared
exactly. A value holding a comma, a quote or a keyword goes in double quotes, with ``\\"``
and ``\\\\`` inside: ``order_number is "one of, many"``. A negated condition holds for an
empty value too ("is not X": an empty value is not X); add ``IDENT is not empty`` to leave
empties out.

Conditions are checked here, on the values read from each conversation, never by Dixa: how
Dixa's ``CustomAttribute`` search condition names its attribute is not documented, so the
answer must not rest on it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from dixa_tui.api.models import AttributeValue, CustomAttributeDefinition, SelectInput, TextInput
from dixa_tui.domain.compare import is_empty
from dixa_tui.domain.options import labels_for_values, resolve_path_text
from dixa_tui.domain.patch import DefinitionIndex, Problem

Op = Literal["empty", "not_empty", "is", "is_not", "one_of", "not_one_of", "under",
             "not_under"]
Wanted = str | tuple[str, ...]  # a Text value, or a Select path of option values

NEGATED: dict[Op, Op] = {"not_empty": "empty", "is_not": "is", "not_one_of": "one_of",
                         "not_under": "under"}
WORDS: dict[Op, str] = {"empty": "is empty", "not_empty": "is not empty", "is": "is",
                        "is_not": "is not", "one_of": "is one of",
                        "not_one_of": "is not one of", "under": "under",
                        "not_under": "not under"}
_VERB = re.compile(r"(is\s+not\s+one\s+of|is\s+one\s+of|is\s+not|is|not\s+under|under)"
                   r"(?=\s|\"|$)(.*)", re.IGNORECASE | re.DOTALL)
_PLAIN = re.compile(r"[^\s,\"\\]+(?:[ ][^\s,\"\\]+)*")
KEYWORDS = frozenset({"is", "not", "one", "of", "under", "empty"})
FORMS = ("IDENT is empty, IDENT is not empty, IDENT is VALUE, IDENT is not VALUE, "
         "IDENT is one of A, B, IDENT is not one of A, B, IDENT under PATH, "
         "IDENT not under PATH")


class WhereError(ValueError):
    """A condition that cannot be read or does not fit the definitions; ``str()`` says why
    in a sentence that starts with the condition as typed."""


@dataclass(frozen=True)
class Condition:
    """One checked condition: ``definition`` ``op`` ``wanted`` (Select paths as tuples)."""

    definition: CustomAttributeDefinition
    op: Op
    wanted: tuple[Wanted, ...] = ()

    def __hash__(self) -> int:  # the definition model holds lists: hash what names it
        return hash((self.definition.id, self.op, self.wanted))

    @property
    def select(self) -> bool:
        return isinstance(self.definition.input_definition, SelectInput)

    def matches(self, value: AttributeValue | None) -> bool:
        """Whether a stored value (a string, a list of option values, or None) passes."""
        positive: Op = NEGATED.get(self.op, self.op)
        hit = self._positive(positive, value)
        return hit if positive == self.op else not hit

    def _positive(self, op: Op, value: AttributeValue | None) -> bool:
        if op == "empty":
            return is_empty(value)
        if value is None or is_empty(value):
            return False
        if self.select:
            path = tuple(value) if isinstance(value, list) else (value,)
            if op == "under":
                return any(path[:len(w)] == w for w in self.wanted)
            return path in self.wanted
        return value in self.wanted  # "is" and "one of" on Text: exact

    def text(self) -> str:
        """The condition in the form :func:`parse_condition` reads back: the identifier (the
        id when there is none) and option values."""
        ident = self.definition.identifier or self.definition.id
        words = WORDS[self.op]
        if self.op in ("empty", "not_empty"):
            return f"{_quoted(ident)} {words}"
        items = ", ".join(_quoted("/".join(w) if isinstance(w, tuple) else w)
                          for w in self.wanted)
        return f"{_quoted(ident)} {words} {items}"

    def describe(self) -> str:
        """For people: labels, e.g. ``Contact reason under Delivery > Damaged``."""
        name = self.definition.label or self.definition.identifier or self.definition.id
        if self.op in ("empty", "not_empty"):
            return f"{name} {WORDS[self.op]}"
        shown = []
        for w in self.wanted:
            shown.append(labels_for_values(self.definition.options, list(w))
                         if isinstance(w, tuple) else f'"{w}"')
        joiner = " or " if self.op in ("one_of", "not_one_of") else ""
        return f"{name} {WORDS[self.op]} {joiner.join(shown)}"


def _quoted(text: str) -> str:
    """``text`` as it can be typed back: bare when that reads the same, else in quotes."""
    if _PLAIN.fullmatch(text) and not (set(text.casefold().split()) & KEYWORDS):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- reading -----------------------------------------------------------------------------


def _take_quoted(text: str, start: int) -> tuple[str, int]:
    """The quoted string opening at ``text[start]``, unescaped, and where it ended."""
    out: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch == '"':
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise WhereError("a quote is not closed")


def split_items(text: str) -> list[str]:
    """``A, "B, C", D`` -> ``["A", "B, C", "D"]``: commas outside quotes separate items,
    each stripped; a quoted item is taken literally (it may be empty of nothing else)."""
    items: list[str] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i < n and text[i] == '"':
            item, i = _take_quoted(text, i)
            while i < n and text[i].isspace():
                i += 1
            if i < n and text[i] != ",":
                raise WhereError(f"text follows a quoted value: '{text[i:].strip()}'")
        else:
            end = text.find(",", i)
            end = n if end < 0 else end
            item = text[i:end].strip()
            if '"' in item:
                raise WhereError(f"'{item}' has a quote inside: put the whole value in quotes")
            if not item:
                raise WhereError("a value is missing (two commas, or a comma at an end)")
            i = end
        items.append(item)
        if i >= n:
            return items
        i += 1  # past the comma
        if i >= n or not text[i:].strip():
            raise WhereError("a value is missing after the last comma")


def _split_ident(text: str) -> tuple[str, str]:
    text = text.strip()
    if text.startswith('"'):
        ident, end = _take_quoted(text, 0)
        return ident, text[end:]
    parts = text.split(maxsplit=1)
    return parts[0], parts[1] if len(parts) > 1 else ""


def parse_condition(
    text: str, index: DefinitionIndex, *, entity_type: str = "Conversation",
    similar: DefinitionIndex | None = None,
) -> Condition:
    """``text`` (one ``--where``) checked against the definitions; raises :class:`WhereError`.

    ``similar`` (default: ``index``) is where "did you mean" looks, so a conversation query
    suggests conversation attributes only.
    """
    try:
        return _parse(text, index, entity_type, similar or index)
    except WhereError as exc:
        raise WhereError(f"'{text.strip()}': {exc}") from None


def _parse(text: str, index: DefinitionIndex, entity_type: str,
           similar: DefinitionIndex) -> Condition:
    if not text.strip():
        raise WhereError(f"the condition is empty; write one of: {FORMS}")
    ident, rest = _split_ident(text)
    verb = _VERB.match(rest.strip())
    if not ident or verb is None:
        raise WhereError(f"expected IDENT followed by 'is', 'is not', 'is one of', 'under' or "
                         f"'not under'; the forms are: {FORMS}")
    op = _op(verb.group(1))
    value_text = verb.group(2).strip()
    if op in ("is", "is_not") and value_text.casefold() == "empty":
        op = "empty" if op == "is" else "not_empty"
    definition = _definition(ident, index, entity_type, similar)
    if op in ("empty", "not_empty"):
        return Condition(definition, op)
    if not value_text:
        raise WhereError(f"'{WORDS[op]}' needs a value after it")
    items = split_items(value_text)
    if op not in ("one_of", "not_one_of") and len(items) > 1:
        raise WhereError(f"'{WORDS[op]}' takes one value; for several, write "
                         f"'{ident} is one of {value_text}', or quote a value that holds "
                         "a comma")
    return Condition(definition, op, tuple(_wanted(definition, op, item) for item in items))


def _op(words: str) -> Op:
    key = " ".join(words.casefold().split())
    return next(op for op, w in WORDS.items() if w == key)


def _definition(ident: str, index: DefinitionIndex, entity_type: str,
                similar: DefinitionIndex) -> CustomAttributeDefinition:
    found = index.resolve(ident)
    if isinstance(found, Problem):
        if found.code != "unknown-attribute":
            raise WhereError(found.message)
        close = similar.similar(ident)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else \
            "; `dixa-tui definitions list` shows them all"
        noun = "conversation " if entity_type == "Conversation" else ""
        raise WhereError(f"no {noun}attribute has the identifier or id '{ident}'{hint}")
    if found.entity_type != entity_type:
        whose = "an end-user (Contact)" if found.entity_type == "Contact" else \
            f"a {found.entity_type}"
        raise WhereError(f"'{found.identifier}' is {whose} attribute; a conversation query "
                         "can only test conversation attributes")
    return found


def _wanted(definition: CustomAttributeDefinition, op: Op, item: str) -> Wanted:
    spec = definition.input_definition
    ident = definition.identifier or definition.id
    if isinstance(spec, SelectInput):
        resolved = resolve_path_text(spec.options, item)
        if resolved.values is None:
            raise WhereError(f"{ident}: {resolved.problem}")
        return tuple(resolved.values)
    if op in ("under", "not_under"):
        raise WhereError(f"'under' follows Select option trees, and {ident} is a "
                         f"{definition.input_type} attribute: use 'is' or 'is one of'")
    if not isinstance(spec, TextInput):
        raise WhereError(f"{ident} has input type '{definition.input_type}', which this "
                         "version cannot compare: only 'is empty' and 'is not empty' work")
    return item


def parse_conditions(
    texts: Sequence[str], definitions: Sequence[CustomAttributeDefinition], *,
    entity_type: str = "Conversation",
) -> tuple[list[Condition], list[str]]:
    """Every condition of ``texts``, and every problem (a sentence each) at once."""
    index = DefinitionIndex(definitions)
    similar = DefinitionIndex(d for d in definitions if d.entity_type == entity_type)
    conditions: list[Condition] = []
    problems: list[str] = []
    for text in texts:
        try:
            conditions.append(parse_condition(text, index, entity_type=entity_type,
                                              similar=similar))
        except WhereError as exc:
            problems.append(str(exc))
    return conditions, problems
