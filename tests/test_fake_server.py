"""The fake server speaks the exact wire format and fails the way the real API does, as the SDK sees it."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from dataclasses import replace
from typing import Any

import anthropic
import httpx2
import pytest

from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.response import compile_script
from claude_widget.fake_server.wire import Hold, Send

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


def test_a_held_stream_sends_only_pings_until_released(server: FakeAnthropic) -> None:
    release = threading.Event()
    server.enqueue(Script(text="0123456789" * 10, chunk_size=10, hold=release, hold_after=40, ping_interval=0.1))
    client = anthropic.Anthropic(api_key=TEST_KEY, base_url=server.url)
    seen: list[str] = []
    with client.messages.stream(model="claude-sonnet-5-5", max_tokens=100, messages=[{"role": "user", "content": "hi"}]
                                ) as stream:  # fmt: skip
        for event in stream:
            if event.type == "text":
                seen.append(event.text)
                if len(seen) == 4:  # held here: nothing but pings comes until the test lets it go
                    time.sleep(0.5)
                    labels = [label for _, label in server.message_requests()[-1].events]
                    assert labels.count("ping") >= 2 and "message_stop" not in labels
                    release.set()
    assert "".join(seen) == "0123456789" * 10


def test_a_hold_before_message_start_comes_before_any_event() -> None:
    steps = compile_script(Script(hold=threading.Event(), hold_after=-1), BODY, "msg_1")
    assert isinstance(steps[0], Hold) and isinstance(steps[1], Send) and steps[1].label == "message_start"


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


# -- continuing a cited answer ---------------------------------------------------------------------------------
UNITS = {"type": "page_location", "cited_text": "Units grew 4% in the north this quarter.", "document_index": 0,
         "document_title": "report.pdf", "start_page_number": 1, "end_page_number": 2}  # fmt: skip
COSTS = {**UNITS, "cited_text": "Costs fell by a fifth.", "start_page_number": 3, "end_page_number": 4}
REPORT = "Units grew 4% in the north. Costs fell by a fifth, the report says."
CITED = Script(text=REPORT, citations=((0, 26, (UNITS,)), (28, 67, (COSTS,))))


async def continued_after_drop(server: FakeAnthropic, client: anthropic.AsyncAnthropic, cut: int
                               ) -> tuple[str, list[dict[str, Any]]]:  # fmt: skip
    """The cited answer streamed until the connection drops `cut` characters in, then continued as the client
    continues it (its partial answer sent back, then a user turn asking to continue): the partial answer's text,
    and the continuation's blocks."""
    server.enqueue(replace(CITED, fault="drop", fault_after=cut), CITED)
    messages: list[Any] = [{"role": "user", "content": "What changed?"}]
    with pytest.raises((httpx2.RemoteProtocolError, anthropic.APIConnectionError)):
        async with client.messages.stream(model="claude-sonnet-5-5", max_tokens=100, messages=messages) as s:
            async for _ in s:
                pass
    partial = [b.to_dict() for b in s.current_message_snapshot.content if b.type == "text" and b.text]
    partial[-1]["text"] = partial[-1]["text"].rstrip()
    messages += [{"role": "assistant", "content": partial}, {"role": "user", "content": "Please continue."}]
    continued = await client.messages.create(model="claude-sonnet-5-5", max_tokens=100, messages=messages)
    return "".join(b["text"] for b in partial), [b.to_dict() for b in continued.content]


async def test_a_continuation_cites_what_it_continues(server: FakeAnthropic, client: anthropic.AsyncAnthropic) -> None:
    # Cut inside the second cited sentence, before its source arrived: the continuation is a new response, and
    # its own block of that sentence cites it (the fake server sent the rest without citations).
    partial, continued = await continued_after_drop(server, client, 40)
    assert partial == REPORT[:40]
    assert continued == [{"type": "text", "text": REPORT[40:], "citations": [COSTS]}]


async def test_a_continuation_restarting_earlier_cites_each_part_it_repeats(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    # A model may restart a sentence before where it was cut: its blocks cite what they repeat, as the answer did.
    messages: list[Any] = [{"role": "user", "content": "What changed?"}, {"role": "assistant", "content": REPORT[:40]},
                           {"role": "user", "content": "Continue."}]  # fmt: skip
    server.enqueue(replace(CITED, repeat_tail=30))
    continued = await client.messages.create(model="claude-sonnet-5-5", max_tokens=100, messages=messages)
    assert [(b.text, [c.to_dict() for c in b.citations or []]) for b in continued.content] == [  # type: ignore[union-attr]
        ("grew 4% in the north", [UNITS]),
        (". ", []),
        ("Costs fell by a fifth, the report says.", [COSTS]),
    ]


async def test_a_drop_after_the_last_citation_is_continued_with_nothing_more(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    # The whole answer and its last block's sources arrived, then the connection dropped: nothing is left to
    # say (the fake server sent the whole answer again, its citations too).
    partial, continued = await continued_after_drop(server, client, len(REPORT))
    assert partial == REPORT
    assert "".join(b.get("text", "") for b in continued) == ""
    assert not any(b.get("citations") for b in continued)


async def test_a_cited_answer_cut_at_max_tokens_keeps_the_sources_of_what_it_says(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    # Cut in the second cited sentence: the blocks before the cut and the cut one keep their sources (the cut
    # dropped every citation, since the blocks split by citations round their tokens up), and Continue cites the
    # rest of the sentence.
    server.enqueue(replace(CITED, honour_max_tokens=True), replace(CITED, honour_max_tokens=True))
    messages: list[Any] = [{"role": "user", "content": "What changed?"}]
    async with client.messages.stream(model="claude-sonnet-5-5", max_tokens=12, messages=messages) as s:
        cut = await s.get_final_message()
    blocks = [(b.text, [c.to_dict() for c in b.citations or []]) for b in cut.content]  # type: ignore[union-attr]
    assert blocks == [("Units grew 4% in the north", [UNITS]), (". ", []), (REPORT[28:44], [COSTS])]
    assert (cut.stop_reason, cut.usage.output_tokens) == ("max_tokens", 12)
    messages += [{"role": "assistant", "content": [b.to_dict() for b in cut.content]},
                 {"role": "user", "content": "Continue."}]  # fmt: skip
    rest = await client.messages.create(model="claude-sonnet-5-5", max_tokens=100, messages=messages)
    assert [b.to_dict() for b in rest.content] == [{"type": "text", "text": REPORT[44:], "citations": [COSTS]}]
