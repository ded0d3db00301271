"""One options object: checked once, read by `Chat`, passed to every stream manager."""

from __future__ import annotations

import pytest

from claude_widget import Chat
from claude_widget.options import Backoff, StreamOptions

from .conftest import TEST_KEY


@pytest.mark.parametrize(
    "bad",
    [{"max_retries": -1}, {"stall_timeout": 0}, {"max_tokens": 0}, {"tool_timeout": -1}, {"max_tool_rounds": 0}],
)
def test_out_of_range_values_are_refused_by_the_options_and_by_chat(bad: dict[str, float]) -> None:
    message = "max_retries must be >= 0, max_tool_rounds >= 1, and stall_timeout, tool_timeout and max_tokens > 0"
    with pytest.raises(ValueError, match=message):
        StreamOptions(**bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        Chat(api_key=TEST_KEY, **bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("thinking", [{"budget_tokens": 10}, "adaptive"])
def test_thinking_must_name_its_type(thinking: object) -> None:
    with pytest.raises(ValueError, match="thinking must be"):
        StreamOptions(thinking=thinking)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="thinking must be"):
        Chat(api_key=TEST_KEY, thinking=thinking)  # type: ignore[arg-type]


def test_chat_keeps_its_options_in_one_object_and_hands_it_to_each_manager() -> None:
    def lookup(term: str) -> str:
        """Look a term up."""
        return term

    chat = Chat("claude-haiku-4-5", "Be brief.", 100, api_key=TEST_KEY, stall_timeout=3.0, max_retries=1,
                thinking={"type": "adaptive"}, tools=[lookup], tool_timeout=5.0, max_tool_rounds=2,
                record=True)  # fmt: skip
    options = chat.options
    assert (options.model, options.system, options.max_tokens, options.stall_timeout, options.max_retries) == (
        "claude-haiku-4-5", "Be brief.", 100, 3.0, 1
    )  # fmt: skip
    assert (options.thinking, list(options.tools), options.tool_timeout, options.max_tool_rounds, options.record) == (
        {"type": "adaptive"}, ["lookup"], 5.0, 2, True
    )  # fmt: skip
    assert (chat.model, chat.system, chat.max_tokens, chat.record, chat.tools) == (
        "claude-haiku-4-5", "Be brief.", 100, True, options.tools
    )  # fmt: skip
    manager = chat.stream("hi")
    assert manager.options is options and manager.model == "claude-haiku-4-5" and manager.system == "Be brief."
    assert manager.messages == [{"role": "user", "content": "hi"}]


def test_setting_a_chat_option_checks_it_and_applies_to_the_next_turn() -> None:
    chat = Chat(api_key=TEST_KEY)
    chat.model = "claude-opus-5-5"
    assert chat.options.model == "claude-opus-5-5" and chat.stream("hi").model == "claude-opus-5-5"
    with pytest.raises(ValueError):
        chat.max_tokens = 0
    assert chat.max_tokens == 4096


def test_request_parameters_come_from_the_options() -> None:
    messages = [{"role": "user", "content": "hi"}]
    cached = {"cache_control": {"type": "ephemeral"}}  # prompt caching is on by default
    assert StreamOptions().request(messages) == {"model": "claude-sonnet-5-5", "max_tokens": 4096,
                                                 "messages": messages, **cached}  # fmt: skip
    full = StreamOptions(system="S", thinking={"type": "adaptive"}, cache=False)
    assert full.request(messages) == {"model": "claude-sonnet-5-5", "max_tokens": 4096, "messages": messages,
                                      "system": "S", "thinking": {"type": "adaptive"}}  # fmt: skip


def test_backoff_is_part_of_the_options() -> None:
    assert StreamOptions().backoff == Backoff()
    assert StreamOptions(backoff=Backoff(base=1, cap=2)).backoff.delay(5) <= 2
