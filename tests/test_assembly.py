"""Block assembly, fed the SDK's own event objects directly: no server, no HTTP, no event loop."""

from __future__ import annotations

import json
from typing import Any

from claude_widget.engine.assembly import PARAGRAPH, REDACTED_NOTE, RETHINKING_NOTE, Assembler, Update
from claude_widget.engine.blocks import (
    OtherBlock,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    block_from_api,
    finished_from_api,
)
from claude_widget.engine.events import TextDelta, ThinkBegan, ThinkingDelta, ToolCall

from . import sdk_events as sdk


def feed(assembler: Assembler, events: list[Any]) -> Update:
    """Apply every event; one Update with everything they gave, in order."""
    total = Update()
    for event in events:
        update = assembler.apply(event)
        total.events += update.events
        total.deltas += update.deltas
        total.chars += update.chars
    return total


def texts(update: Update) -> list[TextDelta]:
    return [e for e in update.events if isinstance(e, TextDelta)]


def calls(update: Update) -> list[ToolCall]:
    return [e for e in update.events if isinstance(e, ToolCall)]


def test_text_deltas_build_one_block_and_the_answer() -> None:
    a = Assembler()
    update = feed(a, [sdk.message_start(), *sdk.text_block(0, "Hel", "lo, ", "wörld 🎉"), sdk.message_delta(),
                      sdk.message_stop()])  # fmt: skip
    assert a.text == "Hello, wörld 🎉"
    assert [(d.text, d.offset) for d in texts(update)] == [("Hel", 0), ("lo, ", 3), ("wörld 🎉", 7)]
    assert update.deltas == 3 and update.chars == len(a.text)
    assert a.blocks == [TextBlock(text="Hello, wörld 🎉")]
    assert a.message() == {"role": "assistant", "content": [{"type": "text", "text": "Hello, wörld 🎉"}]}


def test_empty_deltas_and_message_events_change_nothing() -> None:
    a = Assembler()
    update = feed(a, [sdk.message_start(), sdk.start(0, {"type": "text", "text": ""}), sdk.text(0, ""),
                      sdk.message_delta(), sdk.stop(0)])  # fmt: skip
    assert update.events == [] and update.deltas == 0 and a.text == ""
    assert a.message()["content"] == []  # an empty text block is not sent back


def test_a_delta_for_an_unknown_index_is_ignored() -> None:
    a = Assembler()
    update = feed(a, [*sdk.text_block(0, "kept"), sdk.text(7, "lost"), sdk.stop(7)])
    assert a.text == "kept" and update.deltas == 1


def test_thinking_is_shown_and_kept_with_its_signature() -> None:
    a = Assembler()
    update = feed(a, [*sdk.thinking_block(0, "Six times ", "seven."), *sdk.text_block(1, "42.")])
    assert a.thinking == "Six times seven." and a.text == "42."
    thoughts = [e for e in update.events if isinstance(e, ThinkingDelta)]
    assert [(t.text, t.offset) for t in thoughts] == [("Six times ", 0), ("seven.", 10)]
    assert update.deltas == 3 and update.chars == 3  # thinking is not answer text
    assert a.message()["content"] == [
        {"type": "thinking", "thinking": "Six times seven.", "signature": "sig-0"},
        {"type": "text", "text": "42."},
    ]


def test_each_think_says_where_it_began_and_never_runs_on_from_the_one_before() -> None:
    """Thinking after a tool call is its own think, placed after that call (issue 22: it was glued to the first)."""
    a = Assembler()
    first = feed(a, [*sdk.thinking_block(0, "Look it up."), *sdk.thinking_block(1, " Then answer."),
                     *sdk.tool_block(2, "get_weather", '{"city": "Paris"}')])  # fmt: skip
    a.new_round()
    second = feed(a, [*sdk.thinking_block(0, "It is sunny."), *sdk.text_block(1, "Sunny."),
                      *sdk.thinking_block(2, "Anything else?"), *sdk.text_block(3, "No.")])  # fmt: skip
    thinks = [e for e in first.events + second.events if isinstance(e, ThinkBegan)]
    # Two blocks in a row are one think; the next round's begins after the call, at the same place in the text.
    assert thinks == [ThinkBegan(0, 0, 0), ThinkBegan(0, 26, 1), ThinkBegan(len("Sunny."), 40, 1)]
    assert a.thinking == "Look it up. Then answer." + PARAGRAPH + "It is sunny." + PARAGRAPH + "Anything else?"
    assert a.thinking[26:].startswith("It is sunny.") and a.thinking[40:] == "Anything else?"


def test_unsigned_thinking_is_shown_but_never_sent_back() -> None:
    a = Assembler()
    feed(a, [*sdk.thinking_block(0, "Hmm", signed=False), *sdk.text_block(1, "Yes.")])
    assert a.thinking == "Hmm"
    assert a.message()["content"] == [{"type": "text", "text": "Yes."}]


