"""What the real API says and checks, for the fake server: its error bodies and wording, the request checks of
today's API (its versions, the parameters it removed, what history it accepts, the settings each model refuses:
models.py), the signatures of thinking blocks, the Models API's view of a model, and how it reads a request (a
prefill, the partial answer a continuation carries; its size: request_tokens.py). Pure.

Every fact about a model comes from the table in models.py (`table_facts`: never what a client in the same
process learnt from the Models API); a model the table does not know (one a test names with
`FakeAnthropic(models=...)`) behaves as a Claude 4.x model did: no thinking unless asked, summaries shown, the
1,024-token cache minimum, no prefill, no setting refused, and the Models API says so.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from ..api.models import EFFORTS, MODELS, ModelFacts, Pricing, facts_for, rates, refusal

UNKNOWN_CACHE_MIN = 1024  # a model the table does not know: the usual minimum of the Claude 4 era
_TABLE_IDS = frozenset(facts.id for facts in MODELS)
_NO_PRICES = Pricing(rates(0, 0))  # a model the table does not know: its prices are not shown anyway

# `anthropic-version`: the versions the API takes. 2023-01-01 is the first one, still listed on the versioning
# page; SDK 2.x sends 2026-10-21. A request without the header is read as the current version (the real API
# answers "anthropic-version: header is required"; raw test requests to the fake server may leave it out).
CURRENT_VERSION = "2026-10-21"
API_VERSIONS = ("2023-01-01", "2023-06-01", CURRENT_VERSION)
SAMPLING = ("temperature", "top_p", "top_k")  # removed from the request schema in 2026-10-21

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


def table_facts(model: str) -> ModelFacts | None:
    """models.py's row for a model id, alias or dated id; None for a model the table does not know."""
    facts = facts_for(model)
    return facts if facts is not None and facts.id in _TABLE_IDS else None


def error_body(status: int, message: str, request_id: str) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {"type": ERROR_TYPES.get(status, "api_error"), "message": message},
        "request_id": request_id,
    }


# -- the request's checks ---------------------------------------------------------------------------------------


def version_problem(headers: dict[str, str]) -> str | None:
    """The 400 for an `anthropic-version` the API does not know (wording from field reports: unconfirmed)."""
    version = headers.get("anthropic-version")
    if version is None or version in API_VERSIONS:
        return None
    return f'anthropic-version: "{version}" is not a valid version'


def request_version(headers: dict[str, str]) -> str:
    return headers.get("anthropic-version") or CURRENT_VERSION


def schema_problem(body: dict[str, Any], version: str) -> str | None:
    """What the request schema of `version` refuses before the model is looked at: under 2026-10-21, the sampling
    parameters, even at their default values (wording from a field report)."""
    if version != CURRENT_VERSION:
        return None
    return next((f"{name}: Extra inputs are not permitted" for name in SAMPLING if name in body), None)


def history_problem(body: dict[str, Any], version: str) -> str | None:
    """What the API refuses in the conversation sent back: a thinking block whose signature does not match it
    (edited, emptied, invented: the wording of the preserved-thinking docs), and under 2026-10-21 a `document`
    block in an assistant message or a user `text` block with citations (these two wordings are unconfirmed: the
    migration page states the 400s, not their words)."""
    for i, message in enumerate(body.get("messages") or []):
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, list):
            continue
        role = message.get("role")
        for j, block in enumerate(content):
            kind = block.get("type") if isinstance(block, dict) else None
            if role == "assistant" and kind == "thinking" and not signature_matches(block):
                return (
                    f"messages.{i}.content.{j}: Invalid `signature` in `thinking` block. The block is bound to a "
                    "different conversation. Remove the block, or set "
                    '`thinking.block_binding.prefix_mismatch_behavior` to "drop_block".'
                )
            if version != CURRENT_VERSION:
                continue
            if role == "assistant" and kind == "document":
                return f"messages.{i}.content.{j}: `document` blocks are not supported in `assistant` messages."
            if role == "user" and kind == "text" and block.get("citations"):
                return f"messages.{i}.content.{j}.text.citations: Citations are not supported in `user` messages."
    return None


def model_problem(body: dict[str, Any]) -> str | None:
    """What the request's model refuses (models.refusal: thinking types, effort, forced tool choice, max_tokens,
    data residency), and fast mode on a model without it (wording unconfirmed)."""
    refused = refusal(body)
    if refused is not None:
        return refused.message
    facts = table_facts(str(body.get("model", "")))
    if body.get("speed") == "fast" and facts is not None and not (facts.pricing and facts.pricing.fast_offered):
        return "speed: Fast mode is not supported for this model."
    return None


