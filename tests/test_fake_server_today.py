"""The fake server behaves as today's models do, per models.py, as the real SDK sees it: thinking per model and
`display` (summaries, or only pings then a signature), narration between tool calls inside thinking, the 400s
in the API's words, thinking signatures checked in the history, cache minimums and today's usage fields, the
Models API, and the API versions."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import httpx2
import pytest
from anthropic.types import Message

from claude_widget.api.models import MODELS, facts_for, refusal
from claude_widget.api.wording import PREFILL_REJECTED
from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.cache import PromptCache
from claude_widget.fake_server.demo import THINKING_SECONDS, demo_responder
from claude_widget.fake_server.response import compile_script, whole_message
from claude_widget.fake_server.wire import PING, Pause, Send

from .conftest import TEST_KEY

QUESTION = [{"role": "user", "content": "What is 6 x 7?"}]
SUMMARIZED = {"type": "adaptive", "display": "summarized"}
OMITTED = {"type": "adaptive", "display": "omitted"}
WEATHER = {"name": "get_weather", "input": {"city": "Paris"}}
TOOLS = [{"name": "get_weather", "description": "Weather.", "input_schema": {"type": "object", "properties": {}}}]


async def answer(client: anthropic.AsyncAnthropic, model: str = "claude-sonnet-5-5", **params: Any) -> Message:
    params.setdefault("messages", QUESTION)
    params.setdefault("max_tokens", 1000)
    async with client.messages.stream(model=model, **params) as stream:
        return await stream.get_final_message()


def wire(server: FakeAnthropic) -> list[tuple[float, str]]:
    """The events the server sent for the last message request: (time, name)."""
    record = server.message_requests()[-1]
    assert record.done.wait(5)
    return record.events


def names(events: list[tuple[float, str]]) -> list[str]:
    return [name for _, name in events]


def raw_events(body: dict[str, Any], script: Script) -> list[dict[str, Any]]:
    """The events a script streams for a request, parsed from the exact bytes."""
    steps = compile_script(script, body, "msg_1")
    return [json.loads(step.data.decode().split("\n")[1][6:]) for step in steps if isinstance(step, Send)]


def kinds(events: list[dict[str, Any]]) -> list[str]:
    """Event types, with each delta's type."""
    return [e["delta"]["type"] if e["type"] == "content_block_delta" else e["type"] for e in events]


