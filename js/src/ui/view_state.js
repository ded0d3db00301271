// What one view shows, decided without a DOM: a pure function of the synced traits, the streamed texts
// and the view's own small state (a click waiting for the status to move on, the inspector open or not,
// the retry countdown). view.js reads the inputs, calls viewState, and applies the result (view_dom.js).
import { errorBanner, INITIAL_STATUS, isActive, isFinished, noticeBanner, statusLabel, waitingLabel } from "./status.js";
import { headerFacts } from "./header.js";
import { displayUsage, formatCost, formatCostShort } from "./tokens.js";

/**
 * @typedef {import("../wire/protocol.js").WidgetState} WidgetState
 * @typedef {"status" | "usage" | "prices" | "error" | "model" | "effort" | "stop_reason" | "offline" | "notice" |
 *   "thinking_tokens" | "thinking_phase" | "actions" | "input_estimate" | "elapsed" | "cards" | "turn" | "replay" |
 *   "receipt" | "changed"} ShownTrait
 * @typedef {{[K in ShownTrait]?: WidgetState[K] | undefined}} ShownTraits the traits viewState reads (any may be missing)
 */

/**
 * Every trait whose change repaints the view (`cards` and `thoughts` place the tool cards and the thinks among the
 * answer's text; `citations` are its footnotes).
 */
export const PAINTED_TRAITS = /** @type {const} */ ([
  "status", "usage", "prices", "error", "model", "effort", "stop_reason", "offline", "cards", "notice", "thinking_tokens",
  "thinking_phase", "actions", "input_estimate", "citations", "elapsed", "thoughts", "turn", "replay",
  "receipt", "changed",
]);

/**
 * @typedef {object} ViewInputs
 * @property {ShownTraits} traits
 * @property {string} text the answer so far
 * @property {string} thinking the thinking text so far
 * @property {string | null} intentSentAt the status at which Stop, Retry or Continue was last clicked, if any
 * @property {string | null} [intentWaiting] that click's intent, once it has waited INTENT_PATIENCE_MS for the kernel
 * @property {boolean} inspecting whether the reader has opened the inspector
 * @property {number | null} secondsLeft until the kernel retries, counted by the view; null when not waiting
 * @property {number} [thinkingSeconds] the turn's thinking time, the current think counted by the view
 * @property {number | null} [elapsedSeconds] the answer's time as the view has counted it (null: not counted);
 *   the kernel's `elapsed` replaces it once the answer has ended
 */

/**
 * @typedef {object} ViewState
 * @property {string} status the status shown (a missing trait: INITIAL_STATUS)
 * @property {boolean} intentPending a click is still waiting for the status to move on: its buttons stay disabled
 * @property {string} statusLabel
 * @property {{model: string, effort: string, turn: string, elapsed: string}} facts the header's model, effort, turn
 *   and time
 * @property {boolean} offlineHidden
 * @property {{label: string, parts: {text: string, aside: string}[], hidden: boolean, breakdown: string[]}} tokens
 *   the counter (tokens.js) and its tooltip's lines
 * @property {{hidden: boolean, disabled: boolean, label: string}} stop hidden: its place in the header is kept
 * @property {boolean} copyDisabled
 * @property {{tone: string, kind: string, text: string, retryHidden: boolean, retryDisabled: boolean} | null} error
 *   the error banner, null when hidden
 * @property {{text: string, tone: "warn" | "info", continueHidden: boolean, continueDisabled: boolean} | null} notice
 *   null when hidden
 * @property {{text: string, askHidden: boolean, askDisabled: boolean} | null} replay a replayed answer's mark, with
 *   Ask again; null for an answer asked now
 * @property {boolean} typingHidden the dots shown while nothing of the answer has come yet, or while Claude thinks
 * @property {string} typingLabel beside the dots while Claude thinks and nothing of it shows ("Thinking · 12 s")
 * @property {boolean} busy aria-busy of the content: screen readers hear finished blocks through the announcer
 * @property {{thinking: string, active: boolean, answerStarted: boolean, tokens: number, seconds: number}} thinking
 * @property {{shown: boolean, outputTokens: number}} inspector
 * @property {string} changed what changed in the attachments since the same question's last answer ("" if asked
 *   for another reason, or for the first time)
 * @property {boolean} final the answer's text is final: render it as such
 */

/**
 * @param {ViewInputs} inputs
 * @returns {ViewState}
 */
