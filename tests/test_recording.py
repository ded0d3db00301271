"""Record a stream, replay it through the fake server and the real SDK, at its pace or faster."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claude_widget import Chat, ChatWidget, replay
from claude_widget.chat import offline_server
from claude_widget.fake_server import FakeAnthropic, Replay, Script
from claude_widget.fake_server.demo import SSE_ANSWER
from claude_widget.fake_server.wire import Pause
from claude_widget.recording import load, shipped

from .conftest import TEST_KEY

ANSWER = "A recorded answer with **markdown**, ünïcödé and 🎉, replayed exactly."


@pytest.fixture(autouse=True)
def no_comm_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ChatWidget, "send", lambda self, content, buffers=None: None)


def test_a_recorded_stream_replays_to_the_same_answer(server: FakeAnthropic, tmp_path: Path) -> None:
    server.enqueue(Script(text=ANSWER, delay=0.01, cache_read_input_tokens=3))
    original = Chat(api_key=TEST_KEY, base_url=server.url, record=True).send("Tell me")
    original.wait(5)
    path = original.save_recording(tmp_path / "answer.json")
    saved = json.loads(path.read_text())
    assert TEST_KEY not in path.read_text()
    names = [name for _, name, _ in saved["responses"][0]["events"]]
    assert names[0] == "message_start" and names[-1] == "message_stop"

    replayed = replay(path, speed=20)
    assert replayed.wait(10) == ANSWER
    assert replayed.usage == original.usage
    served = offline_server().message_requests()[-1]
    assert [name for _, name in served.events] == names  # the same events, through the real SDK
    assert served.body["messages"] == [{"role": "user", "content": "Tell me"}]


def test_a_question_with_data_replays_with_it_and_keeps_it_in_the_history(
    server: FakeAnthropic, tmp_path: Path
) -> None:
    import pandas as pd

    server.enqueue(Script(text=ANSWER))
    original = Chat(api_key=TEST_KEY, base_url=server.url, record=True).send("Look", pd.DataFrame({"a": [1, 2]}))
    original.wait(5)
    path = original.save_recording(tmp_path / "answer.json")
    chat_turn = replay(path, speed=20)
    assert chat_turn.wait(10) == ANSWER
    served = offline_server().message_requests()[-1]
    [summary, question] = served.body["messages"][0]["content"]
    assert summary["text"].startswith("DataFrame: 2 rows × 1 columns.") and question["text"] == "Look"


def test_replay_keeps_the_recorded_timing_divided_by_speed() -> None:
    events = ((0.5, "message_start", {}), (0.9, "content_block_start", {}), (2.0, "message_stop", {}))
    for speed in (1.0, 4.0):
        pauses = [step.seconds for step in Replay(events, speed).steps() if isinstance(step, Pause)]
        assert pauses == pytest.approx([0.5 / speed, 0.4 / speed, 1.1 / speed])


def test_shipped_recordings_play_offline() -> None:
    assert {"sse-explained", "pandas-groupby"} <= set(shipped())
    w = replay("sse-explained", speed=50)
    assert w.wait(20) == SSE_ANSWER
    assert w.offline


def test_bad_recordings_are_explained(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="shipped recordings: pandas-groupby"):
        load(tmp_path / "missing.json")
    (tmp_path / "other.json").write_text('{"format": "something-else"}')
    with pytest.raises(ValueError, match="not a claude-widget recording"):
        load(tmp_path / "other.json")
    with pytest.raises(ValueError, match="speed must be > 0"):
        replay("sse-explained", speed=0)


def test_an_unrecorded_stream_says_how_to_record(server: FakeAnthropic) -> None:
    w = Chat(api_key=TEST_KEY, base_url=server.url).send("hi")
    w.wait(5)
    with pytest.raises(RuntimeError, match="record=True"):
        w.recording()
