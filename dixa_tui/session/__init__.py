"""The engine: every read and write of the CLI and the TUI passes through here.

Settings are resolved once into a session (profile, key and its source, keymap, client);
the session's coroutines load definitions, resolve and read targets, plan edits with the
domain's rules and send them through the journal. Long work (bulk runs, finds, the usage
census) lives here too and reports :class:`~dixa_tui.session.progress.Progress`.

Nothing here imports Textual or click: both front ends are thin layers over this package.
"""