# -- thinking per model ---------------------------------------------------------------------------------------------
async def test_omitted_thinking_is_an_empty_block_pings_while_the_model_thinks_then_one_signature(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    script = Script(text="42.", thinking="Six times seven.", thinking_seconds=0.3, ping_interval=0.1)
    server.enqueue(script)
    message = await answer(client)  # Sonnet 5.5 without `thinking`: adaptive, display omitted
    thinking, text = message.content
    assert thinking.type == "thinking" and thinking.thinking == "" and thinking.signature.startswith("sig-")
    assert text.type == "text" and text.text == "42."
    events = wire(server)
    assert names(events)[:7] == ["message_start", "content_block_start", "ping", "ping", "ping", "content_block_delta",
                         "content_block_stop"]  # fmt: skip
    started, signed = events[1][0], events[5][0]
    assert signed - started >= 0.28  # the model thought for thinking_seconds, the stream kept alive by pings
    # Billed as output whether shown or not, and reported as thinking.
    assert message.usage.output_tokens == script.output_tokens
    assert message.usage.output_tokens_details is not None
    assert message.usage.output_tokens_details.thinking_tokens == 4


def test_omitted_thinking_on_the_wire_has_no_thinking_delta() -> None:
    body = {"model": "claude-sonnet-5-5", "messages": QUESTION}
    events = raw_events(body, Script(text="42.", thinking="Six times seven."))
    assert kinds(events)[:4] == ["message_start", "content_block_start", "signature_delta", "content_block_stop"]
    assert events[1]["content_block"] == {"type": "thinking", "thinking": ""}  # as the API starts the block
    steps = compile_script(Script(text="42.", thinking="t", thinking_seconds=1.0, ping_interval=0.4), body, "m")
    assert [s.data for s in steps if isinstance(s, Send) and s.label == "ping"] == [PING, PING]
    assert PING == b'event: ping\ndata: {"type": "ping"}\n\n'
    assert sum(s.seconds for s in steps if isinstance(s, Pause)) == pytest.approx(1.0)


async def test_summarized_thinking_streams_its_summary_over_the_thinking_time(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    summary = "Six times seven is forty-two."
    server.enqueue(Script(text="42.", thinking=summary, thinking_seconds=0.3, chunk_size=8))
    message = await answer(client, thinking=SUMMARIZED)
    thinking, _ = message.content
    assert thinking.type == "thinking" and thinking.thinking == summary and thinking.signature.startswith("sig-")
    events = wire(server)
    assert names(events)[:7] == ["message_start", "content_block_start", *["content_block_delta"] * 5]
    assert events[6][0] - events[1][0] >= 0.25  # four summaries, then the signature, across 0.3 s
    body = {"model": "claude-sonnet-5-5", "messages": QUESTION, "thinking": SUMMARIZED}
    assert kinds(raw_events(body, Script(text="42.", thinking=summary, chunk_size=8)))[1:8] == [
        "content_block_start", *["thinking_delta"] * 4, "signature_delta", "content_block_stop"]  # fmt: skip


@pytest.mark.parametrize(
    ("model", "thinking", "thinks"),
    [
        ("claude-sonnet-4-5", None, False),  # a model that does not think by default
        ("claude-haiku-5-5", {"type": "disabled"}, False),
        ("claude-haiku-5-5", None, True),
        ("claude-opus-5-5", None, True),
        ("claude-sonnet-4-5", {"type": "enabled", "budget_tokens": 1024}, True),
    ],
)
async def test_a_script_thinks_only_where_the_request_does(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic, model: str, thinking: Any, thinks: bool
) -> None:
    script = Script(text="42.", thinking="Six times seven.")
    server.enqueue(script)
    params = {"thinking": thinking} if thinking else {}
    message = await answer(client, model, max_tokens=2000, **params)
    assert [b.type for b in message.content] == (["thinking", "text"] if thinks else ["text"])
    text_only = Script(text="42.").output_tokens
    assert message.usage.output_tokens == (script.output_tokens if thinks else text_only)
    display = (thinking or {}).get("display") or facts_for(model).default_display  # type: ignore[union-attr]
    if thinks:
        assert message.content[0].thinking == ("Six times seven." if display == "summarized" else "")  # type: ignore[union-attr]


async def test_an_answer_may_not_think_at_all(server: FakeAnthropic, client: anthropic.AsyncAnthropic) -> None:
    server.enqueue(Script(text="Hi."))  # adaptive thinking may skip thinking: no block
    message = await answer(client, thinking=SUMMARIZED)
    assert [b.type for b in message.content] == ["text"] and message.usage.output_tokens_details is None


# -- narration between tool calls --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("model", "thinking", "expected"),
    [
        ("claude-sonnet-5-5", SUMMARIZED, [("thinking", "Six times seven."), ("thinking", "Let me check.")]),
        ("claude-sonnet-5-5", OMITTED, [("thinking", ""), ("thinking", "")]),
        ("claude-opus-5-5", SUMMARIZED, [("thinking", "Six times seven."), ("thinking", "Let me check.")]),
        ("claude-fable-5-2", None, [("thinking", ""), ("thinking", "")]),
        # between_tools: thinking off, the notes between tool calls shown whatever the display
        ("claude-sonnet-5-5", {"type": "between_tools", "display": "omitted"}, [("thinking", "Let me check.")]),
        ("claude-haiku-5-5", SUMMARIZED, [("thinking", "Six times seven."), ("text", "Let me check.")]),
        ("claude-sonnet-4-6", None, [("text", "Let me check.")]),
    ],
)
async def test_the_text_before_a_tool_call_comes_inside_thinking_on_the_models_that_do_so(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic, model: str, thinking: Any, expected: list[Any]
) -> None:
    script = Script(text="Let me check.", thinking="Six times seven.", tool_use=WEATHER)
    server.enqueue(script, Script(text="It is 21 °C."))
    params: dict[str, Any] = {"tools": TOOLS, **({"thinking": thinking} if thinking else {})}
    message = await answer(client, model, **params)
    blocks = [(b.type, b.thinking if b.type == "thinking" else b.text) for b in message.content[:-1]]  # type: ignore[union-attr]
    assert blocks == expected and message.content[-1].type == "tool_use"
    assert message.stop_reason == "tool_use"
    if expected[-1][0] == "thinking":  # the narration is thinking: billed as output, reported as thinking
        details = message.usage.output_tokens_details
        assert details is not None and details.thinking_tokens >= len("Let me check.") // 4
    # The answer after the last tool call is text again; the history goes back with every block as it came.
    history = [*QUESTION, {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in message.content]},
               {"role": "user", "content": [{"type": "tool_result", "tool_use_id": message.content[-1].id,  # type: ignore[union-attr]
                                             "content": "21 °C"}]}]  # fmt: skip
    final = await answer(client, model, messages=history, **params)
    assert [(b.type, b.text) for b in final.content] == [("text", "It is 21 °C.")]  # type: ignore[union-attr]


