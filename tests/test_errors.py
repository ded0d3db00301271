"""`errors.classify` judges a failure by what happened, not by the SDK's class for it: every anthropic version the
package allows raises the same failure its own way, and each must give the same kind and the same words.

Up to anthropic 2.16 a transport failure mid-stream reaches the caller as the raw `httpx2` error; from 2.17 on as an
`APIConnectionError` (or `APITimeoutError`) raised from it. Before the response, every version wraps it. An API
error's `str()` is "Error code: 429 - {the body}" up to 2.16 and "429 {the body's message} (request_id: …)" from 2.17.
"""

from __future__ import annotations

import anthropic
import httpx2
import pytest

from claude_widget.engine.errors import Failure, classify

BASE_URL = "http://127.0.0.1:9"
REQUEST = httpx2.Request("POST", BASE_URL + "/v1/messages")
MODEL = "claude-sonnet-5-5"


def raised_from(error: BaseException, cause: BaseException) -> BaseException:
    """`error` as `raise error from cause` leaves it."""
    try:
        try:
            raise cause
        except BaseException as inner:
            raise error from inner
    except BaseException as outer:
        return outer


def wrapped(cause: BaseException) -> BaseException:
    """`cause` as anthropic 2.17 raises it, mid-stream as well as before the response."""
    timed_out = isinstance(cause, httpx2.TimeoutException)
    error = anthropic.APITimeoutError(REQUEST) if timed_out else anthropic.APIConnectionError(request=REQUEST)
    return raised_from(error, cause)


def judge(exc: BaseException, responded: bool | None = None) -> Failure:
    return classify(exc, base_url=BASE_URL, model=MODEL, responded=responded)


@pytest.mark.parametrize(
    ("cause", "kind", "message", "headline"),
    [
        (httpx2.RemoteProtocolError("peer closed connection"), "connection",
         "The connection to the API was lost (RemoteProtocolError).", "Connection interrupted"),
        (httpx2.ReadError("connection reset by peer"), "connection",
         "The connection to the API was lost (ReadError).", "Connection interrupted"),
        (httpx2.ReadTimeout("timed out"), "stall", "The connection stalled (ReadTimeout).", "Connection stalled"),
    ],
)  # fmt: skip
def test_a_stream_lost_mid_way_is_the_same_failure_raw_or_wrapped(
    cause: httpx2.RequestError, kind: str, message: str, headline: str
) -> None:
    raw = judge(cause, responded=True)
    assert (raw.kind, raw.message, raw.headline, raw.retryable) == (kind, message, headline, True)
    assert judge(wrapped(cause), responded=True) == raw
    assert judge(cause) == raw  # a caller that does not say: a raw httpx2 error only ever comes mid-stream


@pytest.mark.parametrize(
    ("cause", "kind", "message"),
    [
        (httpx2.ConnectError("[Errno 111] Connection refused"), "connection",
         f"Can't reach the API at {BASE_URL} (ConnectError)."),
        (httpx2.ConnectTimeout("timed out"), "timeout",
         f"Can't reach the API at {BASE_URL}: the connection timed out."),
    ],
)  # fmt: skip
def test_failing_to_reach_the_api_names_the_url(cause: httpx2.RequestError, kind: str, message: str) -> None:
    failure = judge(wrapped(cause), responded=False)
    assert (failure.kind, failure.message, failure.headline) == (kind, message, f"Can't reach the API at {BASE_URL}")
    assert judge(wrapped(cause)) == failure


def test_the_transport_error_is_found_down_the_cause_chain() -> None:
    h11_error = ValueError("peer closed connection without sending complete message body")
    drop = raised_from(httpx2.RemoteProtocolError(str(h11_error)), h11_error)
    failure = judge(wrapped(drop), responded=True)
    assert failure.message == "The connection to the API was lost (RemoteProtocolError)."
    assert failure == judge(drop, responded=True)


RATE_LIMITED = "This request would exceed the rate limit for your organization of 2 requests per minute."
BODY = {"type": "error", "error": {"type": "rate_limit_error", "message": RATE_LIMITED}}


@pytest.mark.parametrize(
    "sdk_message",
    [
        f"Error code: 429 - {BODY}",  # up to anthropic 2.16
        f"429 {RATE_LIMITED} (request_id: req_1, path: /v1/messages, type: rate_limit_error)",  # from 2.17
    ],
)
def test_an_api_error_is_told_in_the_body_s_words_whatever_the_sdk_says(sdk_message: str) -> None:
    response = httpx2.Response(429, request=REQUEST, headers={"retry-after": "30"})
    failure = judge(anthropic.RateLimitError(sdk_message, response=response, body=BODY))
    assert failure == Failure("rate_limit", f"Rate limited (429): {RATE_LIMITED}.", retryable=True, retry_after=30.0,
                              status_code=429, headline="Rate limited")  # fmt: skip


@pytest.mark.parametrize(("body", "detail"), [("upstream connect error", "upstream connect error"),
                                              (None, "Bad Request")])  # fmt: skip
def test_an_api_error_without_a_json_body(body: object, detail: str) -> None:
    response = httpx2.Response(400, request=REQUEST)
    failure = judge(anthropic.BadRequestError("Error code: 400", response=response, body=body))
    assert failure.kind == "bad_request" and f"(400): {detail}." in failure.message
