"""Joining a continuation to a partial answer without duplicating or losing characters at the seam.

After an interruption the stream manager asks the model to continue. A model told to continue may restart the
interrupted sentence, so the continuation can begin by repeating the end of the partial answer. `SeamMerger`
holds the start of the continuation back just long enough to tell, then drops the repeated part.

Dropping text that was not a repeat would silently corrupt the answer, while keeping a repeat only shows it
twice, so only unambiguous repeats are dropped: at least `min_overlap` characters, starting at a word of the
partial answer, and the only such candidate (in periodic text several would fit, and none is dropped).
Whitespace at the seam is always merged: prefill must not end in whitespace, so a continuation legitimately
starts with the space the partial answer already shows.
"""

from __future__ import annotations


class SeamMerger:
    def __init__(self, partial: str, *, min_overlap: int = 8, window: int = 400) -> None:
        self._tail = partial[-window:]
        self._min_overlap = min_overlap
        self._starts = [i for i in range(len(self._tail) - min_overlap + 1) if self._is_word_start(i)]
        self._held = ""
        self.resolved = not self._tail

    def feed(self, chunk: str) -> str:
        """Take the next piece of the continuation; return what may be appended to the answer now."""
        if self.resolved:
            return chunk
        self._held += chunk
        if self._undecided():
            return ""  # so far it repeats the start of a word of the tail: wait to see where it diverges
        return self._release()

    def finish(self) -> str:
        """The continuation ended (or failed): release what was held back, minus any repeat."""
        if self.resolved:
            return ""
        undecided = self._undecided()
        if len(undecided) == 1 and len(self._held) >= self._min_overlap:
            self.resolved, self._held = True, ""
            return ""  # it only repeated what the answer already has
        return self._release()

    def _is_word_start(self, i: int) -> bool:
        tail = self._tail
        return not tail[i].isspace() and (i == 0 or not tail[i - 1].isalnum())

    def _undecided(self) -> list[int]:
        # Word starts whose suffix the held text is a proper prefix of: it may still turn out to be a repeat.
        tail, held = self._tail, self._held
        return [i for i in self._starts if len(tail) - i > len(held) and tail.startswith(held, i)]

    def _release(self) -> str:
        tail, held = self._tail, self._held
        repeats = [len(tail) - i for i in self._starts if held.startswith(tail[i:])]
        overlap = repeats[0] if len(repeats) == 1 else 0
        if not overlap:
            # Whitespace the partial answer already ends with.
            spaces = len(tail) - len(tail.rstrip())
            overlap = spaces if spaces and held.startswith(tail[-spaces:]) else 0
        self.resolved, self._held = True, ""
        return held[overlap:]
