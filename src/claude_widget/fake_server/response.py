"""The response to one message request, as the fake server sends it: `compile_script` turns a script into a list of
wire-level steps (bytes to send, pauses, and the fault's socket action) that the HTTP server executes;
`whole_message` is the same answer not streamed. Keeping this pure makes the exact bytes testable without a socket.

Thinking streams as `thinking_delta`s where its summary is shown, or only pings keep the stream alive while the model
thinks where it is omitted, and its block ends with one `signature_delta` that binds the block's text (rules.sign).
A cited answer streams as the API streams one: text blocks split where the citations change, each block's
`citations_delta`s after its text.
"""

from __future__ import annotations

import json
from typing import Any

from ..api.models import Display
from ..api.request_tokens import estimate_input_tokens
from .rules import sign
from .script import Plan, Script, text_blocks, token_count, tool_json, within_max_tokens
from .wire import PING, Drop, Hold, Pause, Reset, Send, Stall, Step, sse


def usage_of(script: Script, body: dict[str, Any], *, service_tier: str = "standard") -> dict[str, Any]:
    """The answer's usage as message_start carries it (and a whole message, with the final output tokens): input
    split into uncached, cache writes by lifetime and cache reads, the tier, and the region and speed the request
    asked for."""
    usage: dict[str, Any] = {
        "input_tokens": script.input_tokens if script.input_tokens is not None else estimate_input_tokens(body),
        "cache_creation_input_tokens": script.cache_creation_input_tokens,
        "cache_read_input_tokens": script.cache_read_input_tokens,
        "cache_creation": {
            "ephemeral_5m_input_tokens": script.cache_creation_input_tokens - script.cache_creation_1h_input_tokens,
            "ephemeral_1h_input_tokens": script.cache_creation_1h_input_tokens,
        },
        "output_tokens": 1,
        "service_tier": service_tier,
    }
    if body.get("inference_geo") is not None:
        usage["inference_geo"] = body["inference_geo"]
    if body.get("speed") is not None:
        usage["speed"] = body["speed"]
    return usage


def final_usage(script: Script, plan: Plan) -> dict[str, Any]:
    """What message_delta adds to the usage: the output (thinking included, and its part), repeated with the
    input counts, as the API's cumulative message_delta usage is."""
    final: dict[str, Any] = {"output_tokens": script.output_tokens}
    thought = token_count(script.thinking or "", script.chunk_size)
    if plan.narrates(script):
        thought += token_count(script.text, script.chunk_size)
    if thought:
        final["output_tokens_details"] = {"thinking_tokens": thought}
    if script.server_tool is not None and script.server_tool.get("name") == "web_search":
        final["server_tool_use"] = {"web_search_requests": 1}
    return final


