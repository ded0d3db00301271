"""A stream's recording (`Chat(record=True)`): its clean responses' raw events with their timing, the model and the
request's messages and system prompt, as JSON. No key or header is stored. recording.py plays one back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .stream import StreamManager

FORMAT = "claude-widget-recording/1"


def recording_of(manager: StreamManager) -> dict[str, Any]:
    """The recording of a finished stream started with `record=True` (its clean responses, in order)."""
    if not manager.record:
        raise RuntimeError("this stream was not recorded: create the Chat with record=True")
    responses = [{"events": a.events} for a in manager.attempts if a.outcome == "done" and a.events]
    return {"format": FORMAT, "model": manager.model, "system": manager.system, "messages": manager.messages,
            "responses": responses}  # fmt: skip


def save(recording: dict[str, Any], path: str | Path) -> Path:
    path = Path(path)
    path.write_text(json.dumps(recording, ensure_ascii=False, indent=1))
    return path
