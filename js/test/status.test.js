import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { errorBanner, isActive, isFinished, statusLabel } from "../src/status.js";

describe("status", () => {
  it("knows which statuses can be stopped and which are final", () => {
    assert.deepEqual(["connecting", "streaming", "retrying", "done", "stopped", "error"].map(isActive), [true, true, true, false, false, false]);
    assert.deepEqual(["connecting", "streaming", "retrying", "done", "stopped", "error"].map(isFinished), [false, false, false, true, true, true]);
  });

  it("labels statuses and notable stop reasons", () => {
    assert.equal(statusLabel("connecting"), "Connecting…");
    assert.equal(statusLabel("done", "end_turn"), "Done");
    assert.equal(statusLabel("done", "max_tokens"), "Done · max tokens reached");
    assert.equal(statusLabel("something-new"), "something-new");
  });
});

describe("errorBanner", () => {
  it("is absent without an error", () => {
    assert.equal(errorBanner(null, "error"), null);
  });

  it("is an amber notice with the retry schedule while retrying", () => {
    const banner = errorBanner({ kind: "overloaded", message: "Overloaded.", retry_in: 2.4, attempt: 2, max_attempts: 5 }, "retrying");
    assert.deepEqual(banner, { tone: "warn", kind: "overloaded", text: "Overloaded. · Retrying in 2 s (attempt 2 of 5)", canRetry: false });
    assert.equal(errorBanner({ kind: "x", message: "Lost.", retry_in: null }, "retrying")?.text, "Lost. · Retrying");
  });

  it("is red and offers Retry once the status is error", () => {
    assert.deepEqual(errorBanner({ kind: "auth", message: "Bad key." }, "error"), { tone: "error", kind: "auth", text: "Bad key.", canRetry: true });
  });
});
