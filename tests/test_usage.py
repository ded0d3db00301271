"""Attempts and usage accounting, from the SDK's usage objects: no HTTP."""

from __future__ import annotations

import json

import pytest
from anthropic import types as api

from claude_widget.api.request_tokens import estimate_input_tokens, estimate_tokens
from claude_widget.engine.events import UsageChanged
from claude_widget.engine.usage import USAGE_KEYS, Attempt, Ledger, Usage


def test_one_token_estimate() -> None:
    assert [estimate_tokens(t) for t in ("", "abc", "abcd", "abcde", "x" * 400)] == [0, 1, 1, 2, 100]


def test_the_fake_server_counts_input_tokens_with_it_for_each_models_tokenizer() -> None:
    body = {"messages": [{"role": "user", "content": "Explain SSE in a few words " * 20}], "system": "Be brief."}
    prompt = json.dumps(body["messages"]) + json.dumps(body["system"])
    old = estimate_input_tokens({**body, "model": "claude-sonnet-4-5"})
    assert old == estimate_tokens(prompt)  # four characters a token
    today = estimate_input_tokens({**body, "model": "claude-sonnet-5-5"})
    assert today == estimate_tokens(prompt, 4 / 1.3) and today == pytest.approx(old * 1.3, rel=0.01)  # ~30% more
    assert estimate_input_tokens({**body, "model": "claude-unreleased-9"}) == today  # today's tokenizer assumed
    assert estimate_input_tokens({"model": "claude-sonnet-4-5", "messages": []}) == 1  # never zero


def test_an_attempt_takes_the_usage_the_api_reports() -> None:
    attempt = Attempt(sent_at=0.0)
    attempt.record_usage(api.Usage(input_tokens=120, output_tokens=1, cache_read_input_tokens=7))
    details = {"output_tokens": 40, "output_tokens_details": {"thinking_tokens": 25}}
    attempt.record_usage(api.MessageDeltaUsage.model_validate(details))
    assert attempt.usage == {"input_tokens": 120, "output_tokens": 40, "cache_creation_input_tokens": 0,
                             "cache_read_input_tokens": 7, "cache_creation_1h_input_tokens": 0}  # fmt: skip
    assert attempt.thinking_tokens == 25


def test_an_interrupted_attempt_estimates_its_output_as_one_token_per_delta() -> None:
    attempt = Attempt(sent_at=0.0, deltas=12)
    attempt.record_usage(api.Usage(input_tokens=50, output_tokens=1))
    attempt.end("connection")
    assert attempt.usage["output_tokens"] == 12 and attempt.usage_estimated
    finished = Attempt(sent_at=0.0, deltas=12)
    finished.end("done")
    assert finished.usage["output_tokens"] == 0 and not finished.usage_estimated
    quiet = Attempt(sent_at=0.0)
    quiet.end("overloaded")
    assert not quiet.usage_estimated  # nothing arrived, nothing to estimate


def test_attempts_still_read_like_the_dicts_they_were() -> None:
    attempt = Attempt(sent_at=1.5, continuation="prefill", outcome="done")
    assert attempt["outcome"] == "done" and attempt["continuation"] == "prefill" and attempt["sent_at"] == 1.5
    with pytest.raises(KeyError):
        attempt["nothing"]


def test_the_ledger_sums_every_attempt_and_reports_changes_only() -> None:
    ledger = Ledger()
    first = ledger.begin(0.0, None)
    assert ledger.pending is first
    change = ledger.record(api.Usage(input_tokens=100, output_tokens=1))
    assert change == UsageChanged({**dict.fromkeys(USAGE_KEYS, 0), "input_tokens": 100, "output_tokens": 1})
    assert ledger.record(api.Usage(input_tokens=100, output_tokens=1)) is None  # nothing new
    first.deltas = 9
    assert ledger.end("stall") is not None and ledger.pending is None
    ledger.begin(1.0, "user_turn")
    ledger.record(api.Usage(input_tokens=130, output_tokens=1))
    ledger.record(api.MessageDeltaUsage(output_tokens=20))
    ledger.end("done")
    assert ledger.usage["input_tokens"] == 230 and ledger.usage["output_tokens"] == 29
    assert [a.outcome for a in ledger.attempts] == ["stall", "done"]


def test_a_ledger_continued_from_another_does_not_change_it() -> None:
    ledger = Ledger()
    ledger.begin(0.0, None)
    ledger.record(api.Usage(input_tokens=10, output_tokens=3))
    ledger.end("done")
    later = Ledger(ledger.attempts)
    assert later.usage == ledger.usage
    later.begin(1.0, "prefill")
    later.record(api.Usage(input_tokens=20, output_tokens=1))
    later.attempts[0].usage = Usage(input_tokens=999)  # a usage cannot change, but an attempt's can be replaced
    assert ledger.usage["input_tokens"] == 10 and ledger.attempts[0].usage["input_tokens"] == 10
    assert len(ledger.attempts) == 1


def test_a_usage_adds_up_reads_by_the_apis_names_and_leaves_as_a_dict() -> None:
    sdk = api.Usage.model_validate({"input_tokens": 100, "output_tokens": 7, "cache_creation_input_tokens": 50,
                                    "cache_creation": {"ephemeral_1h_input_tokens": 20,
                                                       "ephemeral_5m_input_tokens": 30}})  # fmt: skip
    first = Usage.of(sdk)
    assert first == Usage(input_tokens=100, output_tokens=7, cache_creation_input_tokens=50,
                          cache_creation_1h_input_tokens=20)  # fmt: skip
    assert Usage.of({"input_tokens": 1, "output_tokens": 2}) == Usage(1, 2) and Usage.of(None) == Usage()
    total = first + Usage(input_tokens=1, cache_read_input_tokens=5)
    assert (total.input_tokens, total["cache_read_input_tokens"], total.get("nothing", 0)) == (101, 5, 0)
    assert sum([first, first], Usage()) == first + first
    assert total.as_dict() == dict(total) and list(total.as_dict()) == list(USAGE_KEYS)
    assert json.loads(json.dumps(total.as_dict())) == total  # equal to its dict form
    with pytest.raises(KeyError):
        total["speed"]
