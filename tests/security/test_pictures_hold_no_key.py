"""The committed pictures (make screenshots, the SVG snapshots) show no key.

Every scene runs on the embedded demo, so the key in use while they were drawn is the demo
key: if any screen ever showed the key in use (the key screen, an error, the header), it
would be in one of these files. They are searched as the sentinel sweep searches its own
screenshots: the raw text, its base64 forms, and the SVG's text runs joined, so a key
split over runs or rows is found too.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from dixa_tui.mock import DEMO_API_KEY

ROOT = Path(__file__).resolve().parents[2]


def pictures() -> list[Path]:
    return sorted([*ROOT.glob("screenshots/*.svg"),
                   *ROOT.glob("tests/snapshots/__snapshots__/**/*.svg")])


def forms(secret: str) -> list[bytes]:
    raw = secret.encode()
    found = [raw]
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        for offset in range(3):
            text = encode(b"\0" * offset + raw)
            found.append(text[4 if offset else 0:((offset + len(raw)) // 3) * 4])
    return found


def shown(svg: str) -> bytes:
    runs = re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)
    return re.sub(r"\s", "", html.unescape("".join(runs))).encode()


def test_no_committed_screenshot_or_snapshot_shows_the_key_it_was_made_with() -> None:
    found = pictures()
    names = {p.stem for p in found}
    assert {"main", "key", "error", "editor"} <= names, names  # the scenes that could leak
    assert len(found) >= 14
    assert any("DEMO" in shown(p.read_text(encoding="utf-8")).decode() for p in found)
    hits = [f"{p.relative_to(ROOT)}: {needle!r}" for p in found
            for text in [p.read_text(encoding="utf-8")]
            for needle in forms(DEMO_API_KEY)
            if needle in text.encode() or needle in shown(text)]
    assert hits == []


def test_the_search_finds_a_key_drawn_in_a_picture(tmp_path: Path) -> None:
    """The same search on an SVG that does show the key, split over two text runs."""
    half = len(DEMO_API_KEY) // 2
    svg = (f'<svg><text x="0">Key: {DEMO_API_KEY[:half]}</text>'
           f'<text x="9">{html.escape(DEMO_API_KEY[half:])}</text></svg>')
    assert any(needle in shown(svg) for needle in forms(DEMO_API_KEY))
