"""Joining a continuation to a partial answer without duplicating or losing characters at the seam.

After an interruption the stream manager asks the model to continue. Models often restart the interrupted
sentence, so the first characters of the continuation may repeat the end of the partial answer. `SeamMerger`
holds the start of the continuation back just long enough to tell, then drops the repeated part.

Only overlaps that cannot be a coincidence are dropped: at least `min_overlap` characters, or whitespace only
(prefill must not end in whitespace, so a continuation legitimately restarts with the space we trimmed).
"""

from __future__ import annotations


class SeamMerger:
    def __init__(self, partial: str, *, min_overlap: int = 8, window: int = 400) -> None:
        self._tail = partial[-window:]
        self._min_overlap = min_overlap
        self._held = ""
        self.resolved = not self._tail

    def feed(self, chunk: str) -> str:
        """Take the next piece of the continuation; return what may be appended to the answer now."""
        if self.resolved:
            return chunk
        self._held += chunk
        if self._still_repeating():
            return ""  # everything so far repeats the tail: wait to see where it diverges
        return self._release()

    def finish(self) -> str:
        """The continuation ended (or failed): release what was held back, minus any repeat."""
        if self.resolved:
            return ""
        if len(self._held) >= self._min_overlap and self._still_repeating():
            self.resolved = True
            self._held = ""
            return ""  # it only repeated what the answer already has
        return self._release()

    def _still_repeating(self) -> bool:
        # The held text is a proper prefix of some suffix of the tail: it may still turn out to be a repeat.
        tail, held = self._tail, self._held
        return any(tail[i:].startswith(held) and len(tail) - i > len(held) for i in range(len(tail)))

    def _release(self) -> str:
        tail, held = self._tail, self._held
        overlap = 0
        for size in range(min(len(tail), len(held)), 0, -1):
            if held.startswith(tail[-size:]) and (size >= self._min_overlap or tail[-size:].isspace()):
                overlap = size
                break
        self.resolved = True
        self._held = ""
        return held[overlap:]
