"""Structured outputs: a request with `output_config.format` (a JSON schema) is answered with JSON that fits it.

The values are made up but stable. Where the question's words say it (labels.py), a value comes from them: a
sentiment label from the words that praise or complain, a rating from that sentiment, a topic from what the text is
about, an enum value the text names. Anything else is chosen by a hash of the question and the value's place in the
schema, so one question always gets the same answer and different questions (a table's rows) get different ones.
Pure.
"""

from __future__ import annotations

import json
import re
import zlib
from typing import Any

from .labels import sentiment, topic

WORDS = ("clear", "mixed", "brief", "useful", "late", "solid", "noisy", "fair")


def output_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON schema a request asks its answer to fit, if any."""
    config = body.get("output_config")
    fmt = config.get("format") if isinstance(config, dict) else None
    schema = fmt.get("schema") if isinstance(fmt, dict) and fmt.get("type") == "json_schema" else None
    return schema if isinstance(schema, dict) else None


# A sentiment label as an enum may spell it.
SENTIMENT_NAMES = {
    "positive": ("positive", "pos", "good", "favorable", "favourable", "praise", "happy", "satisfied"),
    "negative": ("negative", "neg", "bad", "unfavorable", "unfavourable", "complaint", "unhappy", "dissatisfied"),
    "mixed": ("mixed", "neutral", "both"),
    "neutral": ("neutral", "none", "other", "mixed", "unknown"),
}
RATINGS = ("stars", "rating", "score", "grade")  # an integer field that a sentiment decides
TOPICS = ("topic", "category", "aspect", "theme", "subject", "about")  # a string field that the text's topic fills
REASONS = ("reason", "reasoning", "rationale", "explanation", "justification", "why", "evidence")


def answer_for(schema: dict[str, Any], question: str) -> str:
    """JSON text that fits `schema`, chosen by `question`."""
    return json.dumps(instance_of(schema, question, schema, question))


def instance_of(schema: dict[str, Any], seed: str, root: dict[str, Any], text: str = "", name: str = "") -> Any:
    """A value that fits `schema` (`root` resolves `$ref`s), from `text`'s words where they say it (`name` is the
    field's), else chosen by `seed`."""
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        return instance_of(target, seed, root, text, name)
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return instance_of(options[0], seed, root, text, name)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return _enum_value(schema["enum"], text) or schema["enum"][_pick(seed, len(schema["enum"]))]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {key: instance_of(sub, f"{seed}/{key}", root, text, key) for key, sub in properties.items()}
    if kind == "array":
        count = max(int(schema.get("minItems", 1)), 1)
        return [instance_of(schema.get("items", {}), f"{seed}/{i}", root, text, name) for i in range(count)]
    if kind == "integer":
        first, last = int(schema.get("minimum", 1)), int(schema.get("maximum", 5))
        rated = _rating(name, text, first, last)
        return rated if rated is not None else first + _pick(seed, max(1, last - first + 1))
    if kind == "number":
        low, high = float(schema.get("minimum", 0)), float(schema.get("maximum", 1))
        return round(low + (high - low) * _pick(seed, 101) / 100, 2)
    if kind == "boolean":
        return _pick(seed, 2) == 1
    if kind == "null":
        return None
    return _words(name, text) or WORDS[_pick(seed, len(WORDS))]  # a string, or a schema that says nothing


def _enum_value(values: list[Any], text: str) -> Any:
    """The value a sentiment label's enum takes for `text`, or the one value the text names; None: neither."""
    names = {str(v).lower(): v for v in values}
    if any(n in spelled for n in names for spelled in SENTIMENT_NAMES.values()):
        felt, _ = sentiment(text)
        return next((names[n] for n in SENTIMENT_NAMES[felt] if n in names), None)
    named = [v for v in values if re.search(rf"(?<!\w){re.escape(str(v).lower())}(?!\w)", text.lower())]
    return named[0] if len(named) == 1 else None


def _rating(name: str, text: str, first: int, last: int) -> int | None:
    """A rating from the text's sentiment: the top for praise, the bottom for complaints, the middle for both."""
    if not any(word in name.lower() for word in RATINGS):
        return None
    felt, _ = sentiment(text)
    if felt == "neutral":
        return None
    return {"positive": last, "negative": first}.get(felt, (first + last) // 2)


def _words(name: str, text: str) -> str | None:
    """A string field the text's words fill: a topic, or the reason for a label (the words it comes from)."""
    lowered = name.lower()
    if any(word in lowered for word in TOPICS):
        return topic(text) or "general"
    if any(word in lowered for word in REASONS):
        felt, said = sentiment(text)
        quoted = ", ".join(f"“{w}”" for w in said)
        return f"{felt}: the text says {quoted}" if said else "no words of praise or complaint"
    return None


def _pick(seed: str, n: int) -> int:
    return zlib.crc32(seed.encode()) % n