def test_redacted_thinking_gets_a_note_and_goes_back_as_it_came() -> None:
    a = Assembler()
    feed(a, [sdk.start(0, {"type": "redacted_thinking", "data": "opaque"}), sdk.stop(0), *sdk.text_block(1, "Done.")])
    assert a.thinking == REDACTED_NOTE
    assert a.message()["content"] == [
        {"type": "redacted_thinking", "data": "opaque"},
        {"type": "text", "text": "Done."},
    ]


def test_a_text_block_after_other_blocks_starts_a_paragraph_shown_but_not_kept() -> None:
    a = Assembler()
    update = feed(a, [*sdk.text_block(0, "Let me look."), *sdk.tool_block(1, "web_search", "{}", server=True),
                      *sdk.text_block(2, "Found it.")])  # fmt: skip
    assert a.text == "Let me look." + PARAGRAPH + "Found it."
    assert update.chars == len("Let me look.Found it.")
    assert [b.text for b in a.blocks if isinstance(b, TextBlock)] == ["Let me look.", "Found it."]


def test_no_separator_when_the_answer_already_ends_a_paragraph() -> None:
    a = Assembler()
    feed(a, [*sdk.text_block(0, "Intro.\n\n"), *sdk.tool_block(1, "f", "{}"), *sdk.text_block(2, "More.")])
    assert a.text == "Intro.\n\nMore."


def test_tool_input_streams_as_tool_call_events_then_parses() -> None:
    a = Assembler()
    feed(a, sdk.text_block(0, "Checking."))
    update = feed(a, sdk.tool_block(1, "get_weather", '{"city": ', '"Paris"}', id="toolu_9"))
    events = calls(update)
    assert [(c.status, c.input_json) for c in events] == [
        ("writing", ""),
        ("writing", '{"city": '),
        ("writing", '{"city": "Paris"}'),
    ]
    assert {c.at for c in events} == {len("Checking.")} and not any(c.server for c in events)
    assert update.deltas == 2
    [block] = a.tool_uses()
    assert block.input == {"city": "Paris"} and block.complete and not block.invalid_json
    assert a.message()["content"][1] == {"type": "tool_use", "id": "toolu_9", "name": "get_weather",
                                         "input": {"city": "Paris"}}  # fmt: skip
    assert a.calls.calls["toolu_9"] == events[-1]


def test_a_tool_call_without_its_stop_is_incomplete_and_not_sent_back() -> None:
    a = Assembler()
    feed(a, sdk.tool_block(0, "f", '{"x": 1')[:-1])  # no content_block_stop
    assert a.tool_uses() == [] and a.message()["content"] == []


def test_invalid_tool_json_is_flagged_and_empty_input_is_an_empty_object() -> None:
    a = Assembler()
    feed(a, [*sdk.tool_block(0, "broken", '{"x": ', id="t1"), *sdk.tool_block(1, "no_args", id="t2")])
    broken, no_args = a.tool_uses()
    assert broken.invalid_json and broken.input == {} and broken.complete
    assert no_args.input == {} and not no_args.invalid_json


def test_server_tools_become_cards_with_their_results() -> None:
    a = Assembler()
    result = {"type": "web_search_tool_result", "tool_use_id": "srv_1",
              "content": [{"type": "web_search_result", "url": "https://example.com", "title": "Example",
                           "encrypted_content": "enc", "page_age": None}]}  # fmt: skip
    update = feed(a, [*sdk.tool_block(0, "web_search", '{"query": "x"}', server=True, id="srv_1"),
                      sdk.start(1, result), sdk.stop(1), *sdk.text_block(2, "Answer.")])  # fmt: skip
    card = a.calls.calls["srv_1"]
    assert card.server and card.status == "done" and not card.is_error
    assert json.loads(card.result or "") == result["content"]
    assert calls(update)[-1] == card
    assert a.tool_uses() == []  # the kernel runs none of them
    assert [b["type"] for b in a.message()["content"]] == ["server_tool_use", "web_search_tool_result", "text"]
    assert a.message()["content"][1] == result


def test_a_server_tool_error_result_marks_the_card_as_an_error() -> None:
    a = Assembler()
    error = {"type": "web_search_tool_result", "tool_use_id": "srv_1",
             "content": {"type": "web_search_tool_result_error", "error_code": "max_uses_exceeded"}}  # fmt: skip
    feed(a, [*sdk.tool_block(0, "web_search", "{}", server=True, id="srv_1"), sdk.start(1, error), sdk.stop(1)])
    assert a.calls.calls["srv_1"].status == "error" and a.calls.calls["srv_1"].is_error


def test_a_block_type_this_version_does_not_know_goes_back_as_it_came() -> None:
    a = Assembler()
    feed(a, [sdk.start(0, {"type": "container_upload", "file_id": "file_1"}), sdk.stop(0)])
    assert isinstance(a.blocks[0], OtherBlock)
    assert a.message()["content"] == [{"type": "container_upload", "file_id": "file_1"}]


