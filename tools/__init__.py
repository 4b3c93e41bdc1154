"""Developer tools: the README's generated blocks and the screenshots. Not in the wheel."""