def prefill_accepted(model: str) -> bool:
    """Whether the model takes an assistant-message prefill (models.py); a model the table does not know does
    not."""
    facts = table_facts(model)
    return facts is not None and facts.prefill


def cache_min(model: str) -> int:
    """The shortest prompt prefix the model caches, in tokens."""
    facts = table_facts(model)
    return facts.cache_min if facts is not None else UNKNOWN_CACHE_MIN


# -- thinking signatures ----------------------------------------------------------------------------------------
# A thinking block's signature binds its text (empty where the thinking was omitted) to the model that wrote it:
# "sig-" + the signed facts + "." + their HMAC. The key is the fake server's "account": the same on every server,
# so a conversation recorded on one is valid on another.
_KEY = b"claude-widget fake server"


def sign(model: str, thinking: str, nonce: str) -> str:
    facts = base64.urlsafe_b64encode(json.dumps([model, nonce]).encode()).decode().rstrip("=")
    return f"sig-{facts}.{_mac(facts, thinking)}"


def signature_matches(block: dict[str, Any]) -> bool:
    signature, thinking = block.get("signature"), block.get("thinking")
    if not isinstance(signature, str) or not isinstance(thinking, str) or not signature.startswith("sig-"):
        return False
    facts, _, mac = signature[4:].partition(".")
    return hmac.compare_digest(mac, _mac(facts, thinking))


def _mac(facts: str, thinking: str) -> str:
    return hmac.new(_KEY, f"{facts}\n{thinking}".encode(), hashlib.sha256).hexdigest()[:32]


# -- the Models API -----------------------------------------------------------------------------------------------


def model_info(model: str) -> dict[str, Any]:
    """`GET /v1/models/{id}`'s answer for a model: the table's facts, as the API's `ModelInfo`."""
    facts = table_facts(model)
    if facts is None:  # a name the server was told to serve: it refuses nothing, so everything is supported
        kinds = frozenset({"adaptive", "enabled", "disabled"})
        unknown = ModelFacts(model, model, "current", "", _NO_PRICES, thinking_types=kinds)
        return {"type": "model", "id": model, "display_name": model, "created_at": "1970-01-01T00:00:00Z",
                "max_input_tokens": unknown.context, "max_tokens": unknown.max_output,
                "capabilities": _capabilities(unknown), "lifecycle": "active", "deprecated_at": None,
                "retires_at": None, "line": None}  # fmt: skip
    return {
        "type": "model",
        "id": facts.id,
        "display_name": facts.name,
        # The release date where the docs give it; else the epoch, as the API documents for an unknown date.
        "created_at": f"{facts.released or '1970-01-01'}T00:00:00Z",
        "max_input_tokens": facts.context,
        "max_tokens": facts.max_output,
        "capabilities": _capabilities(facts),
        # Legacy models are still served and open to all, with no retirement date published: "active".
        # ("deprecated" means closed to new users and headed for retirement, which the docs do not say of them.)
        "lifecycle": "active",
        "deprecated_at": None,
        "retires_at": None,
        "line": facts.name.split()[1].lower(),  # "Claude Opus 5.5" -> "opus"
    }


def _capabilities(facts: ModelFacts) -> dict[str, Any]:
    """What the model supports, by the table; the capabilities the table does not describe (batch, citations,
    images, PDFs, structured outputs, server tools, context management) are on for every model: unconfirmed per
    model."""

    def on(value: bool = True) -> dict[str, bool]:
        return {"supported": value}

    effort: dict[str, Any] = {"supported": bool(facts.efforts)}
    effort |= {level: on(level in facts.efforts) for level in EFFORTS}
    types = {kind: on(kind in facts.thinking_types) for kind in ("adaptive", "between_tools", "disabled", "enabled")}
    return {
        "batch": on(),
        "citations": on(),
        "code_execution": on(),
        "context_management": {
            "supported": True,
            "clear_thinking_20251015": on(),
            "clear_tool_uses_20250919": on(),
            "compact_20260112": on(),
        },
        "effort": effort,
        "image_input": on(),
        "pdf_input": on(),
        "server_tools": {"supported": True, "code_execution": on(), "web_search": on()},
        "structured_outputs": on(),
        "thinking": {"supported": True, "types": types},
    }


# -- reading a request ----------------------------------------------------------------------------------------------


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
