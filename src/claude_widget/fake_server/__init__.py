"""The built-in fake Anthropic API: a real loopback HTTP server speaking the exact SSE format, its models behaving
as models.py describes them."""

from .script import Fault, Replay, Script
from .server import FakeAnthropic
from .wire import RecordedRequest

__all__ = ["FakeAnthropic", "Fault", "RecordedRequest", "Replay", "Script"]
