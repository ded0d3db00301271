"""A request's fingerprint: what decides its answer, hashed. Two requests with the same fingerprint would be
answered alike by the same model; anything that reaches the request (the prompt, an attachment's bytes, an
earlier turn, the model, effort, thinking, tools, the system prompt, max_tokens, a schema) changes it. Pure."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

VERSION = "cw1"  # changes when what goes into a fingerprint does, so that old ones no longer match


def fingerprint(request: Mapping[str, Any], *, offline: bool = False) -> str:
    """The fingerprint of a request's parameters as sent (`StreamOptions.request`). An offline (canned) answer
    never stands in for Claude's: offline requests have fingerprints of their own."""
    material = {"version": VERSION, "offline": offline, "request": request}
    canonical = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def question_label(prompt: str, chips: Sequence[Mapping[str, str]] = (), width: int = 120) -> str:
    """The question in short, for the ledger: its text's start and its attachments' chips, never their data."""
    text = " ".join(prompt.split())
    text = text if len(text) <= width else text[: width - 1].rstrip() + "…"
    labels = [chip.get("label", "") for chip in chips if chip.get("label")]
    return f"{text} [{', '.join(labels)}]" if labels else text
