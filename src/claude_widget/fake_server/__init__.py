"""The built-in fake Anthropic API: a real loopback HTTP server speaking the exact SSE format."""

from .script import Fault, Replay, Script
from .server import KNOWN_MODELS, FakeAnthropic, RecordedRequest

__all__ = ["KNOWN_MODELS", "FakeAnthropic", "Fault", "RecordedRequest", "Replay", "Script"]
