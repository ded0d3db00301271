"""The event log keeps what the inspector reads (engine/event_log.py): the first and latest entries whole, and of
those between only when each came and of what kind (the chart), not one object and string per delta."""

from __future__ import annotations

from claude_widget.engine.event_log import FIRST_KEPT, LATEST_KEPT, EventLog


def logged(n: int) -> tuple[EventLog, list[tuple[str, str]]]:
    log, added = EventLog(), []
    for i in range(n):
        kind, detail = (("content_block_delta", f"text_delta 'word {i}'") if i % 3 else
                        ("content_block_delta", f"thinking_delta 'step {i}'") if i % 2 else
                        ("content_block_start", f"#{i} text"))  # fmt: skip
        log.add(kind, detail)
        added.append((kind, detail))
    return log, added


def test_a_short_log_is_kept_whole() -> None:
    log, added = logged(FIRST_KEPT + LATEST_KEPT)
    assert [(e.kind, e.detail) for e in log.entries] == added


def test_a_long_log_keeps_the_first_and_latest_whole_and_of_the_rest_their_time_and_kind() -> None:
    log, added = logged(5_000)
    entries = log.entries
    assert len(entries) == 5_000
    head, between, tail = entries[:FIRST_KEPT], entries[FIRST_KEPT:-LATEST_KEPT], entries[-LATEST_KEPT:]
    assert [(e.kind, e.detail) for e in head] == added[:FIRST_KEPT]
    assert [(e.kind, e.detail) for e in tail] == added[-LATEST_KEPT:]
    # between: the kind, and for a delta its type (the inspector's chart tells text deltas from the rest)
    assert [(e.kind, e.detail) for e in between] == [
        (kind, detail.split(" ", 1)[0] if kind == "content_block_delta" else "")
        for kind, detail in added[FIRST_KEPT:-LATEST_KEPT]
    ]
    times = [e.at for e in entries]
    assert times == sorted(times)
