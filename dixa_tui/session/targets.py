"""Targets: which endpoints serve an end user or a conversation, and how people name them.

:func:`endpoint` is the one place that knows an end user is read and patched under
``/endusers/{uuid}`` and a conversation under ``/conversations/{number}``; every read and
write of a target's values (the CLI's ``get`` and ``patch``, the TUI's target and editor,
bulk runs) goes through it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dixa_tui.api.models import Conversation, CustomAttribute, EndUser
from dixa_tui.domain.patch import Target, current_values

if TYPE_CHECKING:
    from dixa_tui.api.client import DixaClient


@dataclass(frozen=True)
class Endpoint:
    """How to read a target (its model, with ``custom_attributes``) and patch its values."""

    read: Callable[[], Awaitable[EndUser | Conversation]]
    patch: Callable[[Mapping[str, Any]], Awaitable[list[CustomAttribute]]]


def endpoint(client: DixaClient, target: Target) -> Endpoint:
    """The end-user/conversation branch, written once."""
    if target.kind == "enduser":
        user_id = target.id
        return Endpoint(lambda: client.get_end_user(user_id),
                        lambda body: client.patch_end_user_attributes(user_id, body))
    number = int(target.id)
    return Endpoint(lambda: client.get_conversation(number),
                    lambda body: client.patch_conversation_attributes(number, body))


@dataclass(frozen=True)
class TargetState:
    """A target as read: a name for people, its values (definition id -> value), and the
    model Dixa sent (an ``EndUser`` or a ``Conversation``)."""

    target: Target
    name: str
    values: dict[str, Any] = field(default_factory=dict)
    model: EndUser | Conversation | None = None

    @property
    def title(self) -> str:
        """``end user Astrid Lindqvist`` or ``#10001 · Damaged tent · Closed``."""
        return f"end user {self.name}" if isinstance(self.model, EndUser) else self.name


async def read_target(client: DixaClient, target: Target) -> TargetState:
    """``target`` and its current values (raises the client's ``DixaError``s)."""
    model = await endpoint(client, target).read()
    return TargetState(target, model_name(model), current_values(model.custom_attributes),
                       model)


def model_name(model: EndUser | Conversation) -> str:
    if isinstance(model, Conversation):
        return conversation_name(model)
    return end_user_name(model)


def end_user_name(user: EndUser) -> str:
    full = " ".join(p for p in (user.first_name, user.last_name) if p and p.strip())
    for name in (user.display_name, full, user.email, user.phone_number, user.external_id):
        if name and name.strip():
            return name.strip()
    return user.id


def conversation_name(conversation: Conversation) -> str:
    parts = [f"#{conversation.id}", conversation.subject or "", conversation.state or ""]
    return " · ".join(p for p in parts if p.strip())
