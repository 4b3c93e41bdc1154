"""Messages: one class per outcome, from workers to the node that asked, and from the app to
the main screen.

Workers never touch widgets. They post one of these to the node that started them; that
node's handler owns the state. :class:`RequestFailed` and :class:`Retrying` bubble on to the
app, the one place that shows errors and retries. Which request a failure belongs to is a
:class:`Request`, never a string, so a handler cannot miss it through a typo.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

from textual.message import Message

if TYPE_CHECKING:
    from pathlib import Path

    from textual.screen import Screen

    from dixa_tui.api.client import RetryNotice
    from dixa_tui.api.models import Conversation, CustomAttributeDefinition, EndUser
    from dixa_tui.api.salvage import DefinitionsRead
    from dixa_tui.domain.bulk_plan import Plan
    from dixa_tui.domain.bulk_results import ResultLine
    from dixa_tui.domain.history_filters import HistoryFilter
    from dixa_tui.domain.patch import DefinitionIndex, Target
    from dixa_tui.domain.search import DefinitionSearch
    from dixa_tui.domain.targets import Lookup
    from dixa_tui.domain.usage import UsageTally
    from dixa_tui.session.bulk import ApplySummary
    from dixa_tui.session.core import Session
    from dixa_tui.session.find import Found
    from dixa_tui.session.history import History
    from dixa_tui.session.progress import Progress
    from dixa_tui.session.queries import PreparedFind, SavedQuery
    from dixa_tui.session.schema import SchemaComparison, SourceChoice
    from dixa_tui.session.targets import TargetState
    from dixa_tui.session.undo import PreparedUndo
    from dixa_tui.session.usage import UsagePlan
    from dixa_tui.session.writes import Sent


class Request(Enum):
    """What a worker was asked to do (its value names it in the debug log)."""

    START = "start"
    DEFINITIONS = "definitions"
    DETAIL = "detail"
    TARGET_VALUES = "target values"
    TARGET = "target"
    LOOKUP = "end user lookup"
    CONVERSATIONS = "conversations of an end user"
    SEND = "send"
    SCHEMA_SOURCES = "schema sources"
    SCHEMA_DIFF = "schema diff"
    USAGE_COUNT = "count conversations for the usage census"
    USAGE_READ = "usage census"
    HISTORY = "history"
    UNDO = "prepare an undo"
    FIND = "find conversations"
    SAVED_QUERIES = "list the saved queries"
    SAVE_QUERY = "save a query"
    BULK_FILE = "open a bulk plan file"
    BULK_PLAN = "plan a bulk edit"
    BULK_SEND = "send a bulk edit"


# -- from the app to the main screen ------------------------------------------------------


@dataclass
class SessionStarted(Message, bubble=False):
    """The session exists: profile and keymap are known; ``session.connected`` says whether
    there is a key yet."""

    session: Session


@dataclass
class Connected(Message, bubble=False):
    """A usable key is in use now (at start, or entered on the key screen): load."""


@dataclass
class KeyMissing(Message, bubble=False):
    """There is no usable key yet: the key screen is open over the main screen."""


# -- answers to requests ------------------------------------------------------------------


class MainReady(Message):
    """The main screen is mounted, its first frame laid out: keys typed before it can be
    handled now. Bubbles to the app."""


@dataclass
class ListShown(Message):
    """The list asked for before Textual loaded is on screen, or will not come: the app
    starts the session now (earlier, it would compete with the list for the interpreter).
    Bubbles to the app."""


@dataclass
class EarlyRowsCame(Message, bubble=False):
    """The rows of the list asked for before Textual loaded (``session.early``) have come,
    its pages still on their way: the main screen paints them."""


@dataclass
class EarlyListEnded(Message, bubble=False):
    """The list asked for before Textual loaded (``session.early``) has arrived, or failed:
    the main screen takes it over."""


@dataclass
class DefinitionsFetched(Message, bubble=False):
    """The definitions list as Dixa sent it (its pages): the list paints its rows from it,
    the models are read from it in steps."""

    pages: list[bytes]


@dataclass
class DefinitionsLoaded(Message, bubble=False):
    """The models of the list shown. ``fresh``: read from Dixa in this run (not from the
    start-up cache); ``snapshot_problem``: why the profile's snapshot of this list could not
    be saved."""

    read: DefinitionsRead
    snapshot_problem: str | None = None
    fresh: bool = True


@dataclass
class ListSaved(Message, bubble=False):
    """The list read was kept (start-up cache, the profile's snapshot); ``snapshot_problem``
    says why its snapshot could not be saved."""

    snapshot_problem: str | None = None


@dataclass
class ListChanged(Message, bubble=False):
    """The list read again differs from the one shown from the start-up cache: ``sentence``
    says how (untrusted labels in it: clean it to show)."""

    sentence: str


@dataclass
class SearchReady(Message, bubble=False):
    """The search index of the definitions shown is built: a waiting filter applies."""

    search: DefinitionSearch


@dataclass
class DetailLoaded(Message, bubble=False):
    """The full definition of ``definition_id``, fetched by id."""

    definition_id: str
    definition: CustomAttributeDefinition


@dataclass
class TargetRead(Message, bubble=False):
    """A target and its current values, as just read."""

    state: TargetState


@dataclass
class UsersFound(Message, bubble=False):
    lookup: Lookup
    users: list[EndUser]


@dataclass
class ConversationsListed(Message, bubble=False):
    """``owner`` is (end user id, name) whose conversations these are."""

    owner: tuple[str, str]
    conversations: list[Conversation]


@dataclass
class EditSent(Message, bubble=False):
    """Dixa applied a PATCH: what was sent and what it now holds."""

    sent: Sent


@dataclass
class SchemaSourcesListed(Message, bubble=False):
    """What can be compared: this profile, the others, the saved snapshots."""

    choices: list[SourceChoice]


@dataclass
class SchemaCompared(Message, bubble=False):
    """Two schemas were read and compared."""

    comparison: SchemaComparison


@dataclass
class UsagePlanned(Message, bubble=False):
    """The census's conversations are counted: ``plan`` says how many and how long."""

    plan: UsagePlan


@dataclass
class UsageQueryRefused(Message, bubble=False):
    """The census's query cannot run: one sentence per problem (nothing was read)."""

    problems: list[str]


@dataclass
class UsageProgress(Message, bubble=False):
    """The census read more conversations."""

    progress: Progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, UsageProgress)


