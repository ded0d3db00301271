"""Stream Claude's answers into Jupyter notebook cells."""

from .chat import Chat, replay
from .engine.errors import MissingAPIKeyError, StreamError
from .engine.events import Finished, StatusChanged, StreamEvent, TextDelta, UsageChanged
from .engine.stream import StreamManager
from .store.ledger import answers
from .widget.chat_widget import ChatWidget

__all__ = [
    "Chat",
    "ChatWidget",
    "Finished",
    "MissingAPIKeyError",
    "StatusChanged",
    "StreamError",
    "StreamEvent",
    "StreamManager",
    "TextDelta",
    "UsageChanged",
    "answers",
    "replay",
]
__version__ = "0.1.0"


def load_ipython_extension(ipython):  # type: ignore[no-untyped-def]
    """`%load_ext claude_widget` registers the `%%claude` and `%claude` magics."""
    from .magics import ClaudeMagics

    ipython.register_magics(ClaudeMagics)
