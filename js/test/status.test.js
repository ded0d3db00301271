import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { errorBanner, isActive, isFinished, statusLabel } from "../src/ui/status.js";

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

  it("counts down to the next attempt while retrying", () => {
    const error = { kind: "overloaded", message: "…", headline: "Claude is overloaded", retry_in: 2.4, attempt: 2, max_attempts: 5,
      countdown: "Claude is overloaded — retrying{in} (attempt 2 of 5)" };
    assert.deepEqual(errorBanner(error, "retrying"), {
      tone: "warn", kind: "overloaded", text: "Claude is overloaded — retrying in 2 s (attempt 2 of 5)",
    });
    assert.equal(errorBanner(error, "retrying", 0.9)?.text, "Claude is overloaded — retrying in 1 s (attempt 2 of 5)");
    assert.equal(errorBanner(error, "retrying", 0.1)?.text, "Claude is overloaded — retrying… (attempt 2 of 5)");
  });

  it("fills in the kernel's wording, whatever it says", () => {
    const limited = { kind: "rate_limit", headline: "Rate limited", retry_in: 7, countdown: "Rate limited — retrying{in}" };
    assert.equal(errorBanner(limited, "retrying")?.text, "Rate limited — retrying in 7 s");
    const dropped = { kind: "connection", headline: "Connection interrupted", retry_in: 0.2, continuing: true,
      countdown: "Connection interrupted — continuing{in}" };
    assert.equal(errorBanner(dropped, "retrying")?.text, "Connection interrupted — continuing…");
  });

  it("shows the kernel's message when there is no countdown", () => {
    assert.equal(errorBanner({ kind: "x", message: "Lost." }, "retrying")?.text, "Lost.");
  });

  it("is red once the status is error", () => {
    assert.deepEqual(errorBanner({ kind: "auth", message: "Bad key." }, "error"), { tone: "error", kind: "auth", text: "Bad key." });
  });
});
