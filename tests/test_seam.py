"""Joining a continuation to a partial answer: exactly one copy of every character at the seam."""

from __future__ import annotations

import pytest

from claude_widget.engine.seam import SeamMerger

FULL = "The quick brown fox jumps over the lazy dog. Then it naps in the warm afternoon sun."


def merge(partial: str, continuation: str, chunk: int = 3) -> str:
    merger = SeamMerger(partial)
    out = partial
    for i in range(0, len(continuation), chunk):
        out += merger.feed(continuation[i : i + chunk])
    return out + merger.finish()


@pytest.mark.parametrize("cut", [1, 10, 21, 44, 45, 60, len(FULL) - 1])
@pytest.mark.parametrize("chunk", [1, 3, 7])
def test_an_exact_continuation_is_appended_as_is(cut: int, chunk: int) -> None:
    assert merge(FULL[:cut], FULL[cut:], chunk) == FULL


@pytest.mark.parametrize("restart", ["over the lazy dog", "the lazy dog", "jumps over the lazy dog"])
@pytest.mark.parametrize("chunk", [1, 4])
def test_a_continuation_that_restarts_at_a_word_is_merged_without_the_repeat(restart: str, chunk: int) -> None:
    cut = FULL.index("dog") + 2  # cut mid-word: "...the lazy do"
    assert merge(FULL[:cut], FULL[FULL.index(restart) :], chunk) == FULL


@pytest.mark.parametrize("cut", [150, 152, 160, 171, 200])
@pytest.mark.parametrize("chunk", [1, 4])
def test_periodic_text_is_never_mistaken_for_a_repeat(cut: int, chunk: int) -> None:
    periodic = "The answer survives a dropped connection. " * 12
    assert merge(periodic[:cut], periodic[cut:], chunk) == periodic


def test_whitespace_trimmed_for_prefill_is_not_doubled() -> None:
    partial = "The quick brown fox "
    assert merge(partial, " jumps") == "The quick brown fox jumps"


def test_a_short_coincidental_overlap_is_kept() -> None:
    # "ana" at the seam is a real part of the word, not a repeat: fewer than 8 characters are never dropped.
    assert merge("I like ban", "anas a lot") == "I like bananas a lot"


def test_a_continuation_cut_off_while_repeating_adds_nothing() -> None:
    merger = SeamMerger(FULL[:50])
    assert merger.feed(FULL[20:35]) == ""  # "jumps over the " and then the connection failed again
    assert merger.finish() == ""


def test_a_short_continuation_that_ends_mid_word_is_kept() -> None:
    assert merge(FULL[:-5], FULL[-5:]) == FULL


def test_after_the_seam_text_passes_straight_through() -> None:
    merger = SeamMerger("abc")
    assert merger.feed("xyz") == "xyz"
    assert merger.feed("abc") == "abc"


def test_nothing_to_merge_with_an_empty_partial() -> None:
    assert merge("", FULL) == FULL
