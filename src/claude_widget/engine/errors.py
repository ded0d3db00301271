"""Turning every failure into a short, actionable message, and deciding which ones are worth a retry."""

from __future__ import annotations

import json
import linecache
import sysconfig
import traceback
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import anthropic
import httpx2

from ..api.wording import PREFILL_REJECTED_MARKER

PACKAGE = str(Path(__file__).resolve().parent.parent)
# Where the library's frames and Python's own come from: never the user's code.
NOT_THE_USERS = tuple({PACKAGE, *(sysconfig.get_paths()[key] for key in ("stdlib", "purelib", "platlib"))})


class UserFacingError(Exception):
    """An error whose message says what went wrong and what to do. IPython shows it as the user's own lines and the
    message, without claude-widget's frames (its `_render_traceback_`); `except` catches it as usual."""

    def _render_traceback_(self) -> list[str]:
        lines = []
        for frame, lineno in traceback.walk_tb(self.__traceback__):
            filename = frame.f_code.co_filename
            if not filename.startswith(NOT_THE_USERS) and not filename.startswith("<"):  # "<frozen runpy>", "<string>"
                source = linecache.getline(filename, lineno, frame.f_globals).strip()
                lines += [_where(filename, lineno), f"----> {lineno} {source}", ""]
        return [*lines, f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]


def _where(filename: str, lineno: int) -> str:
    """`Cell In[3], line 2` for a notebook cell, as IPython says it; `File path:2` for a module."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        name = shell.compile.format_code_name(filename) if shell is not None else None
    except (ImportError, AttributeError):
        name = None
    return f"{name[0]} {name[1]}, line {lineno}" if name else f"File {filename}:{lineno}"


class MissingAPIKeyError(UserFacingError, ValueError):
    """No API key was given and none is in the environment."""


class PromptTypeError(UserFacingError, TypeError):
    """`send()` was given something other than text as its prompt."""


class EmptyPromptError(UserFacingError, ValueError):
    """`send()` was given a prompt with no text in it."""


class AttachmentTypeError(UserFacingError, TypeError):
    """`send()` was given an object it cannot turn into content the API takes."""


class StreamError(UserFacingError, RuntimeError):
    """Raised by `wait()` / `await` when a stream ended in an error. The partial answer is kept in `.text`."""

    def __init__(self, error: dict[str, Any], text: str) -> None:
        super().__init__(error["message"])
        self.error = error
        self.text = text


class StallError(Exception):
    """No content arrived for `stall_timeout` seconds (bytes or pings alone do not count)."""


class TruncatedStreamError(Exception):
    """The body ended without `message_stop`."""


class ThinkingTooLongError(Exception):
    """One think lasted longer than its ceiling (`StreamOptions.thinking_ceiling`); the message says how long."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min")  # "45 s", "12 min"


REFUSALS = frozenset({"rate_limit", "overloaded"})  # the API saying "not now": too many requests, or too busy


@dataclass(frozen=True)
class Failure:
    kind: str
    message: str  # what happened and, when the user must act, what to do
    retryable: bool
    retry_after: float | None = None  # seconds the server asked us to wait
    status_code: int | None = None
    headline: str = ""  # the short form shown while retrying, e.g. "Claude is overloaded"

    def as_dict(self, secret: str | None = None) -> dict[str, Any]:
        info: dict[str, Any] = {"kind": self.kind, "message": redact(self.message, secret)}
        if self.status_code is not None:
            info["status_code"] = self.status_code
        if self.retry_after is not None:
            info["retry_after"] = self.retry_after
        return info

    def retry_dict(
        self, *, delay: float, attempt: int, max_attempts: int, continuing: bool, secret: str | None = None
    ) -> dict[str, Any]:
        """The `error` shown while waiting to try again: the cause, and when and how we try next.

        `countdown` is the same sentence with `{in}` where the wait goes, for a view that counts it down
        (" in 3 s", then "…"): the wording lives here only.
        """
        headline = redact(self.headline or self.message.rstrip("."), secret)
        verb = "continuing" if continuing else "retrying"
        # The attempt count says little for a continuation (it goes on where it was) or a rate limit (its wait is
        # the server's, not our backoff).
        count = "" if continuing or self.kind == "rate_limit" else f" (attempt {attempt} of {max_attempts})"
        countdown = f"{headline} — {verb}{{in}}{count}"
        info = self.as_dict(secret)
        info.update(
            message=countdown.replace("{in}", f" in {delay:.1f} s") + "…",
            countdown=countdown,
            headline=headline,
            retry_in=round(delay, 3),
            attempt=attempt,
            max_attempts=max_attempts,
            continuing=continuing,
        )
        return info