def test_citations_are_kept_and_an_empty_citations_field_dropped() -> None:
    cited = block_from_api({"type": "text", "text": "x", "citations": [{"type": "char_location", "cited_text": "x"}]})
    assert cited.to_api() == {"type": "text", "text": "x", "citations": [{"type": "char_location", "cited_text": "x"}]}
    assert block_from_api({"type": "text", "text": "x", "citations": None}).to_api() == {"type": "text", "text": "x"}


# -- continuations -----------------------------------------------------------------------------------------
PARTIAL = "Streaming keeps one HTTP response open, and the client"


def interrupted() -> Assembler:
    a = Assembler()
    feed(a, [sdk.message_start(), sdk.start(0, {"type": "text", "text": ""}), sdk.text(0, PARTIAL)])
    a.end_attempt()
    return a


def test_a_continuation_extends_the_interrupted_text_block() -> None:
    a = interrupted()
    a.begin_attempt(continuing=True)
    update = feed(a, [sdk.message_start(), *sdk.text_block(0, " renders each delta."), sdk.message_stop()])
    assert a.text == PARTIAL + " renders each delta."
    assert a.blocks == [TextBlock(text=PARTIAL + " renders each delta.")]
    assert PARAGRAPH not in a.text and texts(update)[0].offset == len(PARTIAL)


def test_a_continuation_that_repeats_the_tail_is_merged_at_the_seam() -> None:
    a = interrupted()
    a.begin_attempt(continuing=True)
    update = feed(a, [*sdk.text_block(0, "and the ", "client renders", " each delta."), sdk.message_stop()])
    assert a.text == PARTIAL + " renders each delta."
    assert "".join(d.text for d in texts(update)) == " renders each delta."
    assert update.deltas == 3 and update.chars == len(" renders each delta.")


def test_text_held_at_the_seam_is_released_when_the_attempt_ends() -> None:
    a = interrupted()
    a.begin_attempt(continuing=True)
    held = feed(a, [sdk.start(0, {"type": "text", "text": ""}), sdk.text(0, "the cl")])
    assert held.events == [] and held.deltas == 1  # it might still be a repeat: held back
    released = a.end_attempt()
    assert a.text == PARTIAL + "the cl" and released.chars == len("the cl")
    assert a.end_attempt().events == []  # released once


def test_thinking_about_a_continuation_is_shown_but_not_kept() -> None:
    a = interrupted()
    a.begin_attempt(continuing=True)
    feed(a, [*sdk.thinking_block(0, "Where was I?"), *sdk.text_block(1, " renders it."), sdk.message_stop()])
    assert a.thinking == "Where was I?" and a.text == PARTIAL + " renders it."
    thinking = next(b for b in a.blocks if isinstance(b, ThinkingBlock))
    assert thinking.shown_only and not thinking.complete
    assert a.message()["content"] == [{"type": "text", "text": PARTIAL + " renders it."}]


def test_a_new_attempt_from_the_start_of_the_round_is_not_extended() -> None:
    a = Assembler()
    feed(a, sdk.text_block(0, "First round."))
    a.new_round()
    a.begin_attempt(continuing=False)
    feed(a, sdk.text_block(0, "Second round."))
    assert a.text == "First round." + PARAGRAPH + "Second round."
    assert a.blocks == [TextBlock(text="Second round.")]


def test_restarting_a_round_drops_its_blocks_and_says_so_in_the_thinking() -> None:
    a = Assembler()
    feed(a, sdk.thinking_block(0, "Half a thought", signed=False))
    update = a.restart_round()
    assert a.blocks == [] and a.thinking == "Half a thought" + RETHINKING_NOTE
    assert [e.text for e in update.events if isinstance(e, ThinkingDelta)] == [RETHINKING_NOTE]
    assert Assembler().restart_round().events == []  # nothing was shown: nothing to say


def test_a_finished_message_from_the_history_becomes_complete_blocks() -> None:
    content = [
        {"type": "thinking", "thinking": "t", "signature": "s"},
        {"type": "server_tool_use", "id": "srv_1", "name": "web_search", "input": {"q": "x"}},
        {"type": "web_search_tool_result", "tool_use_id": "srv_1", "content": []},
        {"type": "text", "text": "Cut at the lim"},
    ]
    blocks = [finished_from_api(b) for b in content]
    assert all(b.complete for b in blocks) and [b.to_api() for b in blocks] == content
    tool = blocks[1]
    assert isinstance(tool, ToolUseBlock) and json.loads(tool.input_json) == {"q": "x"}
    a = Assembler(text="Cut at the lim", blocks=blocks)
    assert a.round_text == "Cut at the lim"
    a.begin_attempt(continuing=True)
    feed(a, [*sdk.text_block(0, "it."), sdk.message_stop()])
    assert a.text == "Cut at the limit." and a.message()["content"][-1] == {"type": "text", "text": "Cut at the limit."}
