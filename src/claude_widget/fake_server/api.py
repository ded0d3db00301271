"""What the real API says and counts, for the fake server: its models, its error bodies and wording, and how it
reads a request (a prefill, the partial answer a continuation carries; its size: request_tokens.py). Pure."""

from __future__ import annotations

from typing import Any

KNOWN_MODELS = (
    "claude-opus-5-5",
    "claude-sonnet-5-5",
    "claude-haiku-5-5",
    "claude-opus-4-8",
    "claude-sonnet-4-6",
    "claude-sonnet-4-5",
    "claude-haiku-4-5",
)
PREFILL_REJECTED = (
    "This model does not support assistant message prefill. The conversation must end with a user message."
)

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


def error_body(status: int, message: str, request_id: str) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {"type": ERROR_TYPES.get(status, "api_error"), "message": message},
        "request_id": request_id,
    }


def partial_answer(body: dict[str, Any]) -> str:
    """The text of the request's last assistant turn, which a continuation request carries."""
    for message in reversed(body.get("messages", [])):
        if message.get("role") == "assistant":
            content = message.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
            return ""
    return ""


def message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content or [] if isinstance(p, dict))


def is_prefill(message: dict[str, Any]) -> bool:
    """A final assistant turn that is not a paused server-tool turn being resumed."""
    content = message.get("content")
    resumed = isinstance(content, list) and any(b.get("type") == "server_tool_use" for b in content)
    return message.get("role") == "assistant" and not resumed
