"""Dixa's HTTP API: models, the async client, typed errors and rate limiting. No Textual here."""
