"""How many requests a job keeps in flight. Pure."""

from __future__ import annotations

import pytest

from claude_widget.jobs.concurrency import PATIENCE, START, AdaptiveConcurrency


def run_rounds(concurrency: AdaptiveConcurrency, rounds: int) -> None:
    for _ in range(rounds):
        for _ in range(concurrency.limit):
            concurrency.succeeded()


def test_it_grows_by_half_a_round_up_to_the_ceiling() -> None:
    concurrency = AdaptiveConcurrency(ceiling=40)
    assert concurrency.limit == START
    run_rounds(concurrency, 3)
    assert concurrency.limit == 13  # 4, 6, 9, 13
    run_rounds(concurrency, 20)
    assert concurrency.limit == 40
    assert AdaptiveConcurrency(ceiling=2).limit == 2
    with pytest.raises(ValueError, match="concurrency must be at least 1"):
        AdaptiveConcurrency(ceiling=0)


def test_a_refusal_goes_back_to_what_worked_and_probes_again_one_by_one_after_a_while() -> None:
    concurrency = AdaptiveConcurrency(ceiling=64)
    run_rounds(concurrency, 3)  # 13 in flight
    concurrency.refused(in_flight=9)
    assert concurrency.limit == 8 and concurrency.may_start(7, 0.0) and not concurrency.may_start(8, 0.0)
    run_rounds(concurrency, PATIENCE - 1)
    assert concurrency.limit == 8  # not above the refused level yet
    run_rounds(concurrency, 1)
    assert concurrency.limit == 9  # then it looks for more room again, by one
    run_rounds(concurrency, 1)
    assert concurrency.limit == 10


def test_the_per_minute_budgets_in_the_headers_hold_new_requests_back_until_they_refill() -> None:
    concurrency = AdaptiveConcurrency()
    stated = {"requests-limit": "60", "requests-remaining": "2", "input-tokens-limit": "6000",
              "input-tokens-remaining": "1000"}  # fmt: skip
    headers = {f"anthropic-ratelimit-{name}": value for name, value in stated.items()}
    concurrency.observed(headers, 0.0)
    assert concurrency.may_start(0, 0.0, tokens=400)
    concurrency.started(0.0, tokens=400)
    assert not concurrency.may_start(0, 0.0, tokens=700)  # 600 input tokens left
    assert concurrency.ready_at(0.0, tokens=700) == 1.0  # 100 a second come back
    concurrency.started(0.0, tokens=100)
    assert not concurrency.may_start(0, 0.0)  # no request left
    assert concurrency.may_start(0, 1.0) and concurrency.ready_at(0.5) == 1.0  # one a second
    assert concurrency.ready_at(0.0, tokens=10**9) == 0.0 + (6000 - 500) * 60 / 6000  # more than a whole budget:
    # it waits for the budget to be whole, then the API says why it cannot take it
