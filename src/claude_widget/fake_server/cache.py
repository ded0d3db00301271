"""The API's prompt cache as the fake server keeps it, so that a repeated prefix is read from the cache.

A request asks for caching with a top-level `cache_control` (the breakpoint goes on its last block) or with
`cache_control` on blocks of its own. The prompt is read as units in the API's order: tools, system, then each
message's blocks. A request reads the longest prefix an earlier request wrote, ending on a unit boundary, and
writes its prefix up to each breakpoint that is long enough to be cached. Tokens are the fake server's estimate
(four characters each; images and PDFs as the API counts them). The five-minute lifetime is not modelled.
Thread-safe.
"""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

from ..request_tokens import media_tokens
from ..usage import estimate_tokens

# Shorter prefixes are not cached. The API's minimum depends on the model; these follow its documentation.
MIN_CACHEABLE = {"haiku": 2048, "opus": 4096}
DEFAULT_MIN_CACHEABLE = 1024


def min_cacheable(model: str) -> int:
    return next((tokens for family, tokens in MIN_CACHEABLE.items() if family in model), DEFAULT_MIN_CACHEABLE)


class PromptCache:
    def __init__(self) -> None:
        self._written: set[str] = set()
        self._lock = threading.Lock()

    def usage(self, body: dict[str, Any]) -> dict[str, int] | None:
        """The request's input tokens split into uncached, written and read; None if nothing is cached (no
        breakpoint, or a prefix too short), when the usual estimate of the input stands."""
        units, breakpoints = _units(body)
        if not breakpoints:
            return None
        keys, tokens, digest, total = [], [], hashlib.sha256(), 0
        for unit, media in units:
            digest.update(unit.encode())
            keys.append(digest.copy().hexdigest())
            total += estimate_tokens(unit) if media is None else media
            tokens.append(total)
        last = max(breakpoints)
        with self._lock:
            hit = max((i for i in range(last + 1) if keys[i] in self._written), default=-1)
            read = tokens[hit] if hit >= 0 else 0
            written = 0
            for point in sorted(breakpoints):
                if point > hit and tokens[point] >= min_cacheable(str(body.get("model", ""))):
                    self._written.add(keys[point])
                    written = tokens[point] - read
        if not read and not written:
            return None
        return {"input_tokens": max(1, total - read - written), "cache_creation_input_tokens": written,
                "cache_read_input_tokens": read}  # fmt: skip


def _units(body: dict[str, Any]) -> tuple[list[tuple[str, int | None]], list[int]]:
    """The prompt as units in the API's order (each with its tokens if it is an image or a PDF), and the indices
    of the units that end a cached prefix."""
    units: list[tuple[str, int | None]] = []
    breakpoints: list[int] = []

    def add(part: Any) -> None:
        units.append((json.dumps(part, sort_keys=True, default=str), media_tokens(part)))
        if isinstance(part, dict) and part.get("cache_control"):
            breakpoints.append(len(units) - 1)

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
        breakpoints.append(len(units) - 1)  # automatic caching: the last cacheable block
    return units, breakpoints
