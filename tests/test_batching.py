"""Delta channels on a real event loop: throttling, offsets, compressed batches, snapshots; who the front ends are."""

from __future__ import annotations

import asyncio
import zlib
from typing import Any

from claude_widget.widget.channels import DeltaChannel, FrontEnds
from claude_widget.widget.throttle import Throttle, utf16_length

Sent = list[tuple[dict[str, Any], list[bytes]]]


async def stream_through(batcher: DeltaChannel, pieces: list[str], pause_every: int = 5) -> None:
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
    batcher = DeltaChannel("answer", asyncio.get_running_loop(), lambda m, b: sent.append((m, b)), lambda: "")
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
    batcher = DeltaChannel("answer", loop, lambda m, b: sent.append((m, b)), lambda: "one ")
    other_sent: Sent = []
    other = DeltaChannel("thinking", loop, lambda m, b: other_sent.append((m, b)), lambda: "")
    other.deflate = True
    other.add("x")
    other.flush()
    batcher.deflate = True
    batcher.add("one ")
    batcher.flush()
    batcher.send_snapshot()  # a front end asked for a resync: it gets a snapshot, then a new stream
    batcher.add("two ")
    batcher.flush()
    batcher.deflate = False
    batcher.add("three")
    batcher.flush()
    assert sent[1] == ({"kind": "snapshot", "text": "one "}, [])
    del sent[1]
    assert inflate(sent) == ["one ", "two ", "three"]
    assert [m.get("start") for m, _ in sent[:2]] == [True, True]
    assert other_sent[0][0]["channel"] == "thinking" and "channel" not in sent[0][0]
    ids = [m["deflate"] for m, _ in other_sent + sent[:2]]
    assert len(set(ids)) == 3  # stream ids are unique in the kernel, across batchers
    assert sent[2] == ({"kind": "delta", "offset": 8, "text": "three"}, [])


async def test_a_throttle_runs_at_once_after_a_quiet_spell_then_at_most_once_per_interval() -> None:
    loop = asyncio.get_running_loop()
    runs: list[float] = []
    throttle = Throttle(loop, lambda: runs.append(loop.time()), interval=0.05)
    throttle.poke()
    await asyncio.sleep(0)  # the first poke runs on the next loop turn
    await asyncio.sleep(0)
    assert len(runs) == 1
    for _ in range(5):
        throttle.poke()  # pokes within the interval coalesce into one run when it has passed
    assert throttle.pending
    await asyncio.sleep(0.08)
    assert len(runs) == 2 and runs[1] - runs[0] >= 0.05 - 1e-3
    throttle.poke()
    throttle.flush()  # runs now, whatever the interval
    assert len(runs) == 3 and not throttle.pending
    throttle.flush()  # nothing pending: nothing runs
    assert len(runs) == 3


def test_deltas_are_compressed_only_while_every_following_front_end_inflates() -> None:
    front_ends = FrontEnds()
    assert not front_ends.followed and not front_ends.deflate
    front_ends.follow("page-a", inflates=True)
    assert front_ends.followed and front_ends.deflate
    front_ends.follow("page-b", inflates=True)
    front_ends.cannot_inflate("page-b")  # a host that drops binary buffers
    assert not front_ends.deflate
    front_ends.follow("page-c", inflates=True)  # a page opened later does not switch it back on
    front_ends.follow("page-b", inflates=True)  # nor does the same page saying `follow` again
    assert not front_ends.deflate and front_ends.followed


def test_the_event_log_streams_while_any_inspector_is_open() -> None:
    front_ends = FrontEnds()
    assert front_ends.inspect("page-a", True) and front_ends.inspecting
    assert not front_ends.inspect("page-b", True)  # already streaming
    assert not front_ends.inspect("page-a", False) and front_ends.inspecting
    assert front_ends.inspect("page-b", False) and not front_ends.inspecting
