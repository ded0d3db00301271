// What each `status` (docs/protocol.md) means for the view, in one place.

/** The status of a model whose state has none yet (a partial state): the request is on its way. */
export const INITIAL_STATUS = "connecting";

/** Statuses during which the answer is still coming and Stop makes sense. */
const ACTIVE = new Set(["connecting", "streaming", "retrying"]);
/** Statuses after which text and usage are final. */
const FINISHED = new Set(["done", "stopped", "error"]);

/** @type {Record<string, string>} */
const LABELS = {
  connecting: "Connecting…",
  streaming: "Streaming",
  retrying: "Retrying",
  done: "Done",
  stopped: "Stopped",
  error: "Error",
};

/** @type {Record<string, string>} stop reasons worth telling the reader about */
const NOTABLE_STOP_REASONS = {
  max_tokens: "max tokens reached",
  refusal: "refused",
  pause_turn: "paused",
};

/** @param {string} status */
export const isActive = (status) => ACTIVE.has(status);

/** @param {string} status */
export const isFinished = (status) => FINISHED.has(status);

/** How long a click may wait for the kernel to act on it before the view says why it waits. */
export const INTENT_PATIENCE_MS = 1000;

/**
 * Text of the status indicator while a click waits for a busy kernel: one that reads the view's messages only
 * between cells (no kernel subshells: ipykernel 6, some hosts) acts on it once the cells running or queued
 * before it have finished.
 * @param {string} intent "stop", "retry" or "continue"
 * @returns {string}
 */
export function waitingLabel(intent) {
  return intent === "stop"
    ? "Stopping · Stop takes effect when the running cells finish"
    : "Waiting for the running cells to finish";
}

/**
 * Text of the status indicator, e.g. "Done · max tokens reached".
 * @param {string} status
 * @param {string | null} [stopReason]
 * @returns {string}
 */
export function statusLabel(status, stopReason) {
  const label = LABELS[status] ?? status;
  const note = status === "done" && stopReason ? NOTABLE_STOP_REASONS[stopReason] : undefined;
  return note ? `${label} · ${note}` : label;
}

/**
 * @typedef {import("../wire/protocol.js").ErrorInfo} ErrorInfo
 * @typedef {{tone: "warn" | "error", kind: string, text: string}} Banner
 */

/**
 * The error banner for the synced `error` trait, or null when there is none. While retrying it is an
 * amber notice with a live countdown ("Claude is overloaded — retrying in 3 s (attempt 2 of 5)"); once
 * the status is "error" it is red (whether it offers Retry is the kernel's word: the `actions` trait).
 * @param {ErrorInfo | null | undefined} error
 * @param {string} status
 * @param {number | null} [secondsLeft] until the next attempt; defaults to the whole `retry_in`
 * @returns {Banner | null}
 */
export function errorBanner(error, status, secondsLeft) {
  if (!error) return null;
  const message = error.message || "Something went wrong.";
  const kind = error.kind ?? "";
  if (status === "error") return { tone: "error", kind, text: message };
  if (status !== "retrying" || !error.countdown) return { tone: "warn", kind, text: message };
  // The kernel words it; the view only fills in the wait it counts down.
  const left = secondsLeft ?? error.retry_in;
  const wait = typeof left === "number" && left >= 0.5 ? ` in ${Math.round(left)} s` : "…";
  return { tone: "warn", kind, text: error.countdown.replace("{in}", wait) };
}

/**
 * The notice of how an answer ended, once it has: cut, refused, stopped, recovered (the kernel words it; whether
 * it offers Continue is the kernel's word too: the `actions` trait). A failed answer has its error banner instead.
 * Its tone (issue 22, item 9): "warn" when the answer is not all it could be, "info" when it is (it recovered).
 * @param {string | null | undefined} notice
 * @param {string} status
 * @param {string | null | undefined} [stopReason]
 * @returns {{text: string, tone: "warn" | "info"} | null}
 */
export function noticeBanner(notice, status, stopReason) {
  if (!notice || (status !== "done" && status !== "stopped")) return null;
  const whole = status === "done" && !CUT_SHORT.has(stopReason ?? "");
  return { text: notice, tone: whole ? "info" : "warn" };
}
const CUT_SHORT = new Set(["max_tokens", "refusal", "model_context_window_exceeded"]);
