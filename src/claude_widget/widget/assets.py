"""The front end's code and styles, shared by every widget of the kernel.

The ~890 KB bundle (KaTeX and its fonts, highlight.js, marked) crosses the wire, and sits in saved widget
state, once per notebook instead of once per answer: one `ChatAssets` model holds it, and each `ChatWidget`'s
own `_esm` is a small loader (js/src/loader.js) that takes the code from it. A front end that cannot reach that
model (a notebook reopened with partial state, a host without a widget manager) asks its widget for the bundle
with a `bundle` intent; the reply carries the request's id.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import anywidget
import traitlets

from . import protocol

STATIC = Path(__file__).parent.parent / "static"
# Every answer's `_esm`, as text: given a file, anywidget ties each widget made to that file's change signal, which
# then keeps every widget alive for good (and its answer, its attachments' chips, its stream).
LOADER = (STATIC / "loader.js").read_text(encoding="utf-8")


class ChatAssets(anywidget.AnyWidget):
    """The view's JavaScript and CSS. Never displayed."""

    _esm = "export default {};"
    code = traitlets.Unicode("").tag(sync=True)
    style = traitlets.Unicode("").tag(sync=True)


_shared: ChatAssets | None = None


@cache
def _bundle() -> tuple[str, str]:
    return (STATIC / "widget.js").read_text(), (STATIC / "widget.css").read_text()


def shared_assets() -> ChatAssets:
    """The kernel's one assets model: created on first use, and again after `Widget.close_all()`."""
    global _shared
    if _shared is None or _shared.comm is None:
        code, style = _bundle()
        _shared = ChatAssets(code=code, style=style)
    return _shared


def bundle_reply(request_id: str) -> protocol.Bundle:
    """The answer to a front end's `bundle` request."""
    code, style = _bundle()
    return protocol.bundle(request_id, code, style)
