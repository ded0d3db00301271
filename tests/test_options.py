"""One options object: checked once, read by `Chat`, passed to every stream manager."""

from __future__ import annotations

import pytest

from claude_widget import Chat
from claude_widget.engine.options import Backoff, StreamOptions

from .conftest import TEST_KEY


@pytest.mark.parametrize(
    "bad",
    [{"max_retries": -1}, {"stall_timeout": 0}, {"max_tokens": 0}, {"tool_timeout": -1}, {"max_tool_rounds": 0},
     {"thinking_timeout": 0}],
)  # fmt: skip
def test_out_of_range_values_are_refused_by_the_options_and_by_chat(bad: dict[str, float]) -> None:
    message = "max_retries must be >= 0, max_tool_rounds >= 1, and stall_timeout, tool_timeout, thinking_timeout"
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

    chat = Chat("claude-haiku-5-5", "Be brief.", 100, api_key=TEST_KEY, stall_timeout=3.0, max_retries=1,
                thinking={"type": "adaptive"}, tools=[lookup], tool_timeout=5.0, max_tool_rounds=2,
                record=True)  # fmt: skip
    options = chat.options
    assert (options.model, options.system, options.max_tokens, options.stall_timeout, options.max_retries) == (
        "claude-haiku-5-5", "Be brief.", 100, 3.0, 1
    )  # fmt: skip
    assert (options.thinking, list(options.tools), options.tool_timeout, options.max_tool_rounds, options.record) == (
        {"type": "adaptive"}, ["lookup"], 5.0, 2, True
    )  # fmt: skip
    assert (chat.model, chat.system, chat.max_tokens, chat.record, chat.tools) == (
        "claude-haiku-5-5", "Be brief.", 100, True, options.tools
    )  # fmt: skip
    manager = chat.stream("hi")
    assert manager.options is options and manager.model == "claude-haiku-5-5" and manager.system == "Be brief."
    assert manager.messages == [{"role": "user", "content": "hi"}]


def test_setting_a_chat_option_checks_it_and_applies_to_the_next_turn() -> None:
    chat = Chat(api_key=TEST_KEY)
    chat.model = "claude-opus-5-5"
    assert chat.options.model == "claude-opus-5-5" and chat.stream("hi").model == "claude-opus-5-5"
    with pytest.raises(ValueError):
        chat.max_tokens = 0
    assert chat.max_tokens is None and chat.options.token_limit == 32_000


def test_request_parameters_come_from_the_options() -> None:
    messages = [{"role": "user", "content": "hi"}]
    cached = {"cache_control": {"type": "ephemeral"}}  # prompt caching is on by default
    # The default model thinks by default: its summaries are asked for (they cost what hidden thinking costs).
    summarized = {"type": "adaptive", "display": "summarized"}
    assert StreamOptions().request(messages) == {"model": "claude-sonnet-5-5", "max_tokens": 32_000,
                                                 "messages": messages, "thinking": summarized, **cached}  # fmt: skip
    full = StreamOptions(system="S", thinking={"type": "adaptive"}, effort="low", cache=False, max_tokens=4096)
    assert full.request(messages) == {"model": "claude-sonnet-5-5", "max_tokens": 4096, "messages": messages,
                                      "system": "S", "thinking": {"type": "adaptive"},
                                      "output_config": {"effort": "low"}}  # fmt: skip
    # A model that does not think unless asked gets no thinking, and room for an answer alone.
    assert StreamOptions(model="claude-opus-4-8", cache=False).request(messages) == {
        "model": "claude-opus-4-8", "max_tokens": 8192, "messages": messages}  # fmt: skip


def test_backoff_is_part_of_the_options() -> None:
    assert StreamOptions().backoff == Backoff()
    assert StreamOptions(backoff=Backoff(base=1, cap=2)).backoff.delay(5) <= 2


@pytest.mark.parametrize(
    ("options", "limit"),
    [
        ({}, 32_000),  # Sonnet 5.5 thinks by default: room for a long think and a long answer
        ({"effort": "max"}, 64_000),
        ({"model": "claude-haiku-5-5", "thinking": {"type": "disabled"}}, 8192),
        ({"model": "claude-sonnet-4-5", "thinking": {"type": "enabled", "budget_tokens": 30_000}}, 38_192),
        ({"model": "claude-sonnet-4-5", "thinking": {"type": "enabled", "budget_tokens": 60_000}}, 64_000),  # its max
        ({"model": "claude-unreleased-9"}, 16_000),
        ({"max_tokens": 500}, 500),
    ],
)
def test_max_tokens_fits_the_model_and_its_thinking(options: dict[str, object], limit: int) -> None:
    assert StreamOptions(**options).token_limit == limit  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "fix", "api_words"),
    [
        ({"thinking": {"type": "enabled", "budget_tokens": 2000}}, "use effort='low'…'max' instead",
         '"thinking.type.enabled" is not supported for this model.'),
        ({"thinking": {"type": "disabled"}}, "thinking={'type': 'between_tools'}",
         '"thinking.type.disabled" is not supported for this model.'),
        ({"model": "claude-opus-5-5", "thinking": {"type": "disabled"}}, "lower effort=",
         '"thinking.type.disabled" is not supported'),
        ({"model": "claude-haiku-5-5", "thinking": {"type": "disabled"}, "effort": "max"}, "effort='high' or lower",
         'with effort "max"'),
        ({"thinking": {"type": "between_tools"}, "effort": "xhigh"}, "effort='high' or lower", "between_tools"),
        ({"model": "claude-opus-5-5", "thinking": {"type": "between_tools"}}, "takes thinking types: adaptive",
         "between_tools"),
        ({"model": "claude-sonnet-4-5", "effort": "low"}, "leave effort out", "does not support the effort"),
        ({"model": "claude-sonnet-4-5", "thinking": {"type": "adaptive"}}, "takes thinking types: disabled, enabled",
         "adaptive"),
        ({"max_tokens": 200_000}, "at most 128,000", "maximum allowed number of output tokens"),
    ],
)  # fmt: skip
def test_a_setting_the_model_would_refuse_fails_before_anything_is_sent(
    options: dict[str, object], fix: str, api_words: str
) -> None:
    with pytest.raises(ValueError) as raised:
        StreamOptions(**options)  # type: ignore[arg-type]
    assert fix in str(raised.value) and api_words in str(raised.value) and "not sent" in str(raised.value)
    with pytest.raises(ValueError, match="not sent"):
        Chat(api_key=TEST_KEY, **options)  # type: ignore[arg-type]


def test_effort_is_checked_at_chat_at_send_and_at_map_and_a_refused_one_sends_nothing() -> None:
    with pytest.raises(ValueError, match="effort must be one of 'low', 'medium', 'high', 'xhigh', 'max'"):
        Chat(api_key=TEST_KEY, effort="extreme")  # type: ignore[arg-type]
    chat = Chat("claude-haiku-4-5", api_key=TEST_KEY, base_url="http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(ValueError, match="leave effort out"):
        chat.send("hi", effort="low")
    with pytest.raises(ValueError, match="leave effort out"):
        chat.map(["a"], effort="low")
    assert chat.turns == [] and chat.history == []
    # a model the table does not know is refused nothing in advance
    assert StreamOptions(model="claude-unreleased-9", effort="max").request([])["output_config"] == {"effort": "max"}
