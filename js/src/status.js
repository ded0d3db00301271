// What each `status` (docs/protocol.md) means for the view, in one place.

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
 * @typedef {{kind?: string, message?: string, retry_in?: number | null, attempt?: number, max_attempts?: number}} ErrorInfo
 * @typedef {{tone: "warn" | "error", kind: string, text: string, canRetry: boolean}} Banner
 */

/**
 * The error banner for the synced `error` trait, or null when there is none. While retrying it is
 * an amber notice; once the status is "error" it is red and offers Retry.
 * @param {ErrorInfo | null | undefined} error
 * @param {string} status
 * @returns {Banner | null}
 */
export function errorBanner(error, status) {
  if (!error) return null;
  const message = error.message || "Something went wrong.";
  if (status === "error") return { tone: "error", kind: error.kind ?? "", text: message, canRetry: true };
  if (status !== "retrying") return { tone: "warn", kind: error.kind ?? "", text: message, canRetry: false };
  const when = typeof error.retry_in === "number" ? `Retrying in ${Math.max(0, Math.round(error.retry_in))} s` : "Retrying";
  const attempt = error.attempt && error.max_attempts ? ` (attempt ${error.attempt} of ${error.max_attempts})` : "";
  return { tone: "warn", kind: error.kind ?? "", text: `${message} · ${when}${attempt}`, canRetry: false };
}
