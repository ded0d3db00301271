"""Continuation requests and the history, from blocks assembled out of SDK event objects: no HTTP."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from claude_widget.api.models import MODELS
from claude_widget.engine import continuation
from claude_widget.engine.assembly import Assembler
from claude_widget.engine.blocks import Block
from claude_widget.engine.continuation import (
    CONTINUE_PROMPT,
    INTERRUPTED_NOTE,
    continuation_mode,
    history_messages,
    partial_blocks,
    prefill_rejected,
    prefill_supported,
    request_messages,
)
from claude_widget.fake_server import FakeAnthropic

from . import sdk_events as sdk

PROMPT = [{"role": "user", "content": "Go"}]


@pytest.fixture(autouse=True)
def fresh_prefill_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Models seen rejecting prefill are remembered process-wide; other tests may have taught it some."""
    monkeypatch.setattr(continuation, "_prefill_rejected", set())


def blocks_of(events: list[Any]) -> list[Block]:
    assembler = Assembler()
    for event in events:
        assembler.apply(event)
    return assembler.blocks


@pytest.mark.parametrize(
    ("model", "accepts"),
    [
        ("claude-haiku-4-5", True),
        ("claude-haiku-4-5-20251001", True),
        ("claude-sonnet-4-5-20250929", True),
        ("claude-opus-4-5", True),
        # Retired or unknown: not in the table, continued with a user turn (which every model takes)
        ("claude-opus-4-1", False),
        ("claude-3-5-sonnet-20241022", False),
        ("gpt-4", False),
        ("claude-opus-4-6", False),
        ("claude-sonnet-4-6", False),
        ("claude-opus-4-8", False),
        ("claude-sonnet-5-5", False),
        ("claude-opus-5", False),
        ("claude-haiku-5-5", False),
        ("claude-opus-4-55", False),
        ("claude-30", False),
    ],
)
def test_one_prefill_rule(model: str, accepts: bool) -> None:
    assert prefill_supported(model) is accepts


def test_the_fake_server_takes_a_prefill_where_the_model_table_says_unless_told_otherwise() -> None:
    server = FakeAnthropic()
    assert all(server.prefill(facts.id) is prefill_supported(facts.id) for facts in MODELS)
    never = FakeAnthropic(prefill=lambda model: False)
    assert never.prefill("claude-haiku-4-5") is False


def test_how_a_round_is_continued() -> None:
    assert continuation_mode("", "claude-haiku-4-5", thinking=False) is None
    assert continuation_mode(" \n ", "claude-haiku-4-5", thinking=False) is None  # nothing worth continuing
    assert continuation_mode("Half an", "claude-haiku-4-5", thinking=False) == "prefill"
    assert continuation_mode("Half an", "claude-haiku-4-5", thinking=True) == "user_turn"
    assert continuation_mode("Half an", "claude-sonnet-5-5", thinking=False) == "user_turn"


def test_a_model_seen_rejecting_prefill_is_continued_with_a_user_turn() -> None:
    model = "claude-haiku-4-5"
    assert continuation_mode("Half an", model, thinking=False) == "prefill"
    prefill_rejected(model)
    assert continuation_mode("Half an", model, thinking=False) == "user_turn"


def test_partial_blocks_keep_signed_thinking_text_and_server_tools_only() -> None:
    blocks = blocks_of([
        *sdk.thinking_block(0, "Signed."),
        *sdk.tool_block(1, "web_search", "{}", server=True, id="srv_1"),
        *sdk.text_block(2, "Some text  "),
        *sdk.thinking_block(3, "Unsigned.", signed=False),
        *sdk.tool_block(4, "run", '{"a": 1}', id="toolu_1"),
        *sdk.tool_block(5, "run", '{"a": ', id="toolu_2")[:-1],
    ])  # fmt: skip
    assert partial_blocks(blocks) == [
        {"type": "thinking", "thinking": "Signed.", "signature": "sig-0"},
        {"type": "server_tool_use", "id": "srv_1", "name": "web_search", "input": {}},
        {"type": "text", "text": "Some text"},  # a final assistant turn must not end in whitespace
    ]


