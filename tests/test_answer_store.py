"""The answer store (issue 24): every answer kept by its request's fingerprint, replayed at $0 with no request and
no key, asked again on demand, listed as a ledger; a store that cannot be used never breaks an answer."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import claude_widget
from claude_widget import Chat, StreamError
from claude_widget.engine.errors import MissingAPIKeyError
from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.store.answer_store import SCHEMA_VERSION, AnswerStore
from claude_widget.store.fingerprint import what_changed

from .conftest import TEST_KEY, settled


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "answers.sqlite"


def chat(server: FakeAnthropic, store: Path, **options: Any) -> Chat:
    return Chat(api_key=TEST_KEY, base_url=server.url, store=store, **options)


def test_an_answer_is_kept_and_replayed_with_no_request_and_nothing_billed(server: FakeAnthropic, store: Path) -> None:
    server.enqueue(Script(text="Sales **dipped** in March."))
    first = chat(server, store).send("What stands out?")
    assert first.wait(10) == "Sales **dipped** in March." and not first.replayed
    made = first.receipt
    assert made is not None and made["replayed"] is False and made["cost"] > 0

    again = chat(server, store, replay=True)
    second = again.send("What stands out?")
    assert second.wait(10) == "Sales **dipped** in March." and second.replayed
    assert len(server.message_requests()) == 1  # no request
    assert again.cost == 0 and again.usage["output_tokens"] == 0
    assert second.replay == {"answered": dt.date.today().isoformat(), "saved": made["cost"]}
    receipt = second.receipt
    assert receipt is not None and receipt["fingerprint"] == made["fingerprint"] and receipt["replayed"] is True
    assert receipt["saved"] == made["cost"]
    _, metadata = second._repr_mimebundle_()
    assert metadata["claude_widget"] == receipt  # the saved notebook says what produced it
    rows = claude_widget.answers(store=store)
    assert list(rows["replayed"]) == [False, True] and list(rows["cost"]) == [made["cost"], 0.0]


def test_ask_again_asks_claude_and_the_store_keeps_both(server: FakeAnthropic, store: Path) -> None:
    server.enqueue(Script(text="The first answer."), Script(text="A second opinion."))
    chat(server, store).send("Explain SSE").wait(10)
    replayed = chat(server, store, replay=True).send("Explain SSE")
    replayed.wait(10)
    settled(replayed)
    assert "ask_again" in replayed.actions
    replayed.ask_again()
    assert replayed.wait(10) == "A second opinion." and not replayed.replayed and replayed.replay is None
    assert len(server.message_requests()) == 2
    with pytest.raises(RuntimeError, match="was asked, not replayed"):
        replayed.ask_again()
    # The newer answer is the one replayed from now on.
    assert chat(server, store, replay=True).send("Explain SSE").wait(10) == "A second opinion."
    assert len(claude_widget.answers(store=store)) == 4


def test_anything_that_reaches_the_request_asks_again(server: FakeAnthropic, store: Path) -> None:
    df = pd.DataFrame({"region": ["north", "south"], "units": [12, 7]})
    server.enqueue(*[Script(text=f"Answer {i}.") for i in range(6)])
    chat(server, store).send("What stands out?", df).wait(10)
    asked = len(server.message_requests())
    replaying = chat(server, store, replay=True)
    assert replaying.send("What stands out?", df).wait(10) == "Answer 0." and len(server.message_requests()) == asked

    changed = [
        (chat(server, store, replay=True), ("What stands out now?", df)),  # the prompt
        (chat(server, store, replay=True), ("What stands out?", df.assign(units=[12, 8]))),  # the data
        (chat(server, store, replay=True, model="claude-opus-5-5"), ("What stands out?", df)),  # the model
        (chat(server, store, replay=True, effort="low"), ("What stands out?", df)),  # effort
        (chat(server, store, replay=True, system="Be brief."), ("What stands out?", df)),  # the system prompt
    ]
    for n, (each, (prompt, data)) in enumerate(changed, start=1):
        w = each.send(prompt, data)
        assert w.wait(10) == f"Answer {n}." and not w.replayed
    assert len(server.message_requests()) == asked + len(changed)


def test_an_earlier_turn_changes_what_follows(server: FakeAnthropic, store: Path) -> None:
    server.enqueue(Script(text="One."), Script(text="Two."), Script(text="Other."), Script(text="Two again."))
    first = chat(server, store)
    first.send("Q1").wait(10)
    first.send("Q2").wait(10)
    again = chat(server, store, replay=True)  # the same conversation replays, turn by turn
    assert [again.send(q).wait(10) for q in ("Q1", "Q2")] == ["One.", "Two."]
    assert len(server.message_requests()) == 2
    other = chat(server, store, replay=True)
    assert other.send("Q1, differently").wait(10) == "Other."
    assert other.send("Q2").wait(10) == "Two again."  # after another first turn, Q2 is another request
    assert len(server.message_requests()) == 4


def test_with_no_key_a_kept_answer_replays_and_a_new_question_says_what_to_do(
    server: FakeAnthropic, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.enqueue(Script(text="Kept."))
    chat(server, store).send("Kept?").wait(10)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(MissingAPIKeyError, match="replay=True"):
        Chat(store=store)  # without replay a key is needed, and the error names the way out
    keyless = Chat(replay=True, store=store, base_url=server.url)
    w = keyless.send("Kept?")
    assert w.wait(10) == "Kept." and w.replayed
    with pytest.raises(MissingAPIKeyError, match="not in the answer store"):
        keyless.send("Never asked")
    assert len(keyless.turns) == 1  # nothing half-made
    with pytest.raises(MissingAPIKeyError, match="replayed from the answer store"):
        w.ask_again()


def test_replay_follows_the_environment_and_an_argument_wins(
    server: FakeAnthropic, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.enqueue(Script(text="Once."), Script(text="Twice."))
    chat(server, store).send("Q").wait(10)
    monkeypatch.setenv("CLAUDE_WIDGET_REPLAY", "1")
    assert chat(server, store).send("Q").wait(10) == "Once."
    assert chat(server, store, replay=False).send("Q").wait(10) == "Twice."
    monkeypatch.setenv("CLAUDE_WIDGET_REPLAY", "maybe")
    with pytest.raises(ValueError, match="CLAUDE_WIDGET_REPLAY"):
        chat(server, store)


def test_store_false_keeps_nothing_and_the_environment_chooses_the_file(
    server: FakeAnthropic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.enqueue(Script(text="Not kept."), Script(text="Kept there."))
    chosen = tmp_path / "beside-the-notebook.sqlite"
    monkeypatch.setenv("CLAUDE_WIDGET_STORE", str(chosen))
    Chat(api_key=TEST_KEY, base_url=server.url, store=False).send("Q").wait(10)
    assert not chosen.exists()
    Chat(api_key=TEST_KEY, base_url=server.url).send("Q").wait(10)
    assert claude_widget.answers.path() == chosen
    assert list(claude_widget.answers()["question"]) == ["Q"]


def test_a_stopped_or_failed_answer_is_in_the_ledger_but_never_replayed(server: FakeAnthropic, store: Path) -> None:
    server.enqueue(Script(status=400, error_message="max_tokens: 999999 > 64000, which is the maximum"),
                   Script(text="Asked anew."))  # fmt: skip
    failed = chat(server, store, max_retries=0).send("Q")
    with pytest.raises(StreamError):
        failed.wait(10)
    assert chat(server, store, replay=True).send("Q").wait(10) == "Asked anew."
    assert list(claude_widget.answers(store=store)["status"]) == ["error", "done"]


def test_a_damaged_store_warns_once_and_the_answer_goes_on(server: FakeAnthropic, store: Path) -> None:
    store.write_bytes(b"this is not a database, but someone's file" * 100)
    server.enqueue(Script(text="Still answered."), Script(text="Again."))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert chat(server, store, replay=True).send("Q").wait(10) == "Still answered."
        assert chat(server, store, replay=True).send("Q").wait(10) == "Again."
    said = [str(w.message) for w in caught if "answer store" in str(w.message)]
    assert len(said) == 1 and "damaged" in said[0] and "CLAUDE_WIDGET_STORE" in said[0]
    assert store.read_bytes().startswith(b"this is not a database")  # the user's file is left as it was


def test_a_store_from_a_newer_version_is_left_alone(server: FakeAnthropic, store: Path) -> None:
    with sqlite3.connect(store) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    server.enqueue(Script(text="Answered."))
    with pytest.warns(RuntimeWarning, match="newer claude-widget"):
        assert chat(server, store).send("Q").wait(10) == "Answered."
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


@pytest.mark.parametrize("where", ["/proc/claude-widget/answers.sqlite", "a-file/answers.sqlite"])
def test_a_store_that_cannot_be_written_warns_and_the_answer_goes_on(
    server: FakeAnthropic, tmp_path: Path, where: str
) -> None:
    (tmp_path / "a-file").write_text("a file where the store's folder would be")
    server.enqueue(Script(text="Answered."))
    with pytest.warns(RuntimeWarning, match="cannot be used"):  # (a read-only file system; tests run as root)
        assert chat(server, tmp_path / where).send("Q").wait(10) == "Answered."


WRITER = """
import sys
from claude_widget.store.answer_store import AnswerStore
store = AnswerStore(sys.argv[1])
for i in range(60):
    row = {"fingerprint": f"{sys.argv[2]}-{i}", "made": float(i), "model": "m", "question": "q", "status": "done",
           "replayed": 0, "input_tokens": 1, "output_tokens": 1, "cache_read_tokens": 0, "cache_write_tokens": 0,
           "source": "send", "text": "x" * 500}
    assert store.add(row, {"format": 1, "messages": [{"role": "assistant", "content": []}]}) is not None
