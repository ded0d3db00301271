import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createLogReader, FIRST_KEPT, LATEST_KEPT, listed, parseLog, streamStats, timelinePath, timeTicks, tokensPerSecond,
} from "../src/ui/inspector.js";
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
    assert.deepEqual(noticeBanner("Cut at the limit.", "done", "max_tokens"), { text: "Cut at the limit.", tone: "warn" });
    assert.equal(noticeBanner("Declined.", "done", "refusal")?.tone, "warn");
    assert.equal(noticeBanner("Stopped before the end.", "stopped", null)?.tone, "warn");
    assert.equal(noticeBanner("Recovered: nothing was lost.", "done", "end_turn")?.tone, "info");
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
    assert.equal(parseLog(log).count, 6); // the last line has no newline yet
    assert.equal(parseLog(log + "\n").count, 7);
    assert.equal(parseLog("not json\n[1, \"x\", \"\"]\n").count, 1);
  });

  it("reads only what is new as the log grows, and starts over when it shrinks", () => {
    const reader = createLogReader();
    const lines = log.split("\n");
    assert.equal(reader.read(lines.slice(0, 3).join("\n") + "\n[0.55, ").count, 3);
    const grown = reader.read(log + "\n");
    const whole = parseLog(log + "\n");
    assert.deepEqual(grown, whole); // the same entries and delta times as reading it all at once
    assert.deepEqual(streamStats(grown), streamStats(whole));
    assert.deepEqual(whole.deltaTimes, [0.6, 0.7, 1.1]);
    assert.equal(reader.read(lines[0] + "\n").count, 1); // a shorter text: read again from its start
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

  it("keeps a long log's first events and its latest, and counts the ones between", () => {
    const lines = [[0, "request", "attempt 1"], [0.3, "message_start", "input_tokens=12"], [0.4, "content_block_start", "#0 text"]];
    for (let i = 0; i < 1500; i++) lines.push([0.5 + i / 100, "content_block_delta", `text_delta '${i}'`]);
    lines.push([16, "message_stop", ""]);
    const text = lines.map((e) => JSON.stringify(e)).join("\n") + "\n";
    const reader = createLogReader();
    let read = reader.read(text.slice(0, 20_000)); // in pieces, as it streams
    read = reader.read(text);
    const shown = listed(read);
    assert.equal(read.count, 1504);
    assert.deepEqual(shown.first.slice(0, 3).map((e) => e.kind), ["request", "message_start", "content_block_start"]);
    assert.equal(shown.first.length, FIRST_KEPT);
    assert.equal(shown.latest.length, LATEST_KEPT);
    assert.equal(shown.latest[LATEST_KEPT - 1].kind, "message_stop");
    assert.equal(shown.hidden, 1504 - FIRST_KEPT - LATEST_KEPT);
    assert.equal(shown.latestFrom, 1504 - LATEST_KEPT + 1);
    assert.equal(read.deltaTimes.length, 1500); // the figures still count every event
    assert.deepEqual(streamStats(read), streamStats(parseLog(text)));
    assert.equal(listed(parseLog(log + "\n")).hidden, 0); // a short log is shown whole
  });

  it("puts round ticks on the time axis", () => {
    assert.deepEqual(timeTicks(1.2).map((t) => t.label), ["0 s", "0.5 s", "1.0 s"]);
    assert.deepEqual(timeTicks(16).map((t) => t.label), ["0 s", "5 s", "10 s", "15 s"]);
    assert.deepEqual(timeTicks(3.5).map((t) => t.at), [0, 1, 2, 3]);
    assert.deepEqual(timeTicks(0), [{ at: 0, label: "0 s" }]);
    for (const span of [0.05, 0.7, 2, 9.9, 45, 130, 1000]) {
      const ticks = timeTicks(span);
      assert.ok(ticks.length >= 2 && ticks.length <= 6, `${span}: ${ticks.length}`);
      assert.ok(ticks[ticks.length - 1].at <= span + 1e-9);
    }
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
