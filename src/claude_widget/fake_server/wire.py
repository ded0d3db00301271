"""Just enough HTTP/1.1 for the fake server: read one request, answer with JSON, or stream wire-level steps
(bytes, pauses, and a fault's socket action), noticing when the client hangs up: that is how the server sees a
Stop. What the server saw of each request is kept in a `RecordedRequest`."""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Send:
    data: bytes
    label: str  # the SSE event name, for the request log


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class Drop:
    """Close the connection mid-body (FIN)."""


@dataclass(frozen=True)
class Reset:
    """Abort the connection with a TCP reset."""


@dataclass(frozen=True)
class Stall:
    """Send nothing more until the client gives up; with `ping_interval`, keep sending pings."""

    ping_interval: float | None = None


@dataclass(frozen=True)
class Hold:
    """Send nothing but pings until `until` is set (or the client gives up)."""

    until: threading.Event
    ping_interval: float


Step = Send | Pause | Drop | Reset | Stall | Hold


# A ping as the API sends it, to keep a silent stream alive (its JSON spaced, unlike the other events).
PING = b'event: ping\ndata: {"type": "ping"}\n\n'


def sse(event: str, payload: dict[str, Any]) -> bytes:
    """One SSE event exactly as the API frames it: event line, one-line JSON data, blank line."""
    return f"event: {event}\ndata: {json.dumps(payload, separators=(',', ':'))}\n\n".encode()


@dataclass
class RecordedRequest:
    """What the server saw of one request, and how its connection ended."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    received_at: float  # time.monotonic()
    status: int = 0
    events: list[tuple[float, str]] = field(default_factory=list)  # (monotonic time, SSE event name)
    bytes_sent: int = 0
    finished_at: float | None = None  # the server ended the response itself
    client_closed_at: float | None = None  # the client closed the socket before the response ended
    done: threading.Event = field(default_factory=threading.Event, repr=False)
    query: dict[str, str] = field(default_factory=dict)  # the URL's query parameters (the last of each name)
    query_lists: dict[str, list[str]] = field(default_factory=dict)  # every value of each ("lifecycle[]": [...])

    @property
    def api_key(self) -> str | None:
        auth = self.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:]
        return self.headers.get("x-api-key")


def mark_closed(record: RecordedRequest) -> None:
    if record.client_closed_at is None:
        record.client_closed_at = time.monotonic()


def head(status: int, headers: dict[str, str]) -> bytes:
    """A response's status line and headers."""
    reason = {
        200: "OK",
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        413: "Payload Too Large",
        429: "Too Many Requests",
        500: "Internal Server Error",
        529: "Overloaded",
    }.get(status, "Status")
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def send_json(
    writer: asyncio.StreamWriter,
    record: RecordedRequest,
    status: int,
    payload: dict[str, Any],
    request_id: str,
    extra: dict[str, str] | None = None,
) -> bool:
    """Answer with a JSON body; the connection may be reused."""
    data = json.dumps(payload).encode()
    return await send_body(writer, record, status, data, "application/json", request_id, extra)


async def send_body(
    writer: asyncio.StreamWriter,
    record: RecordedRequest,
    status: int,
    data: bytes,
    content_type: str,
    request_id: str,
    extra: dict[str, str] | None = None,
) -> bool:
    """Answer with a whole body; the connection may be reused."""
    headers = {"content-type": content_type, "content-length": str(len(data)), "request-id": request_id}
    writer.write(head(status, {**headers, **(extra or {})}) + data)
    await writer.drain()
    record.status = status
    record.bytes_sent = len(data)
    record.finished_at = time.monotonic()
    return True


async def send_stream(
    writer: asyncio.StreamWriter,
    reader: asyncio.StreamReader,
    record: RecordedRequest,
    steps: list[Step],
    request_id: str,
    extra_headers: dict[str, str] | None = None,
) -> bool:
    """Stream `steps` as a chunked event stream until they end, a fault ends it, or the client hangs up; the
    connection is not reused."""
    record.status = 200
    headers = {
        "content-type": "text/event-stream; charset=utf-8",
        "transfer-encoding": "chunked",
        "cache-control": "no-cache",
        "request-id": request_id,
        "connection": "close",
        **(extra_headers or {}),
    }
    writer.write(head(200, headers))
    # The client sends nothing more on this connection (it is closed after the body), so a read that
    # returns means the client closed the socket: that is how the server sees a Stop.
    closed = asyncio.ensure_future(reader.read(1))

    def client_gone() -> bool:
        if closed.done():
            if record.client_closed_at is None:
                record.client_closed_at = time.monotonic()
            return True
        return False

    try:
        for step in steps:
            if client_gone():
                return False
            if isinstance(step, Send):
                writer.write(b"%x\r\n%s\r\n" % (len(step.data), step.data))
                await writer.drain()
                record.bytes_sent += len(step.data)
                record.events.append((time.monotonic(), step.label))
            elif isinstance(step, Pause):
                await asyncio.wait([closed], timeout=step.seconds)
            elif isinstance(step, Drop):
                writer.close()
                record.finished_at = time.monotonic()
                return False
            elif isinstance(step, Reset):
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
                record.finished_at = time.monotonic()
                return False
            elif isinstance(step, Hold):
                pinged = time.monotonic()
                while not step.until.is_set():
                    await asyncio.wait([closed], timeout=0.05)
                    if client_gone():
                        return False
                    if time.monotonic() - pinged >= step.ping_interval:
                        writer.write(b"%x\r\n%s\r\n" % (len(PING), PING))
                        await writer.drain()
                        record.events.append((time.monotonic(), "ping"))
                        pinged = time.monotonic()
            elif isinstance(step, Stall):
                while not client_gone():
                    if step.ping_interval is None:
                        await asyncio.wait([closed])
                    else:
                        await asyncio.wait([closed], timeout=step.ping_interval)
                        if not closed.done():
                            writer.write(b"%x\r\n%s\r\n" % (len(PING), PING))
                            await writer.drain()
                            record.events.append((time.monotonic(), "ping"))
                return False
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        record.finished_at = time.monotonic()
        return False
    except ConnectionError:
        mark_closed(record)
        return False
    finally:
        if not closed.done():
            closed.cancel()
        elif not closed.cancelled():
            closed.exception()  # a reset surfaces here; it is how the client hung up, nothing more


async def read_request(reader: asyncio.StreamReader) -> RecordedRequest | None:
    """The next request on a connection (None once the client has closed it)."""
    try:
        request_head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    lines = request_head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    raw = await reader.readexactly(int(headers.get("content-length", "0")))
    try:
        body = json.loads(raw) if raw else {}
    except json.JSONDecodeError:
        body = {"_unparsable": raw.decode("utf-8", "replace")}
    path, _, query = path.partition("?")
    return RecordedRequest(method, path, headers, body, time.monotonic(), query=dict(urllib.parse.parse_qsl(query)),
                           query_lists=urllib.parse.parse_qs(query))  # fmt: skip
