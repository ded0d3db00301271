"""Classroom fault injection: the offline mode fails on request, and the widget recovers to the same answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from claude_widget import Chat, ChatWidget
from claude_widget.engine.options import Backoff
from claude_widget.fake_server import FakeAnthropic


@pytest.fixture(autouse=True)
def no_comm_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ChatWidget, "send", lambda self, content, buffers=None: None)


@pytest.fixture(autouse=True)
def brisk_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each wait before a retry (the server's retry-after, else the backoff) a hundredth as long: these tests are
    about what is shown and recovered, not how long it waits (test_faults.py and test_rate_limits.py are)."""
    delay = Backoff.delay
    monkeypatch.setattr(Backoff, "delay", lambda self, *args: delay(self, *args) / 100)


@pytest.fixture(scope="module")
def clean_answer() -> str:
    import claude_widget.widget.chat_widget as widget_module

    original = widget_module.ChatWidget.send
    widget_module.ChatWidget.send = lambda self, content, buffers=None: None  # type: ignore[method-assign]
    try:
        return Chat(offline=True).send("Hi").wait(30)
    finally:
        widget_module.ChatWidget.send = original  # type: ignore[method-assign]


@pytest.mark.parametrize(
    ("fault", "outcomes"),
    [
        ("rate_limit", ["rate_limit", "done"]),
        ("overloaded", ["overloaded", "overloaded", "done"]),
        ("mid_stream_error", ["stream_error", "done"]),
        ("drop", ["connection", "done"]),
        ("ping_stall", ["stall", "done"]),
    ],
)
def test_an_injected_fault_is_shown_and_recovered_from(clean_answer: str, fault: str, outcomes: list[str]) -> None:
    chat = Chat(offline=True, stall_timeout=1.0)
    chat.inject_fault(fault)
    w = chat.send("Hi")
    assert w.wait(30) == clean_answer  # the same answer, with nothing lost or repeated at the seam
    assert [a.outcome for a in w.attempts] == outcomes


def test_an_injected_drop_keeps_a_cited_answers_sources(tmp_path: Path) -> None:
    # The drop comes before the quotes; the continuation quoted them without their sources (the fake server
    # sent the rest of a cited answer without its citations).
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\n- Check the west region's returns first.\n- The north grew by four percent.\n")
    clean = Chat(offline=True).send("Summarize", notes)
    text = clean.wait(30)
    assert "[^2]" in text
    chat = Chat(offline=True)
    chat.inject_fault("drop")
    w = chat.send("Summarize", notes)
    assert w.wait(30) == text
    assert w.citations == clean.citations
    assert [a.outcome for a in w.attempts] == ["connection", "done"]


def test_fault_injection_is_for_the_offline_mode_only(server: FakeAnthropic) -> None:
    with pytest.raises(RuntimeError, match="offline=True"):
        Chat(api_key="k", base_url=server.url).inject_fault("drop")
    with pytest.raises(ValueError, match="unknown fault 'meteor'"):
        Chat(offline=True).inject_fault("meteor")
