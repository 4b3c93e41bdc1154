"""Widgets: they render state and post messages; they never call the client."""
