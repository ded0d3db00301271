"""The model table (models.py) is the one home of the API's facts: the client and the fake server read it, and
docs/models.md shows it as it is."""

from __future__ import annotations

from pathlib import Path

from claude_widget.models import MODELS, ModelFacts, facts_for

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
