"""Structured results: a pydantic model or a JSON schema dict as the API's structured output format, and the
answer's text read back as an instance of it.

The schema sent is the SDK's own strict form of it (`anthropic.transform_schema`). A pydantic model validates the
answer fully. A dict schema is checked for what goes wrong in practice (the JSON cut short at the token limit, a
missing required field, the wrong type at the top); the API's structured outputs make the rest fit.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anthropic
import pydantic

JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict, "array": list, "string": str, "integer": int, "number": (int, float), "boolean": bool,
}  # fmt: skip


class SchemaMismatch(ValueError):
    """An answer that is not an instance of the schema asked for."""


@dataclass(frozen=True)
class OutputSchema:
    name: str
    json_schema: dict[str, Any]  # as the request sends it
    parse: Callable[[str], Any]  # the answer's text → the result; SchemaMismatch if it does not fit
    fields: tuple[str, ...] = ()  # an object's top-level fields, in order (a table's columns)


def output_schema(schema: object) -> OutputSchema:
    """`schema` (a pydantic model class, or a JSON schema dict) as the format to ask for and the parser to apply."""
    if inspect.isclass(schema) and issubclass(schema, pydantic.BaseModel):
        model = schema

        def parse_model(text: str) -> Any:
            try:
                return model.model_validate_json(text)
            except pydantic.ValidationError as error:
                first = error.errors()[0]
                where = ".".join(map(str, first["loc"])) or "the answer"
                raise SchemaMismatch(f"the answer does not fit {model.__name__}: {where}: {first['msg']}") from None

        return OutputSchema(model.__name__, anthropic.transform_schema(model), parse_model, tuple(model.model_fields))
    if isinstance(schema, dict):
        if not isinstance(schema.get("type"), str) and "properties" not in schema and "$ref" not in schema:
            raise TypeError('schema= takes a pydantic model or a JSON schema dict such as {"type": "object", ...}')
        title = str(schema.get("title", "the schema"))
        try:
            strict = anthropic.transform_schema(schema)
        except (AssertionError, TypeError, ValueError, KeyError) as error:
            raise TypeError(f"schema= is not a JSON schema the API's structured outputs take: {error!r:.200}") from None
        return OutputSchema(title, strict, lambda text: _parse_dict(text, schema, title),
                            tuple(schema.get("properties", {})))  # fmt: skip
    raise TypeError(f"schema= takes a pydantic model class or a JSON schema dict, not {type(schema).__name__}")


def _parse_dict(text: str, schema: dict[str, Any], title: str) -> Any:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise SchemaMismatch(
            f"the answer is not JSON ({error.msg} at character {error.pos}): was it cut short?"
        ) from None
    expected = JSON_TYPES.get(schema.get("type", ""))
    if expected is not None and (not isinstance(value, expected) or isinstance(value, bool) != (expected is bool)):
        raise SchemaMismatch(f"the answer does not fit {title}: expected {schema['type']}, got {type(value).__name__}")
    if isinstance(value, dict):
        missing = [name for name in schema.get("required", []) if name not in value]
        if missing:
            raise SchemaMismatch(f"the answer does not fit {title}: missing {', '.join(missing)}")
    return value
