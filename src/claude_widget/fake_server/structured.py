"""Structured outputs: a request with `output_config.format` (a JSON schema) is answered with JSON that fits it.

The values are made up but stable: each is chosen by a hash of the question and the value's place in the schema,
so one question always gets the same answer and different questions (a table's rows) get different ones. Pure.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

WORDS = ("clear", "mixed", "brief", "useful", "late", "solid", "noisy", "fair")


def output_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON schema a request asks its answer to fit, if any."""
    config = body.get("output_config")
    fmt = config.get("format") if isinstance(config, dict) else None
    schema = fmt.get("schema") if isinstance(fmt, dict) and fmt.get("type") == "json_schema" else None
    return schema if isinstance(schema, dict) else None


def answer_for(schema: dict[str, Any], question: str) -> str:
    """JSON text that fits `schema`, chosen by `question`."""
    return json.dumps(instance_of(schema, question, schema))


def instance_of(schema: dict[str, Any], seed: str, root: dict[str, Any]) -> Any:
    """A value that fits `schema` (`root` resolves `$ref`s)."""
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        return instance_of(target, seed, root)
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return instance_of(options[0], seed, root)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][_pick(seed, len(schema["enum"]))]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {name: instance_of(sub, f"{seed}/{name}", root) for name, sub in properties.items()}
    if kind == "array":
        count = max(int(schema.get("minItems", 1)), 1)
        return [instance_of(schema.get("items", {}), f"{seed}/{i}", root) for i in range(count)]
    if kind == "integer":
        first, last = int(schema.get("minimum", 1)), int(schema.get("maximum", 5))
        return first + _pick(seed, max(1, last - first + 1))
    if kind == "number":
        low, high = float(schema.get("minimum", 0)), float(schema.get("maximum", 1))
        return round(low + (high - low) * _pick(seed, 101) / 100, 2)
    if kind == "boolean":
        return _pick(seed, 2) == 1
    if kind == "null":
        return None
    return WORDS[_pick(seed, len(WORDS))]  # a string, or a schema that says nothing


def _pick(seed: str, n: int) -> int:
    return zlib.crc32(seed.encode()) % n
