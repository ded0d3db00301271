import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { displayUsage, estimateTokens, formatCompact, formatCostShort } from "../src/ui/tokens.js";

const PRICES = { input: 3, output: 15, cache_write: 3.75, cache_read: 0.3 };

describe("estimateTokens", () => {
  it("is about a quarter of the characters, at least 1 for non-empty text", () => {
    assert.equal(estimateTokens(""), 0);
    assert.equal(estimateTokens("a"), 1);
    assert.equal(estimateTokens("abcd"), 1);
    assert.equal(estimateTokens("abcde"), 2);
    assert.equal(estimateTokens("x".repeat(400)), 100);
  });
});

describe("formatCompact", () => {
  it("says a count in two or three figures", () => {
    const cases = [[0, "0"], [233, "233"], [999, "999"], [1000, "1k"], [1181, "1.2k"], [4871, "4.9k"], [9949, "9.9k"],
      [9960, "10k"], [49_400, "49k"], [999_400, "999k"], [999_600, "1M"], [1_234_567, "1.2M"], [25_000_000, "25M"]];
    for (const [n, shown] of cases) assert.equal(formatCompact(/** @type {number} */ (n)), shown, String(n));
  });
});

describe("formatCostShort", () => {
  it("says a cost in two or three figures, never $0.0000", () => {
    const cases = [[0, "$0"], [0.00004, "<$0.0001"], [0.0008, "$0.0008"], [0.00423, "$0.0042"], [0.0112, "$0.011"],
      [0.163, "$0.16"], [3, "$3.00"]];
    for (const [usd, shown] of cases) assert.equal(formatCostShort(/** @type {number} */ (usd)), shown, String(usd));
  });
});

