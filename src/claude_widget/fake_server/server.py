"""A real HTTP/1.1 server on loopback that speaks the Anthropic Messages streaming protocol.

It runs its own asyncio loop in a daemon thread, so scripts, tests and notebooks can start it without
owning a loop. Each request takes the next queued `Script` (or asks the responder), and the server logs
what it received and what happened to the connection, so a test can see exactly when a client closed it.
This module is the server and its routes; `api` holds what the real API says and checks, `script` what an
answer streams, `wire` the HTTP on the socket. Each model behaves as models.py says it does.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..api.limits import MAX_REQUEST_BYTES
from ..api.models import MODELS
from ..api.request_tokens import estimate_input_tokens
from ..api.wording import PREFILL_REJECTED
from .batches import BatchAPIError, Batches
from .cache import PromptCache
from .content import content_problem
from .continuation import continue_script
from .limits import Limiter, RateLimits
from .response import compile_script, whole_message
from .rules import (
    CURRENT_VERSION,
    error_body,
    history_problem,
    is_prefill,
    message_text,
    model_info,
    model_problem,
    prefill_accepted,
    request_version,
    schema_problem,
    table_facts,
    version_problem,
)
from .script import Replay, Script
from .structured import answer_for, output_schema
from .wire import RecordedRequest, read_request, send_body, send_json, send_stream

INJECTABLE = ("rate_limit", "overloaded", "mid_stream_error", "drop", "reset", "stall", "ping_stall")


Responder = Callable[[dict[str, Any]], Script]


def structured_script(body: dict[str, Any]) -> Script:
    """A request for structured output answered with JSON that fits its schema, chosen by its question."""
    messages = body.get("messages") or [{}]
    return Script(text=answer_for(output_schema(body) or {}, message_text(messages[-1])))


class FakeAnthropic:
    """The fake Anthropic API. Use as a context manager or call `start()` / `stop()`.

    >>> with FakeAnthropic() as server:
    ...     server.enqueue(Script(text="Hi!"))
    ...     client = AsyncAnthropic(base_url=server.url, api_key="test")
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        responder: Responder | None = None,
        structured: Responder | None = None,
        api_key: str | None = None,
        models: tuple[str, ...] | None = None,
        prefill: Callable[[str], bool] = prefill_accepted,
        limits: RateLimits | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.responder = responder or (lambda body: Script())
        # A request for structured output: JSON that fits its schema (structured.py), at once unless told otherwise.
        self.structured = structured or structured_script
        self.api_key = api_key  # None: any non-empty key is accepted
        self.models = models  # None: every model of models.py (ids, aliases, dated ids); else exactly these names
        self.prefill = prefill  # whether a model takes a prefill: models.py's, unless told otherwise
        self.requests: list[RecordedRequest] = []
        self.cache = PromptCache()
        self.limiter = Limiter(limits or RateLimits())  # `limiter.limits` may be replaced at any time
        self.batches = Batches(self._batch_answer, lambda: self.url)  # set `batches.processing_time` to script it
        self._queue: deque[Script | Replay] = deque()
        self._injected: deque[str] = deque()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> FakeAnthropic:
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._server = loop.run_until_complete(asyncio.start_server(self._handle, self.host, self.port))
                self.port = self._server.sockets[0].getsockname()[1]
            except BaseException as exc:  # report bind errors to the starting thread
                errors.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-anthropic", daemon=True)
        self._thread.start()
        ready.wait()
        if errors:
            raise errors[0]
        return self

    def stop(self) -> None:
        loop, server = self._loop, self._server
        if loop is None or server is None:
            return

        async def shutdown() -> None:
            server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        self._loop = self._server = None

    def __enter__(self) -> FakeAnthropic:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripting -------------------------------------------------------------------------------------
    def enqueue(self, *scripts: Script | Replay) -> None:
        """The next requests to /v1/messages get these scripts, in order; then the responder answers (a request
        for structured output gets JSON that fits its schema: structured.py)."""
        with self._lock:
            self._queue.extend(scripts)

    def inject(self, fault: str) -> None:
        """Make the next answer fail in a classroom-friendly way, then recover: `rate_limit` (429, retry after
        3 s), `overloaded` (two 529s), or, inside the stream, `mid_stream_error`, `drop`, `reset`, `stall` or
        `ping_stall` (the continuation request then gets the rest of the same answer)."""
        if fault not in INJECTABLE:
            raise ValueError(f"unknown fault {fault!r}; choose one of {', '.join(INJECTABLE)}")
        with self._lock:
            self._injected.append(fault)

    def serves(self, model: object) -> bool:
        if self.models is not None:
            return model in self.models
        return isinstance(model, str) and table_facts(model) is not None

    def model_ids(self) -> list[str]:
        """The models `GET /v1/models` lists, in the table's order (newest of each line first)."""
        return list(self.models) if self.models is not None else [facts.id for facts in MODELS]

    def message_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == "/v1/messages"]

    def wait_for_request(self, n: int = 1, timeout: float = 10.0) -> RecordedRequest:
        """Block until the n-th message request (1-based) has arrived; return it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            requests = self.message_requests()
            if len(requests) >= n:
                return requests[n - 1]
            time.sleep(0.005)
        raise TimeoutError(f"the fake server saw {len(self.message_requests())} requests, expected {n}")

    def _next_script(self, body: dict[str, Any]) -> Script | Replay:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            fault = self._injected.popleft() if self._injected else None
        script = self.structured(body) if output_schema(body) else self.responder(body)
        if fault in ("rate_limit", "overloaded"):
            first = Script(status=429, headers={"retry-after": "3"}) if fault == "rate_limit" else Script(status=529)
            self.enqueue(*([Script(status=529)] if fault == "overloaded" else []), script)
            return first
        if fault is not None:
            # Fail partway through the answer; the continuation request gets the same answer to continue.
            self.enqueue(script)
            kind = "error_event" if fault == "mid_stream_error" else fault
            return replace(script, fault=kind, fault_after=len(script.text) * 2 // 5, ping_interval=1.0)  # type: ignore[arg-type]
        return script

    # -- HTTP ------------------------------------------------------------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await self._serve_one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client went away, or the server is shutting down
        finally:
            writer.close()

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Serve one request; return whether the connection may be reused."""
        record = await read_request(reader)
        if record is None:
            return False
        self.requests.append(record)
        request_id = f"req_fake_{next(self._ids):06d}"
        try:
            return await self._route(record, request_id, reader, writer)
        finally:
            record.done.set()

    async def _route(
        self, record: RecordedRequest, request_id: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        if not record.api_key or (self.api_key is not None and record.api_key != self.api_key):
            message = "invalid x-api-key" if record.api_key else "x-api-key header is required"
            return await send_json(writer, record, 401, error_body(401, message, request_id), request_id)
        problem = version_problem(record.headers)
        if problem:
            return await send_json(writer, record, 400, error_body(400, problem, request_id), request_id)
        if record.method == "GET" and record.path.startswith("/v1/models"):
            status, payload = self._models_route(record)
            if status != 200:
                payload = error_body(status, payload["message"], request_id)
            return await send_json(writer, record, status, payload, request_id)
        if record.method == "POST" and record.path == "/v1/messages/count_tokens":
            return await send_json(
                writer, record, 200, {"input_tokens": estimate_input_tokens(record.body)}, request_id
            )
        if record.path.startswith("/v1/messages/batches"):
            return await self._batch_route(record, request_id, writer)
        if record.method != "POST" or record.path != "/v1/messages":
            return await send_json(
                writer, record, 404, error_body(404, f"Not found: {record.path}", request_id), request_id
            )
        if int(record.headers.get("content-length", "0")) > MAX_REQUEST_BYTES:
            message = "Request exceeds the maximum size"
            return await send_json(writer, record, 413, error_body(413, message, request_id), request_id)
        refused = self._refusal(record.body, request_version(record.headers))
        if refused is not None:
            status, message = refused
            return await send_json(writer, record, status, error_body(status, message, request_id), request_id)
        admission = self.limiter.admit(time.monotonic(), estimate_input_tokens(record.body))
        if not admission.admitted:
            body = error_body(429, admission.message or "", request_id)
            return await send_json(writer, record, 429, body, request_id, admission.headers)
        try:
            return await self._answer(record, request_id, reader, writer, admission.headers)
        finally:
            self.limiter.release()

    def _refusal(self, body: dict[str, Any], version: str) -> tuple[int, str] | None:
        """What the API refuses in a message request, as (status, message), in the order it checks: the request
        schema, the model, the content blocks, the history sent back, the model's settings, a prefill."""
        problem = schema_problem(body, version)
        if problem:
            return 400, problem
        model = body.get("model")
        if not self.serves(model):
            return 404, f"model: {model}"
        problem = content_problem(body) or history_problem(body, version) or model_problem(body)
        if problem:
            return 400, problem
        messages = body.get("messages") or [{}]
        if is_prefill(messages[-1]) and not self.prefill(str(model)):
            return 400, PREFILL_REJECTED
        return None

    def _models_route(self, record: RecordedRequest) -> tuple[int, dict[str, Any]]:
        """The Models API: `GET /v1/models` (a page of `limit`, after `after_id` or before `before_id`, of the
        lifecycle stages asked for: active and deprecated unless told) and `GET /v1/models/{id}` (an alias or a
        dated id finds its model)."""
        name = record.path.removeprefix("/v1/models").strip("/")
        if name:
            return (200, model_info(name)) if self.serves(name) else (404, {"message": f"model: {name}"})
        query = record.query
        try:
            limit = int(query.get("limit", 20))
        except ValueError:
            return 400, {"message": "limit: Input should be a valid integer"}
        if not 1 <= limit <= 1000:
            bound = "greater than or equal to 1" if limit < 1 else "less than or equal to 1000"
            return 400, {"message": f"limit: Input should be {bound}"}
        lists = record.query_lists
        stages = lists.get("lifecycle[]") or lists.get("lifecycle") or ["active", "deprecated"]
        models = [info for info in map(model_info, self.model_ids()) if info["lifecycle"] in stages]
        ids = [info["id"] for info in models]
        if "before_id" in query:
            end = ids.index(query["before_id"]) if query["before_id"] in ids else len(ids)
            start = max(0, end - limit)
            page, has_more = models[start:end], start > 0
        else:
            start = ids.index(query["after_id"]) + 1 if query.get("after_id") in ids else 0
            page, has_more = models[start : start + limit], start + limit < len(models)
        first, last = (page[0]["id"], page[-1]["id"]) if page else (None, None)
        return 200, {"data": page, "has_more": has_more, "first_id": first, "last_id": last}

    async def _batch_route(self, record: RecordedRequest, request_id: str, writer: asyncio.StreamWriter) -> bool:
        """The Message Batches API (batches.py)."""
        parts = record.path.removeprefix("/v1/messages/batches").strip("/").split("/")
        now = time.monotonic()
        try:
            if record.method == "POST" and parts == [""]:
                payload = self.batches.create(record.body, now)
            elif record.method == "GET" and parts == [""]:
                query = record.query
                payload = self.batches.list(now, int(query.get("limit", 20)), query.get("after_id"))
            elif record.method == "GET" and len(parts) == 1:
                payload = self.batches.retrieve(parts[0], now)
            elif record.method == "POST" and len(parts) == 2 and parts[1] == "cancel":
                payload = self.batches.cancel(parts[0], now)
            elif record.method == "GET" and len(parts) == 2 and parts[1] == "results":
                data = self.batches.results(parts[0], now).encode()
                return await send_body(writer, record, 200, data, "application/binary", request_id)
            else:
                raise BatchAPIError(404, f"Not found: {record.path}")
        except BatchAPIError as error:
            return await send_json(writer, record, error.status, error_body(error.status, str(error), request_id),
                                   request_id)  # fmt: skip
        return await send_json(writer, record, 200, payload, request_id)

    def _batch_answer(self, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """One request of a batch, answered as the Messages API would answer it alone (not streamed)."""
        request_id = f"req_fake_{next(self._ids):06d}"
        refused = self._refusal(params, CURRENT_VERSION)
        problem = refused[1] if refused is not None else None
        script = self._next_script(params) if problem is None else None
        if problem is not None or not isinstance(script, Script) or script.status >= 400:
            status = 400 if problem is not None or not isinstance(script, Script) else script.status
            message = problem or (script.error_message if isinstance(script, Script) else None) or "scripted error"
            return "errored", error_body(status, message, request_id)
        return "succeeded", whole_message(script, params, f"msg_fake_{request_id[9:]}", service_tier="batch")

    async def _answer(self, record: RecordedRequest, request_id: str, reader: asyncio.StreamReader,
                      writer: asyncio.StreamWriter, headers: dict[str, str]) -> bool:  # fmt: skip
        """A message request let through: its scripted answer, streamed or whole."""
        answer = self._next_script(record.body)
        if isinstance(answer, Replay):
            return await send_stream(writer, reader, record, answer.steps(), request_id, headers)
        script = continue_script(answer, record.body)
        scripted = (
            script.input_tokens is not None or script.cache_read_input_tokens or script.cache_creation_input_tokens
        )
        cached = self.cache.usage(record.body) if script.status < 400 and not scripted else None
        if cached is not None:
            script = replace(script, input_tokens=cached["input_tokens"],
                             cache_creation_input_tokens=cached["cache_creation_input_tokens"],
                             cache_creation_1h_input_tokens=cached["cache_creation_1h_input_tokens"],
                             cache_read_input_tokens=cached["cache_read_input_tokens"])  # fmt: skip
        if script.status >= 400:
            message = script.error_message or f"scripted HTTP {script.status}"
            return await send_json(
                writer,
                record,
                script.status,
                error_body(script.status, message, request_id),
                request_id,
                {**headers, **script.headers},
            )
        if not record.body.get("stream"):
            whole = whole_message(script, record.body, f"msg_fake_{request_id[9:]}")
            return await send_json(writer, record, 200, whole, request_id, {**headers, **script.headers})
        steps = compile_script(script, record.body, f"msg_fake_{request_id[9:]}")
        return await send_stream(writer, reader, record, steps, request_id, {**headers, **script.headers})