export function viewState({ traits, text, thinking, intentSentAt, intentWaiting = null, inspecting, secondsLeft,
  thinkingSeconds, elapsedSeconds = null }) {
  const status = traits.status ?? INITIAL_STATUS;
  const active = isActive(status);
  // A click disables its button until the status moves on (then the kernel has acted on it).
  const intentPending = intentSentAt !== null && intentSentAt === status;
  const thinkingTokens = traits.thinking_tokens ?? 0;
  const phase = traits.thinking_phase;
  const seconds = thinkingSeconds ?? phase?.seconds ?? 0;
  const thinkingNow = active && Boolean(phase?.active);
  // Hidden thinking (or a think after the answer began, its section collapsed) shows nothing else of it.
  const thinkingUnseen = thinkingNow && (thinking === "" || text !== "");
  // A tool's result is back and nothing of Claude's reply to it yet: never a silent wait.
  const lastCall = (traits.cards ?? []).at(-1);
  const awaitingClaude = active && !thinkingNow && lastCall !== undefined && text.length <= lastCall.at
    && (lastCall.status === "done" || lastCall.status === "error" || lastCall.status === "declined");
  // A call waiting for the user's Run or Skip: nobody is typing, the card says what it waits for.
  const awaitingUser = (traits.cards ?? []).some((card) => card.status === "pending" || card.status === "queued");

  const usage = traits.replay ? replayedUsage(traits.replay) : displayUsage({ usage: traits.usage, text, status,
    prices: traits.prices, inputEstimate: traits.input_estimate, thinking, thinkingTokens });
  const final = isFinished(status);
  const facts = headerFacts({ model: traits.model, effort: traits.effort, final, turn: traits.turn,
    elapsedSeconds: final && traits.elapsed ? traits.elapsed : elapsedSeconds });

  const banner = errorBanner(traits.error, status, secondsLeft);
  const notice = noticeBanner(traits.notice, status, traits.stop_reason);
  const offered = traits.actions ?? []; // Retry and Continue: the kernel offers them, by the rule it acts on
  return {
    status,
    intentPending,
    statusLabel: intentPending && intentWaiting ? waitingLabel(intentWaiting) : statusLabel(status, traits.stop_reason),
    facts: { model: facts.model, effort: facts.effort, turn: facts.turn, elapsed: facts.elapsed },
    offlineHidden: !traits.offline,
    tokens: { label: usage.label, parts: usage.parts, hidden: !usage.label,
      breakdown: [...usage.breakdown, ...facts.details, ...receiptLines(traits.receipt)] },
    stop: { hidden: !active, disabled: intentPending, label: intentPending ? "Stopping…" : "Stop" },
    copyDisabled: text === "",
    error: banner && {
      tone: banner.tone,
      kind: banner.kind,
      text: banner.text,
      retryHidden: !offered.includes("retry"),
      retryDisabled: intentPending,
    },
    notice: notice && { text: notice.text, tone: notice.tone, continueHidden: !offered.includes("continue"), continueDisabled: intentPending },
    replay: traits.replay ? { text: replayText(traits.replay), askHidden: !offered.includes("ask_again"), askDisabled: intentPending } : null,
    typingHidden: awaitingUser || !((active && text === "") || thinkingUnseen || awaitingClaude),
    typingLabel: thinkingUnseen ? `Thinking · ${formatSeconds(seconds)}` : awaitingClaude ? "Waiting for Claude…" : "",
    busy: active,
    thinking: { thinking, active, answerStarted: text !== "", tokens: thinkingTokens, seconds },
    inspector: { shown: inspecting, outputTokens: traits.usage?.output_tokens ?? 0 },
    changed: traits.changed ?? "",
    final,
  };
}

/**
 * A replayed answer's counter: nothing was sent, nothing billed.
 * @param {import("../wire/protocol.js").ReplayMark} mark
 * @returns {{label: string, parts: {text: string, aside: string}[], breakdown: string[]}}
 */
function replayedUsage(mark) {
  const saved = typeof mark.saved === "number" ? [`Asking again would cost about ${formatCost(mark.saved)}`] : [];
  return { label: "$0", parts: [{ text: "$0", aside: "" }],
    breakdown: ["Replayed from the answer store: nothing was sent, nothing billed", ...saved] };
}

/**
 * The receipt's lines in the counter's tooltip: when the answer was made, and the request's fingerprint.
 * @param {import("../wire/protocol.js").Receipt | null | undefined} receipt
 */
export function receiptLines(receipt) {
  if (!receipt) return [];
  const made = receipt.made.replace("T", " ").slice(0, 16);
  return [`${receipt.replayed ? "Answered" : "Made"} ${made} · request ${receipt.fingerprint.slice(0, 12)}`];
}

/**
 * "replayed · answered 2026-12-07 · saved $0.012".
 * @param {import("../wire/protocol.js").ReplayMark} mark
 */
export function replayText(mark) {
  const saved = typeof mark.saved === "number" && mark.saved > 0 ? ` · saved ${formatCostShort(mark.saved)}` : "";
  return `replayed · answered ${mark.answered}${saved}`;
}

/**
 * "12 s", "2 min 5 s".
 * @param {number} seconds
 */
export function formatSeconds(seconds) {
  const whole = Math.floor(seconds);
  return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${whole % 60} s`;
}
