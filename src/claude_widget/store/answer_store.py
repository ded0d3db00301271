"""The answer store: every answer, in one SQLite file (the standard library's `sqlite3`, in WAL mode so that several
kernels can write it at once), by the fingerprint of its request.

What a row holds: when and where it was answered, the model, the question in short, how it ended, its usage and
cost, the answer's text, and what replaying it needs (`engine.replayed.kept_turn`, as compressed JSON). The API key
never enters it: nothing of the request is kept but its fingerprint and what the answer needs to be shown again.

A store that cannot be opened, read or written never breaks an answer: one warning per file, and the answer goes
on without it. A store written by a newer claude-widget is left as it is (a warning says so).
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
import warnings
import zlib
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..engine.replayed import replayable

SCHEMA_VERSION = 1
BUSY_SECONDS = 5.0  # how long a write waits for another kernel's to end
COLUMNS = ("id", "fingerprint", "made", "model", "question", "status", "stop_reason", "replayed", "input_tokens",
           "output_tokens", "cache_read_tokens", "cache_write_tokens", "cost", "saved", "seconds", "notebook", "cell",
           "source", "text", "question_key", "attached")  # fmt: skip
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL,   -- of the request as sent (store/fingerprint.py)
    made REAL NOT NULL,          -- when the answer ended, in seconds since the epoch
    model TEXT NOT NULL,
    question TEXT NOT NULL,      -- its text's start and its attachments' labels, never their data
    status TEXT NOT NULL,        -- done, stopped or error
    stop_reason TEXT,
    replayed INTEGER NOT NULL,   -- 1: played back from an earlier answer; nothing was billed
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    cost REAL,                   -- USD billed (NULL: the model's price is unknown)
    saved REAL,                  -- a replay: what asking again would have cost
    seconds REAL,                -- from the request to the end
    notebook TEXT,               -- where it was asked, where the kernel knows it
    cell TEXT,
    source TEXT NOT NULL,        -- send, map, magic
    text TEXT NOT NULL,          -- the answer as shown
    question_key TEXT,           -- the request's fingerprint without its attachments: what else it asked
    attached TEXT,               -- JSON: the attachments' chip labels ("df · DataFrame · 1,204 × 5"), never their data
    kept BLOB                    -- zlib-compressed JSON: what replaying it needs (engine/replayed.py)
);
CREATE INDEX IF NOT EXISTS answers_by_fingerprint ON answers (fingerprint, made);
CREATE INDEX IF NOT EXISTS answers_by_time ON answers (made);
CREATE INDEX IF NOT EXISTS answers_by_question ON answers (question_key, made);
PRAGMA user_version = {SCHEMA_VERSION};
"""

T = TypeVar("T")
_warned: set[str] = set()
_warned_lock = threading.Lock()


@dataclass(frozen=True)
class Found:
    """An answer found for a fingerprint: what replaying it needs, and what the replay mark says of it."""

    id: int
    made: float
    model: str
    cost: float | None
    text: str
    stop_reason: str | None
    kept: dict[str, Any]


def default_path() -> Path:
    """`CLAUDE_WIDGET_STORE`, or `answers.sqlite` in the user's data directory: one ledger for every notebook,
    and no file appearing in a repository unasked (set the variable to a path beside a notebook to commit it)."""
    chosen = os.environ.get("CLAUDE_WIDGET_STORE")
    if chosen:
        return Path(chosen).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "claude-widget" / "answers.sqlite"


