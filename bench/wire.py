"""Bytes and messages the widget sends to the front end per answer, against the answer's own size.

Runs the real SDK against the fake server at full speed (and at a realistic pace), and counts every comm
message payload the widget emits (custom delta messages and state updates) as JSON bytes, with a front end
that follows the deltas (the widget gets the `follow` intent each live front end sends) and without one
(nbclient). Envelope bytes (the ~550-byte Jupyter header per message) are estimated as messages x 550. The
one-time cost (the front-end bundle, held by the shared assets model) is reported on its own.

    .venv/bin/python bench/wire.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from corpus import answer_text

from claude_widget import Chat, ChatWidget
from claude_widget.fake_server import FakeAnthropic, Script

ENVELOPE_BYTES = 550  # measured per-message Jupyter envelope (see the reference notes)


def front_end_says(widget: Any, content: dict[str, Any]) -> None:
    """What a view sends: a custom comm message (handled on the stream's loop)."""
    widget._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


def measure(size: int, delay: float, follow: bool = True) -> dict[str, Any]:
    text = answer_text(size)
    payloads: list[int] = []
    bundle: list[int] = []
    original = ChatWidget._send

    def counting_send(self: ChatWidget, msg: dict[str, Any], buffers: Any = None) -> None:
        size = len(json.dumps(msg, ensure_ascii=False).encode()) + sum(len(b) for b in buffers or [])
        is_bundle = {"_esm", "_css", "_anywidget_id"} & set(msg.get("state", {}))
        (bundle if is_bundle else payloads).append(size)
        original(self, msg, buffers)

    ChatWidget._send = counting_send  # type: ignore[method-assign]
    try:
        with FakeAnthropic(api_key="bench") as server:
            server.enqueue(Script(text=text, chunk_size=4, delay=delay))
            chat = Chat(api_key="bench", base_url=server.url)
            started = time.monotonic()
            widget = chat.send("bench")
            if follow:
                # what each live front end says at once
                front_end_says(widget, {"intent": "follow", "deflate": True})
            widget.wait(timeout=600)
            elapsed = time.monotonic() - started
            time.sleep(0.05)
    finally:
        ChatWidget._send = original  # type: ignore[method-assign]
    answer_bytes = len(text.encode())
    sent = sum(payloads)
    return {
        "chars": size,
        "pace": ("full speed" if delay == 0 else f"{1 / delay:.0f} deltas/s") + ("" if follow else ", no front end"),
        "deltas": -(-size // 4),
        "messages": len(payloads),
        "payload_bytes": sent,
        "payload_ratio": sent / answer_bytes,
        "with_envelopes_ratio": (sent + ENVELOPE_BYTES * len(payloads)) / answer_bytes,
        "messages_per_s": len(payloads) / elapsed,
        "bundle_bytes": sum(bundle),
    }


def save_notes(notes: str) -> str:
    """Store the notes.

    Args:
        notes: The notes.
    """
    return "stored"


def measure_tool_input(size: int, delay: float = 0.0, chunk_size: int = 4) -> dict[str, Any]:
    """A tool call whose input is `size` characters of JSON, to a front end that follows: the bytes of its input
    channel and of its card's updates, against the input's own size."""
    notes = answer_text(size)
    tool_json = json.dumps({"notes": notes})
    payloads: list[int] = []
    original = ChatWidget._send

    def counting_send(self: ChatWidget, msg: dict[str, Any], buffers: Any = None) -> None:
        data = msg.get("content", {})
        state = msg.get("state", {})
        if data.get("channel") == "tools" or "cards" in state:
            size = len(json.dumps(msg, ensure_ascii=False).encode()) + sum(len(b) for b in buffers or [])
            payloads.append(size)
        original(self, msg, buffers)

    ChatWidget._send = counting_send  # type: ignore[method-assign]
    try:
        with FakeAnthropic(api_key="bench") as server:
            server.enqueue(Script(text="", tool_use={"name": "save_notes", "input": {"notes": notes}},
                                  chunk_size=chunk_size, delay=delay), Script(text="Saved."))  # fmt: skip
            widget = Chat(api_key="bench", base_url=server.url, tools=[save_notes]).send("bench")
            front_end_says(widget, {"intent": "follow", "deflate": True, "frontend": "bench"})
            widget.wait(timeout=600)
            time.sleep(0.05)
    finally:
        ChatWidget._send = original  # type: ignore[method-assign]
    return {"input_bytes": len(tool_json.encode()), "messages": len(payloads), "bytes": sum(payloads)}


def main() -> None:
    rows = [measure(size, 0.0) for size in (1_000, 10_000, 50_000)]
    rows.append(measure(50_000, 0.0, follow=False))
    rows.append(measure(10_000, 0.005))
    print("| answer | pace | SDK deltas | messages | payload bytes | payload / answer | with envelopes | msgs/s |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['chars']:,} chars | {r['pace']} | {r['deltas']:,} | {r['messages']:,} | {r['payload_bytes']:,} | "
            f"{r['payload_ratio']:.2f}x | {r['with_envelopes_ratio']:.2f}x | {r['messages_per_s']:.0f} |"
        )
    for pace, tool in (("at full speed", measure_tool_input(20_000)),
                       ("at 200 deltas/s", measure_tool_input(20_000, delay=0.005, chunk_size=16))):  # fmt: skip
        print(
            f"\nA tool call with a {tool['input_bytes']:,}-byte input, {pace}: {tool['messages']} messages, "
            f"{tool['bytes']:,} bytes for its input and its card ({tool['bytes'] / tool['input_bytes']:.2f}x)"
        )
    loader = rows[0]["bundle_bytes"]
    print(f"\nOnce per widget, its loader (`_esm`): {loader:,} bytes; the front-end bundle travels once per kernel")


if __name__ == "__main__":
    main()