# -- the 400s in the API's words ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("model", "params"),
    [
        ("claude-sonnet-5-5", {"thinking": {"type": "enabled", "budget_tokens": 2000}}),
        ("claude-sonnet-5-5", {"thinking": {"type": "disabled"}}),
        ("claude-opus-5-5", {"thinking": {"type": "disabled"}}),
        ("claude-haiku-5-5", {"thinking": {"type": "disabled"}, "output_config": {"effort": "max"}}),
        ("claude-opus-5-5", {"thinking": {"type": "between_tools"}}),
        ("claude-sonnet-5-5", {"thinking": {"type": "between_tools"}, "output_config": {"effort": "max"}}),
        ("claude-sonnet-4-5", {"output_config": {"effort": "high"}}),
        ("claude-sonnet-5-5", {"tool_choice": {"type": "any"}, "tools": TOOLS}),
        ("claude-sonnet-5-5", {"max_tokens": 200_000}),
        ("claude-sonnet-4-5", {"inference_geo": "us"}),
    ],
)
async def test_what_a_model_refuses_is_a_400_in_the_api_words(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic, model: str, params: dict[str, Any]
) -> None:
    refused = refusal({"model": model, "max_tokens": 1000, **params})
    assert refused is not None
    with pytest.raises(anthropic.BadRequestError) as raised:
        await answer(client, model, **params)
    assert raised.value.body["error"] == {"type": "invalid_request_error", "message": refused.message}  # type: ignore[index]


@pytest.mark.parametrize("name", ["temperature", "top_p", "top_k"])
async def test_sampling_parameters_are_extra_inputs_under_2026_10_21(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic, name: str
) -> None:
    with pytest.raises(anthropic.BadRequestError, match=f"{name}: Extra inputs are not permitted"):
        await answer(client, extra_body={name: 1})  # even at its default value
    server.enqueue(Script(text="ok"))
    old = await answer(client, extra_body={name: 1}, extra_headers={"anthropic-version": "2023-06-01"})
    assert old.content[0].text == "ok"  # type: ignore[union-attr]


