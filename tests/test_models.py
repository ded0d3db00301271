"""The model table (models.py) is the one home of the API's facts: the client and the fake server read it, and
docs/models.md shows it as it is."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import anthropic
import httpx2
from anthropic.types import ModelInfo

from claude_widget.api.models import MODELS, ModelFacts, facts_for, learn, refusal
from claude_widget.engine.options import StreamOptions

DOC = Path(__file__).parent.parent / "docs" / "models.md"


def money(usd: float) -> str:
    return "$" + f"{usd:.3f}".rstrip("0").rstrip(".")


def doc_row(f: ModelFacts) -> str:
    """The model's row in docs/models.md."""
    p = f.pricing
    extra = []
    if p.long_prompt is not None:
        extra.append(f"over {p.long_prompt_above:,} prompt tokens: {money(p.long_prompt.input)} / "
                     f"{money(p.long_prompt.output)}, reads {money(p.long_prompt.cache_read)}")  # fmt: skip
    if p.fast is not None:
        extra.append(f"fast: {money(p.fast.input)} / {money(p.fast.output)} ⚠️")
    elif p.fast_offered:
        extra.append("fast: price unknown")
    thinking = "adaptive, on" if f.thinks_by_default else "off"
    std = p.standard
    cells = [f"`{f.id}`", f.status, thinking, ", ".join(sorted(f.thinking_types)), f.default_display,
             f.default_effort or "—", f"{f.cache_min:,}", f"{money(std.input)} / {money(std.output)}",
             f"{money(std.cache_write_5m)} / {money(std.cache_write_1h)}", money(std.cache_read),
             "; ".join(extra)]  # fmt: skip
    return "| " + " | ".join(cells) + " |"


def test_docs_models_md_shows_the_table_as_it_is() -> None:
    doc = DOC.read_text()
    missing = [doc_row(f) for f in MODELS if doc_row(f) not in doc]
    assert not missing, "docs/models.md is out of date; its rows should read:\n" + "\n".join(missing)


def test_ids_aliases_and_dated_ids_find_their_model() -> None:
    sonnet = facts_for("claude-sonnet-5-5")
    assert sonnet is not None and sonnet.name == "Claude Sonnet 5.5"
    assert facts_for("claude-haiku-4-5-20251001") is facts_for("claude-haiku-4-5")
    assert facts_for("claude-sonnet-4-5-20250929") is facts_for("claude-sonnet-4-5")
    assert facts_for("claude-sonnet-5") is not facts_for("claude-sonnet-5-5")  # a prefix is not a dated id
    assert facts_for("claude-sonnet-5-5-turbo") is None and facts_for("gpt-5") is None
    assert len({f.id for f in MODELS}) == len(MODELS)


def test_todays_models_think_by_default_and_hide_it() -> None:
    for model in ("claude-sonnet-5-5", "claude-opus-5-5", "claude-haiku-5-5", "claude-fable-5-2"):
        facts = facts_for(model)
        assert facts is not None and facts.thinks_by_default and facts.default_display == "omitted"
        assert "enabled" not in facts.thinking_types and facts.max_output == 128_000 and facts.cache_min == 512
        assert not facts.prefill


YES, NO = {"supported": True}, {"supported": False}
NEW_MODEL = {
    "id": "claude-sonnet-6", "type": "model", "display_name": "Claude Sonnet 6", "created_at": "2027-01-01T00:00:00Z",
    "max_input_tokens": 2_000_000, "max_tokens": 64_000, "lifecycle": "active",
    "capabilities": {
        "thinking": {"supported": True, "types": {"adaptive": YES, "enabled": NO, "disabled": YES,
                                                  "between_tools": NO}},
        "effort": {"supported": True, "low": YES, "medium": YES, "high": YES, "max": YES},
        "batch": YES, "citations": YES, "code_execution": YES, "image_input": YES, "pdf_input": YES,
        "structured_outputs": YES, "server_tools": {"supported": True, "code_execution": YES, "web_search": YES},
        "context_management": {"supported": True, "clear_thinking_20251015": YES, "clear_tool_uses_20250919": YES,
                               "compact_20260112": YES},
    },
}  # fmt: skip


class ModelsAPI:
    """The SDK's `client.models` as far as `learn` uses it (an in-process stand-in: the unit under test is the
    reading of a ModelInfo)."""

    def __init__(self, info: dict[str, object] | None) -> None:
        self.info, self.asked = info, 0

    async def retrieve(self, model: str, timeout: float) -> ModelInfo:
        self.asked += 1
        if self.info is None:
            raise anthropic.NotFoundError("model", response=httpx2.Response(404, request=REQUEST), body=None)
        return ModelInfo.model_validate(self.info)


REQUEST = httpx2.Request("GET", "http://127.0.0.1/v1/models/x")


async def test_a_model_the_table_does_not_know_is_learnt_from_the_models_api_once() -> None:
    client = SimpleNamespace(models=ModelsAPI(NEW_MODEL))
    facts = await learn(client, "claude-sonnet-6")
    assert facts is not None and facts_for("claude-sonnet-6") is facts and facts.name == "Claude Sonnet 6"
    assert (facts.context, facts.max_output) == (2_000_000, 64_000)
    assert facts.thinking_types == {"adaptive", "disabled"} and facts.efforts == ("low", "medium", "high", "max")
    assert facts.pricing is None and not facts.thinks_by_default  # nothing assumed: no price, no thinking unasked
    await learn(client, "claude-sonnet-6")
    assert client.models.asked == 1
    # What it takes now shapes the request, and what it refuses fails before sending.
    assert StreamOptions(model="claude-sonnet-6").token_limit == 8192
    assert refusal({"model": "claude-sonnet-6", "output_config": {"effort": "xhigh"}}) is not None
    assert refusal({"model": "claude-sonnet-6", "thinking": {"type": "enabled", "budget_tokens": 2000}}) is not None


async def test_a_model_the_models_api_cannot_describe_is_refused_nothing() -> None:
    client = SimpleNamespace(models=ModelsAPI(None))
    assert await learn(client, "claude-nonexistent-1") is None
    assert facts_for("claude-nonexistent-1") is None and refusal({"model": "claude-nonexistent-1"}) is None
