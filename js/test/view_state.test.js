import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PAINTED_TRAITS, viewState } from "../src/ui/view_state.js";

/**
 * viewState's inputs: a view that has clicked nothing, with the inspector closed, not waiting to retry.
 * @param {Partial<import("../src/ui/view_state.js").ViewInputs>} [inputs]
 */
function state(inputs = {}) {
  return viewState({ traits: {}, text: "", thinking: "", intentSentAt: null, inspecting: false, secondsLeft: null, ...inputs });
}

describe("view state", () => {
  it("shows a model without any state as connecting: typing dots, Stop, nothing to copy", () => {
    const s = state();
    assert.equal(s.status, "connecting");
    assert.equal(s.statusLabel, "Connecting…");
    assert.deepEqual(s.facts, { model: "", effort: "", turn: "", elapsed: "" });
    assert.equal(s.offlineHidden, true);
    assert.deepEqual(s.stop, { hidden: false, disabled: false, label: "Stop" });
    assert.equal(s.copyDisabled, true);
    assert.equal(s.typingHidden, false);
    assert.equal(s.busy, true);
    assert.deepEqual(s.tokens, { label: "", parts: [], hidden: true, breakdown: [] });
    assert.equal(s.error, null);
    assert.equal(s.notice, null);
    assert.equal(s.final, false);
  });

  it("while streaming: the text replaces the dots, tokens are estimated, thinking is counted", () => {
    const s = state({
      traits: { status: "streaming", model: "claude-x", offline: true, usage: { input_tokens: 1200, output_tokens: 1 } },
      text: "x".repeat(40),
      thinking: "y".repeat(10),
    });
    assert.equal(s.typingHidden, true);
    assert.equal(s.copyDisabled, false);
    assert.equal(s.offlineHidden, false);
    assert.equal(s.facts.model, "claude-x");
    assert.equal(s.tokens.label, "1.2k in · ~13 out (3 thinking)"); // the output counts the thinking
    assert.equal(s.tokens.hidden, false);
    assert.deepEqual(s.thinking, { thinking: "y".repeat(10), active: true, answerStarted: true, tokens: 0, seconds: 0 });
  });

  it("shows no typing dots while a tool call waits for the user's Run or Skip, and 'Waiting for Claude' after", () => {
    const card = { id: "t", name: "run_python", at: 0, input_at: 0, result: null, is_error: false, server: false };
    for (const status of ["pending", "queued"]) {
      assert.equal(state({ traits: { status: "streaming", cards: [{ ...card, status }] } }).typingHidden, true, status);
    }
    const skipped = state({ traits: { status: "streaming", cards: [{ ...card, status: "declined" }] } });
    assert.equal(skipped.typingHidden, false);
    assert.equal(skipped.typingLabel, "Waiting for Claude…");
  });

  it("says how long Claude has been thinking while nothing of the think shows", () => {
    const hidden = state({ traits: { status: "streaming", thinking_phase: { active: true, seconds: 0 } }, thinkingSeconds: 12.4 });
    assert.equal(hidden.typingHidden, false);
    assert.equal(hidden.typingLabel, "Thinking · 12 s");
    // summaries streaming before the answer show in the thinking section, with the time: the dots stay bare
    const shown = state({ traits: { status: "streaming", thinking_phase: { active: true, seconds: 0 } }, thinking: "Weighing",
      thinkingSeconds: 3 });
    assert.equal(shown.typingLabel, "");
    assert.equal(shown.thinking.seconds, 3);
    // a think between tool calls, after the answer began: the dots come back, with the time
    const between = state({ traits: { status: "streaming", thinking_phase: { active: true, seconds: 8 } }, text: "Let me check.",
      thinking: "Weighing", thinkingSeconds: 75 });
    assert.equal(between.typingHidden, false);
    assert.equal(between.typingLabel, "Thinking · 1 min 15 s");
    // the think over, the text streams: the bare dots go
    const over = state({ traits: { status: "streaming", thinking_phase: { active: false, seconds: 8 } }, text: "Hello" });
    assert.equal(over.typingHidden, true);
    assert.equal(over.typingLabel, "");
  });

  it("shows the model, the effort in effect and the time, also in the counter's tooltip", () => {
    const s = state({ traits: { model: "claude-sonnet-5-5", effort: "high", usage: { input_tokens: 5 } }, elapsedSeconds: 3.4 });
    assert.deepEqual(s.facts, { model: "claude-sonnet-5-5", effort: "high effort", turn: "", elapsed: "3 s" });
    assert.deepEqual(s.tokens.breakdown.slice(-2), ["Model: claude-sonnet-5-5, high effort", "Time: 3 s so far"]);
    assert.equal(state({ traits: { model: "claude-haiku-4-5", effort: "" } }).facts.effort, "");
    // once ended, the kernel's time stands
    const done = state({ traits: { status: "done", elapsed: 4.23 }, elapsedSeconds: 4.9 });
    assert.equal(done.facts.elapsed, "4.2 s");
  });

  it("once done: exact figures, no Stop, not busy, final", () => {
    const s = state({
      traits: { status: "done", usage: { input_tokens: 10, output_tokens: 5 }, thinking_tokens: 7,
        prices: { input: 3, output: 15, cache_write: 3.75, cache_read: 0.3 } },
      text: "Hello",
      thinking: "Hmm",
    });
    assert.equal(s.tokens.label, "10 in · 5 out (7 thinking) · $0.00011"); // thinking before the cost
    assert.ok(s.tokens.breakdown.includes("Cost: $0.0001"), s.tokens.breakdown.join("\n"));
    assert.equal(s.stop.hidden, true);
    assert.equal(s.busy, false);
    assert.equal(s.final, true);
    assert.equal(s.thinking.active, false);
  });

  it("a click disables its buttons until the status moves on", () => {
    const pending = state({ traits: { status: "streaming" }, text: "a", intentSentAt: "streaming" });
    assert.equal(pending.intentPending, true);
    assert.deepEqual(pending.stop, { hidden: false, disabled: true, label: "Stopping…" });
    const movedOn = state({ traits: { status: "stopped" }, text: "a", intentSentAt: "streaming" });
    assert.equal(movedOn.intentPending, false);
    assert.equal(movedOn.stop.hidden, true);
  });

  it("says why a click waits when the kernel keeps it waiting (a running cell, no subshells)", () => {
    const waiting = state({ traits: { status: "streaming" }, text: "a", intentSentAt: "streaming", intentWaiting: "stop" });
    assert.equal(waiting.statusLabel, "Stopping · Stop takes effect when the running cells finish");
    assert.equal(waiting.stop.label, "Stopping…");
    const retry = state({ traits: { status: "error" }, intentSentAt: "error", intentWaiting: "retry" });
    assert.equal(retry.statusLabel, "Waiting for the running cells to finish");
    // once the kernel acts, the status speaks for itself again
    const stopped = state({ traits: { status: "stopped" }, text: "a", intentSentAt: "streaming", intentWaiting: "stop" });
    assert.equal(stopped.statusLabel, "Stopped");
  });

  it("offers Retry when the kernel does, disabled while a retry is on its way", () => {
    const error = { kind: "overloaded", message: "Claude is overloaded." };
    /** @type {import("../src/wire/protocol.js").Action[]} */
    const actions = ["retry"];
    assert.deepEqual(state({ traits: { status: "error", error, actions } }).error, {
      tone: "error", kind: "overloaded", text: "Claude is overloaded.", retryHidden: false, retryDisabled: false,
    });
    assert.equal(state({ traits: { status: "error", error, actions }, intentSentAt: "error" }).error?.retryDisabled, true);
    assert.equal(state({ traits: { status: "error", error } }).error?.retryHidden, true); // not offered: not shown
  });

  it("counts down while waiting to retry, from the seconds the view counted", () => {
    const error = { kind: "overloaded", message: "m", headline: "Claude is overloaded", retry_in: 8, attempt: 2, max_attempts: 5,
      countdown: "Claude is overloaded — retrying{in} (attempt 2 of 5)" };
    const s = state({ traits: { status: "retrying", error }, secondsLeft: 2.6 });
    assert.equal(s.error?.text, "Claude is overloaded — retrying in 3 s (attempt 2 of 5)");
    assert.equal(s.error?.tone, "warn");
    assert.equal(s.error?.retryHidden, true);
    assert.equal(s.stop.hidden, false);
  });

  it("shows the stop reason's notice, with Continue after the token limit", () => {
    const s = state({ traits: { status: "done", stop_reason: "max_tokens", notice: "Cut at the limit.", actions: ["continue"] }, text: "a" });
    assert.equal(s.statusLabel, "Done · max tokens reached");
    assert.deepEqual(s.notice, { text: "Cut at the limit.", tone: "warn", continueHidden: false, continueDisabled: false });
    const refused = state({ traits: { status: "done", stop_reason: "refusal", notice: "Declined." }, text: "a" });
    assert.equal(refused.notice?.continueHidden, true);
  });

  it("marks a replayed answer with when it was answered and what it saved, and offers Ask again once it is shown", () => {
    const mark = { answered: "2026-12-07", saved: 0.0123 };
    const playing = state({ traits: { status: "streaming", replay: mark }, text: "a" });
    assert.deepEqual(playing.replay, { text: "replayed · answered 2026-12-07 · saved $0.012", askHidden: true, askDisabled: false });
    const shown = state({ traits: { status: "done", replay: mark, actions: ["ask_again"] }, text: "a" });
    assert.equal(shown.replay?.askHidden, false);
    assert.equal(state({ traits: { status: "done", replay: { answered: "2026-12-07", saved: null } } }).replay?.text,
      "replayed · answered 2026-12-07");
    assert.equal(state({ traits: { status: "done" } }).replay, null); // asked now: no mark
    assert.equal(shown.tokens.label, "$0"); // nothing sent, nothing billed
    assert.ok(shown.tokens.breakdown.includes("Asking again would cost about $0.0123"));
  });

  it("shows the receipt in the counter's tooltip", () => {
    const receipt = { fingerprint: "1aece8c3c4d489737f83", made: "2026-12-07T11:46:57+00:00", replayed: false };
    const s = state({ traits: { status: "done", usage: { input_tokens: 10, output_tokens: 5 }, receipt }, text: "a" });
    assert.equal(s.tokens.breakdown.at(-1), "Made 2026-12-07 11:46 · request 1aece8c3c4d4");
  });

  it("shows the inspector when the reader opened it, with the output tokens for the rate", () => {
    assert.deepEqual(state().inspector, { shown: false, outputTokens: 0 });
    assert.deepEqual(state({ inspecting: true, traits: { usage: { output_tokens: 42 } } }).inspector, { shown: true, outputTokens: 42 });
  });

  it("repaints on every trait it reads (and on the thinks and the citations)", () => {
    /** @type {Array<keyof import("../src/ui/view_state.js").ShownTraits | "thoughts" | "citations">} */
    const read = ["status", "usage", "prices", "error", "model", "effort", "stop_reason", "offline", "notice", "thinking_tokens",
      "thinking_phase", "actions",
      "input_estimate", "elapsed", "cards", "thoughts", "turn", "citations", "replay", "receipt", "changed"];
    assert.deepEqual([...PAINTED_TRAITS].sort(), [...read].sort());
  });
});