"""


def test_two_processes_write_one_store_at_once(store: Path) -> None:
    AnswerStore(store).add({"fingerprint": "f", "made": 0.0, "model": "m", "question": "q", "status": "done",
                            "replayed": 0, "input_tokens": 0, "output_tokens": 0, "cache_read_tokens": 0,
                            "cache_write_tokens": 0, "source": "send", "text": ""}, None)  # fmt: skip
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(store), name]) for name in ("a", "b")]
    assert [w.wait(60) for w in writers] == [0, 0]
    assert len(AnswerStore(store).rows()) == 121
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_ledger_filters_forgets_and_vacuums(server: FakeAnthropic, store: Path) -> None:
    server.enqueue(Script(text="A."), Script(text="B."))
    c = chat(server, store)
    c.send("First question, about the north region").wait(10)
    c.send("Second").wait(10)
    with sqlite3.connect(store) as db:  # the first was asked a month ago, in another notebook
        db.execute("UPDATE answers SET made = made - 30 * 86400, notebook = 'other/analysis.ipynb' WHERE id = 1")
    assert list(claude_widget.answers(since="today", store=store)["question"]) == ["Second"]
    assert list(claude_widget.answers(since=dt.timedelta(days=40), store=store)["id"]) == [1, 2]
    assert list(claude_widget.answers(notebook="analysis.ipynb", store=store)["id"]) == [1]
    with pytest.raises(ValueError, match="not a time"):
        claude_widget.answers(since="last tuesday", store=store)
    with pytest.raises(ValueError, match="deletes what it is told"):
        claude_widget.answers.forget(store=store)
    assert claude_widget.answers.forget(notebook="analysis.ipynb", store=store) == 1
    claude_widget.answers.vacuum(store=store)
    assert list(claude_widget.answers(store=store)["id"]) == [2]


def test_the_question_kept_is_short_and_carries_no_data(server: FakeAnthropic, store: Path) -> None:
    df = pd.DataFrame({"secret_column": ["confidential-value-123"] * 3})
    server.enqueue(Script(text="Three rows."))
    chat(server, store).send("How many rows? " + "Tell me everything. " * 20, df).wait(10)
    [question] = claude_widget.answers(store=store)["question"]
    assert question.startswith("How many rows?") and len(question) < 200 and "[df" in question
    assert b"confidential-value-123" not in store.read_bytes() and TEST_KEY.encode() not in store.read_bytes()


def test_a_question_asked_again_because_its_data_changed_says_what_changed(server: FakeAnthropic, store: Path) -> None:
    df = pd.DataFrame({"region": ["north", "south"], "units": [12, 7]})
    server.enqueue(*[Script(text=f"Answer {i}.") for i in range(4)])
    first = chat(server, store).send("What stands out?", df)
    assert first.changed is None  # asked for the first time
    first.wait(10)
    df = pd.concat([df, df.head(1)])
    w = chat(server, store, replay=True).send("What stands out?", df)
    assert w.changed == "df changed since the last answer: 2 → 3 rows"
    assert w.get_state("changed")["changed"] == w.changed  # the widget says so
    w.wait(10)
    df = df.assign(units=[1, 2, 3])
    assert chat(server, store).send("What stands out?", df).changed == "df changed since the last answer"
    # Another question about the same data is not "asked again".
    assert chat(server, store).send("What is odd?", df).changed is None


@pytest.mark.parametrize(
    ("before", "now", "said"),
    [
        (
            ["df · DataFrame · 1,204 × 5"],
            ["df · DataFrame · 1,317 × 5"],
            "df changed since the last answer: 1,204 → 1,317 rows",
        ),
        (["df · DataFrame · 10 × 5"], ["df · DataFrame · 10 × 6"], "df changed since the last answer: 5 → 6 columns"),
        (["df · DataFrame · 10 × 5"], ["df · DataFrame · 10 × 5"], "df changed since the last answer"),
        (["a.png"], ["b.png"], "b.png (was a.png) since the last answer"),
        ([], [], None),
    ],
)
def test_what_changed_is_read_from_the_chips(before: list[str], now: list[str], said: str | None) -> None:
    assert what_changed(before, now) == said


def test_a_store_locked_by_another_process_warns_and_the_answer_goes_on(
    server: FakeAnthropic, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.enqueue(Script(text="Kept."), Script(text="Answered while locked."))
    chat(server, store).send("Q").wait(10)  # the store exists
    monkeypatch.setattr("claude_widget.store.answer_store.BUSY_SECONDS", 0.2)
    holder = sqlite3.connect(store, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another kernel, writing for longer than a write waits
    try:
        with pytest.warns(RuntimeWarning, match="locked"):
            w = chat(server, store, replay=True).send("Q, while it is locked")
            assert w.wait(10) == "Answered while locked."
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert len(claude_widget.answers(store=store)) == 1  # the answer went on; it could not be kept


def test_offline_answers_are_kept_at_no_cost_and_never_stand_in_for_claudes(server: FakeAnthropic, store: Path) -> None:
    Chat(offline=True, store=store).send("Explain SSE").wait(10)
    assert list(claude_widget.answers(store=store)["cost"]) == [0.0]  # the built-in fake server bills nothing
    assert Chat(offline=True, store=store, replay=True).send("Explain SSE").replayed
    server.enqueue(Script(text="Claude's own answer."))
    assert chat(server, store, replay=True).send("Explain SSE").wait(10) == "Claude's own answer."
