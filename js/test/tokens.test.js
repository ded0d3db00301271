import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { displayUsage, estimateTokens } from "../src/ui/tokens.js";

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

describe("displayUsage", () => {
  it("while streaming shows the larger of the running count and the estimate, as approximate", () => {
    const shown = displayUsage({ usage: { input_tokens: 1234, output_tokens: 1 }, text: "x".repeat(2268), status: "streaming", prices: null });
    assert.equal(shown.output, 567);
    assert.equal(shown.outputExact, false);
    assert.equal(shown.label, "1,234 in · ~567 out");
    const ahead = displayUsage({ usage: { input_tokens: 1, output_tokens: 900 }, text: "short", status: "streaming", prices: null });
    assert.equal(ahead.output, 900);
  });

  it("once finished shows the exact output count", () => {
    for (const status of ["done", "stopped", "error"]) {
      const shown = displayUsage({ usage: { input_tokens: 10, output_tokens: 3 }, text: "x".repeat(400), status, prices: null });
      assert.equal(shown.output, 3);
      assert.equal(shown.outputExact, true);
      assert.equal(shown.label, "10 in · 3 out");
    }
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
    assert.equal(shown.label, "1,000 in · 2,000 cache write · 10,000 cache read · 500 out · $0.0210 · saved $0.0255");
  });

  it("says nothing was saved when the cache was only written", () => {
    const shown = displayUsage({ usage: { input_tokens: 3, output_tokens: 10, cache_creation_input_tokens: 4000 },
      text: "", status: "done", prices: PRICES });
    assert.equal(shown.label, "3 in · 4,000 cache write · 10 out · $0.0152");
  });

  it("shows the kernel's estimate of the input until message_start reports it", () => {
    const before = displayUsage({ usage: { input_tokens: 0, output_tokens: 0 }, text: "", status: "connecting",
      prices: PRICES, inputEstimate: 2500 });
    assert.equal(before.input, 2500);
    assert.equal(before.label, "~2,500 in · ~$0.0075");
    const after = displayUsage({ usage: { input_tokens: 2431, output_tokens: 1 }, text: "", status: "streaming",
      prices: PRICES, inputEstimate: 2500 });
    assert.equal(after.label, "2,431 in · ~1 out · $0.0073");
    const cachedOnly = displayUsage({ usage: { input_tokens: 0, cache_read_input_tokens: 900 }, text: "",
      status: "streaming", prices: null, inputEstimate: 2500 });
    assert.equal(cachedOnly.label, "0 in · 900 cache read · ~0 out");
  });

  it("prices the estimated output while streaming", () => {
    const shown = displayUsage({ usage: { input_tokens: 1234 }, text: "x".repeat(2268), status: "streaming", prices: PRICES });
    assert.ok(Math.abs(/** @type {number} */ (shown.costUsd) - (1234 * 3 + 567 * 15) / 1e6) < 1e-12);
    assert.equal(shown.label, "1,234 in · ~567 out · $0.0122");
  });

  it("shows dollars with cents above one dollar", () => {
    const shown = displayUsage({ usage: { input_tokens: 1_000_000, output_tokens: 0 }, text: "", status: "done", prices: PRICES });
    assert.equal(shown.label, "1,000,000 in · 0 out · $3.00");
  });

  it("has no cost for an unknown model", () => {
    const shown = displayUsage({ usage: { input_tokens: 5, output_tokens: 2 }, text: "", status: "done", prices: null });
    assert.equal(shown.costUsd, null);
    assert.doesNotMatch(shown.label, /\$/);
  });

  it("has an empty label before anything is known", () => {
    assert.equal(displayUsage({ usage: {}, text: "", status: "connecting", prices: PRICES }).label, "");
    assert.equal(displayUsage({ usage: null, text: "", status: "connecting", prices: null }).label, "");
  });

  it("prices 1-hour cache writes at their rate and says which rates applied", () => {
    // Haiku 5.5 over 100,000 prompt tokens, as the kernel sends its rates (pricing.request_prices)
    const prices = { input: 0.5, output: 2.5, cache_write: 0.625, cache_write_1h: 1, cache_read: 0.05,
      notes: ["prompt over 100,000 tokens: long-prompt rates"] };
    const shown = displayUsage({ usage: { input_tokens: 150000, output_tokens: 1000, cache_creation_input_tokens: 3000,
      cache_creation_1h_input_tokens: 1000 }, text: "", status: "done", prices });
    // (150000*0.5 + 1000*2.5 + 2000*0.625 + 1000*1) / 1e6
    assert.equal(shown.costUsd, 0.07975);
    assert.ok(shown.label.endsWith("$0.0798 · prompt over 100,000 tokens: long-prompt rates"), shown.label);
  });
});
