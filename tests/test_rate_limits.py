"""The fake server's rate limits: a refilling bucket of requests per minute, and streams at once; 429s with
`retry-after` and the API's words, `anthropic-ratelimit-requests-*` headers on every answer."""

from __future__ import annotations

import anthropic
import pytest

from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.limits import Limiter, RateLimits

from .conftest import TEST_KEY, sdk_version

ASK = {"model": "claude-sonnet-5-5", "max_tokens": 10, "messages": [{"role": "user", "content": "Hi"}]}


def test_requests_per_minute_come_from_a_bucket_that_refills_continuously() -> None:
    limiter = Limiter(RateLimits(per_minute=60))  # one a second
    assert all(limiter.admit(0.0).admitted for _ in range(60))
    refused = limiter.admit(0.0)
    assert not refused.admitted and refused.headers["retry-after"] == "1"
    assert refused.headers["anthropic-ratelimit-requests-remaining"] == "0"
    assert "of 60 requests per minute" in (refused.message or "")
    assert limiter.admit(1.0).admitted and not limiter.admit(1.0).admitted  # a second later: one more
    assert limiter.admit(10.0).headers["anthropic-ratelimit-requests-remaining"] == "8"
    assert (limiter.admitted, limiter.refused) == (62, 2)


def test_input_tokens_per_minute_come_from_their_own_bucket() -> None:
    limiter = Limiter(RateLimits(input_tokens_per_minute=6000))  # 100 a second
    first = limiter.admit(0.0, input_tokens=5000)
    assert first.admitted and first.headers["anthropic-ratelimit-input-tokens-remaining"] == "1000"
    assert first.headers["anthropic-ratelimit-tokens-remaining"] == "1000"  # the tighter token budget
    refused = limiter.admit(0.0, input_tokens=1500)
    assert not refused.admitted and refused.headers["retry-after"] == "5"
    assert "of 6,000 input tokens per minute" in (refused.message or "")
    assert limiter.admit(5.0, input_tokens=1500).admitted


def test_streams_at_once_are_limited_until_one_ends() -> None:
    limiter = Limiter(RateLimits(concurrent=2))
    assert limiter.admit(0).admitted and limiter.admit(0).admitted
    refused = limiter.admit(0)
    assert not refused.admitted and refused.headers == {"retry-after": "1"}
    assert "of 2 concurrent requests" in (refused.message or "")
    limiter.release()
    assert limiter.admit(0).admitted and limiter.most_in_flight == 2


def test_the_sdk_sees_429_with_retry_after_and_the_headers_on_every_answer() -> None:
    with FakeAnthropic(limits=RateLimits(per_minute=2)) as server:
        client = anthropic.Anthropic(api_key=TEST_KEY, base_url=server.url, max_retries=0)
        server.enqueue(Script(text="one"), Script(text="two"))
        first = client.messages.with_raw_response.create(**ASK)  # type: ignore[call-overload]
        assert first.headers["anthropic-ratelimit-requests-limit"] == "2"
        assert first.headers["anthropic-ratelimit-requests-remaining"] == "1"
        with client.messages.stream(**ASK) as stream:  # type: ignore[arg-type]
            assert stream.get_final_text() == "two"
        with pytest.raises(anthropic.RateLimitError) as refused:
            client.messages.create(**ASK)  # type: ignore[call-overload]
        assert refused.value.response.headers["retry-after"] in ("29", "30")
        assert refused.value.body["error"]["type"] == "rate_limit_error"  # type: ignore[index]
        # The SDK's own wording, which classify() never shows (it takes the body's message): up to anthropic 2.16
        # "Error code: 429 - {the body}", from 2.17 "429 {the body's message} (request_id: …)".
        prefix = "429 This request would exceed" if sdk_version() >= (2, 17) else "Error code: 429 - "
        assert refused.value.message.startswith(prefix)
        assert (server.limiter.admitted, server.limiter.refused, server.limiter.in_flight) == (2, 1, 0)
