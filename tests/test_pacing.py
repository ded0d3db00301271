"""How many requests a job keeps in flight. Pure."""

from __future__ import annotations

import pytest

from claude_widget.pacing import PATIENCE, START, Pacing


def run_rounds(pacing: Pacing, rounds: int) -> None:
    for _ in range(rounds):
        for _ in range(pacing.limit):
            pacing.succeeded()


def test_it_grows_by_one_a_round_up_to_the_ceiling() -> None:
    pacing = Pacing(ceiling=10)
    assert pacing.limit == START
    run_rounds(pacing, 3)
    assert pacing.limit == START + 3
    run_rounds(pacing, 20)
    assert pacing.limit == 10
    assert Pacing(ceiling=2).limit == 2
    with pytest.raises(ValueError, match="concurrency must be at least 1"):
        Pacing(ceiling=0)


def test_a_refusal_goes_back_to_what_worked_waits_and_probes_again_only_after_a_while() -> None:
    pacing = Pacing(ceiling=64)
    run_rounds(pacing, 6)  # 10 in flight
    pacing.refused(in_flight=9, now=100.0, retry_after=2.0)
    assert pacing.limit == 8 and not pacing.may_start(0, 101.0) and pacing.may_start(7, 102.0)
    assert not pacing.may_start(8, 102.0)
    run_rounds(pacing, PATIENCE - 1)
    assert pacing.limit == 8  # not above the refused level yet
    run_rounds(pacing, 1)
    assert pacing.limit == 9  # then it looks for more room again


def test_the_per_minute_budget_in_the_headers_holds_new_requests_back() -> None:
    pacing = Pacing()
    pacing.observed({"anthropic-ratelimit-requests-remaining": "2", "anthropic-ratelimit-requests-limit": "60"}, 0.0)
    assert pacing.may_start(0, 0.0)
    pacing.started()
    pacing.started()
    assert not pacing.may_start(0, 0.0)
    pacing.observed({"anthropic-ratelimit-requests-remaining": "0", "anthropic-ratelimit-requests-limit": "60"}, 5.0)
    assert not pacing.may_start(0, 5.5) and pacing.may_start(0, 6.0)  # one comes back each second
