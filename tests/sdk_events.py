"""The anthropic SDK's stream event objects, built directly: what `client.messages.stream` yields, without HTTP."""

from __future__ import annotations

from typing import Any

from anthropic import types as api
from anthropic.lib.streaming import ContentBlockStopEvent, MessageStopEvent


def message_start(input_tokens: int = 10, model: str = "claude-sonnet-5-5") -> api.RawMessageStartEvent:
    message = api.Message(id="msg_1", type="message", role="assistant", model=model, content=[], stop_reason=None,
                          stop_sequence=None, usage=api.Usage(input_tokens=input_tokens, output_tokens=1))  # fmt: skip
    return api.RawMessageStartEvent(type="message_start", message=message)


def start(index: int, block: dict[str, Any]) -> api.RawContentBlockStartEvent:
    """A content_block_start for `block` (its API form), validated by the SDK as the stream would be."""
    event = {"type": "content_block_start", "index": index, "content_block": block}
    return api.RawContentBlockStartEvent.model_validate(event)


def text(index: int, chunk: str) -> api.RawContentBlockDeltaEvent:
    delta = api.TextDelta(type="text_delta", text=chunk)
    return api.RawContentBlockDeltaEvent(type="content_block_delta", index=index, delta=delta)


def thinking(index: int, chunk: str) -> api.RawContentBlockDeltaEvent:
    delta = api.ThinkingDelta(type="thinking_delta", thinking=chunk)
    return api.RawContentBlockDeltaEvent(type="content_block_delta", index=index, delta=delta)


def signature(index: int, value: str) -> api.RawContentBlockDeltaEvent:
    delta = api.SignatureDelta(type="signature_delta", signature=value)
    return api.RawContentBlockDeltaEvent(type="content_block_delta", index=index, delta=delta)


def input_json(index: int, chunk: str) -> api.RawContentBlockDeltaEvent:
    delta = api.InputJSONDelta(type="input_json_delta", partial_json=chunk)
    return api.RawContentBlockDeltaEvent(type="content_block_delta", index=index, delta=delta)


def stop(index: int) -> ContentBlockStopEvent:
    # What the SDK's MessageStream yields: the raw event's subclass, with the finished block.
    return ContentBlockStopEvent.model_construct(type="content_block_stop", index=index)


def message_delta(stop_reason: str = "end_turn", output_tokens: int = 5) -> api.RawMessageDeltaEvent:
    delta = {"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": None},
             "usage": {"output_tokens": output_tokens}}  # fmt: skip
    return api.RawMessageDeltaEvent.model_validate(delta)


def message_stop() -> MessageStopEvent:
    return MessageStopEvent.model_construct(type="message_stop")


def text_block(index: int, *chunks: str) -> list[Any]:
    return [start(index, {"type": "text", "text": ""}), *(text(index, c) for c in chunks), stop(index)]


def thinking_block(index: int, *chunks: str, signed: bool = True) -> list[Any]:
    events: list[Any] = [start(index, {"type": "thinking", "thinking": "", "signature": ""})]
    events += [thinking(index, c) for c in chunks]
    if signed:
        events.append(signature(index, f"sig-{index}"))
    return [*events, stop(index)]


def tool_block(index: int, name: str, *chunks: str, server: bool = False, id: str = "toolu_1") -> list[Any]:
    block = {"type": "server_tool_use" if server else "tool_use", "id": id, "name": name, "input": {}}
    return [start(index, block), *(input_json(index, c) for c in chunks), stop(index)]


def citation(index: int, cited: dict[str, Any]) -> api.RawContentBlockDeltaEvent:
    """A citations_delta: one source of the text block at `index` (an API `citation` object)."""
    event = {"type": "content_block_delta", "index": index, "delta": {"type": "citations_delta", "citation": cited}}
    return api.RawContentBlockDeltaEvent.model_validate(event)


def cited_block(index: int, chunk: str, *cited: dict[str, Any]) -> list[Any]:
    """A text block as a cited answer streams it: its text, then its sources."""
    block = {"type": "text", "text": "", "citations": []}
    return [start(index, block), text(index, chunk), *(citation(index, c) for c in cited), stop(index)]