def test_request_messages_for_each_kind_of_attempt() -> None:
    turn = [{"role": "assistant", "content": [{"type": "text", "text": "Round one."}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": "ok"}]}]  # fmt: skip
    blocks = blocks_of(sdk.text_block(0, "Half an answer "))
    partial = {"role": "assistant", "content": [{"type": "text", "text": "Half an answer"}]}
    assert request_messages(PROMPT, turn, blocks, None) == [*PROMPT, *turn]
    assert request_messages(PROMPT, turn, blocks, "prefill") == [*PROMPT, *turn, partial]
    assert request_messages(PROMPT, turn, blocks, "user_turn") == [
        *PROMPT, *turn, partial, {"role": "user", "content": CONTINUE_PROMPT}
    ]  # fmt: skip


def test_history_of_a_finished_turn_is_its_rounds() -> None:
    turn = [{"role": "assistant", "content": [{"type": "text", "text": "Done."}]}]
    history = history_messages(turn, [])
    assert history == turn and history is not turn and history[0] is not turn[0]  # a copy


def test_history_of_an_interrupted_round_keeps_only_its_text_and_says_so() -> None:
    blocks = blocks_of([*sdk.thinking_block(0, "Signed."), *sdk.text_block(1, "Half "),
                        *sdk.tool_block(2, "run", "{}")])  # fmt: skip
    assert history_messages([], blocks) == [
        {"role": "assistant", "content": [{"type": "text", "text": "Half"}, {"type": "text", "text": INTERRUPTED_NOTE}]}
    ]
    only_thinking = blocks_of(sdk.thinking_block(0, "Hmm", signed=False))
    assert history_messages([], only_thinking) == [
        {"role": "assistant", "content": [{"type": "text", "text": INTERRUPTED_NOTE}]}
    ]


def test_history_after_a_tool_round_ends_with_an_assistant_turn() -> None:
    turn = [
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "f", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": "ok"}]},
    ]
    note = {"role": "assistant", "content": [{"type": "text", "text": INTERRUPTED_NOTE}]}
    assert history_messages(turn, []) == [*turn, note]


# -- the history is valid whenever the stream stops ---------------------------------------------------------
ROUND = [
    sdk.message_start(),
    *sdk.thinking_block(0, "Let me ", "think."),
    *sdk.text_block(1, "I will ", "look it up. "),
    *sdk.tool_block(2, "web_search", '{"query": ', '"x"}', server=True, id="srv_1"),
    sdk.start(3, {"type": "web_search_tool_result", "tool_use_id": "srv_1", "content": []}),
    sdk.stop(3),
    *sdk.text_block(4, "Then ", "compute."),
    *sdk.tool_block(5, "compute", '{"n": ', "6}", id="toolu_1"),
    sdk.message_delta("tool_use"),
    sdk.message_stop(),
]


def assert_valid(history: list[dict[str, Any]]) -> None:
    """What the API requires of a history sent back."""
    roles = [m["role"] for m in history]
    assert all(a != b for a, b in itertools.pairwise(roles)), roles
    for i, message in enumerate(history):
        content = message["content"]
        if isinstance(content, str):
            continue
        assert content, f"message {i} is empty"
        for block in content:
            assert not any(key.startswith("_") for key in block), block
            if block["type"] == "thinking":
                assert block["signature"], "an unsigned thinking block is never sent back"
            if block["type"] == "tool_use":
                following = history[i + 1]["content"] if i + 1 < len(history) else []
                results = {b["tool_use_id"] for b in following if isinstance(b, dict) and b["type"] == "tool_result"}
                assert block["id"] in results, "a tool call always has its result"


@pytest.mark.parametrize("cut", range(len(ROUND) + 1))
def test_the_history_is_valid_after_every_prefix_of_the_stream(cut: int) -> None:
    history = [*PROMPT, *history_messages([], blocks_of(ROUND[:cut]))]
    assert_valid(history)
    assert history[-1]["role"] == "assistant"


@pytest.mark.parametrize("cut", range(len(ROUND) + 1))
@pytest.mark.parametrize(("model", "thinking"), [("claude-sonnet-5-5", True), ("claude-haiku-4-5", False)])
def test_a_continuation_request_is_valid_after_every_prefix_of_the_stream(cut: int, model: str, thinking: bool) -> None:
    assembler = Assembler()
    for event in ROUND[:cut]:
        assembler.apply(event)
    mode = continuation_mode(assembler.round_text, model, thinking=thinking)
    if mode is None:
        assert not assembler.round_text.strip()  # a round is continued from its last text block, if it has one
        return
    messages = request_messages(PROMPT, [], assembler.blocks, mode)
    assert_valid(messages)
    if mode == "user_turn":
        assert messages[-1] == {"role": "user", "content": CONTINUE_PROMPT}
    else:
        last = messages[-1]["content"][-1]
        assert last["type"] != "text" or last["text"] == last["text"].rstrip()  # prefill must not end in a space
