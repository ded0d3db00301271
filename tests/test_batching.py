"""The delta batcher on a real event loop: throttling, offsets, and compressed batches."""

from __future__ import annotations

import asyncio
import zlib
from typing import Any

from claude_widget.batching import DeltaBatcher, utf16_length

Sent = list[tuple[dict[str, Any], list[bytes]]]


async def stream_through(batcher: DeltaBatcher, pieces: list[str], pause_every: int = 5) -> None:
    for i, piece in enumerate(pieces):
        batcher.add(piece)
        if i % pause_every == 0:
            await asyncio.sleep(0.035)  # let a batch go out
    batcher.flush()


def inflate(sent: Sent) -> list[str]:
    """What a front end reads: every batch, inflating each deflate stream from its start."""
    texts, inflater = [], None
    for message, buffers in sent:
        if "deflate" not in message:
            texts.append(message["text"])
            continue
        if message.get("start"):
            inflater = zlib.decompressobj(-15)
        assert inflater is not None
        texts.append(inflater.decompress(buffers[0]).decode())
    return texts


async def test_compressed_batches_each_inflate_at_once_to_their_text() -> None:
    sent: Sent = []
    batcher = DeltaBatcher(asyncio.get_running_loop(), lambda m, b: sent.append((m, b)))
    batcher.deflate = True
    pieces = [f"Line {i}: some **markdown** 🎉 and `code`.\n" for i in range(60)]
    await stream_through(batcher, pieces)
    assert len(sent) > 3
    assert "".join(inflate(sent)) == "".join(pieces)
    assert [m.get("start", False) for m, _ in sent] == [True] + [False] * (len(sent) - 1)
    assert len({m["deflate"] for m, _ in sent}) == 1
    offsets = [m["offset"] for m, _ in sent]
    texts = inflate(sent)
    assert offsets == [sum(utf16_length(t) for t in texts[:i]) for i in range(len(texts))]
    assert sum(len(b[0]) for _, b in sent) < len("".join(pieces).encode()) / 2  # repetitive text shrinks


async def test_reset_starts_a_new_stream_and_switching_deflate_off_sends_plain_text() -> None:
    sent: Sent = []
    loop = asyncio.get_running_loop()
    batcher = DeltaBatcher(loop, lambda m, b: sent.append((m, b)))
    other_sent: Sent = []
    other = DeltaBatcher(loop, lambda m, b: other_sent.append((m, b)))
    other.deflate = True
    other.add("x")
    other.flush()
    batcher.deflate = True
    batcher.add("one ")
    batcher.flush()
    batcher.reset("one ")  # a front end asked for a resync: it gets a snapshot, then a new stream
    batcher.add("two ")
    batcher.flush()
    batcher.deflate = False
    batcher.add("three")
    batcher.flush()
    assert inflate(sent) == ["one ", "two ", "three"]
    assert [m.get("start") for m, _ in sent[:2]] == [True, True]
    ids = [m["deflate"] for m, _ in other_sent + sent[:2]]
    assert len(set(ids)) == 3  # stream ids are unique in the kernel, across batchers
    assert sent[2] == ({"kind": "delta", "offset": 8, "text": "three"}, [])
