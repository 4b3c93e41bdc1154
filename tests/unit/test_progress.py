"""Progress lines: count, rate and ETA from an injected clock."""

from __future__ import annotations

from dixa_tui.session.progress import Progress, ProgressMeter, duration


def test_rate_and_eta_follow_the_clock():
    now = [100.0]
    seen: list[Progress] = []
    meter = ProgressMeter("sending", 50, listener=seen.append, clock=lambda: now[0])
    now[0] += 2.0
    progress = meter.advance(20, failed=1)
    assert progress.rate == 10.0 and progress.eta == 3.0
    assert progress.line() == "sending 20 of 50 · 10.0/s · ETA 3 s · 1 failed"
    assert seen == [progress]


def test_unknown_total_and_nothing_done_yet():
    meter = ProgressMeter("reading", clock=lambda: 0.0)
    assert meter.report().line() == "reading 0 · …/s"
    assert Progress("x", 0, 10, 0.0).line() == "x 0 of 10 · …/s · ETA …"


def test_durations_read_like_a_person_says_them():
    assert duration(42.4) == "42 s"
    assert duration(200) == "3 min 20 s"
    assert duration(3900) == "1 h 05 min"
