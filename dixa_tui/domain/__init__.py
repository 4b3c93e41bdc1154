"""Pure rules about Dixa values: option trees, PATCH bodies, diffs. No I/O, no Textual."""
