"""What `send(prompt, *objects)` can attach to a question, as Messages API content blocks before the prompt's
text: each kind is turned into blocks here, checked before anything is sent.

DataFrames and Series (a bounded summary: tables.py), images (images.py) and files by path (files.py).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any, Literal

from ..engine.errors import NOT_THE_USERS, PACKAGE, AttachmentTypeError, EmptyPromptError, PromptTypeError
from . import files, images, tables

SUPPORTED = (
    "a pandas or polars DataFrame or Series, a matplotlib Figure or Axes, a Pillow image, an object with "
    "_repr_png_ or _repr_jpeg_, PNG, JPEG, GIF or WebP bytes, or a file's path (a str or Path: "
    f"{files.SUPPORTED})"
)


@dataclass(frozen=True)
class Named:
    """An object with the name it has in the kernel (`%%claude --with df`), which its summary gives."""

    obj: object
    name: str


@dataclass(frozen=True)
class Attachment:
    """One object as the API gets it (`blocks`) and as the widget's chip names it (`label`, `detail`)."""

    blocks: tuple[dict[str, Any], ...]
    label: str  # "df · DataFrame · 10,000 × 5" (the variable's name when it has one)
    detail: str  # what a hover shows: the columns, a file's path
    kind: Literal["table", "image", "file"] = "file"

    def chip(self) -> dict[str, str]:
        """What the widget shows of it: the label, the hover text and, for an image, a small thumbnail. Nothing
        else of the data reaches the browser or the saved notebook."""
        image = next((b for b in self.blocks if b["type"] == "image"), None)
        thumbnail = images.thumbnail(image["source"]["data"]) if image is not None else ""
        return {"kind": self.kind, "label": self.label, "detail": self.detail, "thumbnail": thumbnail}


def attach(obj: object, *, name: str | None = None, table_tokens: int = tables.DEFAULT_TABLE_TOKENS) -> Attachment:
    """`obj` as content blocks; a `TypeError` naming the supported kinds for anything else. A table or an image
    without a `name` is named as the code that called claude-widget names it, if it does (`send(q, df)`)."""
    if isinstance(obj, Named):
        return attach(obj.obj, name=obj.name, table_tokens=table_tokens)
    if tables.is_table(obj):
        name = name or name_in_caller(obj)
        summary = tables.summarize(obj, name=name, budget=table_tokens)
        shown = ", ".join(summary.columns[:30]) + (" …" if len(summary.columns) > 30 else "")
        label = _named(name, summary.label)
        return Attachment(({"type": "text", "text": summary.text},), label, f"columns: {shown}", "table")
    if images.is_image(obj):
        name = name or name_in_caller(obj)
        image = images.image_of(obj)
        return Attachment((image.block,), _named(name, image.label), "", "image")
    if files.is_file_reference(obj):
        content = files.file_content(obj, table_tokens=table_tokens)  # type: ignore[arg-type]
        return Attachment(content.blocks, content.label, str(obj), "file")
    what = f"{name} ({type(obj).__qualname__})" if name else f"{type(obj).__module__}.{type(obj).__qualname__}"
    # A TypeError that IPython shows without our frames (issue 22, item 8: user errors read short).
    raise AttachmentTypeError(f"cannot attach {what} to a question: send() takes {SUPPORTED}")


def _named(name: str | None, label: str) -> str:
    return f"{name} · {label}" if name else label


def name_in_caller(obj: object) -> str | None:
    """The name the user's code binds to this very object (`is`), in the frame that called claude-widget: its
    locals, then its globals (a notebook's namespace). None when there is none, when the caller is a library
    (a job's worker thread, asyncio) or when anything goes wrong: a chip without a name, as before. IPython's
    output history (`_`, `_7`) and other private names do not count."""
    frame: FrameType | None = None
    try:
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename.startswith(PACKAGE):
            frame = frame.f_back  # claude-widget's own frames
        if frame is None or frame.f_code.co_filename.startswith(NOT_THE_USERS):
            return None
        for namespace in (frame.f_locals, frame.f_globals):
            for name, value in list(namespace.items()):
                if value is obj and isinstance(name, str) and name.isidentifier() and not name.startswith("_"):
                    return name
        return None
    except Exception:  # naming is a nicety: never the reason a question fails
        return None
    finally:
        del frame  # no reference cycle through the caller's frame


def user_content(prompt: str, attachments: Sequence[Attachment]) -> str | list[dict[str, Any]]:
    """The user message's content: the prompt alone, or every attachment's blocks and then the prompt."""
    if not attachments:
        return prompt
    return [*(block for a in attachments for block in a.blocks), {"type": "text", "text": prompt}]


def checked_prompt(prompt: object) -> str:
    """The question's text, or a clear error for anything that is not a non-empty string."""
    if not isinstance(prompt, str):  # the wrong kind of thing: a TypeError, as Python's own functions raise
        raise PromptTypeError(
            f"the prompt must be a string, got {type(prompt).__name__} {prompt!r:.60}; to ask about an object, "
            "pass it after the prompt: chat.send('What stands out?', df)"
        )
    if not prompt.strip():
        raise EmptyPromptError(f"the prompt must be a non-empty string, got {prompt!r:.60}")
    return prompt