def compile_script(script: Script, body: dict[str, Any], message_id: str) -> list[Step]:
    """The wire-level steps of a 200 streaming answer to `body`."""
    plan = Plan.of(body)
    script = within_max_tokens(plan.apply(script), body)
    steps: list[Step] = []
    fault_pending = script.fault is not None
    usage = usage_of(script, body)
    message: dict[str, Any] = {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": plan.model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage,
    }
    if script.start_delay:
        steps.append(Pause(script.start_delay))
    if script.hold is not None and script.hold_after < 0:
        steps.append(Hold(script.hold, script.ping_interval))
    steps.append(Send(sse("message_start", {"type": "message_start", "message": message}), "message_start"))
    unknown = Send(sse("future_event", {"type": "future_event", "detail": "clients ignore this"}), "future_event")
    if script.unknown_events:
        steps.append(unknown)
    if script.first_delay:
        steps.append(Pause(script.first_delay))

    def fault_steps() -> list[Step]:
        if script.fault == "error_event":
            payload = {"type": "error", "error": {"type": script.error_type, "message": "Overloaded"}}
            return [Send(sse("error", payload), "error")]
        if script.fault == "drop":
            return [Drop()]
        if script.fault == "reset":
            return [Reset()]
        if script.fault == "stall":
            return [Stall()]
        if script.fault == "ping_stall":
            return [Stall(ping_interval=script.ping_interval)]
        if script.fault == "malformed":
            return [Send(b"event: content_block_delta\ndata: {not json\n\n", "malformed")]
        return []  # early_end: the stream just ends

    def fault_here() -> bool:
        """The fault happens now: its steps added; whether the stream ends with it (a malformed event goes on)."""
        nonlocal fault_pending
        fault_pending = False
        steps.extend(fault_steps())
        return script.fault != "malformed"

    index = 0
    if script.redacted_thinking:
        steps += _whole_block(index, {"type": "redacted_thinking", "data": f"opaque-{message_id}"})
        index += 1
    if script.server_tool is not None:
        tool_id = f"srvtoolu_{message_id}"
        steps += _block(
            index,
            {"type": "server_tool_use", "id": tool_id, "name": script.server_tool["name"], "input": {}},
            json.dumps(script.server_tool.get("input", {})),
            script.chunk_size,
            script.delay,
            "input_json_delta",
            "partial_json",
        )
        index += 1
        result = {
            "type": f"{script.server_tool['name']}_tool_result",
            "tool_use_id": tool_id,
            "content": script.server_tool.get("result", []),
        }
        steps += _whole_block(index, result)  # server tool results arrive whole, without deltas
        index += 1
    for thinking, display, seconds in _thoughts(script, plan):
        steps += _thinking_block(index, thinking, display, script, seconds, plan.model, message_id)
        index += 1

    sent, held = 0, script.hold is None
    narrated = plan.narrates(script)
    blocks = [] if narrated else text_blocks(script)
    if narrated and fault_pending and fault_here():  # the fault comes where the text would have been
        return steps
    for n, (text, citations) in enumerate(blocks):
        block: dict[str, Any] = {"type": "text", "text": ""}
        if citations:
            block["citations"] = []
        steps.append(Send(sse("content_block_start", {"type": "content_block_start", "index": index,
                                                      "content_block": block}), "content_block_start"))  # fmt: skip
        for chunk in _chunks(text, script.chunk_size):
            if fault_pending and sent >= script.fault_after and fault_here():
                return steps
            if not held and sent >= script.hold_after and script.hold is not None:
                steps.append(Hold(script.hold, script.ping_interval))
                held = True
            event = {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": chunk}}
            steps.append(Send(sse("content_block_delta", event), "content_block_delta"))
            sent += len(chunk)
            if script.delay:
                steps.append(Pause(script.delay))
        for citation in citations:
            event = {"type": "content_block_delta", "index": index,
                     "delta": {"type": "citations_delta", "citation": citation}}  # fmt: skip
            steps.append(Send(sse("content_block_delta", event), "content_block_delta"))
        if fault_pending and n == len(blocks) - 1 and fault_here():
            return steps
        steps.append(Send(sse("content_block_stop", {"type": "content_block_stop", "index": index}),
                          "content_block_stop"))  # fmt: skip
        index += 1

    stop_reason = script.stop_reason
    if script.tool_use is not None:
        block = {"type": "tool_use", "id": f"toolu_{message_id}", "name": script.tool_use["name"], "input": {}}
        steps += _block(
            index,
            block,
            tool_json(script.tool_use),
            script.chunk_size,
            script.delay,
            "input_json_delta",
            "partial_json",
        )
        stop_reason = "tool_use"

    if script.unknown_events:
        steps.append(unknown)
    counts = {key: usage[key] for key in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")}
    delta: dict[str, Any] = {
        "type": "message_delta",
        "delta": {"stop_reason": stop_reason, "stop_sequence": None},
        "usage": {**counts, **final_usage(script, plan)},
    }
    if script.stop_details is not None:
        delta["delta"]["stop_details"] = script.stop_details
    steps.append(Send(sse("message_delta", delta), "message_delta"))
    steps.append(Send(sse("message_stop", {"type": "message_stop"}), "message_stop"))
    return steps


def whole_message(script: Script, body: dict[str, Any], message_id: str, *, service_tier: str = "standard"
                  ) -> dict[str, Any]:  # fmt: skip
    """The answer not streamed: the message its stream would have built."""
    plan = Plan.of(body)
    script = within_max_tokens(plan.apply(script), body)
    content: list[dict[str, Any]] = []
    for thinking, display, _ in _thoughts(script, plan):
        shown = thinking if display == "summarized" else ""
        content.append({"type": "thinking", "thinking": shown,
                        "signature": sign(plan.model, shown, f"{message_id}/{len(content)}")})  # fmt: skip
    if not plan.narrates(script):  # a cited answer's blocks as its stream sends them
        content += [{"type": "text", "text": text, **({"citations": list(cited)} if cited else {})}
                    for text, cited in text_blocks(script)]  # fmt: skip
    stop_reason = script.stop_reason
    if script.tool_use is not None:
        content.append({"type": "tool_use", "id": f"toolu_{message_id}", "name": script.tool_use["name"],
                        "input": script.tool_use.get("input", {})})  # fmt: skip
        stop_reason = "tool_use"
    usage = {**usage_of(script, body, service_tier=service_tier), **final_usage(script, plan)}
    return {"id": message_id, "type": "message", "role": "assistant", "model": plan.model, "content": content,
            "stop_reason": stop_reason, "stop_sequence": None, "usage": usage}  # fmt: skip


def _thoughts(script: Script, plan: Plan) -> list[tuple[str, Display, float]]:
    """The answer's thinking blocks: (text, display, seconds of thinking). The thinking before the answer, and on a
    model that narrates inside its thinking, the text before a tool call."""
    thoughts: list[tuple[str, Display, float]] = []
    if script.thinking is not None:
        thoughts.append((script.thinking, plan.display, script.thinking_seconds))
    if plan.narration is not None and plan.narrates(script):
        thoughts.append((script.text, plan.narration, 0.0))
    return thoughts


def _thinking_block(index: int, thinking: str, display: Display, script: Script, seconds: float, model: str,
                    message_id: str) -> list[Step]:  # fmt: skip
    """A thinking block: its summary's deltas spread over `seconds` (else paced by `delay`), or, omitted, only
    pings for `seconds`; then its one signature, binding what was shown of it."""
    signature = sign(model, thinking if display == "summarized" else "", f"{message_id}/{index}")
    start = {"type": "content_block_start", "index": index, "content_block": {"type": "thinking", "thinking": ""}}
    steps: list[Step] = [Send(sse("content_block_start", start), "content_block_start")]
    if display == "summarized":
        chunks = _chunks(thinking, script.chunk_size)
        gap = seconds / len(chunks) if seconds and chunks else script.delay
        for chunk in chunks:
            event = {"type": "content_block_delta", "index": index, "delta": {"type": "thinking_delta",
                                                                             "thinking": chunk}}  # fmt: skip
            steps.append(Send(sse("content_block_delta", event), "content_block_delta"))
            steps += _wait(gap, script.ping_interval)
    else:
        steps += _wait(seconds, script.ping_interval)
    event = {"type": "content_block_delta", "index": index, "delta": {"type": "signature_delta",
                                                                     "signature": signature}}  # fmt: skip
    steps.append(Send(sse("content_block_delta", event), "content_block_delta"))
    steps.append(Send(sse("content_block_stop", {"type": "content_block_stop", "index": index}), "content_block_stop"))
    return steps


def _wait(seconds: float, ping_interval: float) -> list[Step]:
    """A silence of `seconds`, as the API keeps one: a ping every `ping_interval`."""
    pings = int(seconds / ping_interval + 1e-9) if ping_interval > 0 and seconds > 0 else 0
    steps: list[Step] = [Pause(ping_interval), Send(PING, "ping")] * pings
    rest = seconds - pings * ping_interval
    return [*steps, Pause(rest)] if rest > 1e-9 else steps


def _block(
    index: int, start: dict[str, Any], content: str, chunk_size: int, delay: float, delta_type: str, field_name: str
) -> list[Step]:
    steps: list[Step] = [
        Send(
            sse("content_block_start", {"type": "content_block_start", "index": index, "content_block": start}),
            "content_block_start",
        )
    ]
    for chunk in _chunks(content, chunk_size):
        steps.append(
            Send(
                sse(
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": {"type": delta_type, field_name: chunk}},
                ),
                "content_block_delta",
            )
        )
        if delay:
            steps.append(Pause(delay))
    steps.append(Send(sse("content_block_stop", {"type": "content_block_stop", "index": index}), "content_block_stop"))
    return steps


def _whole_block(index: int, block: dict[str, Any]) -> list[Step]:
    return _block(index, block, "", chunk_size=1, delay=0, delta_type="", field_name="")


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]
