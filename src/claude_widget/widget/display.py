"""How an answer shows in a cell's output beside the live widget: the markdown that everything without a widget
manager shows (GitHub, nbviewer, nbconvert, a reopened notebook), kept up to date, and freezing a finished answer
into that markdown alone.

The widget is displayed with a display id, so its saved markdown can be brought up to date when the answer is
complete (a cell's plain return value cannot be updated later).

The bundle also carries `ANSWER_MIME`, for the package's JupyterLab extension (js/src/lab/plugin.js): JupyterLab
and Notebook 7 render that entry, which shows the widget while its model is in the page and, once the answer has
finished, the saved markdown otherwise (a reopened notebook). It is there from the first display, so the final
update does not change which renderer JupyterLab picks: the one view stays (a new renderer would draw the widget
again). Everything else ignores the entry.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..engine.events import FINAL_STATUSES
from ..engine.loops import call_soon
from .fallback import answer_markdown

ANSWER_MIME = "application/vnd.claude-widget.answer+json"
"""An answer's own entry: `{"version": 1}` once finished, `{"version": 1, "streaming": true}` before (its
`text/markdown` then says that Claude is still answering). Either way the markdown stands in for the widget
while its model is not in the page (js/src/lab/answer_renderer.js)."""


class MarkdownOutput:
    """Mixed into `ChatWidget`: its output's markdown fallback, and `freeze()`."""

    if TYPE_CHECKING:

        @property
        def text(self) -> str: ...

        @property
        def calls(self) -> list[dict[str, Any]]: ...

    status: str
    model: str
    error: dict[str, Any] | None
    notice: str | None
    receipt: dict[str, Any] | None
    citations: list[dict[str, Any]]
    comm: Any
    freeze_when_done: bool
    close: Callable[[], None]
    _loop: asyncio.AbstractEventLoop  # the stream's, where the output is updated
    _display_id: str | None = None  # set once shown through IPython's display machinery

    @property
    def markdown(self) -> str:
        """The answer as markdown (raw HTML escaped), as GitHub, nbviewer and nbconvert show it."""
        return answer_markdown(self.text, status=self.status, model=self.model, error=self.error,
                               notice=self.notice, citations=self.citations, calls=self.calls)  # fmt: skip

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        bundle: tuple[dict[str, Any], dict[str, Any]] | None = super()._repr_mimebundle_(**kwargs)  # type: ignore[misc]
        if bundle is None:
            return None
        data, metadata = bundle
        finished = self.status in FINAL_STATUSES
        data = {**data, "text/markdown": self.markdown,
                ANSWER_MIME: {"version": 1} if finished else {"version": 1, "streaming": True}}  # fmt: skip
        receipt = self.receipt
        if receipt is not None:  # a saved notebook says what produced each answer
            metadata = {**metadata, "claude_widget": receipt}
        return data, metadata

    def _ipython_display_(self) -> None:
        from IPython.display import display

        self._display_id = self._display_id or f"claude-widget-{uuid.uuid4().hex}"
        was_final = self.status in FINAL_STATUSES
        bundle = self._repr_mimebundle_()
        if bundle is None:
            return
        display(bundle[0], metadata=bundle[1], raw=True, display_id=self._display_id)
        if not was_final and self.status in FINAL_STATUSES:
            # The stream (on its own thread) ended while this was shown: its update may have gone out first.
            call_soon(self._loop, self._update_output)

    def freeze(self) -> None:
        """Replace the finished widget with plain markdown output, for lightweight notebooks.

        The output keeps the answer as markdown; the widget (and its state) is closed. Call it when the answer
        is complete, or pass `Chat(freeze=True)` to do it automatically.
        """
        if self.status not in FINAL_STATUSES:
            raise RuntimeError("the answer is still streaming: freeze() it once it has finished (`await w`)")
        self.freeze_when_done = True
        self._update_output()
        self.close()

    def _update_output(self) -> None:
        """Bring the output's markdown up to date (or, once frozen, make it the only thing shown)."""
        if self._display_id is None:
            return
        from IPython.display import update_display

        if self.freeze_when_done and self.status in FINAL_STATUSES:
            receipt = self.receipt
            update_display({"text/markdown": self.markdown, "text/plain": self.text or self.markdown}, raw=True,
                           metadata={"claude_widget": receipt} if receipt else None,
                           display_id=self._display_id)  # fmt: skip
            if self.comm is not None:
                self.close()
            return
        bundle = self._repr_mimebundle_()
        if bundle is not None:
            update_display(bundle[0], metadata=bundle[1], raw=True, display_id=self._display_id)
