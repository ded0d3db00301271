import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatElapsed, headerFacts } from "../src/ui/header.js";

describe("formatElapsed", () => {
  it("ticks in whole seconds while running, in tenths under ten seconds once final", () => {
    assert.equal(formatElapsed(3.4, false), "3 s");
    assert.equal(formatElapsed(3.44, true), "3.4 s");
    assert.equal(formatElapsed(42.4, true), "42 s");
    assert.equal(formatElapsed(125, false), "2 min 5 s");
  });
});

describe("headerFacts", () => {
  it("gives the header's short facts and the tooltip's lines", () => {
    assert.deepEqual(headerFacts({ model: "claude-sonnet-5-5", effort: "high", elapsedSeconds: 12.2, final: true }), {
      model: "claude-sonnet-5-5", effort: "high effort", turn: "", elapsed: "12 s",
      details: ["Model: claude-sonnet-5-5, high effort", "Time: 12 s"],
    });
    assert.deepEqual(headerFacts({ model: "claude-haiku-4-5", effort: "", elapsedSeconds: null, final: false }), {
      model: "claude-haiku-4-5", effort: "", turn: "", elapsed: "", details: ["Model: claude-haiku-4-5"],
    });
  });

  it("names a later turn of a conversation, and says in the tooltip that the earlier ones go with it", () => {
    const facts = headerFacts({ model: "claude-sonnet-5-5", effort: "", elapsedSeconds: 3, final: true, turn: 3 });
    assert.equal(facts.turn, "turn 3");
    assert.deepEqual(facts.details, ["Model: claude-sonnet-5-5",
      "Turn 3 of a conversation: sent with the 2 earlier turns (chat.reset() starts over)", "Time: 3.0 s"]);
    assert.match(headerFacts({ elapsedSeconds: null, final: false, turn: 2 }).details[0], /sent with the earlier turn \(/);
  });
});