describe("displayUsage", () => {
  it("while streaming shows the larger of the running count and the estimate, as approximate", () => {
    const shown = displayUsage({ usage: { input_tokens: 1234, output_tokens: 1 }, text: "x".repeat(2268), status: "streaming", prices: null });
    assert.equal(shown.output, 567);
    assert.equal(shown.outputExact, false);
    assert.equal(shown.label, "1.2k in · ~567 out");
    assert.ok(shown.breakdown.includes("Output: about 567 tokens so far"), shown.breakdown.join("\n"));
    const ahead = displayUsage({ usage: { input_tokens: 1, output_tokens: 900 }, text: "short", status: "streaming", prices: null });
    assert.equal(ahead.output, 900);
  });

  it("once finished shows the exact output count", () => {
    for (const status of ["done", "stopped", "error"]) {
      const shown = displayUsage({ usage: { input_tokens: 10, output_tokens: 3 }, text: "x".repeat(400), status, prices: null });
      assert.equal(shown.output, 3);
      assert.equal(shown.outputExact, true);
      assert.equal(shown.label, "10 in · 3 out");
      assert.ok(shown.breakdown.includes("Cost: unknown (no price for this model)"));
    }
  });

  it("counts all the input first, then the part read from the cache, in the reader's words", () => {
    // The "1 in · 1,181 cache write · 148 out": 1 was the uncached input.
    const written = displayUsage({ usage: { input_tokens: 1, output_tokens: 148, cache_creation_input_tokens: 1181 },
      text: "", status: "done", prices: PRICES });
    assert.equal(written.input, 1182);
    assert.equal(written.label, "1.2k in · 148 out · $0.0067");
    assert.deepEqual(written.breakdown, [
      "Input: 1,182 tokens",
      "  1,181 stored in the cache for follow-ups",
      "  1 not cached",
      "Output: 148 tokens",
      "Cost: $0.0067",
      "Storing in the cache: $0.0009 extra (follow-ups read it for less)",
    ]);

    const read = displayUsage({ usage: { input_tokens: 457, output_tokens: 233, cache_creation_input_tokens: 12,
      cache_read_input_tokens: 4402 }, text: "", status: "done", prices: PRICES });
    assert.equal(read.label, "4.9k in (4.4k cached) · 233 out · $0.0062");
    assert.deepEqual(read.parts[0], { text: "4.9k in", aside: "4.4k cached" });
    assert.deepEqual(read.breakdown, [
      "Input: 4,871 tokens",
      "  4,402 read from the cache",
      "  12 stored in the cache for follow-ups",
      "  457 not cached",
      "Output: 233 tokens",
      "Cost: $0.0062",
      "Saved by the cache: $0.0119",
    ]);
    for (const line of [read.label, ...read.breakdown]) assert.doesNotMatch(line, /cache (write|read)\b/);
  });

  it("computes the cost from all four token kinds", () => {
    const shown = displayUsage({
      usage: { input_tokens: 1000, output_tokens: 500, cache_creation_input_tokens: 2000, cache_read_input_tokens: 10000 },
      text: "",
      status: "done",
      prices: PRICES,
    });
    // (1000*3 + 500*15 + 2000*3.75 + 10000*0.3) / 1e6; saved: (10000*(3 - 0.3) - 2000*(3.75 - 3)) / 1e6
    assert.equal(shown.costUsd, 0.021);
    assert.equal(shown.label, "13k in (10k cached) · 500 out · $0.021");
    assert.ok(shown.breakdown.includes("Saved by the cache: $0.0255"));
  });

  it("shows the output with its thinking, before the cost", () => {
    const streaming = displayUsage({ usage: { input_tokens: 100, output_tokens: 1 }, text: "x".repeat(40), thinking: "y".repeat(400),
      status: "streaming", prices: PRICES });
    assert.equal(streaming.output, 110);
    assert.equal(streaming.label, "100 in · ~110 out (100 thinking) · ~$0.0019");
    const done = displayUsage({ usage: { input_tokens: 100, output_tokens: 1500 }, text: "x", thinking: "y", thinkingTokens: 1200,
      status: "done", prices: PRICES });
    assert.equal(done.label, "100 in · 1.5k out (1.2k thinking) · $0.023");
    assert.ok(done.breakdown.includes("  1,200 of them thinking"));
  });

  it("shows the kernel's estimate of the input until message_start reports it, and no output before any comes", () => {
    const before = displayUsage({ usage: { input_tokens: 0, output_tokens: 0 }, text: "", status: "connecting",
      prices: PRICES, inputEstimate: 2500 });
    assert.equal(before.input, 2500);
    assert.equal(before.label, "~2.5k in · ~$0.0075");
    assert.ok(before.breakdown.includes("Output: nothing yet"));
    // message_start says 1 output token before any has come: not "~1 out · $0.0000"
    const started = displayUsage({ usage: { input_tokens: 2431, output_tokens: 1 }, text: "", status: "streaming",
      prices: PRICES, inputEstimate: 2500 });
    assert.equal(started.label, "2.4k in · ~$0.0073");
    const cachedOnly = displayUsage({ usage: { input_tokens: 0, cache_read_input_tokens: 900 }, text: "",
      status: "streaming", prices: null, inputEstimate: 2500 });
    assert.equal(cachedOnly.label, "900 in (900 cached)");
  });

  it("marks the cost estimated until the answer ends", () => {
    const shown = displayUsage({ usage: { input_tokens: 1234 }, text: "x".repeat(2268), status: "streaming", prices: PRICES });
    assert.ok(Math.abs(/** @type {number} */ (shown.costUsd) - (1234 * 3 + 567 * 15) / 1e6) < 1e-12);
    assert.equal(shown.label, "1.2k in · ~567 out · ~$0.012");
    assert.ok(shown.breakdown.includes("Cost: about $0.0122 (estimated until the answer ends)"), shown.breakdown.join("\n"));
  });

  it("shows dollars with cents above one dollar", () => {
    const shown = displayUsage({ usage: { input_tokens: 1_000_000, output_tokens: 0 }, text: "", status: "done", prices: PRICES });
    assert.equal(shown.label, "1M in · 0 out · $3.00");
  });

  it("has no cost for an unknown model", () => {
    const shown = displayUsage({ usage: { input_tokens: 5, output_tokens: 2 }, text: "", status: "done", prices: null });
    assert.equal(shown.costUsd, null);
    assert.doesNotMatch(shown.label, /\$/);
  });

  it("is empty before anything is known", () => {
    for (const prices of [PRICES, null]) {
      const shown = displayUsage({ usage: {}, text: "", status: "connecting", prices });
      assert.equal(shown.label, "");
      assert.deepEqual(shown.breakdown, []);
    }
    assert.equal(displayUsage({ usage: null, text: "", status: "connecting", prices: null }).label, "");
  });

  it("prices 1-hour cache writes at their rate and says which rates applied, in the tooltip", () => {
    // Haiku 5.5 over 100,000 prompt tokens, as the kernel sends its rates (pricing.request_prices)
    const prices = { input: 0.5, output: 2.5, cache_write: 0.625, cache_write_1h: 1, cache_read: 0.05,
      notes: ["prompt over 100,000 tokens: long-prompt rates"] };
    const shown = displayUsage({ usage: { input_tokens: 150000, output_tokens: 1000, cache_creation_input_tokens: 3000,
      cache_creation_1h_input_tokens: 1000 }, text: "", status: "done", prices });
    // (150000*0.5 + 1000*2.5 + 2000*0.625 + 1000*1) / 1e6
    assert.equal(shown.costUsd, 0.07975);
    assert.equal(shown.label, "153k in · 1k out · $0.080");
    assert.equal(shown.breakdown.at(-1), "prompt over 100,000 tokens: long-prompt rates");
  });
});
