"""Two pages on one kernel, one of them on a host that drops binary buffers: each reads the whole answer.

Each page's model says it `follow`s the deltas and can inflate them, so the kernel compresses them (one binary
buffer per delta). The second page sits behind a proxy of its kernel websocket that strips every binary buffer
out of what the kernel sends, as some hosts do: a compressed delta reaches it without its bytes, it asks for
plain text (`resync` with `"deflate": false`), and from then on the kernel sends plain text, which both read.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from jupyter_server.services.kernels.connection.base import (
    deserialize_binary_message,
    deserialize_msg_from_ws_v1,
    serialize_binary_message,
    serialize_msg_to_ws_v1,
)

from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import PAGE_TIMEOUT_MS, Lab, show_widget

pytestmark = [pytest.mark.browser, pytest.mark.own_page]  # a listener on the page's websockets

NOTEBOOK = "two_pages.ipynb"
CELL = "from claude_widget import Chat\nw = Chat().send('hi')\nw"
WORDS = [f"w{i:04d}" for i in range(1, 551)]
ANSWER = " ".join(WORDS)  # one markdown paragraph: rendered, its text is the answer itself
# 300 characters a second: ~11 s of answer, so the second page joins while it is under way.
SCRIPT = Script(text=ANSWER, chunk_size=6, delay=0.02)
KERNEL_SOCKET = re.compile(r"/api/kernels/[^/?]+/channels")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
APP_TIMEOUT_MS = 90_000
ANSWER_TIMEOUT_MS = 60_000
SAVE_TIMEOUT_S = 10.0


# -- Jupyter's kernel websocket frames ----------------------------------------------------------------------------
# v1.kernel.websocket.jupyter.org (what JupyterLab 4 negotiates): every frame is binary, its parts
# [header, parent_header, metadata, content, *buffers] after the channel name. The legacy protocol: a message
# without buffers is a JSON text frame, one with buffers a binary frame (big-endian part count and offsets).


def _is_v1(frame: bytes) -> bool:
    # v1 begins with its offset count as a little-endian 64-bit int (>= 6), legacy with a big-endian 32-bit one.
    return frame[0] != 0


@dataclass
class KernelMessage:
    msg_type: str
    content: dict[str, Any]
    buffers: int  # how many binary buffers came with it

    @property
    def custom(self) -> dict[str, Any] | None:
        """The payload of a widget's custom message (the view's `model.send`, the kernel's deltas), if it is one."""
        data = self.content.get("data") if self.msg_type == "comm_msg" else None
        if isinstance(data, dict) and data.get("method") == "custom" and isinstance(data.get("content"), dict):
            return data["content"]
        return None


def decode(frame: str | bytes) -> KernelMessage:
    if isinstance(frame, str):
        message = json.loads(frame)
        return KernelMessage(message["header"]["msg_type"], message["content"], len(message.get("buffers") or []))
    if _is_v1(frame):
        _, parts = deserialize_msg_from_ws_v1(frame)
        return KernelMessage(json.loads(parts[0])["msg_type"], json.loads(parts[3]), len(parts) - 4)
    message = deserialize_binary_message(frame)
    return KernelMessage(message["header"]["msg_type"], message["content"], len(message["buffers"]))


def without_buffers(frame: str | bytes) -> bytes | None:
    """The same message without its binary buffers, or None when it carries none (the frame goes on as it is)."""
    if isinstance(frame, str):
        return None  # a legacy text frame never carries buffers
    if _is_v1(frame):
        channel, parts = deserialize_msg_from_ws_v1(frame)
        return serialize_msg_to_ws_v1(parts[:4], channel) if len(parts) > 4 else None
    message = deserialize_binary_message(frame)
    return serialize_binary_message({**message, "buffers": []}) if message["buffers"] else None


@dataclass
class Wire:
    """The kernel messages one page received and sent."""

    received: list[KernelMessage] = field(default_factory=list)
    sent: list[KernelMessage] = field(default_factory=list)

    def deltas(self) -> list[tuple[dict[str, Any], int]]:
        """The answer's deltas, each with how many binary buffers reached the page with it."""
        return [
            (m.custom, m.buffers)
            for m in self.received
            if m.custom is not None and m.custom.get("kind") == "delta" and "channel" not in m.custom
        ]

    def intents(self, name: str) -> list[dict[str, Any]]:
        return [m.custom for m in self.sent if m.custom is not None and m.custom.get("intent") == name]

    def tap(self, page: Any) -> None:
        """Record a page's kernel websockets, left as they are."""

        def on_socket(ws: Any) -> None:
            if KERNEL_SOCKET.search(ws.url):
                ws.on("framereceived", lambda frame: self.received.append(decode(frame)))
                ws.on("framesent", lambda frame: self.sent.append(decode(frame)))

        page.on("websocket", on_socket)


@dataclass
class BufferStripper(Wire):
    """Proxies a page's kernel websockets and drops the binary buffers of every kernel → page message."""

    stripped: list[KernelMessage] = field(default_factory=list)  # as the kernel sent them, buffers and all

    def route(self, ws: Any) -> None:
        server = ws.connect_to_server()

        def to_kernel(frame: str | bytes) -> None:
            self.sent.append(decode(frame))
            server.send(frame)

        def to_page(frame: str | bytes) -> None:
            stripped = without_buffers(frame)
            if stripped is not None:
                self.stripped.append(decode(frame))
                frame = stripped
            self.received.append(decode(frame))
            ws.send(frame)

        ws.on_message(to_kernel)
        server.on_message(to_page)


