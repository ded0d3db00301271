import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { insertsInOrder } from "../src/ui/answer.js";
import { thinkSections } from "../src/ui/thinking.js";
import { toolStatusLabel } from "../src/ui/tool_cards.js";
import { viewState } from "../src/ui/view_state.js";

/**
 * @param {string} id
 * @param {number} at
 * @param {string} [status]
 * @returns {import("../src/wire/protocol.js").ToolCard}
 */
const card = (id, at, status = "done") => ({ id, name: "get_weather", status, at, input_at: 0, result: null, is_error: false, server: false });

describe("thinks, each where it happened", () => {
  // Round 1: a think, then a call; round 2: a think (after the call, at the same place in the text), then text,
  // then another think after that text.
  const thinking = "Look it up.\n\nIt is sunny.\n\nAnything else?";
  const thoughts = [{ at: 0, start: 0, calls: 0 }, { at: 0, start: 13, calls: 1 }, { at: 6, start: 27, calls: 1 }];
  const turn = { textLength: 6, calls: 1, active: true, tokens: 900, seconds: 12 };

  it("splits the thinking at each think's start, without the break between them", () => {
    const sections = thinkSections(thinking, thoughts, turn);
    assert.deepEqual(sections.map((s) => [s.at, s.calls, s.state.thinking]),
      [[0, 0, "Look it up."], [0, 1, "It is sunny."], [6, 1, "Anything else?"]]);
  });

  it("keeps the last one live and the ones followed by a call or text collapsed; the turn's figures for a lone think only", () => {
    const sections = thinkSections(thinking, thoughts, turn);
    assert.deepEqual(sections.map((s) => [s.state.active, s.state.answerStarted]), [[false, true], [false, true], [true, false]]);
    assert.equal(sections[2].state.tokens, 0); // estimated from its own text: 900 is the whole turn's
    const [lone] = thinkSections("Hmm", [], { ...turn, textLength: 0, calls: 0 });
    assert.deepEqual(lone, { at: 0, calls: 0, state: { thinking: "Hmm", active: true, answerStarted: false, tokens: 900, seconds: 12 } });
  });

  it("places a think after the calls begun before it, even where they begin at the same place", () => {
    const sections = thinkSections(thinking, thoughts, turn).slice(1);
    const inserts = insertsInOrder([card("a", 0), card("b", 6)], sections.map((think, i) => ({ think, key: String(i) })));
    assert.deepEqual(inserts.map((i) => ("card" in i ? i.card.id : `think ${i.key}`)), ["a", "think 0", "think 1", "b"]);
  });
});

describe("a tool call in words", () => {
  it("says what is happening to it", () => {
    assert.equal(toolStatusLabel(card("a", 0, "writing")), "Claude is writing the call to get_weather…");
    assert.equal(toolStatusLabel(card("a", 0, "running")), "Calling get_weather…");
    assert.equal(toolStatusLabel({ ...card("a", 0, "running"), server: true, name: "web_search" }), "Anthropic is running web_search…");
    assert.equal(toolStatusLabel(card("a", 0, "error")), "Failed");
  });

  it("never leaves a silent wait between a result and Claude's next words", () => {
    const base = { text: "Let me look.", thinking: "", intentSentAt: null, inspecting: false, secondsLeft: null };
    const waiting = viewState({ ...base, traits: { status: "streaming", cards: [card("a", 12)] } });
    assert.deepEqual([waiting.typingHidden, waiting.typingLabel], [false, "Waiting for Claude…"]);
    const running = viewState({ ...base, traits: { status: "streaming", cards: [card("a", 12, "running")] } });
    assert.equal(running.typingHidden, true); // the card says "Calling get_weather…"
    const replying = viewState({ ...base, text: "Let me look. It is sunny.", traits: { status: "streaming", cards: [card("a", 12)] } });
    assert.equal(replying.typingHidden, true);
    const done = viewState({ ...base, traits: { status: "done", cards: [card("a", 12)] } });
    assert.equal(done.typingHidden, true);
  });
});
