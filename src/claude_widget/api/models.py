"""What the API does with each model, in one table: limits, thinking, effort, the settings it refuses, caching and
prices. Pure.

The client reads it for its defaults, for the settings it refuses before sending (`refusal`) and for cost
(pricing.py); the fake server reads it to behave as each model does. Adding a model is one row. Each row cites
the page its facts come from; docs/models.md gathers them, with what is unconfirmed. A model the table does not
know is refused nothing in advance and has no price.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

Effort = Literal["low", "medium", "high", "xhigh", "max"]
EFFORTS: tuple[Effort, ...] = ("low", "medium", "high", "xhigh", "max")
Display = Literal["summarized", "omitted"]

DOCS = "https://platform.claude.com/docs/en"
PRICING_PAGE = f"{DOCS}/about-claude/pricing"


@dataclass(frozen=True)
class Rates:
    """USD per million tokens of each kind."""

    input: float
    output: float
    cache_write_5m: float
    cache_write_1h: float
    cache_read: float

    def scaled(self, factor: float) -> Rates:
        return Rates(*(rate * factor for rate in (self.input, self.output, self.cache_write_5m, self.cache_write_1h,
                                                   self.cache_read)))  # fmt: skip


def rates(input_: float, output: float, cache_read: float | None = None) -> Rates:
    """The usual multiples of the input price: 1.25x for a 5-minute cache write, 2x for a 1-hour one, 0.1x for a
    read (a few models read for less)."""
    return Rates(input_, output, input_ * 1.25, input_ * 2, input_ * 0.1 if cache_read is None else cache_read)


@dataclass(frozen=True)
class Pricing:
    """A model's prices: `standard`; above `long_prompt_above` prompt tokens (input, cache reads and cache writes
    of one request), `long_prompt` for every token of that request, output included; `fast` for `speed: "fast"`
    (None: the API offers it, its price is not known here)."""

    standard: Rates
    long_prompt: Rates | None = None
    long_prompt_above: int = 0
    fast: Rates | None = None
    fast_offered: bool = False


@dataclass(frozen=True)
class ModelFacts:
    id: str
    name: str  # as the docs name it
    status: Literal["current", "legacy"]
    source: str  # the page these facts come from
    pricing: Pricing | None  # None: not known (a model learnt from the Models API)
    context: int = 1_000_000  # max input tokens
    max_output: int = 128_000
    # Thinking: what a request without `thinking` gets, the types accepted, and the default `display`.
    thinks_by_default: bool = True
    thinking_types: frozenset[str] = frozenset({"adaptive"})
    default_display: Display = "omitted"
    # `output_config.effort`: None where the model has no effort setting.
    default_effort: Effort | None = "high"
    disabled_up_to: Effort | None = None  # `disabled` thinking only at this effort or lower
    between_tools_up_to: Effort | None = None
    prefill: bool = False  # accepts an assistant-message prefill
    forced_tool_choice: bool = False  # accepts tool_choice "any" / "tool"
    narration_in_thinking: bool = False  # the text between tool calls comes inside thinking blocks
    cache_min: int = 512  # shorter prompts are silently not cached
    inference_geo: bool = True  # takes `inference_geo` (data residency, priced 1.1x)
    # The 5.x tokenizer counts about 30% more tokens than 4.x's for the same text (documented for Sonnet 5 / 5.5
    # and Haiku 5.5; assumed for the other 5.x models): about 3.1 characters a token, against 4.
    chars_per_token: float = 4 / 1.3
    aliases: tuple[str, ...] = field(default_factory=tuple)
    released: str | None = None  # ISO date of release, where the docs give it (the Models API's `created_at`)
    effort_levels: tuple[Effort, ...] | None = None  # where not all five (a model learnt from the Models API)

    @property
    def efforts(self) -> tuple[Effort, ...]:
        if self.effort_levels is not None:
            return self.effort_levels
        return EFFORTS if self.default_effort is not None else ()


def _legacy_4(id_: str, name: str, pricing: Pricing, **facts: Any) -> ModelFacts:
    """A Claude 4.x model: no thinking unless asked, summaries shown."""
    defaults: dict[str, Any] = dict(status="legacy", source=f"{DOCS}/models/overview", pricing=pricing,
                                    chars_per_token=4.0, thinks_by_default=False, default_display="summarized",
                                    forced_tool_choice=True,
                                    thinking_types=frozenset({"adaptive", "enabled", "disabled"}))  # fmt: skip
    return ModelFacts(id_, name, **{**defaults, **facts})


# fmt: off
_FABLE_5_2 = ModelFacts(
    "claude-fable-5-2", "Claude Fable 5.2", "current", f"{DOCS}/models/fable-5-2/migration-guide",
    Pricing(rates(8, 40, cache_read=0.20), fast_offered=True), narration_in_thinking=True, released="2026-11-09",
)
_FABLE_5_1 = replace(_FABLE_5_2, id="claude-fable-5-1", name="Claude Fable 5.1", status="legacy",
                     source=PRICING_PAGE, pricing=Pricing(rates(10, 50, cache_read=0.25)), released=None)
_FABLE_5 = replace(_FABLE_5_1, id="claude-fable-5", name="Claude Fable 5", narration_in_thinking=False,
                   pricing=Pricing(rates(10, 50, cache_read=1.00)), released="2026-06-09")
_OPUS_4_5_PRICES = Pricing(rates(5, 25))
_SONNET_4_PRICES = Pricing(rates(3, 15))

DEFAULT_MODEL = "claude-sonnet-5-5"  # what a Chat, the magics and the fake server use unless told

MODELS: tuple[ModelFacts, ...] = (
    _FABLE_5_2,
    replace(_FABLE_5_2, id="claude-mythos-5-2", name="Claude Mythos 5.2"),
    _FABLE_5_1,
    replace(_FABLE_5_1, id="claude-mythos-5-1", name="Claude Mythos 5.1"),
    _FABLE_5,
    replace(_FABLE_5, id="claude-mythos-5", name="Claude Mythos 5"),
    ModelFacts("claude-opus-5-5", "Claude Opus 5.5", "current", f"{DOCS}/models/opus-5-5/whats-new-opus-5-5",
               # fast: twice the standard rates (a third-party figure: the docs say "premium")
               Pricing(rates(4, 20, cache_read=0.20), fast=rates(8, 40, cache_read=0.40), fast_offered=True),
               default_effort="medium", narration_in_thinking=True, released="2026-09-22"),
    ModelFacts("claude-sonnet-5-5", "Claude Sonnet 5.5", "current", f"{DOCS}/models/sonnet-5-5/migration-guide",
               Pricing(rates(2, 10, cache_read=0.10)), thinking_types=frozenset({"adaptive", "between_tools"}),
               between_tools_up_to="high", narration_in_thinking=True, released="2026-09-28"),
    ModelFacts("claude-haiku-5-5", "Claude Haiku 5.5", "current", f"{DOCS}/models/haiku-5-5/overview",
               Pricing(rates(0.10, 0.50, cache_read=0.01), long_prompt=rates(0.50, 2.50, cache_read=0.05),
                       long_prompt_above=100_000),
               default_effort="medium", thinking_types=frozenset({"adaptive", "disabled"}), disabled_up_to="high",
               forced_tool_choice=True, released="2026-10-07"),
    ModelFacts("claude-opus-5", "Claude Opus 5", "legacy", f"{DOCS}/about-claude/models/whats-new-opus-5",
               Pricing(rates(5, 25), fast=rates(10, 50), fast_offered=True),
               thinking_types=frozenset({"adaptive", "disabled"}), disabled_up_to="high", released="2026-07-24"),
    ModelFacts("claude-sonnet-5", "Claude Sonnet 5", "legacy", f"{DOCS}/models/sonnet-5/overview",
               Pricing(rates(2, 10, cache_read=0.20)), thinking_types=frozenset({"adaptive", "disabled"}),
               cache_min=1024, released="2026-06-30"),
    _legacy_4("claude-opus-4-8", "Claude Opus 4.8", _OPUS_4_5_PRICES, default_display="omitted",
              thinking_types=frozenset({"adaptive", "disabled"}), cache_min=1024),
    _legacy_4("claude-opus-4-7", "Claude Opus 4.7", _OPUS_4_5_PRICES, default_display="omitted",
              thinking_types=frozenset({"adaptive", "disabled"}), cache_min=2048),
    _legacy_4("claude-opus-4-6", "Claude Opus 4.6", _OPUS_4_5_PRICES, cache_min=4096),
    _legacy_4("claude-sonnet-4-6", "Claude Sonnet 4.6", _SONNET_4_PRICES, max_output=64_000, cache_min=1024),
    _legacy_4("claude-opus-4-5", "Claude Opus 4.5", _OPUS_4_5_PRICES, context=200_000, max_output=64_000,
              thinking_types=frozenset({"enabled", "disabled"}), prefill=True, cache_min=4096, inference_geo=False,
              aliases=("claude-opus-4-5-20251101",), released="2025-11-01"),
    _legacy_4("claude-sonnet-4-5", "Claude Sonnet 4.5", _SONNET_4_PRICES, context=200_000, max_output=64_000,
              thinking_types=frozenset({"enabled", "disabled"}), prefill=True, default_effort=None, cache_min=1024,
              inference_geo=False),
    _legacy_4("claude-haiku-4-5", "Claude Haiku 4.5", Pricing(rates(1, 5)), status="current", context=200_000,
              max_output=64_000, thinking_types=frozenset({"enabled", "disabled"}), prefill=True,
              default_effort=None, cache_min=4096, inference_geo=False,
              aliases=("claude-haiku-4-5-20251001",), released="2025-10-01"),
)
# fmt: on

_BY_NAME = {name: facts for facts in MODELS for name in (facts.id, *facts.aliases)}


# Models the table does not know, as the Models API described them in this process (None: it could not say).
_learnt: dict[str, ModelFacts | None] = {}


def facts_for(model: str) -> ModelFacts | None:
    """The table's row for a model id or alias, a dated id finding its model ("claude-sonnet-4-5-20250929"), or
    what the Models API said of it; None for a model nobody has described."""
    if model in _BY_NAME:
        return _BY_NAME[model]
    if _learnt.get(model) is not None:
        return _learnt[model]
    matches = [name for name in _BY_NAME if model.startswith(name + "-") and model[len(name) + 1 :].isdigit()]
    return _BY_NAME[max(matches, key=len)] if matches else None


def from_models_api(info: dict[str, Any]) -> ModelFacts:
    """A model the table does not know, as the Models API describes it (a `ModelInfo`): its limits, and the
    thinking types and effort levels its `capabilities` say it takes. Nothing else is assumed: no price, no
    thinking unless asked, no default effort."""
    capabilities = info.get("capabilities") or {}

    def supported(group: str) -> set[str]:
        found = capabilities.get(group) or {}
        found = found.get("types", found) if group == "thinking" else found
        return {name for name, leaf in found.items() if isinstance(leaf, dict) and leaf.get("supported")}

    effort = supported("effort")
    return ModelFacts(
        str(info["id"]), str(info.get("display_name") or info["id"]), "current", f"{DOCS}/api/models/retrieve",
        None, context=int(info.get("max_input_tokens") or 0) or ModelFacts.context,
        max_output=int(info.get("max_tokens") or 0) or ModelFacts.max_output, thinks_by_default=False,
        forced_tool_choice=True,  # not among the capabilities: refused nothing in advance
        thinking_types=frozenset(supported("thinking")), default_effort=None,
        effort_levels=tuple(e for e in EFFORTS if e in effort),
    )  # fmt: skip


async def learn(client: Any, model: str) -> ModelFacts | None:
    """What the Models API says of a model the table does not know (`client.models.retrieve`), kept for the
    process; None if it cannot say (no such model, no network: the request itself will tell)."""
    if facts_for(model) is not None or model in _learnt:
        return facts_for(model)
    try:
        info = await client.models.retrieve(model, timeout=5)
        _learnt[model] = from_models_api(info.to_dict())
    except Exception:  # whatever the failure, the request goes as it would have: refused nothing in advance
        _learnt[model] = None
    return _learnt[model]


def chars_per_token(model: str) -> float:
    """About how many characters of text make a token for this model (a model nobody described: today's ratio)."""
    facts = facts_for(model)
    return facts.chars_per_token if facts is not None else ModelFacts.chars_per_token


# -- what a model refuses ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """A setting the model refuses: the API's 400 in its own words, and what to do instead."""

    message: str
    fix: str

    def explained(self, model: str) -> str:
        """What the user reads: that nothing was sent, what to do, and the API's words."""
        return f"{model} would refuse this request, so it was not sent: {self.fix} (the API says: {self.message})"


def _unsupported_thinking(kind: str) -> str:
    return (f'"thinking.type.{kind}" is not supported for this model. Use "thinking.type.adaptive" and '
            '"output_config.effort" to control thinking behavior.')  # fmt: skip


def _above(effort: Any, limit: Effort | None) -> bool:
    return limit is None or EFFORTS.index(effort) > EFFORTS.index(limit)


def refusal(params: dict[str, Any]) -> Refusal | None:
    """What the API answers with a 400 for these request parameters on their model, if anything (only for the
    settings this table knows about; a model it does not know is refused nothing)."""
    facts = facts_for(str(params.get("model", "")))
    if facts is None:
        return None
    efforts = ", ".join(repr(e) for e in facts.efforts)
    effort = (params.get("output_config") or {}).get("effort")
    if effort is not None and effort not in facts.efforts:
        if not facts.efforts:
            return Refusal("output_config.effort: This model does not support the effort parameter.",
                           f"{facts.name} has no effort setting: leave effort out.")  # fmt: skip
        listed = efforts.rsplit(", ", 1)[0] + " or " + repr(facts.efforts[-1])
        return Refusal(f"output_config.effort: Input should be {listed}", f"effort must be one of {efforts}.")
    thinking = params.get("thinking")
    kind = thinking.get("type") if isinstance(thinking, dict) else None
    level = effort or facts.default_effort
    if kind is not None and kind not in facts.thinking_types:
        if kind in ("enabled", "disabled") and "adaptive" in facts.thinking_types:
            message = _unsupported_thinking(kind)
            if kind == "enabled":
                fix = f"{facts.name} has no thinking budget: use effort='low'…'max' instead (lower is cheaper)."
            elif "between_tools" in facts.thinking_types:
                message += ' To limit thinking to the steps between tool calls, use "thinking.type.between_tools".'
                fix = (
                    f"{facts.name} always thinks: lower effort= ('low' thinks least), or use "
                    "thinking={'type': 'between_tools'}."
                )
            else:
                fix = f"{facts.name} always thinks: lower effort= instead ('low' thinks least)."
            return Refusal(message, fix)
        accepted = ", ".join(sorted(facts.thinking_types))
        return Refusal(f'"thinking.type.{kind}" is not supported for this model.',
                       f"{facts.name} takes thinking types: {accepted}.")  # fmt: skip
    if kind == "disabled" and facts.disabled_up_to and level is not None and _above(level, facts.disabled_up_to):
        return Refusal(f'"thinking.type.disabled" is not supported with effort "{level}" for this model.',
                       f"Turning thinking off needs effort={facts.disabled_up_to!r} or lower.")  # fmt: skip
    if kind == "between_tools" and level is not None and _above(level, facts.between_tools_up_to):
        return Refusal(f'"thinking.type.between_tools" is not supported with effort "{level}".',
                       f"between_tools needs effort={facts.between_tools_up_to!r} or lower.")  # fmt: skip
    if kind == "enabled" and isinstance(thinking, dict):
        budget, max_tokens = thinking.get("budget_tokens"), params.get("max_tokens", 0)
        if not isinstance(budget, int) or budget < 1024:
            return Refusal("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024",
                           "Give a thinking budget of at least 1024 tokens.")  # fmt: skip
        if budget >= max_tokens:
            return Refusal("`max_tokens` must be greater than `thinking.budget_tokens`.",
                           f"Raise max_tokens above {budget} or lower the budget.")  # fmt: skip
    max_tokens = params.get("max_tokens")
    if isinstance(max_tokens, int) and max_tokens > facts.max_output:
        return Refusal(f"max_tokens: {max_tokens} > {facts.max_output}, which is the maximum allowed number of "
                       f"output tokens for {facts.id}", f"max_tokens can be at most {facts.max_output:,}.")  # fmt: skip
    if params.get("inference_geo") is not None and not facts.inference_geo:
        return Refusal("inference_geo: This model does not support inference_geo.",
                       f"{facts.name} runs only in the default region: leave inference_geo out.")  # fmt: skip
    choice = (params.get("tool_choice") or {}).get("type")
    if choice in ("any", "tool"):
        if not facts.forced_tool_choice:
            return Refusal('tool_choice: type "tool" and "any" are not supported for this model.',
                           "Ask for a structured output (schema=) instead of forcing a tool.")  # fmt: skip
        if kind not in (None, "disabled") or (kind is None and facts.thinks_by_default):
            return Refusal("Thinking may not be enabled when tool_choice forces tool use.",
                           "Let Claude choose the tool, or ask for a structured output.")  # fmt: skip
    return None


def thinks(params: dict[str, Any]) -> bool:
    """Whether a request with these parameters runs thinking on its model."""
    facts = facts_for(str(params.get("model", "")))
    thinking = params.get("thinking")
    if isinstance(thinking, dict):
        return thinking.get("type") != "disabled"
    return facts is not None and facts.thinks_by_default