@dataclass
class UsageRead(Message, bubble=False):
    """The census read every conversation of its plan."""

    tally: UsageTally


@dataclass
class HistoryLoaded(Message, bubble=False):
    """Journal entries, newest first, as ``filter`` asked for them."""

    history: History
    filter: HistoryFilter


@dataclass
class UndoPrepared(Message, bubble=False):
    """An undo checked against its target as it is now, with the definitions the editor
    checks it against."""

    prepared: PreparedUndo
    definitions: list[CustomAttributeDefinition]


@dataclass
class UndoImpossible(Message, bubble=False):
    """The undo cannot be prepared as asked (nothing to undo, a write still on its way,
    another organization's entry): ``reason`` says why and what to do. Nothing was sent."""

    reason: str


@dataclass
class UndoProgress(Message, bubble=False):
    """Preparing an undo read more of its targets (the reading can wait on Dixa's pace or
    retries: the History screen says so while it does)."""

    progress: Progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, UndoProgress)


@dataclass
class FindStarted(Message, bubble=False):
    """Find run ``run`` passed every check: its columns are known, matches follow."""

    run: int
    prepared: PreparedFind


@dataclass
class FindRefused(Message, bubble=False):
    """Find run ``run`` cannot be run as asked: one sentence per problem (nothing was
    searched or read)."""

    run: int
    problems: list[str]


@dataclass
class FindMatched(Message, bubble=False):
    """Find run ``run`` confirmed one more match."""

    run: int
    found: Found


@dataclass
class FindProgress(Message, bubble=False):
    """Find run ``run`` read another page or checked another conversation."""

    run: int
    progress: Progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FindProgress) and message.run == self.run


@dataclass
class FindFinished(Message, bubble=False):
    """Find run ``run`` read everything it needed (to the end, or to its stop-after)."""

    run: int
    progress: Progress | None


@dataclass
class SavedQueriesListed(Message, bubble=False):
    """The saved queries of the config file at ``path``, read to ``open`` one or to
    ``save`` under a name; ``problem`` says why they could not be read."""

    queries: list[SavedQuery]
    purpose: Literal["open", "save"]
    path: str
    problem: str | None = None


@dataclass
class QuerySaved(Message, bubble=False):
    """The query was saved as ``name`` in ``path`` (``replaced``: the text it replaced), or
    (``problem``) why it was not (nothing written then)."""

    name: str
    path: str
    replaced: str | None = None
    problem: str | None = None


@dataclass
class EditTargets(Message):
    """Edit these targets together (marked in a list: a user's conversations, lookup
    results, a Find worklist): one edit set, planned for all, then sent as one batch.
    Bubbles to the app, which opens the bulk editor. ``names`` says who each target is."""

    targets: list[Target]
    names: dict[Target, str]


@dataclass
class TargetsWritten(Message, bubble=False):
    """The app tells every screen: these targets were written (a bulk run), so a screen that
    shows their values reads them again."""

    targets: list[Target]


@dataclass
class BulkFileRead(Message, bubble=False):
    """A file to review: a plan (``plan``), or an input file to plan (``data``); or why it
    cannot be (``problem``: nothing was read from Dixa)."""

    path: Path
    plan: Plan | None = None
    data: bytes | None = None
    problem: str | None = None


@dataclass
class BulkPlanned(Message, bubble=False):
    """A bulk edit is planned (or a plan file read): review it. ``index`` holds the
    definitions it is shown with."""

    plan: Plan
    index: DefinitionIndex


@dataclass
class BulkProgress(Message, bubble=False):
    """A bulk plan read, or a bulk run sent, more targets."""

    progress: Progress

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, BulkProgress)


@dataclass
class BulkBatchStarted(Message, bubble=False):
    """A bulk run has its batch id, recorded in the plan file at ``path``; sending starts."""

    plan: Plan
    path: Path


@dataclass
class BulkResultHeard(Message, bubble=False):
    """One target's outcome in a bulk run, as soon as it is known."""

    result: ResultLine


@dataclass
class BulkApplied(Message, bubble=False):
    """A bulk run ended (``summary.cancelled``: stopped before the end). ``failures`` is
    the failures file written, ``file_problem`` why the results could not be written."""

    summary: ApplySummary
    failures: Path | None = None
    file_problem: str | None = None


@dataclass
class Retrying(Message):
    """A request failed and is about to be tried again. Bubbles to the app, which says so."""

    request: Request
    notice: RetryNotice

    def can_replace(self, message: Message) -> bool:
        """A newer notice of the same request replaces one not yet shown."""
        return isinstance(message, Retrying) and message.request is self.request


@dataclass
class RequestFailed(Message):
    """A request failed; ``retry`` (None where repeating cannot help) runs it again.
    ``origin`` is the screen that asked: the error is shown in its error bar. Bubbles to the
    app, the one place that shows errors."""

    request: Request
    error: BaseException
    retry: Callable[[], object] | None
    origin: Screen[Any] | None = None
    context: Any = None
