"""Cost as the pricing page bills it: each case worked out by hand from its rates (USD per million tokens)."""

from __future__ import annotations

import pytest
from anthropic.types import Usage

from claude_widget.api.pricing import Billing, cost_usd, list_prices, pricing_for, request_prices
from claude_widget.engine.usage import Attempt, Ledger

GEO = Billing(inference_geo="us")
FAST = Billing(speed="fast")
BATCH = Billing(batch=True)

CASES = [
    # model, usage, billing, USD: the hand computation
    ("claude-sonnet-5-5", {"input_tokens": 1000, "cache_read_input_tokens": 1_000_000, "output_tokens": 1000},
     Billing(), 0.112),  # 1000*2 + 1e6*0.10 + 1000*10: Sonnet 5.5 reads the cache at $0.10, not 0.1x input
    ("claude-sonnet-5", {"input_tokens": 1000, "cache_read_input_tokens": 1_000_000, "output_tokens": 1000},
     Billing(), 0.212),  # the same on Sonnet 5: $0.20 reads
    ("claude-haiku-5-5", {"input_tokens": 150_000, "output_tokens": 1000}, Billing(), 0.0775),  # 150k*0.5 + 1k*2.5
    ("claude-haiku-5-5", {"input_tokens": 100_000, "output_tokens": 1000}, Billing(), 0.0105),  # 100k*0.1 + 1k*0.5
    ("claude-haiku-5-5", {"input_tokens": 60_000, "cache_read_input_tokens": 50_000, "output_tokens": 0},
     Billing(), 0.0325),  # 110k prompt: 60k*0.5 + 50k*0.05, the cache reads count toward the tier
    ("claude-haiku-5-5", {"input_tokens": 60_000, "cache_creation_input_tokens": 50_000, "output_tokens": 0},
     Billing(), 0.06125),  # 60k*0.5 + 50k*0.625: so do the cache writes
    ("claude-opus-5-5", {"cache_creation_input_tokens": 15_000, "cache_creation_1h_input_tokens": 10_000},
     Billing(), 0.105),  # 5k*5 (5-minute) + 10k*8 (1-hour)
    ("claude-sonnet-5-5", {"input_tokens": 1_000_000}, GEO, 2.2),  # $2 x 1.1
    ("claude-sonnet-5-5", {"cache_read_input_tokens": 1_000_000, "output_tokens": 100_000}, GEO, 1.21),  # (0.1+1)*1.1
    ("claude-opus-5-5", {"input_tokens": 1000, "output_tokens": 1000}, FAST, 0.048),  # 1000*8 + 1000*40
    ("claude-sonnet-5-5", {"input_tokens": 1_000_000, "output_tokens": 1_000_000}, BATCH, 6.0),  # (2 + 10) / 2
    ("claude-haiku-5-5", {"input_tokens": 200_000}, BATCH, 0.05),  # long tier, halved: 200k*0.25
    ("claude-haiku-5-5", {"input_tokens": 200_000}, Billing(inference_geo="us", batch=True), 0.055),
    ("claude-haiku-4-5-20251001", {"input_tokens": 1000, "output_tokens": 1000}, Billing(), 0.006),  # dated id
    ("claude-fable-5-2", {"input_tokens": 1_000_000, "cache_read_input_tokens": 1_000_000}, Billing(), 8.2),
]  # fmt: skip


@pytest.mark.parametrize(("model", "usage", "billing", "usd"), CASES)
def test_cost_as_the_pricing_page_bills_it(model: str, usage: dict[str, int], billing: Billing, usd: float) -> None:
    assert cost_usd(usage, pricing_for(model), billing) == pytest.approx(usd)


def test_an_unknown_price_is_none_never_a_guess() -> None:
    assert pricing_for("claude-unreleased-9") is None
    assert cost_usd({"input_tokens": 10}, pricing_for("claude-unreleased-9")) is None
    # Fable 5.2 has fast mode, at a price the docs do not state
    assert cost_usd({"input_tokens": 10}, pricing_for("claude-fable-5-2"), FAST) is None


def test_the_rates_say_what_changed_the_list_price() -> None:
    prices = request_prices(pricing_for("claude-haiku-5-5"), {"input_tokens": 150_000}, GEO)
    assert prices is not None
    assert prices["notes"] == ["prompt over 100,000 tokens: long-prompt rates", "US-only inference ×1.1"]
    assert prices["input"] == pytest.approx(0.55)
    assert list_prices("claude-sonnet-5-5") == {"input": 2, "output": 10, "cache_write": 2.5, "cache_write_1h": 4,
                                                "cache_read": 0.1, "notes": []}  # fmt: skip


def test_a_turn_costs_the_sum_of_its_requests_each_at_its_own_tier() -> None:
    ledger = Ledger(pricing=pricing_for("claude-haiku-5-5"))
    for _ in range(2):
        ledger.begin(0.0, None)
        ledger.record(Usage(input_tokens=60_000, output_tokens=0))
        ledger.end("done")
    assert ledger.usage["input_tokens"] == 120_000  # summed, it would look like the long-prompt tier
    assert ledger.cost == pytest.approx(0.012)  # 2 x 60k*0.1


def test_an_attempt_reads_todays_usage_fields() -> None:
    attempt = Attempt(sent_at=0.0)
    usage = Usage.model_validate({
        "input_tokens": 10, "output_tokens": 5, "cache_creation_input_tokens": 3000, "cache_read_input_tokens": 0,
        "cache_creation": {"ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 2000},
        "inference_geo": "us", "speed": "standard",
    })  # fmt: skip
    attempt.record_usage(usage)
    assert attempt.usage["cache_creation_1h_input_tokens"] == 2000
    assert attempt.billing == Billing(inference_geo="us", speed="standard")
    # (10*4 + 5*20 + 1000*5 + 2000*8) * 1.1 on Opus 5.5
    assert attempt.cost(pricing_for("claude-opus-5-5")) == pytest.approx(0.0232540)
