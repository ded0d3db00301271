"""What `chat.map` asks of each item: its question's text and the objects sent with it. Pure.

An item is a string, a dict (or a DataFrame's row), or a tuple whose first part is the text and whose other parts
go with it as `send` takes them (a DataFrame, an image, a file). `prompt` is a template ("Classify: {}", or
"{name} wrote: {review}" filled from a dict or a row) or a function of the item. Every item's question is made
before anything is sent, so a template that does not fit an item fails the job at once.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Prompt = str | Callable[[Any], Any] | None


@dataclass(frozen=True)
class Question:
    index: int
    item: Any  # as given
    text: str
    objects: tuple[object, ...] = ()


def items_of(items: object) -> list[Any]:
    """The items, in order: an iterable's elements, a Series' values, a DataFrame's rows as dicts."""
    if isinstance(items, (str, bytes)):
        raise TypeError("map() takes an iterable of items (a list, a pandas Series, a DataFrame), not one string")
    module = type(items).__module__.split(".")[0]
    if module == "pandas" and hasattr(items, "to_dict") and hasattr(items, "columns"):
        return list(items.to_dict("records"))
    if module == "polars" and hasattr(items, "iter_rows"):
        return list(items.iter_rows(named=True))
    if not isinstance(items, Iterable):
        raise TypeError(f"map() takes an iterable of items, not {type(items).__name__}")
    return list(items)


def questions(items: list[Any], prompt: Prompt) -> list[Question]:
    """Each item's question; `ValueError` naming the first item that does not fit (nothing is sent then)."""
    if prompt is not None and not isinstance(prompt, str) and not callable(prompt):
        raise TypeError(f"prompt must be a template string or a function of the item, not {type(prompt).__name__}")
    fields = _fields(prompt) if isinstance(prompt, str) else set()
    return [_question(i, item, prompt, fields) for i, item in enumerate(items)]


def _fields(template: str) -> set[str]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as error:
        raise ValueError(f"prompt {template!r} is not a valid template: {error}") from None
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in parsed if name is not None}


def _question(index: int, item: Any, prompt: Prompt, fields: set[str]) -> Question:
    where = f"item {index} ({_shown(item)})"
    if callable(prompt):
        try:
            made = prompt(item)
        except Exception as error:
            raise ValueError(f"prompt({where}) raised {type(error).__name__}: {error}") from error
        text, objects = _split(made, f"prompt({where}) returned")
        return Question(index, item, _checked(text, where), objects)
    text, objects = _split(item, where) if not isinstance(item, Mapping) else (None, ())
    if prompt is None:
        if text is None:
            raise ValueError(f"{where} is a dict: give prompt= a template with its {{field}} names")
        return Question(index, item, _checked(text, where), objects)
    named = fields - {""} - {str(n) for n in range(10)}
    try:
        if named:
            if not isinstance(item, Mapping):
                raise ValueError(f"prompt {prompt!r} names fields ({', '.join(sorted(named))}), but {where} is not"
                                 " a dict or a DataFrame row")  # fmt: skip
            missing = sorted(named - set(map(str, item)))
            if missing:
                raise ValueError(f"prompt {prompt!r} does not fit {where}: it has no {', '.join(missing)} (it has:"
                                 f" {', '.join(map(str, item))})")  # fmt: skip
            filled = prompt.format_map(item)
        else:
            filled = prompt.format(text if text is not None else item)
    except (KeyError, IndexError, AttributeError) as error:
        raise ValueError(f"prompt {prompt!r} does not fit {where}: {error}") from None
    return Question(index, item, _checked(filled, where), objects)


def _split(made: Any, where: str) -> tuple[str | None, tuple[object, ...]]:
    """An item's (or a prompt function's) text and the objects that go with it."""
    if isinstance(made, tuple):
        if not made or not isinstance(made[0], str):
            raise ValueError(f"{where} a tuple whose first part is not the question's text")
        return made[0], made[1:]
    if isinstance(made, str):
        return made, ()
    if isinstance(made, Mapping):
        raise ValueError(f"{where} a dict: a prompt function returns the question's text")
    return str(made), ()  # a number, a date: its text


def _checked(text: str | None, where: str) -> str:
    if text is None or not text.strip():
        raise ValueError(f"{where}: the question is empty")
    return text


def _shown(item: Any) -> str:
    shown = repr(item)
    return shown if len(shown) <= 60 else shown[:57] + "…"
