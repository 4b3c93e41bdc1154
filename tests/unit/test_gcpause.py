"""gc_paused: the collector is off inside, back after; ``keep`` freezes what was made."""

from __future__ import annotations

import gc

from dixa_tui.api.gcpause import gc_paused


def test_paused_inside_nested_and_restored_after() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_keep_moves_what_was_allocated_to_the_permanent_generation() -> None:
    before = gc.get_freeze_count()
    try:
        with gc_paused():
            with gc_paused(keep=True):
                kept = [[i] for i in range(1000)]
            assert gc.get_freeze_count() == before  # only when the outermost pause ends
        assert gc.get_freeze_count() >= before + len(kept)
        with gc_paused():
            [[i] for i in range(10)]
        frozen = gc.get_freeze_count()
        with gc_paused():
            [[i] for i in range(10)]
        assert gc.get_freeze_count() == frozen  # keep is not remembered past its pause
    finally:
        gc.unfreeze()


def test_reading_definitions_keeps_them_and_leaves_the_collector_on() -> None:
    from dixa_tui.api.salvage import read_definitions
    from dixa_tui.mock import MockState

    payload = [d.to_dixa() for d in MockState.demo().definitions]
    before = gc.get_freeze_count()
    try:
        read = read_definitions(payload)
        assert gc.isenabled()
        assert gc.get_freeze_count() > before + len(read.definitions)
    finally:
        gc.unfreeze()
