"""Replay a recorded stream (engine/record.py makes one) through the fake server and the real SDK, at the original
pace or faster: demos that run offline and look real, and deterministic tests. Recordings ship with the package.

A recording is JSON: the model, the request's messages and system prompt, and one entry per response with its
events as `[seconds since the request, event name, event data]`. No key or header is stored.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from .engine.record import FORMAT
from .fake_server import Replay


def load(source: str | Path) -> dict[str, Any]:
    """A recording from a file, or one shipped with the package by name (see `shipped()`)."""
    path = Path(source)
    if not path.exists() and str(source) in shipped():
        text = resources.files("claude_widget.recordings").joinpath(f"{source}.json").read_text()
    elif path.exists():
        text = path.read_text()
    else:
        raise FileNotFoundError(f"no recording at {source!r}; shipped recordings: {', '.join(shipped())}")
    recording: dict[str, Any] = json.loads(text)
    if recording.get("format") != FORMAT:
        raise ValueError(f"{source!r} is not a claude-widget recording (format {recording.get('format')!r})")
    return recording


def shipped() -> list[str]:
    """Names of the recordings that come with the package."""
    folder = resources.files("claude_widget.recordings")
    return sorted(p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json"))


def replays(recording: dict[str, Any], speed: float = 1.0) -> list[Replay]:
    if speed <= 0:
        raise ValueError("speed must be > 0 (1 is the original pace, 2 twice as fast)")
    return [Replay(tuple((at, name, data) for at, name, data in r["events"]), speed) for r in recording["responses"]]


def last_prompt(recording: dict[str, Any]) -> str:
    """The question of the recorded request: its last text block (data and files come before it)."""
    content = recording["messages"][-1]["content"]
    if isinstance(content, str):
        return content
    texts = [b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text"]
    return texts[-1] if texts else ""
