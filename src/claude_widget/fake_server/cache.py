"""The API's prompt cache as the fake server keeps it, so that a repeated prefix is read from the cache.

A request asks for caching with a top-level `cache_control` (the breakpoint goes on its last block) or with
`cache_control` on blocks of its own. The prompt is read as units in the API's order: tools, system, then each
message's blocks. A request reads the longest prefix an earlier request wrote, ending on a unit boundary, and
writes its prefix up to each breakpoint that is long enough for its model (models.py's `cache_min`), each part
at its breakpoint's lifetime (`"ttl": "1h"`, else five minutes: the API's `cache_creation` split). Tokens are the
fake server's estimate (the model's characters a token, `models.chars_per_token`; images and PDFs as the API
counts them). The lifetimes themselves are not modelled. Thread-safe.
"""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

from ..api.models import chars_per_token
from ..api.request_tokens import estimate_tokens, media_tokens
from .rules import cache_min


class PromptCache:
    def __init__(self) -> None:
        self._written: set[str] = set()
        self._lock = threading.Lock()

    def usage(self, body: dict[str, Any]) -> dict[str, int] | None:
        """The request's input tokens split into uncached, written and read, with the part written for an hour
        (`cache_creation_1h_input_tokens`); None if nothing is cached (no breakpoint, or a prefix too short), when
        the usual estimate of the input stands."""
        units, breakpoints = _units(body)
        if not breakpoints:
            return None
        keys, tokens, digest, total = [], [], hashlib.sha256(), 0
        ratio = chars_per_token(str(body.get("model", "")))
        for unit, media in units:
            digest.update(unit.encode())
            keys.append(digest.copy().hexdigest())
            total += estimate_tokens(unit, ratio) if media is None else media
            tokens.append(total)
        last = max(breakpoints)
        with self._lock:
            hit = max((i for i in range(last + 1) if keys[i] in self._written), default=-1)
            read = tokens[hit] if hit >= 0 else 0
            written = {"5m": 0, "1h": 0}
            at, minimum = read, cache_min(str(body.get("model", "")))
            for point in sorted(breakpoints):
                if point > hit and tokens[point] >= minimum:
                    self._written.add(keys[point])
                    written[breakpoints[point]] += tokens[point] - at
                    at = tokens[point]
        creation = written["5m"] + written["1h"]
        if not read and not creation:
            return None
        return {"input_tokens": max(1, total - read - creation), "cache_creation_input_tokens": creation,
                "cache_creation_1h_input_tokens": written["1h"], "cache_read_input_tokens": read}  # fmt: skip


def _units(body: dict[str, Any]) -> tuple[list[tuple[str, int | None]], dict[int, str]]:
    """The prompt as units in the API's order (each with its tokens if it is an image or a PDF), and the units
    that end a cached prefix, each with its lifetime ("5m" or "1h")."""
    units: list[tuple[str, int | None]] = []
    breakpoints: dict[int, str] = {}

    def add(part: Any) -> None:
        units.append((json.dumps(part, sort_keys=True, default=str), media_tokens(part)))
        if isinstance(part, dict) and part.get("cache_control"):
            breakpoints[len(units) - 1] = _ttl(part["cache_control"])

    for tool in body.get("tools") or []:
        add(tool)
    system = body.get("system")
    for block in system if isinstance(system, list) else ([{"type": "text", "text": system}] if system else []):
        add(block)
    for message in body.get("messages") or []:
        content = message.get("content")
        for block in content if isinstance(content, list) else [{"type": "text", "text": content}]:
            add({"role": message.get("role"), **block} if isinstance(block, dict) else block)
    if body.get("cache_control") and units:
        breakpoints.setdefault(len(units) - 1, _ttl(body["cache_control"]))  # automatic: the last cacheable block
    return units, breakpoints


def _ttl(cache_control: Any) -> str:
    return "1h" if isinstance(cache_control, dict) and cache_control.get("ttl") == "1h" else "5m"
