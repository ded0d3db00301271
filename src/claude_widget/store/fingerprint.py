"""A request's fingerprint: what decides its answer, hashed. Two requests with the same fingerprint would be
answered alike by the same model; anything that reaches the request (the prompt, an attachment's bytes, an
earlier turn, the model, effort, thinking, tools, the system prompt, max_tokens, a schema) changes it. Pure."""

from __future__ import annotations

import hashlib
import json
import re
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


def without_attachments(request: Mapping[str, Any], prompt: str) -> dict[str, Any]:
    """The request as it would be without the question's attachments (its last message only the prompt's text):
    what its `question_key` fingerprints, to tell a question asked again only because its data changed."""
    messages = list(request.get("messages", []))
    return {**request, "messages": [*messages[:-1], {"role": "user", "content": prompt}]}


_TABLE = re.compile(r"^(?P<name>.+?) · (?P<kind>\w+) · (?P<rows>[\d,]+) × (?P<cols>[\d,]+)$")


def what_changed(before: Sequence[str], now: Sequence[str]) -> str | None:
    """What changed in a question's attachments since the last answer, from their chip labels, for a question asked
    again only because of them: "df changed since the last answer: 1,204 → 1,317 rows". Where the labels show no
    difference, their contents changed: "df changed since the last answer". None with nothing attached."""
    said = []
    for old, new in zip(before, now, strict=False):
        was, is_ = _TABLE.match(old), _TABLE.match(new)
        if was and is_ and was["name"] == is_["name"]:
            shape = [f"{was[k]} → {is_[k]} {word}" for k, word in (("rows", "rows"), ("cols", "columns"))
                     if was[k] != is_[k]]  # fmt: skip
            if shape:
                said.append(f"{is_['name']} changed since the last answer: {', '.join(shape)}")
        elif old != new:
            said.append(f"{new} (was {old}) since the last answer")
    if len(now) != len(before):
        said.append(f"{len(now)} attachments since the last answer (were {len(before)})")
    if not said and now:  # the same shapes and names: the contents changed
        names = [m["name"] if (m := _TABLE.match(label)) else label for label in now]
        said.append(f"{', '.join(names)} changed since the last answer")
    return "; ".join(said) or None
