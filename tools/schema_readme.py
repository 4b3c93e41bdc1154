"""The README's schema-tools blocks, written by the code that owns them: the CSV export's
columns (``schema_export.CSV_COLUMN_NOTES``), the diff's change kinds
(``schema_change.CHANGE_KINDS``), and the lint rules (``schema_lint.RULES``) with the demo
organization's findings. ``make readme`` (``tools/readme.py``) writes them; tests keep them
in sync.
"""

from __future__ import annotations

from dixa_tui.domain.schema_change import CHANGE_KINDS
from dixa_tui.domain.schema_export import CSV_COLUMN_NOTES
from dixa_tui.domain.schema_lint import RULES, lint
from dixa_tui.domain.schema_markdown import md_code
from dixa_tui.mock.state import MockState

_KIND_NOTES = {
    "definition_added": "a definition only in B (with its option count)",
    "definition_removed": "a definition only in A (with its option count)",
    "label_changed": "the label",
    "entity_type_changed": "`Contact` <-> `Conversation`",
    "input_type_changed": "e.g. `Select` -> `Text` (options are then not compared)",
    "required_changed": "`isRequired`",
    "archived_changed": "`isArchived`",
    "deactivated_changed": "`isDeactivated`",
    "description_changed": "the description",
    "placeholder_changed": "a Text attribute's placeholder",
    "option_added": "an option only in B (its new sub-options counted, not listed)",
    "option_removed": "an option only in A (its sub-options counted, not listed)",
    "option_moved": "same value and label under another parent (a subtree moves as one)",
    "option_label_changed": "an option's label",
    "option_deactivated": "an option deactivated",
    "option_reactivated": "an option active again",
    "option_reordered": "an option's rank among its siblings changed (Dixa renumbering "
                        "`orderIndex` alone is not a change)",
}


def csv_columns_block() -> str:
    lines = ["| Column | Holds |", "|---|---|"]
    lines += [f"| `{name}` | {note} |" for name, note in CSV_COLUMN_NOTES.items()]
    return "\n".join(lines) + "\n"


def change_kinds_block() -> str:
    lines = ["| Kind | What changed |", "|---|---|"]
    lines += [f"| `{kind}` | {_KIND_NOTES[kind]} |" for kind in CHANGE_KINDS]
    return "\n".join(lines) + "\n"


def lint_rules_block() -> str:
    lines = ["| Code | Severity | Why it matters |", "|---|---|---|"]
    lines += [f"| `{code}` | {severity} | {why} |" for code, (severity, why) in RULES.items()]
    findings = lint(MockState.demo().definitions)
    lines.append("")
    if not findings:
        lines.append("The demo organization has no lint findings.")
    else:
        lines.append("The demo organization's findings:")
        lines.append("")
        lines += [f"- {md_code(f.describe())}" for f in findings]
    return "\n".join(lines) + "\n"


BLOCKS = {"csv-columns": csv_columns_block, "change-kinds": change_kinds_block,
          "lint-rules": lint_rules_block}
