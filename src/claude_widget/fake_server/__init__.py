"""The built-in fake Anthropic API: a real loopback HTTP server speaking the exact SSE format."""

from .api import KNOWN_MODELS
from .script import Fault, Replay, Script
from .server import FakeAnthropic
from .wire import RecordedRequest

__all__ = ["KNOWN_MODELS", "FakeAnthropic", "Fault", "RecordedRequest", "Replay", "Script"]
