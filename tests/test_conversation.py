"""Conversations, thinking, tools and stop reasons: the real SDK against the fake server."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any, Literal

import pytest

from claude_widget import Chat, ChatWidget, StreamError
from claude_widget.engine.continuation import INTERRUPTED_NOTE
from claude_widget.engine.tools import ToolDefinitionError
from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import TEST_KEY, front_end_says


@pytest.fixture(autouse=True)
def no_comm_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ChatWidget, "send", lambda self, content, buffers=None: None)


# A model whose text before a tool call comes as a text block (Sonnet 5.5, the default, writes it inside thinking).
NARRATES_IN_TEXT = "claude-haiku-5-5"


def chat_for(server: FakeAnthropic, **kwargs: Any) -> Chat:
    return Chat(api_key=TEST_KEY, base_url=server.url, **kwargs)


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.005)


def text_of(message: dict[str, Any]) -> str:
    content = message["content"]
    return content if isinstance(content, str) else "".join(b.get("text", "") for b in content)


# -- conversations -----------------------------------------------------------------------------------------
def test_each_send_continues_the_history_exactly(server: FakeAnthropic) -> None:
    server.enqueue(Script(text="Paris is the capital of France."), Script(text="About 2.1 million people."))
    chat = chat_for(server)
    first = chat.send("What is the capital of France?")
    first.wait(5)
    second = chat.send("How many people live there?")
    assert second.wait(5) == "About 2.1 million people."
    expected = [
        {"role": "user", "content": "What is the capital of France?"},
        {"role": "assistant", "content": [{"type": "text", "text": "Paris is the capital of France."}]},
        {"role": "user", "content": "How many people live there?"},
    ]
    assert server.message_requests()[1].body["messages"] == expected
    assert chat.history == [
        *expected,
        {"role": "assistant", "content": [{"type": "text", "text": "About 2.1 million people."}]},
    ]
    first_usage, second_usage = first.usage, second.usage
    assert chat.usage == {k: first_usage[k] + second_usage[k] for k in first_usage}
    assert [turn.answer for turn in chat.turns] == [first.answer, second.answer]  # the engine's, not the widgets
    assert [first.turn, second.turn] == [1, 2]  # the header says "turn 2": the rest goes with it
    assert chat.cost == pytest.approx((chat.usage["input_tokens"] * 2 + chat.usage["output_tokens"] * 10) / 1e6)


def test_a_new_send_stops_the_old_stream_which_stays_in_the_history_as_interrupted(server: FakeAnthropic) -> None:
    server.enqueue(Script(text="A very long answer. " * 500, delay=0.005), Script(text="Short answer."))
    chat = chat_for(server)
    first = chat.send("Tell me everything")
    wait_until(lambda: len(first.manager.text) > 40)
    second = chat.send("Actually, be brief")
    assert second.wait(5) == "Short answer."
    assert first.wait(5) == first.text and first.status == "stopped"
    old_request = server.message_requests()[0]
    assert old_request.done.wait(2) and old_request.client_closed_at is not None
    sent = server.message_requests()[1].body["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    partial, note = sent[1]["content"]
    assert "A very long answer." in partial["text"] and note == {"type": "text", "text": INTERRUPTED_NOTE}
    assert chat.history[:3] == sent


def test_reset_forgets_the_conversation(server: FakeAnthropic) -> None:
    chat = chat_for(server)
    chat.send("one").wait(5)
    chat.reset()
    assert chat.history == [] and chat.usage["input_tokens"] == 0
    chat.send("two").wait(5)
    assert server.message_requests()[1].body["messages"] == [{"role": "user", "content": "two"}]


# -- thinking ------------------------------------------------------------------------------------------------
def test_thinking_streams_and_goes_back_with_its_signature(server: FakeAnthropic) -> None:
    script = Script(text="42.", thinking="Six times seven is forty-two.")
    server.enqueue(script, Script(text="Yes."))
    chat = chat_for(server)  # Sonnet 5.5 thinks by default: its summaries are asked for
    w = chat.send("What is 6 x 7?")
    assert w.wait(5) == "42."
    assert w.thinking == "Six times seven is forty-two."
    assert w.thinking_tokens == -(-len(script.thinking) // 4)
    assert server.message_requests()[0].body["thinking"] == {"type": "adaptive", "display": "summarized"}
    chat.send("Sure?").wait(5)
    thinking_block, text_block = server.message_requests()[1].body["messages"][1]["content"]
    assert thinking_block["type"] == "thinking" and thinking_block["thinking"] == script.thinking
    assert thinking_block["signature"].startswith("sig-")
    assert text_block == {"type": "text", "text": "42."}


def test_an_unsigned_thinking_block_is_never_sent_back(server: FakeAnthropic) -> None:
    server.enqueue(Script(text="Answer.", thinking="Hmm, let me think about this carefully. " * 50, delay=0.005))
    chat = chat_for(server, thinking={"type": "adaptive", "display": "summarized"})
    w = chat.send("Think hard")
    wait_until(lambda: len(w.manager.thinking) > 40)
    w.stop()
    w.wait(5)
    assert w.status == "stopped" and w.manager.thinking
    [_, assistant] = chat.history
    assert assistant["content"] == [{"type": "text", "text": INTERRUPTED_NOTE}]


def test_redacted_thinking_is_shown_as_such_and_kept(server: FakeAnthropic) -> None:
    server.enqueue(Script(text="Done.", redacted_thinking=True))
    chat = chat_for(server, thinking={"type": "adaptive"})
    w = chat.send("hi")
    w.wait(5)
    assert "redacted" in w.thinking
    assert chat.history[1]["content"][0]["type"] == "redacted_thinking"


# -- tools ---------------------------------------------------------------------------------------------------
calls: list[str] = []


def get_weather(city: str, unit: Literal["c", "f"] = "c") -> dict[str, Any]:
    """Get the current weather in a city.

    Args:
        city: The city, e.g. "Paris".
        unit: Temperature unit.
    """
    calls.append(city)
    return {"city": city, "temperature": 21, "unit": unit}


def explode(reason: str) -> str:
    """Always fails.

    Args:
        reason: Why.
    """
    raise RuntimeError(f"boom: {reason}")


async def slow_lookup(query: str) -> str:
    """Look something up slowly.

    Args:
        query: What to look up.
    """
    try:
        await asyncio.sleep(30)
    except asyncio.CancelledError:
        calls.append("cancelled")
        raise
    return "found"


def slow_sync(query: str) -> str:
    """Look something up slowly, without async.

    Args:
        query: What to look up.
    """
    calls.append("sync started")
    time.sleep(0.5)
    calls.append("sync finished")
    return "found"


def test_a_tool_round_trip_streams_input_runs_the_function_and_continues(server: FakeAnthropic) -> None:
    calls.clear()
    subscribed = threading.Event()  # the tool's input streams once the test listens (a busy machine was quicker)
    server.enqueue(
        Script(text="Let me check.", tool_use={"name": "get_weather", "input": {"city": "Paris", "unit": "c"}},
               hold=subscribed, hold_after=1),
        Script(text="It is 21 °C in Paris."),
    )  # fmt: skip
    chat = chat_for(server, tools=[get_weather], model=NARRATES_IN_TEXT)
    w = chat.send("Weather in Paris?")
    seen: list[tuple[str, str]] = []
    w.manager.subscribe(lambda e: seen.append((e.status, e.input_json)) if hasattr(e, "input_json") else None)
    subscribed.set()
    assert w.wait(30) == "Let me check.\n\nIt is 21 °C in Paris."
    assert calls == ["Paris"]
    first, second = server.message_requests()
    [tool] = first.body["tools"]
    assert tool["name"] == "get_weather" and tool["input_schema"]["required"] == ["city"]
    assert tool["input_schema"]["properties"]["unit"]["enum"] == ["c", "f"]
    assistant, results = second.body["messages"][1:]
    assert [b["type"] for b in assistant["content"]] == ["text", "tool_use"]
    assert assistant["content"][1]["input"] == {"city": "Paris", "unit": "c"}
    [result] = results["content"]
    assert result["type"] == "tool_result" and result["tool_use_id"] == assistant["content"][1]["id"]
    assert '"temperature": 21' in result["content"] and result["is_error"] is False
    [card] = w.tools
    assert card["name"] == "get_weather" and card["status"] == "done" and '"temperature": 21' in card["result"]
    assert card["at"] == len("Let me check.")
    writing = [json for status, json in seen if status == "writing"]
    assert len(writing) > 2 and writing[-1] == '{"city": "Paris", "unit": "c"}'  # the input streamed live
    assert [m["role"] for m in chat.history] == ["user", "assistant", "user", "assistant"]  # tool_use, tool_result


def test_on_sonnet_5_5_the_narration_before_a_tool_call_shows_on_its_card(server: FakeAnthropic) -> None:
    # Sonnet 5.5 writes "Let me check." inside a thinking block; its summary is asked for by default.
    server.enqueue(
        Script(text="Let me check.", tool_use={"name": "get_weather", "input": {"city": "Paris"}}),
        Script(text="It is 21 °C in Paris."),
    )
    chat = chat_for(server, tools=[get_weather])
    w = chat.send("Weather in Paris?")
    assert w.wait(5) == "It is 21 °C in Paris."
    [card] = w.tools
    assert card["note"] == "Let me check." and card["at"] == 0
    assert [b["type"] for b in chat.history[1]["content"]] == ["thinking", "tool_use"]  # sent back as it came


def test_an_exception_in_a_tool_goes_back_to_claude_as_an_error(server: FakeAnthropic) -> None:
    server.enqueue(Script(text="", tool_use={"name": "explode", "input": {"reason": "test"}}),
                   Script(text="The tool failed."))  # fmt: skip
    w = chat_for(server, tools=[explode]).send("go")
    assert w.wait(5) == "The tool failed."
    [result] = server.message_requests()[1].body["messages"][-1]["content"]
    assert result["is_error"] is True and "RuntimeError: boom: test" in result["content"]
    assert w.tools[0]["status"] == "error"


def test_the_round_limit_stops_a_runaway_loop(server: FakeAnthropic) -> None:
    server.enqueue(*[Script(text="Again.", tool_use={"name": "get_weather", "input": {"city": "X"}})] * 5)
    w = chat_for(server, tools=[get_weather], max_tool_rounds=3).send("loop")
    with pytest.raises(StreamError, match="3 rounds"):
        w.wait(5)
    assert len(server.message_requests()) == 3


def test_a_slow_tool_times_out_as_an_error_result(server: FakeAnthropic) -> None:
    server.enqueue(Script(text="", tool_use={"name": "slow_lookup", "input": {"query": "q"}}), Script(text="ok"))
    w = chat_for(server, tools=[slow_lookup], tool_timeout=0.2).send("go")
    assert w.wait(5) == "ok"
    [result] = server.message_requests()[1].body["messages"][-1]["content"]
    assert result["is_error"] and "did not finish within 0.2 s" in result["content"]


async def test_an_async_tool_runs_on_the_loop_where_the_chat_was_made_and_its_timeout_cancels_it_there(
    server: FakeAnthropic,
) -> None:
    # In a notebook that loop is the kernel's: what the tool awaits (a client made in a cell) may belong to it.
    seen: list[asyncio.AbstractEventLoop] = []

    async def where(query: str) -> str:
        """Say where this runs.

        Args:
            query: Anything.
        """
        seen.append(asyncio.get_running_loop())
        return "here"

    calling = [Script(text="", tool_use={"name": name, "input": {"query": "q"}}) for name in ("where", "slow_lookup")]
    server.enqueue(calling[0], Script(text="ok"), calling[1], Script(text="ok"))
    chat = chat_for(server, tools=[where, slow_lookup], tool_timeout=0.2)
    assert await chat.send("go") == "ok"
    assert seen == [asyncio.get_running_loop()]
    calls.clear()
    assert await chat.send("again") == "ok"
    assert calls == ["cancelled"]  # cancelled on this loop by the timeout


@pytest.mark.parametrize(
    ("function", "words"),
    [
        (lambda x: x, "not a named function"),
        (print, "cannot be described|docstring|type hint"),
        (None, "not a named function"),
    ],
)
def test_a_function_that_cannot_be_described_fails_at_construction(
    server: FakeAnthropic, function: Any, words: str
) -> None:
    with pytest.raises(ToolDefinitionError, match=words):
        chat_for(server, tools=[function])


def test_missing_hints_and_varargs_are_explained(server: FakeAnthropic) -> None:
    def no_hint(city):  # type: ignore[no-untyped-def]
        """Doc."""

    def varargs(*cities: str) -> None:
        """Doc."""

    def no_doc(city: str) -> None:
        pass

    for function, words in [(no_hint, "needs a type hint"), (varargs, r"\*cities"), (no_doc, "no docstring")]:
        with pytest.raises(ToolDefinitionError, match=words):
            chat_for(server, tools=[function])


def test_stop_while_claude_writes_the_tool_input(server: FakeAnthropic) -> None:
    server.enqueue(Script(text="Checking.", tool_use={"name": "get_weather", "input": {"city": "P" * 400}},
                          delay=0.01))  # fmt: skip
    chat = chat_for(server, tools=[get_weather], model=NARRATES_IN_TEXT)
    w = chat.send("go")
    wait_until(lambda: any(len(c.input_json) > 20 for c in w.manager.tool_calls.values()))
    w.stop()
    w.wait(5)
    assert w.status == "stopped" and w.tools[0]["status"] == "cancelled"
    assert chat.history[1]["content"] == [
        {"type": "text", "text": "Checking."},
        {"type": "text", "text": INTERRUPTED_NOTE},
    ]


def test_stop_while_an_async_tool_runs_cancels_it(server: FakeAnthropic) -> None:
    calls.clear()
    server.enqueue(Script(text="", tool_use={"name": "slow_lookup", "input": {"query": "q"}}))
    chat = chat_for(server, tools=[slow_lookup])
    w = chat.send("go")
    wait_until(lambda: any(c.status == "running" for c in w.manager.tool_calls.values()))
    w.stop()
    w.wait(5)
    wait_until(lambda: calls == ["cancelled"])
    assert w.status == "stopped" and len(server.message_requests()) == 1
    assert chat.history[-1]["content"] == [{"type": "text", "text": INTERRUPTED_NOTE}]


def test_stop_while_a_sync_tool_runs_discards_its_result(server: FakeAnthropic) -> None:
    calls.clear()
    server.enqueue(Script(text="", tool_use={"name": "slow_sync", "input": {"query": "q"}}))
    w = chat_for(server, tools=[slow_sync]).send("go")
    # The thread has started (a Stop before then would cancel the call before any thread ran it).
    wait_until(lambda: "sync started" in calls, timeout=60)
    w.stop()
    w.wait(5)
    # A thread cannot be interrupted: it finishes (however long a loaded machine takes to run it)...
    wait_until(lambda: "sync finished" in calls, timeout=60)
    time.sleep(0.1)
    assert len(server.message_requests()) == 1  # ...and its result goes nowhere
    assert w.tools[0]["status"] == "cancelled"


def test_stop_during_the_continuation_after_a_tool(server: FakeAnthropic) -> None:
    server.enqueue(Script(text="", tool_use={"name": "get_weather", "input": {"city": "Oslo"}}),
                   Script(text="In Oslo it is mild. " * 200, delay=0.005))  # fmt: skip
    chat = chat_for(server, tools=[get_weather])
    w = chat.send("go")
    wait_until(lambda: len(w.manager.text) > 30)
    w.stop()
    w.wait(5)
    roles = [m["role"] for m in chat.history]
    assert roles == ["user", "assistant", "user", "assistant"]
    assert chat.history[2]["content"][0]["type"] == "tool_result"
    assert chat.history[3]["content"][-1] == {"type": "text", "text": INTERRUPTED_NOTE}


SEARCH = {
    "name": "web_search",
    "input": {"query": "jupyter widgets"},
    "result": [{"type": "web_search_result", "title": "Jupyter", "url": "https://jupyter.org",
                "encrypted_content": "opaque", "page_age": None}],
}  # fmt: skip


def test_server_tool_blocks_become_cards(server: FakeAnthropic) -> None:
    server.enqueue(Script(text="Found it.", server_tool=SEARCH))
    w = chat_for(server).send("search")
    assert w.wait(5) == "Found it."
    [card] = w.tools
    assert card["server"] is True and card["name"] == "web_search" and card["status"] == "done"
    assert "jupyter.org" in card["result"] and card["input_json"] == '{"query": "jupyter widgets"}'


# -- stop reasons --------------------------------------------------------------------------------------------
def test_max_tokens_offers_continue_which_finishes_the_answer_in_place(server: FakeAnthropic) -> None:
    full = "The answer was long enough to hit the limit, and then it went on to its natural end."
    server.enqueue(Script(text=full[:40], stop_reason="max_tokens"), Script(text=full))
    chat = chat_for(server)
    w = chat.send("go")
    assert w.wait(5) == full[:40]
    assert w.stop_reason == "max_tokens" and "token limit" in (w.notice or "")
    front_end_says(w, {"intent": "continue"})
    wait_until(lambda: w.manager.done and w.text == full)
    assert w.status == "done" and w.notice is None
    assert chat.history[-1] == {"role": "assistant", "content": [{"type": "text", "text": full}]}


def test_an_answer_cut_at_the_limit_says_how_much_went_to_thinking_and_continues(server: FakeAnthropic) -> None:
    full = "A short answer after a long think, continued to its end."
    thought = "Weighing the question from every side. " * 40
    server.enqueue(Script(text=full[:20], thinking=thought, stop_reason="max_tokens"), Script(text=full))
    chat = chat_for(server, max_tokens=2000)
    w = chat.send("go")
    assert w.wait(5) == full[:20]
    assert w.notice is not None and w.notice.startswith("The answer was cut at the token limit (max_tokens=2,000).")
    assert f"{w.manager.attempts[-1].thinking_tokens:,} of its tokens went to thinking" in w.notice
    assert w.manager.attempts[-1].thinking_tokens > 0
    front_end_says(w, {"intent": "continue"})
    wait_until(lambda: w.manager.done and w.text == full)
    # Continued with a user turn (no prefill on Sonnet 5.5), the signed thinking passed back as it came.
    continued = server.message_requests()[-1].body["messages"]
    assert continued[-2]["content"][0]["type"] == "thinking" and continued[-1]["role"] == "user"


def test_an_answer_that_recovered_from_drops_says_so_and_a_stopped_one_says_it_was_stopped(
    server: FakeAnthropic,
) -> None:
    """Issue 22: after a banner that said "retrying", nothing said the answer came through whole; a stopped answer
    just ended mid-word in the widget (only the saved markdown said why)."""
    full = "An answer that survives a dropped connection and an overloaded API on its way."
    server.enqueue(Script(status=529), Script(text=full, fault="drop", fault_after=40), Script(text=full))
    w = chat_for(server).send("go")
    assert w.wait(10) == full
    assert w.notice == ("Recovered: the stream was interrupted 2 times (overloaded, connection) and resumed; "
                        "nothing was lost.")  # fmt: skip
    server.enqueue(Script(text="A long answer " * 200, delay=0.01))
    w = chat_for(server).send("go")
    wait_until(lambda: len(w.text) > 20)
    w.stop()
    wait_until(lambda: w.status == "stopped")
    assert w.notice == "Stopped before the end of the answer: what had arrived is kept."
    assert w.markdown.count("Stopped before the end") == 1  # the saved answer says it once


def test_refusal_is_shown_plainly_with_its_category(server: FakeAnthropic) -> None:
    server.enqueue(Script(text="I can't help with that.", stop_reason="refusal",
                          stop_details={"type": "refusal", "category": "cyber"}))  # fmt: skip
    w = chat_for(server).send("go")
    w.wait(5)
    assert w.notice == "Claude declined to answer this request (category: cyber)."


def test_pause_turn_is_continued_automatically(server: FakeAnthropic) -> None:
    server.enqueue(Script(text="Searching…", server_tool=SEARCH, stop_reason="pause_turn"),
                   Script(text="Here is what I found."))  # fmt: skip
    w = chat_for(server).send("go")
    assert w.wait(5) == "Searching…\n\nHere is what I found."
    paused = server.message_requests()[1].body["messages"][-1]
    assert paused["role"] == "assistant"  # sent back as it was, to be resumed
    assert [b["type"] for b in paused["content"]] == ["server_tool_use", "web_search_tool_result", "text"]


def test_context_window_exceeded_is_explained(server: FakeAnthropic) -> None:
    server.enqueue(Script(text="Partial", stop_reason="model_context_window_exceeded"))
    w = chat_for(server).send("go")
    w.wait(5)
    assert "context window" in (w.notice or "") and "reset" in (w.notice or "")


def test_stop_is_safe_from_any_thread_at_any_time(server: FakeAnthropic) -> None:
    server.enqueue(Script(text="x" * 2000, delay=0.002))
    w = chat_for(server).send("go")
    threads = [threading.Thread(target=w.stop) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert w.wait(5) == w.text and w.status == "stopped"
