"""Twenty streams at once in one real kernel: nothing lost or reordered, each Stop stops only its own stream,
and the kernel keeps running other cells."""

from __future__ import annotations

import json
from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.demo import _last_user_text

from .conftest import TEST_KEY
from .test_in_a_kernel import run_cells

pytestmark = pytest.mark.kernel

STREAMS = 20
STOPPED = {3, 7, 11, 15, 19}


def answer_for(prompt: str) -> str:
    return f"[{prompt}] " + "".join(f"{prompt} token {i} ünï 🎉 · " for i in range(300))


def responder(body: dict[str, Any]) -> Script:
    return Script(text=answer_for(_last_user_text(body)), chunk_size=3, delay=0.002)


def test_twenty_concurrent_streams_in_one_kernel() -> None:
    with FakeAnthropic(api_key=TEST_KEY, responder=responder) as server:
        outputs = run_cells(
            f"""
from claude_widget import Chat, ChatWidget
sent = {{}}
original_send = ChatWidget.send
def recording_send(self, content, buffers=None):
    sent.setdefault(self.model_id, []).append(content)
    original_send(self, content, buffers)
ChatWidget.send = recording_send
# One chat per stream: a chat's new send would stop its own previous stream.
chats = [Chat(api_key={TEST_KEY!r}, base_url={server.url!r}) for _ in range({STREAMS})]
widgets = [chat.send(f"stream-{{i}}") for i, chat in enumerate(chats)]
""",
            """
import asyncio, json
await asyncio.sleep(0.3)
print(json.dumps({"two": 1 + 1, "streaming": sum(w.status == "streaming" for w in widgets)}))
""",
            f"""
import threading
# Stop messages may arrive on another thread (a kernel subshell): stop some streams from threads.
stop = {{"content": {{"data": {{"method": "custom", "content": {{"intent": "stop"}}}}}}}}
threads = [threading.Thread(target=widgets[i]._handle_msg, args=(stop,))
           for i in {sorted(STOPPED)!r}]
for t in threads: t.start()
for t in threads: t.join()
texts = await asyncio.gather(*widgets)
""",
            """
import json
from claude_widget.widget.throttle import utf16_length
report = []
for w in widgets:
    deltas = [m for m in sent.get(w.model_id, []) if m["kind"] == "delta"]
    expected, ok = 0, True
    for d in deltas:
        ok = ok and d["offset"] == expected
        expected += utf16_length(d["text"])
    report.append({"status": w.status, "text": w.text, "joined": "".join(d["text"] for d in deltas),
                   "in_order": ok, "messages": len(deltas)})
print(json.dumps(report))
""",
        )
        during = json.loads(outputs[1])
        assert during["two"] == 2 and during["streaming"] > 0  # a cell ran while streams were live
        report = json.loads(outputs[3])
        assert len(report) == STREAMS
        for i, entry in enumerate(report):
            assert entry["in_order"], f"stream {i}: offsets out of order"
            assert entry["joined"] == entry["text"], f"stream {i}: deltas lost"
            if i in STOPPED:
                assert entry["status"] == "stopped"
                assert answer_for(f"stream-{i}").startswith(entry["text"]) and entry["text"] != answer_for(
                    f"stream-{i}"
                )
            else:
                assert entry["status"] == "done"
                assert entry["text"] == answer_for(f"stream-{i}")
        requests = server.message_requests()
        assert len(requests) == STREAMS
        for request in requests:
            request.done.wait(2)
        closed = {r.body["messages"][0]["content"] for r in requests if r.client_closed_at is not None}
        assert closed == {f"stream-{i}" for i in STOPPED}  # each Stop closed its own connection, no other
