// The kernel ↔ view vocabulary on this side (docs/protocol.md), written once: the synced traits and their
// shapes, the streamed channels and the trait that holds each one's full text, the kinds of kernel → view
// messages, and the intents the view sends back. Everything else builds its messages from here.

/**
 * @typedef {"connecting" | "streaming" | "retrying" | "done" | "stopped" | "error"} Status
 * @typedef {{
 *   input_tokens?: number,
 *   output_tokens?: number,
 *   cache_creation_input_tokens?: number,
 *   cache_read_input_tokens?: number,
 *   cache_creation_1h_input_tokens?: number,
 * }} Usage exact figures known so far (the 1-hour cache writes are part of cache_creation_input_tokens)
 * @typedef {{input: number, output: number, cache_write: number, cache_read: number, cache_write_1h?: number,
 *   notes?: string[]}} Prices USD per million tokens, as the latest request is billed (the kernel picks them:
 *   notes say what changed the list price)
 * @typedef {{active: boolean, seconds: number}} ThinkingPhase whether Claude is thinking now, and the turn's
 *   thinking time over its finished thinks (hidden thinking streams no text: this is how the view knows)
 * @typedef {{kind?: string, message?: string, headline?: string, countdown?: string, retry_in?: number | null,
 *   attempt?: number, max_attempts?: number, continuing?: boolean}} ErrorInfo
 *   countdown: while retrying, the banner's sentence with `{in}` where the wait goes
 * @typedef {{id: string, name: string, status: string, at: number, input_at: number,
 *   result: string | null, is_error: boolean, server: boolean, note?: string}} ToolCard
 *   at: the answer's length when the call began; input_at: where its input begins in `tool_input` (it ends where
 *   the next card's begins); note: what Claude said just before the call, inside thinking (today's models)
 * @typedef {{at: number, start: number, calls: number}} Think where a think began: the answer's length then, where
 *   its text begins in `thinking`, and the tool calls begun before it (all in UTF-16 code units)
 * @typedef {{number: number, type: string, cited_text: string, source: string, url: string | null,
 *   document_index: number | null, document_title: string | null, start: number | null, end: number | null}}
 *   CitationInfo one of the answer's sources; `source` says where it is ("report.pdf, p. 3")
 * @typedef {{kind: string, label: string, detail: string, thumbnail: string}} Chip one of the question's
 *   attachments: "table", "image" or "file"; thumbnail: an image's small `data:` URL, or ""
 */

/**
 * The synced traits of a ChatWidget model, as the kernel sends them. Each may be missing (a model whose
 * state is partial, e.g. a notebook reopened without it), so every reader defaults it. (`view` is a JobWidget's,
 * "job": the bundle shows a map job's progress for such a model, job/job_view.js.)
 * @typedef {{
 *   text?: string,
 *   thinking?: string,
 *   tool_input?: string,
 *   status?: Status,
 *   usage?: Usage | null,
 *   thinking_tokens?: number,
 *   thinking_phase?: ThinkingPhase,
 *   prices?: Prices | null,
 *   error?: ErrorInfo | null,
 *   cards?: ToolCard[],
 *   thoughts?: Think[],
 *   actions?: Action[],
 *   model?: string,
 *   effort?: string,
 *   stop_reason?: string | null,
 *   notice?: string | null,
 *   offline?: boolean,
 *   assets?: string,
 *   answer_id?: string,
 *   input_estimate?: number,
 *   elapsed?: number,
 *   turn?: number,
 *   attachments?: Chip[],
 *   citations?: CitationInfo[],
 *   replay?: ReplayMark | null,
 *   receipt?: Receipt | null,
 *   changed?: string | null,
 *   view?: string,
 * }} WidgetState
 */

/**
 * A replayed answer's mark: the day it was answered (ISO), and what asking again would have cost (null: unknown).
 * @typedef {{answered: string, saved: number | null}} ReplayMark
 */

