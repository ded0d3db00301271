"""Labels from a text's own words, for the fake server's made-up answers: a sentiment from the words that praise or
complain ("great", "love" / "broken", "refund"), the topic a review is about, a place named in a question.

Deterministic and pure: the same text always gets the same label, and a label can be traced to the words that made
it (`cues`). Nothing here is random, and nothing pretends to understand more than these word lists.
"""

from __future__ import annotations

import re
from typing import Literal

Sentiment = Literal["positive", "negative", "mixed", "neutral"]

PRAISE = (
    "great", "love", "loved", "loves", "excellent", "good", "perfect", "amazing", "fantastic", "wonderful", "fast",
    "quick", "sturdy", "solid", "comfortable", "quiet", "easy", "warm", "hot", "cool", "recommend", "happy", "nice",
    "best", "beautiful", "works well", "well made", "keeps", "exactly", "reliable", "delicious", "friendly", "helpful",
)  # fmt: skip
COMPLAINT = (
    "broken", "broke", "breaks", "refund", "return it", "returned", "leak", "leaks", "leaking", "leaked", "crack",
    "cracked", "chipped", "wobble", "wobbles", "wobbly", "rattle", "rattles", "never worked", "stopped working",
    "doesn't work", "does not work", "bad", "terrible", "awful", "poor", "slow", "disappointed", "disappointing",
    "worst", "flimsy", "noisy", "loud", "late", "missing", "waste", "hate", "useless", "defective", "faulty", "rude",
    "dirty", "overpriced", "unusable", "not good", "not great", "not worth",
)  # fmt: skip

# What a review is about, in this order of priority: the first topic one of whose words the text uses.
TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("durability", ("broke", "broken", "leak", "leaks", "leaking", "crack", "cracked", "chipped", "stopped working",
                    "never worked", "sturdy", "solid", "wobble", "wobbles", "flimsy", "defective", "faulty")),
    ("delivery", ("arrived", "delivery", "shipping", "package", "late", "missing")),
    ("noise", ("quiet", "noisy", "loud", "rattle", "rattles")),
    ("comfort", ("comfortable", "uncomfortable", "soft")),
    ("temperature", ("hot", "cool", "warm", "cold", "boil", "boils")),
    ("ease of use", ("easy", "assemble", "setup", "set up", "switch", "remote", "handle", "instructions")),
    ("speed", ("fast", "slow", "quick")),
    ("size", ("size", "small", "big", "large", "fits")),
    ("price", ("price", "cheap", "expensive", "refund", "money", "overpriced", "worth")),
    ("service", ("service", "staff", "rude", "friendly", "helpful", "support")),
)  # fmt: skip

# Capitalised words that start a question or stand for the asker, never the place asked about.
NOT_PLACES = frozenset((
    "i", "i'm", "i'd", "i'll", "i've", "what", "what's", "whats", "how", "is", "are", "was", "will", "would", "could",
    "should", "can", "do", "does", "did", "tell", "please", "give", "show", "find", "get", "check", "the", "a", "an",
    "and", "or", "in", "at", "on", "for", "to", "from", "of", "it", "its", "this", "that", "today", "tomorrow", "now",
    "weather", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "celsius", "fahrenheit",
))  # fmt: skip
PLACE_WORDS = ("in", "at", "for", "near", "from", "to", "around")


def cues(text: str, words: tuple[str, ...]) -> list[str]:
    """The words (or phrases) of `words` the text uses, in the text's order, each once."""
    lowered = text.lower()
    found = [(m.start(), w) for w in words for m in [re.search(rf"(?<![\w']){re.escape(w)}(?![\w'])", lowered)] if m]
    return [word for _, word in sorted(found)]


def sentiment(text: str) -> tuple[Sentiment, list[str]]:
    """The text's sentiment and the words it comes from: praise alone is positive, complaints alone negative, both
    mixed, neither neutral. "not good" is a complaint, not praise."""
    complaints = cues(text, COMPLAINT)
    negated = {phrase.split()[-1] for phrase in complaints if phrase.startswith("not ")}
    praise = [word for word in cues(text, PRAISE) if word not in negated]
    if praise and complaints:
        return "mixed", praise + complaints
    if praise:
        return "positive", praise
    if complaints:
        return "negative", complaints
    return "neutral", []


def topic(text: str) -> str | None:
    """What a review is about ("durability", "noise", …), from its words; None when none of them is used."""
    return next((name for name, words in TOPICS if cues(text, words)), None)


def place(text: str) -> str | None:
    """The place a question names: capitalised words after "in", "at", "for"… ("the weather in New York?" →
    "New York"), else the last capitalised words that are not the start of a sentence or "I"."""
    tokens = re.findall(r"[\w'’-]+|[.?!,;:]", text)
    runs: list[tuple[int, str]] = []  # (where it starts, the capitalised words)
    i = 0
    while i < len(tokens):
        if tokens[i][:1].isupper() and tokens[i].lower() not in NOT_PLACES:
            j = i
            while j + 1 < len(tokens) and tokens[j + 1][:1].isupper() and tokens[j + 1].lower() not in NOT_PLACES:
                j += 1
            runs.append((i, " ".join(tokens[i : j + 1])))
            i = j + 1
        else:
            i += 1
    after = [name for start, name in runs if start > 0 and tokens[start - 1].lower() in PLACE_WORDS]
    if after:
        return after[0]
    inside = [name for start, name in runs if start > 0 and tokens[start - 1] not in ".?!"]
    return inside[-1] if inside else (runs[-1][1] if runs else None)