async def test_prefill_is_refused_where_the_model_table_says(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    prefilled = [*QUESTION, {"role": "assistant", "content": "The answer is"}]
    with pytest.raises(anthropic.BadRequestError) as raised:
        await answer(client, "claude-haiku-5-5", messages=prefilled, thinking={"type": "disabled"})
    assert raised.value.body["error"]["message"] == PREFILL_REJECTED  # type: ignore[index]
    server.enqueue(Script(text="The answer is 42."))
    message = await answer(client, "claude-haiku-4-5", messages=prefilled)
    assert message.content[0].text == " 42."  # type: ignore[union-attr]


async def test_an_unknown_model_is_a_404(client: anthropic.AsyncAnthropic) -> None:
    with pytest.raises(anthropic.NotFoundError) as raised:
        await answer(client, "claude-sonnet-9")
    assert raised.value.body["error"] == {"type": "not_found_error", "message": "model: claude-sonnet-9"}  # type: ignore[index]


async def test_fast_mode_only_where_the_model_has_it_and_the_usage_says_what_was_asked(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    with pytest.raises(anthropic.BadRequestError, match=r"speed: Fast mode is not supported for this model\."):
        await answer(client, speed="fast")
    server.enqueue(Script(text="Fast."))
    message = await answer(client, "claude-opus-5-5", speed="fast", inference_geo="us")
    assert (message.usage.speed, message.usage.inference_geo, message.usage.service_tier) == ("fast", "us", "standard")
    server.enqueue(Script(text="Plain."))
    plain = await answer(client)
    assert (plain.usage.speed, plain.usage.inference_geo, plain.usage.service_tier) == (None, None, "standard")


# -- the history, checked as the API checks it -------------------------------------------------------------------
SIGNATURE_WORDS = (
    "messages.1.content.0: Invalid `signature` in `thinking` block. The block is bound to a different conversation. "
    'Remove the block, or set `thinking.block_binding.prefix_mismatch_behavior` to "drop_block".'
)


def follow_up(first: dict[str, Any]) -> list[dict[str, Any]]:
    return [*QUESTION, {"role": "assistant", "content": [first, {"type": "text", "text": "42."}]},
            {"role": "user", "content": "Sure?"}]  # fmt: skip


@pytest.mark.parametrize("thinking", [SUMMARIZED, OMITTED])
async def test_thinking_goes_back_as_it_came_or_the_request_is_refused(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic, thinking: dict[str, str]
) -> None:
    server.enqueue(Script(text="42.", thinking="Six times seven."), *[Script(text="Yes.")] * 2)
    message = await answer(client, thinking=thinking)
    block = message.content[0].model_dump()
    assert (await answer(client, messages=follow_up(block), thinking=thinking)).content[-1].text == "Yes."  # type: ignore[union-attr]
    changed = [
        {**block, "thinking": block["thinking"] + " Edited."},  # edited
        {**block, "thinking": "" if block["thinking"] else "Invented text."},  # dropped, or filled in
        {"type": "thinking", "thinking": "I made this up.", "signature": "Eu8BCkYICBgCKkD"},  # invented
        {**block, "signature": block["signature"][:-1] + ("0" if block["signature"][-1] != "0" else "1")},
    ]
    for bad in changed:
        with pytest.raises(anthropic.BadRequestError) as raised:
            await answer(client, messages=follow_up(bad), thinking=thinking)
        assert raised.value.body["error"] == {"type": "invalid_request_error", "message": SIGNATURE_WORDS}  # type: ignore[index]
    # A conversation can be sent to another fake server: the signature binds the block, not the server.
    with FakeAnthropic(api_key=TEST_KEY) as other:
        other.enqueue(Script(text="Yes."))
        again = anthropic.AsyncAnthropic(api_key=TEST_KEY, base_url=other.url, max_retries=0)
        assert (await answer(again, messages=follow_up(block), thinking=thinking)).content[-1].text == "Yes."  # type: ignore[union-attr]


async def test_documents_in_assistant_turns_and_cited_user_text_are_refused_under_2026_10_21(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    document = {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "Notes."}}
    in_assistant = [*QUESTION, {"role": "assistant", "content": [document]}, {"role": "user", "content": "And?"}]
    with pytest.raises(anthropic.BadRequestError, match=r"messages\.1\.content\.0: `document` blocks are not"):
        await answer(client, messages=in_assistant)
    citation = {"type": "char_location", "cited_text": "Notes.", "document_index": 0, "document_title": None,
                "start_char_index": 0, "end_char_index": 6}  # fmt: skip
    cited = [{"role": "user", "content": [{"type": "text", "text": "Notes.", "citations": [citation]}]}]
    with pytest.raises(anthropic.BadRequestError, match=r"messages\.0\.content\.0\.text\.citations: Citations are"):
        await answer(client, messages=cited)
    server.enqueue(Script(text="ok"), Script(text="ok"))
    old = {"anthropic-version": "2023-06-01"}
    assert (await answer(client, messages=in_assistant, extra_headers=old)).content[0].text == "ok"  # type: ignore[union-attr]
    assert (await answer(client, messages=cited, extra_headers=old)).content[0].text == "ok"  # type: ignore[union-attr]


# -- caching and usage ---------------------------------------------------------------------------------------------
def test_the_cache_minimum_is_the_model_s() -> None:
    text = "x" * 2_800  # about 910 tokens for the 5.x tokenizer, 700 for 4.x's: above 5.x's 512, below 1,024
    body = {"cache_control": {"type": "ephemeral"}, "messages": [{"role": "user", "content": text}]}
    assert facts_for("claude-sonnet-5-5").cache_min == 512  # type: ignore[union-attr]
    written = PromptCache().usage({**body, "model": "claude-sonnet-5-5"})
    assert written is not None and written["cache_creation_input_tokens"] > 512
    assert PromptCache().usage({**body, "model": "claude-sonnet-4-5"}) is None  # 1,024 on Sonnet 4.5
    assert PromptCache().usage({**body, "model": "claude-custom-1"}) is None  # a model the table does not know: 1,024
    longer = {**body, "messages": [{"role": "user", "content": text * 2}]}
    assert PromptCache().usage({**longer, "model": "claude-custom-1"}) is not None


async def test_a_one_hour_breakpoint_writes_for_an_hour_and_usage_has_today_s_fields(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    long = "y" * 4_000  # about 1,000 tokens each
    system = [{"type": "text", "text": long, "cache_control": {"type": "ephemeral", "ttl": "1h"}},
              {"type": "text", "text": long, "cache_control": {"type": "ephemeral"}}]  # fmt: skip
    server.enqueue(Script(text="a"), Script(text="b"))
    first = await answer(client, system=system)
    usage = first.usage
    assert usage.cache_creation is not None and usage.cache_read_input_tokens == 0
    hour, five = usage.cache_creation.ephemeral_1h_input_tokens, usage.cache_creation.ephemeral_5m_input_tokens
    assert hour > 1_000 and five > 1_000 and usage.cache_creation_input_tokens == hour + five
    assert usage.service_tier == "standard"
    second = await answer(client, system=system)
    assert second.usage.cache_read_input_tokens == hour + five and second.usage.cache_creation_input_tokens == 0


def test_message_delta_usage_is_cumulative_and_message_start_has_every_field() -> None:
    body = {"model": "claude-opus-5-5", "messages": QUESTION, "inference_geo": "us", "speed": "fast",
            "thinking": SUMMARIZED}  # fmt: skip
    script = Script(text="42.", thinking="Six.", cache_read_input_tokens=700, cache_creation_input_tokens=300,
                    cache_creation_1h_input_tokens=100, input_tokens=20)  # fmt: skip
    events = raw_events(body, script)
    start, delta = events[0]["message"]["usage"], events[-2]["usage"]
    counts = {"input_tokens": 20, "cache_creation_input_tokens": 300, "cache_read_input_tokens": 700}
    split = {"ephemeral_5m_input_tokens": 200, "ephemeral_1h_input_tokens": 100}
    assert start == {**counts, "cache_creation": split, "output_tokens": 1, "service_tier": "standard",
                     "inference_geo": "us", "speed": "fast"}  # fmt: skip
    assert delta == {**counts, "output_tokens": script.output_tokens, "output_tokens_details": {"thinking_tokens": 1}}
    batch = whole_message(script, body, "msg_1", service_tier="batch")
    assert batch["usage"]["service_tier"] == "batch" and batch["usage"]["output_tokens"] == script.output_tokens
    assert [b["type"] for b in batch["content"]] == ["thinking", "text"]


# -- the Models API ------------------------------------------------------------------------------------------------
async def test_the_models_api_lists_the_table_with_today_s_fields(client: anthropic.AsyncAnthropic) -> None:
    listed = [model async for model in client.models.list(limit=5)]  # pages of five, followed by the SDK
    assert [m.id for m in listed] == [facts.id for facts in MODELS]
    page = await client.models.list(limit=5)
    assert page.has_more and page.first_id == MODELS[0].id and page.last_id == MODELS[4].id
    sonnet = await client.models.retrieve("claude-sonnet-5-5")
    assert (sonnet.id, sonnet.display_name, sonnet.type, sonnet.line) == (
        "claude-sonnet-5-5", "Claude Sonnet 5.5", "model", "sonnet")  # fmt: skip
    assert (sonnet.max_input_tokens, sonnet.max_tokens, sonnet.lifecycle) == (1_000_000, 128_000, "active")
    assert sonnet.created_at.isoformat().startswith("2026-09-28")
    capabilities = sonnet.capabilities
    assert capabilities is not None
    types = capabilities.thinking.types
    assert (types.adaptive.supported, types.between_tools.supported) == (True, True)
    assert (types.enabled.supported, types.disabled.supported) == (False, False)
    assert capabilities.effort.supported and capabilities.effort.xhigh is not None and capabilities.effort.max.supported
    assert capabilities.batch.supported and capabilities.structured_outputs.supported
    old = await client.models.retrieve("claude-sonnet-4-5")
    assert old.capabilities is not None and not old.capabilities.effort.supported
    assert old.capabilities.thinking.types.enabled.supported and old.max_tokens == 64_000
    haiku = await client.models.retrieve("claude-haiku-4-5-20251001")  # a dated id finds its model
    assert haiku.id == "claude-haiku-4-5" and haiku.line == "haiku"


async def test_the_models_api_filters_pages_and_refuses_in_the_api_words(client: anthropic.AsyncAnthropic) -> None:
    with pytest.raises(anthropic.NotFoundError) as raised:
        await client.models.retrieve("claude-nope")
    assert raised.value.body["error"] == {"type": "not_found_error", "message": "model: claude-nope"}  # type: ignore[index]
    assert (await client.models.list(lifecycle=["retired"])).data == []
    after = await client.models.list(after_id=MODELS[-3].id)
    assert [m.id for m in after.data] == [MODELS[-2].id, MODELS[-1].id] and not after.has_more
    before = await client.models.list(before_id=MODELS[3].id, limit=2)
    assert [m.id for m in before.data] == [MODELS[1].id, MODELS[2].id] and before.has_more
    with pytest.raises(anthropic.BadRequestError, match="limit: Input should be less than or equal to 1000"):
        await client.models.list(limit=1001)


def test_a_server_told_its_models_serves_and_lists_only_those() -> None:
    with FakeAnthropic(models=("claude-custom-1", "claude-sonnet-5-5")) as server:
        client = anthropic.Anthropic(api_key=TEST_KEY, base_url=server.url, max_retries=0)
        assert [m.id for m in client.models.list()] == ["claude-custom-1", "claude-sonnet-5-5"]
        with pytest.raises(anthropic.NotFoundError):
            client.messages.create(model="claude-haiku-5-5", max_tokens=10, messages=QUESTION)
        server.enqueue(Script(text="ok", thinking="Hm."))
        made = client.messages.create(model="claude-custom-1", max_tokens=10, messages=QUESTION)
        assert [b.type for b in made.content] == ["text"]  # an unknown model thinks only when asked
        # It refuses no setting, and the Models API says so (a client that learns it from there refuses none).
        info = client.models.retrieve("claude-custom-1")
        assert info.capabilities is not None and info.capabilities.thinking.types.enabled.supported
        assert info.capabilities.effort.max.supported and info.max_tokens == 128_000
        server.enqueue(Script(text="ok", thinking="Hm."))
        asked = client.messages.create(model="claude-custom-1", max_tokens=2000, messages=QUESTION,
                                       thinking={"type": "enabled", "budget_tokens": 1024},
                                       output_config={"effort": "max"})  # fmt: skip
        assert [(b.type, getattr(b, "thinking", None)) for b in asked.content] == [("thinking", "Hm."), ("text", None)]


# -- headers ----------------------------------------------------------------------------------------------------
async def test_sdk_2_headers_are_accepted(server: FakeAnthropic, client: anthropic.AsyncAnthropic) -> None:
    server.enqueue(Script(text="ok"))
    await answer(client)
    headers = server.message_requests()[-1].headers
    assert headers["anthropic-version"] == "2026-10-21"
    assert headers["authorization"] == f"Bearer {TEST_KEY}" and "x-api-key" not in headers


@pytest.mark.parametrize(("version", "status"), [("2023-06-01", 200), ("2026-10-21", 200), ("2024-10-22", 400)])
def test_the_api_version_is_checked(server: FakeAnthropic, version: str, status: int) -> None:
    body = {"model": "claude-sonnet-5-5", "max_tokens": 10, "messages": QUESTION}
    response = httpx2.post(server.url + "/v1/messages", json=body,
                           headers={"authorization": f"Bearer {TEST_KEY}", "anthropic-version": version})  # fmt: skip
    assert response.status_code == status
    if status == 400:
        words = 'anthropic-version: "2024-10-22" is not a valid version'
        assert response.json()["error"] == {"type": "invalid_request_error", "message": words}


# -- the offline demo ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("thinking", [SUMMARIZED, None])
def test_the_demo_thinks_first_on_the_default_model_briskly(thinking: dict[str, str] | None) -> None:
    body: dict[str, Any] = {"model": "claude-sonnet-5-5", "messages": [{"role": "user", "content": "What is SSE?"}]}
    if thinking:
        body["thinking"] = thinking
    script = demo_responder(body)
    assert script.thinking and THINKING_SECONDS <= 3
    steps = compile_script(script, body, "msg_1")
    events = [json.loads(s.data.decode().split("\n")[1][6:]) for s in steps if isinstance(s, Send)]
    assert events[1]["content_block"]["type"] == "thinking"
    shown = "".join(e["delta"].get("thinking", "") for e in events if e["type"] == "content_block_delta")
    pings = [s for s in steps if isinstance(s, Send) and s.label == "ping"]
    if thinking:
        assert shown == script.thinking and not pings
    else:
        assert shown == "" and pings  # omitted, the default: pings, then the signature
    signed = next(i for i, s in enumerate(steps) if isinstance(s, Send) and b"signature_delta" in s.data)
    thinking_time = sum(s.seconds for s in steps[:signed] if isinstance(s, Pause))
    assert THINKING_SECONDS <= thinking_time <= THINKING_SECONDS + 1  # the reading time, then the thinking
    older = {"model": "claude-sonnet-4-5", "messages": body["messages"]}  # a model that does not think unasked
    started = [e["content_block"]["type"] for e in raw_events(older, demo_responder(older)) if "content_block" in e]
    assert started == ["text"]