/**
 * What produced a finished answer (as the saved notebook's output metadata says it): the request's fingerprint,
 * when the answer was made (ISO 8601), whether this one was replayed.
 * @typedef {{fingerprint: string, made: string, replayed: boolean, model?: string, cost?: number | null}} Receipt
 */

/** @typedef {import("@anywidget/types").AnyModel<WidgetState>} Model anywidget's model, typed by our traits */

/** @typedef {"answer" | "thinking" | "tools" | "events"} Channel */
/** @typedef {"retry" | "continue" | "ask_again"} Action a button the kernel offers (and carries out only while it does) */

/** Every streamed channel; a message without `channel` is for the answer. */
export const CHANNELS = /** @type {const} */ (["answer", "thinking", "tools", "events"]);
export const ACTIONS = /** @type {const} */ (["retry", "continue", "ask_again"]);
export const DEFAULT_CHANNEL = /** @type {const} */ ("answer");

/** A finished answer's own entry in its output's bundle, for the JupyterLab extension (lab/plugin.js). */
export const ANSWER_MIME = "application/vnd.claude-widget.answer+json";

/**
 * The state key that holds each channel's full text, if any (the event log has none).
 * @type {{answer: "text", thinking: "thinking", tools: "tool_input", events: null}}
 */
export const TRAIT = { answer: "text", thinking: "thinking", tools: "tool_input", events: null };

/** Kinds of kernel → view custom messages: a channel's text, and the view's code in reply to `bundle`. */
export const KIND = /** @type {const} */ ({ delta: "delta", snapshot: "snapshot", bundle: "bundle" });

/**
 * The channel a kernel message is for (absent: the answer); not checked against CHANNELS.
 * @param {{channel?: unknown}} msg
 * @returns {string}
 */
export function channelOf(msg) {
  return typeof msg.channel === "string" ? msg.channel : DEFAULT_CHANNEL;
}

/** @typedef {"stop" | "retry" | "continue" | "ask_again" | "resume"} UserIntent what a button (or Esc) asks the kernel to do (resume: a map job's) */

/** View → kernel messages. */
/**
 * The view's code, asked for by a front end that cannot reach the shared assets model. On its own (not only in
 * `intents`) so that the loader, which every widget carries, bundles this builder alone.
 * @param {string} id matched by the reply's `id`
 */
export function bundleIntent(id) {
  return { intent: "bundle", id };
}

// Intents about this front end's own copy of the streams say which front end it is (`frontend`, a random id
// per page and model): the kernel's messages reach every front end, so it sends what all of them can read.
export const intents = {
  /**
   * Once per front end: it collects the deltas itself (and can inflate compressed ones).
   * @param {{deflate: boolean, frontend: string}} options
   */
  follow: ({ deflate, frontend }) => ({ intent: "follow", deflate, frontend }),
  /**
   * Ask for a snapshot of a channel (and a new deflate stream); `deflate: false` asks for plain text from now on.
   * @param {string} channel
   * @param {string} frontend
   * @param {{deflate?: false}} [extra]
   */
  resync: (channel, frontend, extra = {}) =>
    ({ intent: "resync", ...(channel === DEFAULT_CHANNEL ? {} : { channel }), ...extra, frontend }),
  /**
   * The inspector was opened (send the event log, then keep it coming) or closed (stop, unless another is open).
   * @param {boolean} open
   * @param {string} frontend
   */
  inspect: (open, frontend) => ({ intent: "inspect", open, frontend }),
  bundle: bundleIntent,
  /** @param {UserIntent} intent */
  user: (intent) => ({ intent }),
  /**
   * The user's Run or Skip on a tool call waiting for it; a Skip's reason goes to Claude.
   * @param {string} call the call's id
   * @param {boolean} run
   * @param {string} [reason]
   */
  decide: (call, run, reason = "") => (run ? { intent: "approve", call } : { intent: "reject", call, reason }),
};

/** A random id: a front end's, or a request's (not a secret; `crypto.randomUUID` needs a secure context). */
export function randomId() {
  return Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
}
