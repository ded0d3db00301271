import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLogReader, parseLog, streamStats, timelinePath, tokensPerSecond } from "../src/ui/inspector.js";
import { noticeBanner } from "../src/ui/status.js";
import { thinkingLabel, thinkingOpen } from "../src/ui/thinking.js";
import { inputsOf } from "../src/ui/answer.js";
import { prettyInput, segmentsFor } from "../src/ui/tool_cards.js";

describe("thinking section", () => {
  it("is open while Claude thinks and collapses when the answer starts, unless the reader chose", () => {
    assert.equal(thinkingOpen({ thinking: "Hmm", answerStarted: false, userChoice: null }), true);
    assert.equal(thinkingOpen({ thinking: "Hmm", answerStarted: true, userChoice: null }), false);
    assert.equal(thinkingOpen({ thinking: "Hmm", answerStarted: true, userChoice: true }), true);
    assert.equal(thinkingOpen({ thinking: "", answerStarted: false, userChoice: null }), false);
  });

  it("labels its token share, estimated until the exact figure is known", () => {
    assert.equal(thinkingLabel({ thinking: "x".repeat(40), active: true, answerStarted: false, tokens: 0 }), "Thinking… · ~10 tokens");
    assert.equal(thinkingLabel({ thinking: "x".repeat(40), active: false, answerStarted: true, tokens: 1234 }), "Thought · 1,234 tokens");
    assert.equal(thinkingLabel({ thinking: "x".repeat(40), active: true, answerStarted: false, tokens: 0, seconds: 12.7 }),
      "Thinking · 12 s · ~10 tokens");
    assert.equal(thinkingLabel({ thinking: "x", active: false, answerStarted: true, tokens: 300, seconds: 75 }),
      "Thought for 1 min 15 s · 300 tokens");
  });
});

describe("tool cards", () => {
  const card = (/** @type {string} */ id, /** @type {number} */ at, input_at = 0) => ({ id, name: "f", status: "done", at, input_at, result: null, is_error: false, server: false });

  it("splits the answer where each call began", () => {
    assert.deepEqual(segmentsFor(10, []), [{ start: 0, end: 10, items: [] }]);
    const [first, second] = segmentsFor(30, [card("a", 12)]);
    assert.deepEqual([first.start, first.end, first.items.map((c) => c.id)], [0, 12, ["a"]]);
    assert.deepEqual([second.start, second.end, second.items.length], [12, 30, 0]);
  });

  it("keeps calls that begin at the same place together, and clamps offsets to the text", () => {
    const segments = segmentsFor(5, [card("b", 5), card("a", 5), card("c", 99)]);
    assert.deepEqual(segments.map((s) => [s.start, s.end, s.items.map((c) => c.id)]), [[0, 5, ["b", "a", "c"]], [5, 5, []]]);
  });

  it("gives each card its slice of the tool input, up to where the next one begins", () => {
    const input = '{"city": "Paris"}{"city": "Lis';
    const inputs = inputsOf([card("b", 0, 17), card("a", 0, 0)], input);
    assert.deepEqual([inputs.get("a"), inputs.get("b")], ['{"city": "Paris"}', '{"city": "Lis']);
  });

  it("pretty-prints the input once it is valid JSON", () => {
    assert.equal(prettyInput('{"city": "Par'), '{"city": "Par');
    assert.equal(prettyInput('{"city":"Paris"}'), '{\n  "city": "Paris"\n}');
  });
});

describe("notice banner", () => {
  it("says what a finished answer's stop reason means, once it is done", () => {
    assert.deepEqual(noticeBanner("Cut at the limit.", "done"), { text: "Cut at the limit." });
    assert.equal(noticeBanner(null, "done"), null);
    assert.equal(noticeBanner("Cut at the limit.", "streaming"), null);
  });
});

describe("inspector", () => {
  const log = [
    [0, "request", "attempt 1"], [0.31, "message_start", "input_tokens=12"], [0.5, "content_block_start", "#0 text"],
    [0.6, "content_block_delta", "text_delta 'Hel'"], [0.7, "content_block_delta", "text_delta 'lo'"],
    [1.1, "content_block_delta", "text_delta '!'"], [1.2, "message_stop", ""],
  ].map((e) => JSON.stringify(e)).join("\n");

  it("parses complete lines only, skipping malformed ones", () => {
    assert.equal(parseLog(log).entries.length, 6); // the last line has no newline yet
    assert.equal(parseLog(log + "\n").entries.length, 7);
    assert.equal(parseLog("not json\n[1, \"x\", \"\"]\n").entries.length, 1);
  });

  it("reads only what is new as the log grows, and starts over when it shrinks", () => {
    const reader = createLogReader();
    const lines = log.split("\n");
    assert.equal(reader.read(lines.slice(0, 3).join("\n") + "\n[0.55, ").entries.length, 3);
    const grown = reader.read(log + "\n");
    const whole = parseLog(log + "\n");
    assert.deepEqual(grown, whole); // the same entries and delta times as reading it all at once
    assert.deepEqual(streamStats(grown), streamStats(whole));
    assert.deepEqual(whole.deltaTimes, [0.6, 0.7, 1.1]);
    assert.equal(reader.read(lines[0] + "\n").entries.length, 1); // a shorter text: read again from its start
    assert.deepEqual(reader.read(lines[0] + "\n").deltaTimes, []);
  });

  it("computes time to first token and deltas per second", () => {
    const stats = streamStats(parseLog(log + "\n"));
    assert.equal(stats.firstTokenAt, 0.6);
    assert.equal(stats.deltas, 3);
    assert.ok(Math.abs((stats.deltasPerSecond ?? 0) - 4) < 1e-9); // 2 intervals over 0.5 s
    assert.equal(stats.lastAt, 1.2);
    assert.ok(Math.abs((tokensPerSecond(stats, 30) ?? 0) - 50) < 1e-9); // 30 tokens over 0.6 s
    assert.equal(tokensPerSecond(stats, 0), null);
  });

  it("draws the timeline within its box, with a bounded number of points", () => {
    const path = timelinePath(parseLog(log + "\n"), 300, 60);
    assert.ok(path.startsWith("M0,60 L"));
    for (const [x, y] of path.slice(1).split(" L").map((p) => p.split(",").map(Number))) {
      assert.ok(x >= 0 && x <= 300 && y >= 0 && y <= 60);
    }
    const many = Array.from({ length: 5000 }, (_, i) => JSON.stringify([i / 100, "content_block_delta", "text_delta 'x'"]));
    assert.ok(timelinePath(parseLog(many.join("\n") + "\n"), 300, 60).split(" L").length < 900);
  });
});

describe("announcer", async () => {
  const { sentences } = await import("../src/ui/announcer.js");
  it("splits a finished block into sentences", () => {
    assert.deepEqual(sentences("Streaming is fast. It shows text early! Does it help? Yes."), [
      "Streaming is fast.", "It shows text early!", "Does it help?", "Yes.",
    ]);
    assert.deepEqual(sentences("Code block in python."), ["Code block in python."]);
    assert.deepEqual(sentences("   "), []);
  });
});
