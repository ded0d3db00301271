"""How a `MapJob` shows its progress: a widget in a notebook, one line on stderr in a script.

The widget's state is a summary of the job (counts, throughput, tokens, cost so far and projected, time left, a
window of rows in input order, the errors grouped by kind), sent at most ~30 times a second however many items
end, so a 100,000-item job costs the page what a small one does. The view sends back two intents, stop and resume
(`MapJob.resume`), and asks for the bundle: the same as the answers' (js/src/job/), loaded the same way (assets.py).
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TextIO, TypedDict

import anywidget
import traitlets
from ipywidgets import widget_serialization

from ..engine.loops import call_soon
from . import headless, protocol
from .assets import LOADER, ChatAssets, bundle_reply, shared_assets
from .throttle import Throttle

if TYPE_CHECKING:
    from ..jobs.handle import MapJob
    from ..jobs.ledger import ItemState

SHOWN = 160  # characters of an item, an answer or an error in the rows
ROWS = 12  # the rows shown: a window of the items, in input order
ROWS_BEFORE = 4  # of which finished ones before the first unfinished item (the window follows the job)
SCRIPT_INTERVAL = 0.5  # seconds between two lines of progress on stderr


class Row(TypedDict):
    """An item as the `rows` trait carries it (js/src/job/job_state.js reads it)."""

    index: int
    item: str
    status: ItemState
    values: list[str]
    error: str | None


class ErrorGroup(TypedDict):
    """The errors of one kind, as the `error_groups` trait carries them."""

    kind: str
    count: int
    example: str


def columns(job: MapJob) -> list[str]:
    """What the rows show of a result: the schema's fields, or the answer."""
    return list(job.schema.fields) if job.schema is not None and job.schema.fields else ["answer"]


def rows(job: MapJob) -> list[Row]:
    """A window of `ROWS` items in input order, each numbered by its index in `job.results` (as `job.errors`,
    `to_pandas()` and error messages number it): its item in short, its status, and its result's fields (or the
    start of its answer, or its error). The window follows the first unfinished item, a few finished ones before
    it; once every item has finished, it shows the first ones."""
    total = len(job.questions)
    frontier = job.first_unfinished()
    start = 0 if frontier is None else max(0, min(frontier - ROWS_BEFORE, total - ROWS))
    names = columns(job)
    shown: list[Row] = []
    for index in range(start, min(total, start + ROWS)):
        question, status = job.questions[index], job.states[index]
        error = job.errors.get(index)
        values = _values(job.results[index], names) if status == "done" else []
        shown.append(Row(index=index, item=_short(item_label(question.item, question.text)), status=status,
                         values=values, error=_short(error.message) if error else None))  # fmt: skip
    return shown


def item_label(item: Any, text: str) -> str:
    """An item as a person recognises it, not the whole question its prompt made of it: a string as it is, a
    dict's (a row's) values, a tuple's text and what went with it; `text` (the question) when the item is
    unknown (a job collected without its items)."""
    if item is None:
        return text
    if isinstance(item, str):
        return item
    if isinstance(item, Mapping):
        return " · ".join(_value(v) for v in item.values())
    if isinstance(item, tuple) and item:
        attached = ", ".join(type(obj).__name__ for obj in item[1:])
        return item_label(item[0], text) + (f" (with {attached})" if attached else "")
    return _value(item)


def error_groups(job: MapJob) -> list[ErrorGroup]:
    """The errors by kind, most frequent first, each with one example."""
    return [ErrorGroup(kind=kind, count=n, example=_short(example)) for kind, n, example in job.error_kinds()]


class JobWidget(anywidget.AnyWidget):
    """A map job's progress in a cell, with Stop."""

    _esm = LOADER
    assets = traitlets.Instance(ChatAssets, allow_none=True).tag(sync=True, **widget_serialization)
    view = traitlets.Unicode("job").tag(sync=True)  # which view of the bundle (js/src/index.js)
    model = traitlets.Unicode("").tag(sync=True)
    offline = traitlets.Bool(False).tag(sync=True)
    progress = traitlets.Dict().tag(sync=True)
    columns = traitlets.List(traitlets.Unicode()).tag(sync=True)
    rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    error_groups = traitlets.List(traitlets.Dict()).tag(sync=True)

    def __init__(self, job: MapJob) -> None:
        super().__init__(model=job.model, offline=job.offline, columns=columns(job),
                         assets=None if headless.is_headless() else shared_assets())  # fmt: skip
        self._job = job
        self._sync_throttle = Throttle(job.loop, self._sync)
        self.on_msg(self._on_intent)
        job.subscribe(self._sync_throttle.poke)
        call_soon(job.loop, self._sync)  # now: a job shown after it ended changes no more

    def _sync(self) -> None:
        job = self._job
        with self.hold_sync():
            self.progress = job.progress().as_dict()
            self.rows = [dict(row) for row in rows(job)]  # a trait takes plain dicts (a dozen rows)
            self.error_groups = [dict(group) for group in error_groups(job)]

    def _on_intent(self, _widget: Any, content: Any, _buffers: Any) -> None:
        intent = protocol.parse_intent(content)
        if intent is None:
            return
        if intent.name == "stop":
            self._job.stop()
        elif intent.name == "resume":
            call_soon(self._job.loop, self._resume)  # where the job's state changes; a second click finds it running
        elif intent.name == "bundle":
            self.send(bundle_reply(intent.request_id))

    def _resume(self) -> None:
        if self._job.resumable:
            self._job.resume()
        self._sync_throttle.poke()

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        shown = super()._repr_mimebundle_(**kwargs)
        if shown is None:
            return None
        data, metadata = shown if isinstance(shown, tuple) else (shown, {})
        return {**data, "text/plain": self._job.progress().line()}, metadata


class ScriptProgress:
    """A map job's progress as one line on stderr, rewritten in place, for a script (no widget there)."""

    def __init__(self, job: MapJob, stream: TextIO | None = None) -> None:
        self._job = job
        self._stream = stream or sys.stderr
        self._last = 0.0
        job.subscribe(self._update)
        if job.done:  # ended before anyone listened
            self._update()

    def _update(self) -> None:
        now, job = time.monotonic(), self._job
        if now - self._last < SCRIPT_INTERVAL and job.ended_at is None:
            return
        self._last = now
        end = "\n" if job.ended_at is not None else ""
        self._stream.write(f"\r{job.progress().line()}\x1b[K{end}")
        self._stream.flush()


def _values(result: Any, names: list[str]) -> list[str]:
    """A result's shown values, one per column: its fields (a schema's instance, or a dict), or its text."""
    if names == ["answer"] and not isinstance(result, Mapping) and not hasattr(result, "model_dump"):
        return [_short(_plain(_value(result)))]
    fields = result.model_dump() if hasattr(result, "model_dump") else result
    fields = fields if isinstance(fields, Mapping) else {}
    return [_short(_value(fields.get(name))) for name in names]


def _plain(markdown: str) -> str:
    """The start of an answer as a line of text: without the markers of emphasis, headings, quotes and code."""
    text = re.sub(r"(?m)^\s{0,3}(?:#{1,6}\s+|>\s?)", "", markdown)
    return re.sub(r"\*\*|__|`+|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)", "", text)


def _value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return ", ".join(map(_value, value))
    if isinstance(value, Mapping):
        return json.dumps(value, default=str)
    return str(value)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"
