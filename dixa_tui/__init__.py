"""dixa-tui: a keyboard-driven terminal app and CLI for Dixa custom attributes."""

__version__ = "0.1.0"
