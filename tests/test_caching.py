"""Prompt caching by default: the conversation's prefix is marked for caching, and a follow-up about the same data
reads it from the cache; the fake server writes and reads cached prefixes the way the API does."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from claude_widget import Chat
from claude_widget.api.pricing import cost_usd, pricing_for
from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.cache import PromptCache

from .conftest import TEST_KEY


def data() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    return pd.DataFrame(
        {f"metric_{i}": rng.normal(size=500) for i in range(12)} | {"group": rng.choice(list("abc"), 500)}
    )


def input_cost(usage: dict[str, int], model: str = "claude-sonnet-5-5") -> float:
    cost = cost_usd({**usage, "output_tokens": 0}, pricing_for(model))
    assert cost is not None
    return cost


def test_a_follow_up_about_the_same_dataframe_reads_it_from_the_cache(server: FakeAnthropic) -> None:
    chat = Chat(api_key=TEST_KEY, base_url=server.url)
    server.enqueue(Script(text="Metric 3 drifts."), Script(text="Group b."))
    first = chat.send("What stands out?", data())
    first.wait(timeout=10)
    second = chat.send("Which group drives it?")
    second.wait(timeout=10)

    assert server.message_requests()[0].body["cache_control"] == {"type": "ephemeral"}
    assert first.usage["cache_creation_input_tokens"] > 1024 and first.usage["cache_read_input_tokens"] == 0
    assert second.usage["cache_read_input_tokens"] == first.usage["cache_creation_input_tokens"]
    assert second.usage["cache_creation_input_tokens"] < 50  # only the answer and the new question are new
    # The follow-up's input costs a fraction of the first question's, though it carries all of it again.
    assert input_cost(second.usage) < 0.2 * input_cost(first.usage)


def test_cache_false_sends_no_breakpoint_and_pays_full_price_every_time(server: FakeAnthropic) -> None:
    chat = Chat(api_key=TEST_KEY, base_url=server.url, cache=False)
    server.enqueue(Script(text="a"), Script(text="b"))
    chat.send("What stands out?", data()).wait(timeout=10)
    second = chat.send("And then?")
    second.wait(timeout=10)
    assert "cache_control" not in server.message_requests()[1].body
    assert second.usage["cache_read_input_tokens"] == second.usage["cache_creation_input_tokens"] == 0
    assert chat.cache is False


def test_a_short_prefix_is_not_cached_and_the_minimum_depends_on_the_model() -> None:
    cache = PromptCache()
    short = {"model": "claude-sonnet-5-5", "cache_control": {"type": "ephemeral"},
             "messages": [{"role": "user", "content": "hi"}]}  # fmt: skip
    assert cache.usage(short) is None  # below 512 tokens: nothing written, the usual estimate stands
    text = "x" * 6_400  # about 1,600 tokens
    sonnet = {**short, "messages": [{"role": "user", "content": text}]}
    written = cache.usage(sonnet)
    assert written is not None and written["cache_creation_input_tokens"] > 1_024
    assert (
        cache.usage({**sonnet, "model": "claude-opus-4-6", "messages": [{"role": "user", "content": text + "!"}]})
        is None  # Opus 4.6 caches only from 4,096 tokens
    )
    again = cache.usage(sonnet)
    assert again is not None and again["cache_read_input_tokens"] == written["cache_creation_input_tokens"]
    assert cache.usage({**sonnet, "cache_control": None}) is None  # no breakpoint asked for


@pytest.mark.parametrize("where", ["system", "block"])
def test_explicit_breakpoints_cache_up_to_themselves(where: str) -> None:
    cache = PromptCache()
    long = "y" * 8_000
    marked = {"type": "text", "text": long, "cache_control": {"type": "ephemeral"}}
    body = {"model": "claude-sonnet-5-5", "messages": [{"role": "user", "content": "q1"}]}
    if where == "system":
        body["system"] = [marked]
    else:
        body["messages"] = [{"role": "user", "content": [marked, {"type": "text", "text": "q1"}]}]
    first = cache.usage(body)
    assert first is not None and first["cache_read_input_tokens"] == 0 and first["input_tokens"] < 20
    follow_up = {**body, "messages": [*body["messages"][:-1], {"role": "user", "content": (
        [marked, {"type": "text", "text": "q2"}] if where == "block" else "q2")}]}  # fmt: skip
    second = cache.usage(follow_up)
    assert second is not None and second["cache_read_input_tokens"] == first["cache_creation_input_tokens"]
