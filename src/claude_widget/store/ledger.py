"""`claude_widget.answers()`: what the store holds, as a table: what was asked, when, where, and what it cost.

`answers(since="today")`, `answers(notebook="analysis.ipynb")`; `answers.forget(...)` deletes entries and
`answers.vacuum()` gives their space back.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from .answer_store import AnswerStore, default_path

SHOWN = ("id", "time", "model", "question", "status", "input_tokens", "output_tokens", "cached_tokens", "cost",
         "replayed", "saved", "notebook", "cell", "source")  # fmt: skip
Since = str | dt.date | dt.datetime | dt.timedelta | None


class Answers:
    """The store's ledger (`claude_widget.answers`)."""

    def __call__(self, since: Since = None, notebook: str | None = None, *,
                 store: str | Path | None = None) -> Any:  # fmt: skip
        """The answers kept, oldest first: a pandas DataFrame when pandas is installed, else a list of dicts.

        `since`: "today", "yesterday", "week" (the last 7 days), an ISO date or time, a `date`, a `datetime`, or
        a `timedelta` back from now. `notebook`: only answers asked in notebooks whose path ends with it.
        `store`: another store file than the default (`CLAUDE_WIDGET_STORE`, or the user's data directory).
        """
        where, params = _conditions(since, notebook)
        rows = [_shown(row) for row in _store(store).rows(where, params)]
        try:
            import pandas as pd
        except ImportError:
            return rows
        return pd.DataFrame(rows, columns=list(SHOWN))

    def forget(self, ids: list[int] | None = None, *, since: Since = None, notebook: str | None = None,
               store: str | Path | None = None) -> int:  # fmt: skip
        """Delete answers: these `ids` (the ledger's `id` column), or all those `since` and `notebook` select (at
        least one of them must be given). How many were deleted."""
        chosen = _store(store)
        if ids is None:
            if since is None and notebook is None:
                raise ValueError("forget() deletes what it is told to: give ids, since= or notebook= "
                                 "(to delete every answer, delete the store's file)")  # fmt: skip
            ids = [row["id"] for row in chosen.rows(*_conditions(since, notebook))]
        return chosen.forget([int(i) for i in ids])

    def vacuum(self, store: str | Path | None = None) -> None:
        """Give the space of deleted answers back to the disk."""
        _store(store).vacuum()

    def path(self) -> Path:
        """Where the store is (`CLAUDE_WIDGET_STORE`, or the user's data directory)."""
        return default_path()

    def __repr__(self) -> str:
        return f"claude_widget.answers: the answers kept in {default_path()}; call it for the ledger"


def _store(path: str | Path | None) -> AnswerStore:
    return AnswerStore(path if path is not None else default_path())


def _conditions(since: Since, notebook: str | None) -> tuple[str, tuple[Any, ...]]:
    where: list[str] = []
    params: list[Any] = []
    if since is not None:
        where.append("made >= ?")
        params.append(_start(since))
    if notebook is not None:
        where.append("notebook LIKE ? ESCAPE '\\'")
        escaped = notebook.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.append(f"%{escaped}")
    return " AND ".join(where), tuple(params)


def _start(since: Since) -> float:
    """`since` as seconds since the epoch."""
    now = dt.datetime.now().astimezone()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    named = {"today": midnight, "yesterday": midnight - dt.timedelta(days=1), "week": now - dt.timedelta(days=7)}
    if isinstance(since, str) and since in named:
        return named[since].timestamp()
    if isinstance(since, dt.timedelta):
        return (now - since).timestamp()
    if isinstance(since, str):
        try:
            since = dt.datetime.fromisoformat(since)
        except ValueError:
            raise ValueError(f"since={since!r} is not a time: give 'today', 'yesterday', 'week', an ISO date "
                             "('2026-12-01'), a date, a datetime or a timedelta") from None  # fmt: skip
    if isinstance(since, dt.datetime):
        return (since if since.tzinfo else since.astimezone()).timestamp()
    if isinstance(since, dt.date):
        return dt.datetime(since.year, since.month, since.day).astimezone().timestamp()
    raise TypeError(f"since must be a string, date, datetime or timedelta, got {type(since).__name__}")


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    shown = {**row, "time": dt.datetime.fromtimestamp(row["made"]), "replayed": bool(row["replayed"]),
             "cached_tokens": row["cache_read_tokens"]}  # fmt: skip
    return {name: shown[name] for name in SHOWN}


answers = Answers()
