"""The fake server speaks the exact wire format and fails the way the real API does, as the SDK sees it."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import anthropic
import httpx2
import pytest

from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.response import compile_script
from claude_widget.fake_server.wire import Send

from .conftest import TEST_KEY, sdk_version

BODY = {"model": "claude-sonnet-5-5", "max_tokens": 10, "stream": True, "messages": [{"role": "user", "content": "hi"}]}


def test_events_are_framed_like_the_api() -> None:
    steps = compile_script(Script(text="Hi there"), BODY, "msg_1")
    frames = [step.data.decode() for step in steps if isinstance(step, Send)]
    for frame in frames:
        event_line, data_line, blank, end = frame.split("\n")
        assert event_line.startswith("event: ") and data_line.startswith("data: ") and blank == end == ""
        assert json.loads(data_line[6:])["type"] == event_line[7:]
    names = [frame.split("\n")[0][7:] for frame in frames]
    assert names == ["message_start", "content_block_start", "content_block_delta", "content_block_delta",
                     "content_block_stop", "message_delta", "message_stop"]  # fmt: skip


def test_raw_http_response_is_chunked_sse(server: FakeAnthropic) -> None:
    server.enqueue(Script(text="Hello"))
    headers = {"x-api-key": TEST_KEY, "anthropic-version": "2023-06-01"}
    with httpx2.Client() as http, http.stream("POST", server.url + "/v1/messages", json=BODY, headers=headers) as r:
        assert r.status_code == 200
        assert r.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert r.headers["transfer-encoding"] == "chunked"
        assert r.headers["request-id"].startswith("req_")
        body = r.read().decode()
    assert body.startswith("event: message_start\ndata: {")
    assert body.endswith('event: message_stop\ndata: {"type":"message_stop"}\n\n')


@pytest.mark.parametrize("header", ["x-api-key", "authorization"])
def test_accepts_both_auth_header_styles(server: FakeAnthropic, header: str) -> None:
    value = TEST_KEY if header == "x-api-key" else f"Bearer {TEST_KEY}"
    response = httpx2.post(server.url + "/v1/messages", json={**BODY, "stream": False}, headers={header: value})
    assert response.status_code == 200
    assert response.json()["content"][0]["text"] == Script().text


def test_rejects_a_missing_or_wrong_key(server: FakeAnthropic) -> None:
    assert httpx2.post(server.url + "/v1/messages", json=BODY).status_code == 401
    wrong = httpx2.post(server.url + "/v1/messages", json=BODY, headers={"x-api-key": "nope"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["type"] == "authentication_error"


async def stream_all(client: anthropic.AsyncAnthropic) -> str:
    async with client.messages.stream(model="claude-sonnet-5-5", max_tokens=10, messages=BODY["messages"]) as s:
        async for _ in s:
            pass
        return s.current_message_snapshot.content[0].text  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("drop", httpx2.RemoteProtocolError),
        ("reset", httpx2.ReadError),
        ("error_event", anthropic.APIStatusError),
        ("malformed", json.JSONDecodeError),
    ],
)
async def test_faults_surface_in_the_sdk_as_documented(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic, fault: str, expected: type[Exception]
) -> None:
    """A transport failure mid-stream reaches the caller as the raw `httpx2` error up to anthropic 2.16, and from
    2.17 on as an `APIConnectionError` whose cause is that error. The other faults are the same in every version."""
    server.enqueue(Script(text="abcdefgh", fault=fault, fault_after=4))  # type: ignore[arg-type]
    with pytest.raises((expected, anthropic.APIConnectionError)) as raised:
        await stream_all(client)
    if issubclass(expected, httpx2.TransportError) and sdk_version() >= (2, 17):
        assert type(raised.value) is anthropic.APIConnectionError
        assert isinstance(raised.value.__cause__, expected)
    else:
        assert isinstance(raised.value, expected)
        assert not isinstance(raised.value, anthropic.APIConnectionError)


async def test_early_end_is_silent_in_the_sdk(server: FakeAnthropic, client: anthropic.AsyncAnthropic) -> None:
    server.enqueue(Script(text="abcdefgh", fault="early_end", fault_after=4))
    assert await stream_all(client) == "abcd"


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, anthropic.BadRequestError), (403, anthropic.PermissionDeniedError), (429, anthropic.RateLimitError),
     (500, anthropic.InternalServerError), (529, anthropic.OverloadedError)],
)  # fmt: skip
async def test_http_errors_before_the_stream(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic, status: int, error: type[Exception]
) -> None:
    server.enqueue(Script(status=status))
    with pytest.raises(error):
        await stream_all(client)


async def test_thinking_and_tool_use_blocks(server: FakeAnthropic, client: anthropic.AsyncAnthropic) -> None:
    script = Script(text="Let me check.", thinking="The user wants the weather.",
                    tool_use={"name": "get_weather", "input": {"city": "Paris"}})  # fmt: skip
    server.enqueue(script)
    # Haiku 5.5 writes the text before a tool call as text (Sonnet 5.5 inside thinking: test_fake_server_today.py)
    async with client.messages.stream(model="claude-haiku-5-5", max_tokens=10, messages=BODY["messages"],
                                      thinking={"type": "adaptive", "display": "summarized"}) as s:  # fmt: skip
        message = await s.get_final_message()
    thinking, text, tool = message.content
    assert thinking.type == "thinking" and thinking.thinking == "The user wants the weather." and thinking.signature
    assert text.type == "text" and text.text == "Let me check."
    assert tool.type == "tool_use" and tool.name == "get_weather" and tool.input == {"city": "Paris"}
    assert message.stop_reason == "tool_use"
    assert message.usage.output_tokens == script.output_tokens


def test_runs_as_a_module() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "claude_widget.fake_server", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        assert first_line.startswith("Fake Anthropic API listening on http://127.0.0.1:")
        url = first_line.split()[-1]
        deadline = time.monotonic() + 10
        response = httpx2.post(url + "/v1/messages", json={**BODY, "stream": False}, headers={"x-api-key": "k"})
        assert response.status_code == 200 and time.monotonic() < deadline
    finally:
        process.terminate()
        process.wait(5)