class AnswerStore:
    """The store in the file at `path`. Each call opens its own connection (any thread may call)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()

    def __repr__(self) -> str:
        return f"AnswerStore({str(self.path)!r})"

    # -- writing -------------------------------------------------------------------------------------------
    def add(self, row: Mapping[str, Any], kept: dict[str, Any] | None) -> int | None:
        """Keep an answer (`row`: the columns, `kept`: what replaying it needs); its id, or None if it could not."""
        ids = self.add_many([(row, kept)])
        return ids[0] if ids else None

    def add_many(self, answers: list[tuple[Mapping[str, Any], dict[str, Any] | None]]) -> list[int]:
        """Keep several answers in one transaction; their ids (none if they could not be kept)."""
        names = [name for name in COLUMNS if name != "id"]
        insert = f"INSERT INTO answers ({', '.join(names)}, kept) VALUES ({', '.join('?' * (len(names) + 1))})"

        def values(row: Mapping[str, Any], kept: dict[str, Any] | None) -> list[Any]:
            blob = zlib.compress(json.dumps(kept, ensure_ascii=False).encode()) if kept is not None else None
            return [row.get(name) for name in names] + [blob]

        def work(db: sqlite3.Connection) -> list[int]:
            with db:
                return [int(db.execute(insert, values(row, kept)).lastrowid or 0) for row, kept in answers]

        return self._use(work, [], write=True) if answers else []

    def forget(self, ids: list[int]) -> int:
        """Delete these answers; how many were."""

        def work(db: sqlite3.Connection) -> int:
            with db:
                return db.execute(f"DELETE FROM answers WHERE id IN ({', '.join('?' * len(ids))})", ids).rowcount

        return self._use(work, 0, write=True) if ids else 0

    def vacuum(self) -> None:
        """Give the space of forgotten answers back to the disk."""
        self._use(lambda db: db.execute("VACUUM"), None, write=True)

    # -- reading -------------------------------------------------------------------------------------------
    def find(self, fingerprint: str) -> Found | None:
        """The newest complete answer made (not replayed) for this fingerprint that this version can replay."""
        return self.find_many([fingerprint]).get(fingerprint)

    def find_many(self, fingerprints: list[str]) -> dict[str, Found]:
        """`find` for many fingerprints at once (a map job's items), on one connection: those found."""
        found: dict[str, Found] = {}

        def work(db: sqlite3.Connection) -> None:
            for start in range(0, len(fingerprints), 500):  # within SQLite's limit of variables
                chunk = fingerprints[start : start + 500]
                query = ("SELECT fingerprint, id, made, model, cost, text, stop_reason, kept FROM answers WHERE "
                         f"fingerprint IN ({', '.join('?' * len(chunk))}) AND status = 'done' AND replayed = 0 "
                         "AND kept IS NOT NULL ORDER BY made DESC")  # fmt: skip
                for fingerprint, id_, made, model, cost, text, stop_reason, blob in db.execute(query, chunk):
                    if fingerprint in found:
                        continue  # a newer one was taken
                    try:
                        kept = json.loads(zlib.decompress(blob))
                    except (zlib.error, ValueError, TypeError):
                        continue  # damaged: as if it were not there
                    if replayable(kept):
                        found[fingerprint] = Found(id_, made, model, cost, text, stop_reason, kept)

        self._use(work, None)
        return found

    def rows(self, where: str = "", params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """The answers (without what replaying needs), oldest first; `where` an SQL condition on the columns."""
        query = f"SELECT {', '.join(COLUMNS)} FROM answers {'WHERE ' + where if where else ''} ORDER BY made"
        found: list[tuple[Any, ...]] = self._use(lambda db: db.execute(query, params).fetchall(), [])
        return [dict(zip(COLUMNS, row, strict=True)) for row in found]

    def previous(self, question_key: str, notebook: str | None, cell: str | None) -> dict[str, Any] | None:
        """The newest answer asked (not replayed) with the same question but for what it attached, from the same
        cell (where the cell is not known, the same notebook; where neither is, anywhere): its fingerprint and what
        it attached."""
        place, params = (
            ("AND cell = ?", (cell,)) if cell else ("AND notebook = ?", (notebook,)) if notebook else ("", ())
        )
        query = (f"SELECT fingerprint, attached FROM answers WHERE question_key = ? {place} AND replayed = 0 "
                 "ORDER BY made DESC LIMIT 1")  # fmt: skip
        found: list[tuple[Any, ...]] = self._use(lambda db: db.execute(query, (question_key, *params)).fetchall(), [])
        return {"fingerprint": found[0][0], "attached": json.loads(found[0][1] or "[]")} if found else None

    # -- the file ------------------------------------------------------------------------------------------
    def _use(self, work: Callable[[sqlite3.Connection], T], default: T, write: bool = False) -> T:
        """`work` done on a connection to the store, or `default` (and one warning) if it cannot be."""
        try:
            db = self._open(write)
            if db is None:
                return default
            with closing(db):
                return work(db)
        except (sqlite3.Error, OSError) as exc:
            self._warn(_reason(exc))
            return default

    def _open(self, write: bool) -> sqlite3.Connection | None:
        """A connection to a store this version can use; None where there is nothing to read, or it is newer."""
        if not write and not self.path.exists():
            return None
        if write:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=BUSY_SECONDS)  # `with db:` is a transaction
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                self._warn(f"it was written by a newer claude-widget (store version {version}); upgrade "
                           "claude-widget, or set CLAUDE_WIDGET_STORE to another file")  # fmt: skip
                db.close()
                return None
            if version < SCHEMA_VERSION:
                if not write:  # nothing kept yet
                    db.close()
                    return None
                db.execute("PRAGMA journal_mode = WAL")
                db.executescript(SCHEMA)
            db.execute("PRAGMA synchronous = NORMAL")  # with WAL: safe, and no sync to the disk on every answer
        except BaseException:
            db.close()
            raise
        return db

    def _warn(self, why: str) -> None:
        key = f"{self.path}: {why}"
        with _warned_lock:
            if key in _warned:
                return
            _warned.add(key)
        warnings.warn(
            f"claude-widget's answer store at {self.path} cannot be used ({why}); answers go on without it. "
            "Chat(store=False) or CLAUDE_WIDGET_STORE=<another file> chooses otherwise.",
            RuntimeWarning,
            stacklevel=4,
        )


def _reason(exc: BaseException) -> str:
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return f"{text}: the file is damaged; move it away and a new store starts"
    if "readonly" in text or "read-only" in text or isinstance(exc, PermissionError):
        return f"{text}: the file or its folder cannot be written"
    if "locked" in text:
        return f"{text}: another process held it longer than {BUSY_SECONDS:g} s"
    return text