# -- the pages ----------------------------------------------------------------------------------------------------


@pytest.fixture
def page_without_buffers(browser: Any) -> Iterator[tuple[Any, BufferStripper]]:
    """A second page, in its own browser context, whose kernel websockets lose every binary buffer."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    stripper = BufferStripper()
    page.route_web_socket(KERNEL_SOCKET, stripper.route)
    yield page, stripper
    context.close()


def start_lab(page: Any, lab: Lab) -> None:
    """Load JupyterLab (a fresh workspace, nothing open) without waiting for it."""
    page.goto(f"{lab.url}/lab/workspaces/{uuid.uuid4().hex[:8]}", wait_until="commit")


def open_in_lab(page: Any, path: str) -> None:
    """Open a notebook (its path from the server's root) in the JupyterLab a page runs: one whose kernel runs
    already gets that kernel."""
    page.wait_for_function("() => window.jupyterapp", timeout=APP_TIMEOUT_MS)
    page.evaluate(
        "async name => { await window.jupyterapp.restored;"
        " await window.jupyterapp.commands.execute('docmanager:open', {path: name}); }",
        path,
    )
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'",
        timeout=APP_TIMEOUT_MS,
    )


def save_notebook(page: Any, lab: Lab, name: str) -> None:
    """Save the notebook, so that a page opening it finds the widget's output (its model lives in the kernel)."""
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    deadline = time.monotonic() + SAVE_TIMEOUT_S
    while WIDGET_VIEW not in (lab.root / name).read_text():
        assert time.monotonic() < deadline, "the notebook was not saved with its widget output"
        page.wait_for_timeout(100)  # not time.sleep: Playwright relays websocket frames only while it waits


def wait_until_done(page: Any, widget: Any) -> None:
    page.wait_for_function("el => el.dataset.status === 'done'", arg=widget.element_handle(), timeout=ANSWER_TIMEOUT_MS)


def shown_answer(widget: Any) -> str:
    """The answer as the page renders it, whitespace collapsed."""
    return " ".join(widget.locator("[data-role=content]").text_content().split())


def kernel_text(page: Any) -> str:
    """`w.text` as the kernel holds it, read without adding a cell or an output to the notebook."""
    return page.evaluate(
        """async () => {
            const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
            const future = kernel.requestExecute({ code: "print(w.text, end='')", store_history: false });
            let out = "";
            future.onIOPub = (msg) => { if (msg.header.msg_type === "stream") out += msg.content.text; };
            await future.done;
            return out;
        }"""
    )


# TWO_PAGES_RUNS=10 runs it ten times in a row (within the whole suite: how its steadiness under load is checked).
@pytest.mark.parametrize("run", range(int(os.environ.get("TWO_PAGES_RUNS", "1"))))
def test_two_pages_on_one_kernel_one_without_binary_buffers_each_read_the_whole_answer(
    lab: Lab, page: Any, page_without_buffers: tuple[Any, BufferStripper], slow_server: FakeAnthropic, run: int
) -> None:
    second, stripper = page_without_buffers
    first = Wire()
    first.tap(page)
    slow_server.enqueue(SCRIPT)
    start_lab(second, lab)  # loads while the first page starts the kernel

    widget = show_widget(page, lab, NOTEBOOK, CELL)
    widget.wait_for(timeout=APP_TIMEOUT_MS)  # a kernel starts first: on a loaded machine that can take a while
    page.wait_for_function("el => el.textContent.includes('w0040')", arg=widget.element_handle(), timeout=30_000)
    save_notebook(page, lab, NOTEBOOK)
    # The same notebook in the second page: JupyterLab attaches it to the running kernel, and the widget's output
    # renders from the kernel's live model, mid-answer.
    open_in_lab(second, lab.path(NOTEBOOK))
    other = second.locator(".cw-root").first
    other.wait_for(timeout=APP_TIMEOUT_MS)

    wait_until_done(page, widget)
    wait_until_done(second, other)
    in_kernel = kernel_text(page)
    assert in_kernel == ANSWER

    # Each page shows the kernel's answer exactly: every word once, in order, nothing else.
    assert shown_answer(widget) == in_kernel
    assert shown_answer(other) == in_kernel

    # The second page did lose binary buffers: compressed deltas reached it without their bytes ...
    lost = [m.custom for m in stripper.stripped if m.custom is not None]
    assert lost, "no binary buffer was sent to the second page: it joined after the answer"
    assert all(delta.get("kind") == "delta" and "deflate" in delta for delta in lost)
    # ... so it asked for plain text, once, and got plain text from then on.
    plain_please = [i["frontend"] for i in stripper.intents("resync") if i.get("deflate") is False]
    assert len(plain_please) == 1
    # Each page is one front end of the answer, however many wrappers of its model anywidget hands out.
    for proxy in (first, stripper):
        assert len({i["frontend"] for i in proxy.intents("follow")}) == 1
    last, buffers = stripper.deltas()[-1]
    assert "text" in last and "deflate" not in last and buffers == 0

    # The first page read compressed deltas, each with its buffer, until then, and the same plain text after.
    deltas = first.deltas()
    assert any("deflate" in delta for delta, _ in deltas)
    assert all(buffers == 1 for delta, buffers in deltas if "deflate" in delta)
    last, buffers = deltas[-1]
    assert "text" in last and "deflate" not in last and buffers == 0
    assert not [i for i in first.intents("resync") if i.get("deflate") is False]
