"""How a `MapJob` shows its progress: a widget in a notebook, one line on stderr in a script.

The widget's state is a summary of the job (counts, throughput, tokens, cost so far and projected, time left, the
latest rows, the errors grouped by kind), sent at most ~30 times a second however many items end, so a
100,000-item job costs the page what a small one does. The view sends back one intent: stop. It is the same
bundle as the answers' (js/src/job/), loaded the same way (assets.py).
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

import anywidget
import traitlets
from ipywidgets import widget_serialization

from . import headless, protocol
from .assets import STATIC, ChatAssets, bundle_reply, shared_assets
from .batching import Throttle
from .loops import call_soon

if TYPE_CHECKING:
    from .jobs import MapJob

SHOWN = 160  # characters of an input or an answer in those rows
SCRIPT_INTERVAL = 0.5  # seconds between two lines of progress on stderr


def summary(job: MapJob) -> dict[str, Any]:
    """What the progress shows: counts, rates and money, computed now."""
    counts = job.counts()
    total, finished = len(job.questions), counts["done"] + counts["failed"]
    now = job.ended_at or time.monotonic()
    elapsed = now - job.started_at if job.started_at else 0.0
    rate = finished / elapsed if elapsed > 0 and finished else 0.0
    cost = job.cost
    left = total - finished - counts["stopped"] if job.ended_at is None else 0
    projected = cost / finished * (total - counts["stopped"]) if cost is not None and finished else cost
    usage = job.usage
    return {
        "total": total, **counts, "refusals": job.refusals, "elapsed": round(elapsed, 2),
        "rate": round(rate, 3), "eta": round(left / rate, 1) if rate and left else None,
        "input_tokens": usage["input_tokens"] + usage["cache_read_input_tokens"] + usage["cache_creation_input_tokens"],
        "output_tokens": usage["output_tokens"], "cost": cost, "projected_cost": projected, "max_cost": job.max_cost,
        "in_flight_limit": job.in_flight_limit, "state": job.state,
        "batch_ids": list(job.batch_ids), "batch_status": job.batch_status,
    }  # fmt: skip


def latest_rows(job: MapJob) -> list[dict[str, Any]]:
    rows = []
    for index in job.latest:
        error = job.errors.get(index)
        answer = error["message"] if error else _text(job.results[index])
        rows.append({"index": index, "input": _short(job.questions[index].text), "answer": _short(answer),
                     "status": job.states[index]})  # fmt: skip
    return rows


def error_groups(job: MapJob) -> list[dict[str, Any]]:
    """The errors by kind, most frequent first, each with one example."""
    return [{"kind": kind, "count": n, "example": _short(example)} for kind, n, example in job.error_kinds()]


class JobWidget(anywidget.AnyWidget):
    """A map job's progress in a cell, with Stop."""

    _esm = STATIC / "loader.js"
    assets = traitlets.Instance(ChatAssets, allow_none=True).tag(sync=True, **widget_serialization)
    view = traitlets.Unicode("job").tag(sync=True)  # which view of the bundle (js/src/index.js)
    model = traitlets.Unicode("").tag(sync=True)
    progress = traitlets.Dict().tag(sync=True)
    latest = traitlets.List(traitlets.Dict()).tag(sync=True)
    error_groups = traitlets.List(traitlets.Dict()).tag(sync=True)

    def __init__(self, job: MapJob) -> None:
        super().__init__(model=job.model, assets=None if headless.is_headless() else shared_assets())
        self._job = job
        self._sync_throttle = Throttle(job.loop, self._sync)
        self.on_msg(self._on_intent)
        job.subscribe(self._sync_throttle.poke)
        call_soon(job.loop, self._sync)  # now: a job shown after it ended changes no more

    def _sync(self) -> None:
        job = self._job
        with self.hold_sync():
            self.progress = summary(job)
            self.latest = latest_rows(job)
            self.error_groups = error_groups(job)

    def _on_intent(self, _widget: Any, content: Any, _buffers: Any) -> None:
        intent = protocol.parse_intent(content)
        if intent is None:
            return
        if intent.name == "stop":
            self._job.stop()
        elif intent.name == "bundle":
            self.send(bundle_reply(intent.request_id))

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        shown = super()._repr_mimebundle_(**kwargs)
        if shown is None:
            return None
        data, metadata = shown if isinstance(shown, tuple) else (shown, {})
        return {**data, "text/plain": progress_line(self._job)}, metadata


def progress_line(job: MapJob) -> str:
    """The job in one line: "412/1,000 done · 2 failed · 38 running · 3.2/s · 1:42 left · $0.84 (~$2.05)"."""
    p = summary(job)
    parts = [f"{p['done']:,}/{p['total']:,} done"]
    parts += [f"{p[k]:,} {k}" for k in ("failed", "running", "stopped") if p[k]]
    if p["rate"]:
        parts.append(f"{p['rate']:.1f}/s")
    if p["eta"]:
        parts.append(f"{_duration(p['eta'])} left")
    if p["cost"] is not None:
        parts.append(f"${p['cost']:.4f}" + (f" (~${p['projected_cost']:.4f} in all)" if p["eta"] else ""))
    if job.state == "max_cost":
        parts.append(f"stopped at max_cost ${job.max_cost:g}")
    if job.batch_ids:  # in the saved output too: a new kernel collects them (chat.collect)
        parts.append(f"batches {', '.join(job.batch_ids)}")
    return " · ".join(parts)


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
        self._stream.write(f"\r{progress_line(job)}\x1b[K{end}")
        self._stream.flush()


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}" if minutes >= 60 else f"{minutes}:{secs:02d}"


def _text(result: Any) -> str:
    if result is None:
        return ""
    if hasattr(result, "model_dump_json"):
        return str(result.model_dump_json())
    return result if isinstance(result, str) else repr(result)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"