def redact(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


def classify(exc: BaseException, *, base_url: str, model: str, responded: bool | None = None) -> Failure:
    """What a failure means for the user, and whether trying again can help.

    A failure is judged by what happened, not by the SDK's class for it, which differs between SDK versions (since
    anthropic 2.17 a stream that drops is an `APIConnectionError`, before it the raw `httpx2` error): a transport
    failure before the response began means the API could not be reached; once the response's headers have arrived
    (`responded`), the stream was lost. `responded=None` (a caller that does not know) takes a raw `httpx2` error for
    a lost stream and an SDK error for a failure to reach the API, which is true of a request that does not stream.
    """
    if isinstance(exc, StallError):
        return Failure("stall", f"The connection stalled: {exc}", retryable=True, headline="Connection stalled")
    if isinstance(exc, ThinkingTooLongError):
        # Not retried on its own: asking again would pay for another think as long.
        return Failure("thinking_timeout", f"Claude thought for {exc} without starting its answer, past "
                       "thinking_timeout, so the request was closed. Retry, or ask with a lower effort= "
                       "(or a longer Chat(thinking_timeout=...)).", retryable=False)  # fmt: skip
    if isinstance(exc, TruncatedStreamError):
        return Failure(
            "truncated",
            "The stream ended before the answer was complete.",
            retryable=True,
            headline="Connection interrupted",
        )
    if isinstance(exc, json.JSONDecodeError):
        return Failure(
            "protocol", f"The API sent a malformed event ({exc.msg}); the answer so far is kept.", retryable=False
        )
    if isinstance(exc, anthropic.APIStatusError):
        return _classify_status(exc, model)
    if isinstance(exc, (anthropic.APIConnectionError, httpx2.RequestError)):
        return _classify_transport(exc, base_url, responded)
    return Failure("internal", f"{type(exc).__name__}: {exc}", retryable=False)


def _classify_transport(exc: BaseException, base_url: str, responded: bool | None) -> Failure:
    transport = _transport_error(exc)
    name = type(transport).__name__ if transport is not None else _cause(exc)
    timed_out = isinstance(exc, anthropic.APITimeoutError) or isinstance(transport, httpx2.TimeoutException)
    if responded is None:
        responded = not isinstance(exc, anthropic.APIError)
    if responded:
        if timed_out:
            return Failure("stall", f"The connection stalled ({name}).", retryable=True, headline="Connection stalled")
        return Failure(
            "connection",
            f"The connection to the API was lost ({name}).",
            retryable=True,
            headline="Connection interrupted",
        )
    if timed_out:
        return Failure(
            "timeout",
            f"Can't reach the API at {base_url}: the connection timed out.",
            retryable=True,
            headline=f"Can't reach the API at {base_url}",
        )
    return Failure(
        "connection",
        f"Can't reach the API at {base_url} ({name}).",
        retryable=True,
        headline=f"Can't reach the API at {base_url}",
    )


def _transport_error(exc: BaseException) -> httpx2.RequestError | None:
    """The `httpx2` error at the root of `exc`: `exc` itself, or the first one on its chain of causes."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, httpx2.RequestError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _classify_status(exc: anthropic.APIStatusError, model: str) -> Failure:
    code = exc.status_code
    detail = _api_message(exc)
    if code == 200:  # an `error` event inside the stream
        return Failure(
            "stream_error",
            f"The API reported an error mid-stream ({_api_type(exc)}: {detail}).",
            retryable=True,
            headline="Interrupted",
        )
    if code == 400 and PREFILL_REJECTED_MARKER in detail:
        return Failure("prefill_rejected", detail, retryable=True, status_code=code)
    if code == 401:
        return Failure(
            "authentication",
            "The API key was rejected (401). Set a valid key in ANTHROPIC_API_KEY or pass Chat(api_key=...).",
            retryable=False,
            status_code=code,
        )
    if code == 403:
        return Failure("permission", f"The API key may not do this (403): {detail}.", retryable=False, status_code=code)
    if code == 404:
        if "model" in detail:
            message = f"Unknown model {model!r} (404). Check the model name."
        else:
            message = f"Not found (404): {detail}. Check base_url."
        return Failure("not_found", message, retryable=False, status_code=code)
    if code == 413:
        return Failure("too_large", "The request is too large (413): shorten the prompt or the conversation.",
                       retryable=False, status_code=code)  # fmt: skip
    if code == 429:
        return Failure("rate_limit", f"Rate limited (429): {detail}.", retryable=True,
                       retry_after=_retry_after(exc), status_code=code, headline="Rate limited")  # fmt: skip
    if code == 529 or code >= 500:
        kind = "overloaded" if code == 529 else "server"
        label = "Claude is overloaded" if code == 529 else "The API had an internal error"
        return Failure(kind, f"{label} ({code}).", retryable=True, retry_after=_retry_after(exc), status_code=code,
                       headline=label)  # fmt: skip
    return Failure("bad_request", f"The API rejected the request ({code}): {detail}. Check the Chat(...) "
                   "settings and the prompt.", retryable=False, status_code=code)  # fmt: skip


def _api_message(exc: anthropic.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        return json.dumps(body, ensure_ascii=False)
    if isinstance(body, str) and body.strip():
        return body.strip()
    # Never `exc.message`: its wording changes between SDK versions ("Error code: 429 - …", then "429 …").
    return exc.response.reason_phrase or f"HTTP {exc.status_code}"


def _api_type(exc: anthropic.APIStatusError) -> str:
    body = exc.body
    error = body.get("error", body) if isinstance(body, dict) else None
    return str(error.get("type", "error")) if isinstance(error, dict) else "error"


def _retry_after(exc: anthropic.APIStatusError) -> float | None:
    headers = exc.response.headers
    try:
        if "retry-after-ms" in headers:
            return float(headers["retry-after-ms"]) / 1000
        if "retry-after" in headers:
            return float(headers["retry-after"])
    except ValueError:
        return None
    return None


def _cause(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    return type(cause).__name__ if cause else type(exc).__name__


async def explain(failure: Failure, client: anthropic.AsyncAnthropic | None, model: str) -> Failure:
    """Add what the user needs to fix a failure: for an unknown model, the models that exist."""
    if failure.kind != "not_found" or "model" not in failure.message or client is None:
        return failure
    try:
        models = [m.id async for m in client.models.list(timeout=5)]
    except (anthropic.APIError, httpx2.TransportError):
        return failure
    if not models:
        return failure
    return replace(failure, message=f"Unknown model {model!r}. Available models: {', '.join(models)}.")
