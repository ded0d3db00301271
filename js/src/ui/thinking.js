// The collapsible "Thinking" sections, one per think, each where it happened among the text and the tool calls:
// open while Claude thinks, collapsed when what follows starts, and from then on open or closed as the reader
// leaves it.
import { h } from "./dom.js";
import { estimateTokens } from "./tokens.js";
import { formatSeconds } from "./view_state.js";

/**
 * @typedef {import("../wire/protocol.js").Think} Think
 * @typedef {{thinking: string, active: boolean, answerStarted: boolean, tokens: number, seconds: number}} SectionState
 * @typedef {{at: number, calls: number, state: SectionState}} ThinkSection a think, where it goes, and how it shows
 */

/**
 * The turn's thinking split into its thinks (the `thoughts` trait says where each began). The last one is live;
 * the turn's exact token count and thinking time label a lone think only (they are the turn's, not a think's).
 * Without `thoughts` (an answer saved before they were recorded) the thinking is one think at the top.
 * @param {string} thinking
 * @param {Think[] | undefined} thoughts
 * @param {{textLength: number, calls: number, active: boolean, tokens: number, seconds: number}} turn
 *   calls: the tool calls begun so far
 * @returns {ThinkSection[]}
 */
export function thinkSections(thinking, thoughts, { textLength, calls, active, tokens, seconds }) {
  const thinks = thoughts?.length ? thoughts : [{ at: 0, start: 0, calls: 0 }];
  const lone = thinks.length === 1;
  return thinks.map((think, i) => {
    const last = i === thinks.length - 1;
    // The paragraph break that ends a think belongs to no one.
    const text = thinking.slice(think.start, last ? thinking.length : thinks[i + 1].start).replace(/\n+$/, "");
    const answerStarted = textLength > think.at || calls > think.calls;
    return { at: think.at, calls: think.calls,
      state: { thinking: text, active: active && last, answerStarted, tokens: lone ? tokens : 0, seconds: lone ? seconds : 0 } };
  });
}

/**
 * Whether the section should be open. Once the reader has toggled it, their choice wins.
 * @param {{thinking: string, answerStarted: boolean, userChoice: boolean | null}} state
 * @returns {boolean}
 */
export function thinkingOpen({ thinking, answerStarted, userChoice }) {
  if (userChoice !== null) return userChoice;
  return thinking !== "" && !answerStarted;
}

/**
 * Summary line, e.g. "Thinking · 12 s · ~80 tokens", "Thought for 12 s · 312 tokens" (the time where known).
 * @param {{thinking: string, active: boolean, answerStarted: boolean, tokens: number, seconds?: number}} state
 * @returns {string}
 */
export function thinkingLabel({ thinking, active, answerStarted, tokens, seconds = 0 }) {
  const stillThinking = active && !answerStarted;
  const count = tokens > 0 ? tokens : estimateTokens(thinking);
  const approx = tokens > 0 ? "" : "~";
  const time = seconds >= 1 ? formatSeconds(seconds) : "";
  const head = stillThinking ? (time ? `Thinking · ${time}` : "Thinking…") : time ? `Thought for ${time}` : "Thought";
  return `${head} · ${approx}${count.toLocaleString("en-US")} tokens`;
}

/**
 * @param {Document} doc
 */
export function createThinkingSection(doc) {
  const summary = h(doc, "summary", { "data-role": "thinking-summary" });
  const body = h(doc, "div", { class: "cw-thinking-text" });
  const element = h(doc, "details", { class: "cw-thinking", "data-role": "thinking", hidden: "" }, [summary, body]);

  /** @type {boolean | null} */
  let userChoice = null;
  // The reader's click (a key on the summary clicks it too), before the section toggles: not the toggle event,
  // which fires a task later, when a paint in between may have set `open` itself and the two are one event.
  summary.addEventListener("click", () => {
    userChoice = !element.open;
  });
  let shown = "";

  return {
    element,
    /** @param {SectionState} state */
    update(state) {
      element.hidden = state.thinking === "";
      if (state.thinking === "") return;
      // Thinking only grows, so append to the text node (a selection in it survives).
      if (state.thinking.startsWith(shown)) body.append(state.thinking.slice(shown.length));
      else body.textContent = state.thinking;
      shown = state.thinking;
      summary.textContent = thinkingLabel(state);
      const open = thinkingOpen({ ...state, userChoice });
      if (element.open !== open) element.open = open;
    },
  };
}
