"""What a continuation request gets: the rest of the interrupted answer, as a new response. Pure.

A request continues an answer when it ends with that partial answer (a prefill), or with a user turn asking to
continue right after it. The model restarts at a word, maybe a few characters early (`Script.repeat_tail`).
The continuation is a new response: its blocks cite what they say, as the answer's blocks did.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .rules import message_text, partial_answer
from .script import Script


def continue_script(script: Script, body: dict[str, Any]) -> Script:
    """The script a request gets: the whole answer, or only its rest when the request continues it.

    A request continues an answer when it ends with that partial answer (prefill), or with a user turn asking
    to continue right after it; a later question in a conversation is not a continuation.
    """
    messages = body.get("messages") or [{}]
    asks_to_continue = messages[-1].get("role") == "user" and "continue" in message_text(messages[-1]).lower()
    if messages[-1].get("role") != "assistant" and not asks_to_continue:
        return script
    partial = partial_answer(body)
    if not partial or not script.text.startswith(partial):
        return script
    start = max(0, len(partial) - script.repeat_tail)
    while 0 < start < len(partial) and script.text[start - 1].isalnum():
        start -= 1  # models restart at the beginning of a word
    # A new response, which cites what its own blocks say: each cited part, as far as it is in the rest. (All of
    # the answer arrived, cut only before its end: nothing is left to say.)
    cited = tuple((max(first, start) - start, end - start, sources) for first, end, sources in script.citations
                  if end > start)  # fmt: skip
    return replace(script, text=script.text[start:], thinking=None, citations=cited)
