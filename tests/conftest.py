from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from claude_widget.fake_server import FakeAnthropic
from claude_widget.loops import call_soon
from claude_widget.widget import ChatWidget

TEST_KEY = "sk-ant-test-0123456789-secret"


@pytest.fixture
def server() -> Iterator[FakeAnthropic]:
    with FakeAnthropic(api_key=TEST_KEY) as fake:
        yield fake


@pytest.fixture
def client(server: FakeAnthropic) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(api_key=TEST_KEY, base_url=server.url, max_retries=0)


def front_end_says(widget: ChatWidget, content: Any) -> None:
    """Deliver `content` as a view does (a custom comm message) and wait until the widget has handled it."""
    widget._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})
    handled = threading.Event()
    call_soon(widget._loop, handled.set)  # after the message, on the same loop
    assert handled.wait(5)
