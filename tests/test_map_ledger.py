"""A map job's ledger and progress as values, without a server: what the runners write, the sums kept as items
change, a resume's reopening, a collected job's placeholders, and the progress computed from them."""

from __future__ import annotations

from dataclasses import dataclass

from claude_widget.engine.usage import Usage
from claude_widget.jobs.ledger import ItemError, ItemLedger, ItemState
from claude_widget.jobs.progress import Progress
from claude_widget.jobs.questions import Question


@dataclass
class Stream:
    """What a stream in flight has cost so far (a `StreamManager` in the job)."""

    usage: Usage
    cost: float | None


def ledger(n: int = 4) -> ItemLedger:
    return ItemLedger([Question(i, f"item {i}", f"Q {i}") for i in range(n)], schema=None, token_limit=100)


def test_the_runners_write_each_items_end_and_the_sums_follow() -> None:
    items, told = ledger(), []
    items.subscribe(lambda: told.append(items.counts()["done"]))
    live = Stream(Usage(input_tokens=10), 0.5)
    items.start(0, live)
    assert items.usage == Usage(input_tokens=10) and items.cost == 0.5  # in flight counts already
    items.answered(0, "yes", "end_turn", Usage(input_tokens=12, output_tokens=3), 0.75)
    items.answered(1, "cut", "max_tokens", Usage(input_tokens=5, output_tokens=100), 1.0)
    items.requeue(2)  # refused: billed nothing
    assert items.results[:2] == ["yes", None] and items.errors[1].kind == "max_tokens"
    assert items.usage == Usage(input_tokens=17, output_tokens=103) and items.spent == items.cost == 1.75
    assert items.item_usage[0] == Usage(input_tokens=12, output_tokens=3) and items.costed == 2
    assert items.counts() == {"done": 1, "failed": 1, "running": 0, "queued": 2, "stopped": 0}
    assert told == [1, 1, 1] and items.first_unfinished() == 2
    items.end(3, "failed", error=ItemError("bad_input", "no"))
    items.end(2, "failed", error=ItemError("bad_input", "no, again"))
    assert items.error_kinds() == [("bad_input", 2, "no, again"), ("max_tokens", 1, items.errors[1].message)]
    items.reopen()  # a resume: what failed goes again, its error forgotten
    assert items.indices("queued") == [1, 2, 3] and not items.errors and items.first_unfinished() == 1
    items.close()  # the job ended before they ran
    assert items.counts()["stopped"] == 3 and items.error_kinds() == []


def test_a_collected_job_grows_to_what_its_batches_hold() -> None:
    items = ItemLedger([Question(0, None, "(unknown)")], schema=None, token_limit=100, collecting=True,
                       items_unknown=True)  # fmt: skip
    items.grow(3)
    assert len(items) == 3 and items.states == ["running"] * 3 and items.counts()["running"] == 3
    items.fail_unfinished(ItemError("authentication_error", "bad key"))
    assert items.counts()["failed"] == 3 and items.error_kinds()[0][:2] == ("authentication_error", 3)


def test_progress_is_measured_from_the_counts_and_reads_as_one_line() -> None:
    counts: dict[ItemState, int] = {"done": 40, "failed": 2, "running": 8, "queued": 50, "stopped": 0}
    p = Progress.measure(counts, elapsed=10.0, ended=False, usage=Usage(100, 20, 30, 400), cost=0.42, max_cost=None,
                         refusals=1, in_flight_limit=8, state="running", resumable=False, batch_ids=["msgbatch_1"],
                         batch_status="in_progress")  # fmt: skip
    assert (p.total, p.rate, p.eta, p.input_tokens, p.output_tokens) == (100, 4.2, 13.8, 530, 20)
    assert p.projected_cost == 1.0
    assert p.line() == ("40/100 done · 2 failed · 8 running · 4.2/s · 0:13 left · spent $0.4200 · about $1.0000 for"
                        " all 100 · batches msgbatch_1")  # fmt: skip
    assert p.as_dict()["batch_ids"] == ["msgbatch_1"] and p.as_dict()["state"] == "running"
