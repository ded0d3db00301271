// The view's elements: built once (every element the view updates carries a `data-role`), then brought in
// line with a ViewState (view_state.js) on every paint. Nothing here decides what to show.
import { h } from "./dom.js";
import { createInspector } from "./inspector.js";
import { createSources } from "./sources.js";
import { createThinkingSection } from "./thinking.js";

/** @typedef {import("./view_state.js").ViewState} ViewState */

/**
 * @param {Document} doc
 * @param {string} role
 * @param {string} label visible text
 * @param {string} ariaLabel
 */
function button(doc, role, label, ariaLabel) {
  return h(doc, "button", { type: "button", class: `cw-button cw-${role}`, "data-role": role, "aria-label": ariaLabel }, [label]);
}

/**
 * Build the view's DOM. Every element the view updates carries a `data-role`.
 * @param {Document} doc
 */
export function buildDom(doc) {
  const status = h(doc, "span", { class: "cw-status", "data-role": "status", role: "status" });
  // The model, its effort and the time: each its own element, so that a narrow header drops them one by one (CSS).
  const model = h(doc, "span", { class: "cw-model", "data-role": "model" });
  const effort = h(doc, "span", { class: "cw-effort", "data-role": "effort" });
  const turn = h(doc, "span", { class: "cw-turn", "data-role": "turn" });
  const elapsed = h(doc, "span", { class: "cw-elapsed", "data-role": "elapsed" });
  const facts = h(doc, "span", { class: "cw-facts" }, [model, effort, turn, elapsed]);
  const offline = h(doc, "span", { class: "cw-badge", "data-role": "offline", title: "Answer from the built-in fake server" }, ["offline"]);
  // The counter is focusable: its breakdown shows on focus as on hover (tooltip.js).
  const tokens = h(doc, "span", { class: "cw-tokens", "data-role": "tokens", tabindex: "0" });
  const breakdown = h(doc, "div", { class: "cw-breakdown", "data-role": "breakdown" });
  const copy = button(doc, "copy", "Copy", "Copy answer as markdown");
  const stop = button(doc, "stop", "Stop", "Stop generating (Esc)");
  const inspect = button(doc, "inspect", "Inspect", "Show the stream's events");
  inspect.setAttribute("aria-pressed", "false");
  // Stop first: its place is kept once it goes (hidden by visibility), so Inspect and Copy never move.
  const actions = h(doc, "span", { class: "cw-actions" }, [stop, inspect, copy]);
  const header = h(doc, "div", { class: "cw-header cw-answer-header", "data-role": "header" }, [
    status, facts, offline, h(doc, "span", { class: "cw-spacer" }), h(doc, "span", { class: "cw-counter" }, [tokens, breakdown]), actions,
  ]);

  const chips = h(doc, "ul", { class: "cw-chips", "data-role": "chips", "aria-label": "Sent with the question", hidden: "" });
  const changed = h(doc, "div", { class: "cw-changed", "data-role": "changed", hidden: "" });
  const content = h(doc, "div", { class: "cw-content", "data-role": "content", "aria-busy": "false" });
  const dots = [1, 2, 3].map(() => h(doc, "span", { class: "cw-dot" }));
  const typingLabel = h(doc, "span", { class: "cw-typing-label", "data-role": "typing-label" });
  const typing = h(doc, "div", { class: "cw-typing", "data-role": "typing", role: "img", "aria-label": "Claude is writing" },
    [...dots, typingLabel]);
  const thinking = createThinkingSection(doc);
  const sources = createSources(doc);
  const scroll = h(doc, "div", { class: "cw-scroll", "data-role": "scroll", tabindex: "0", "aria-label": "Answer" }, [thinking.element, content, typing, sources.element]);
  const jump = button(doc, "jump", "↓ Jump to latest", "Jump to latest");
  const body = h(doc, "div", { class: "cw-body" }, [scroll, jump]);

  const errorText = h(doc, "span", { class: "cw-error-text", "data-role": "error-text" });
  const retry = button(doc, "retry", "Retry", "Retry the request");
  const error = h(doc, "div", { class: "cw-error", "data-role": "error", role: "alert" }, [errorText, retry]);

  const noticeText = h(doc, "span", { class: "cw-notice-text" });
  const continueButton = button(doc, "continue", "Continue", "Continue the answer");
  const notice = h(doc, "div", { class: "cw-notice", "data-role": "notice", role: "status" }, [noticeText, continueButton]);
  const replayText = h(doc, "span", { class: "cw-notice-text", "data-role": "replay-text" });
  const askAgain = button(doc, "ask-again", "Ask again", "Ask Claude again, for real (the store keeps both answers)");
  const replay = h(doc, "div", { class: "cw-notice", "data-role": "replay", "data-tone": "info", role: "status", hidden: "" },
    [replayText, askAgain]);
  const inspector = createInspector(doc);

  const root = h(doc, "div", { class: "cw-root", "data-role": "root", tabindex: "0" }, [header, chips, changed, body, error, notice, replay, inspector.element]);
  return { root, chips, sources, status, model, effort, turn, elapsed, offline, tokens, breakdown, copy, stop, inspect, content, typing, typingLabel, scroll, jump, error, errorText, retry,
    thinking, notice, noticeText, continueButton, replay, replayText, askAgain, changed, inspector };
}

/**
 * Hosts such as marimo render widgets in a shadow root, where browsers ignore `@font-face` rules: the
 * KaTeX fonts would never load. Copy those rules (once per document) to the document's head.
 * @param {HTMLElement} el
 */
export function shareFontsOutsideShadowRoot(el) {
  const root = el.getRootNode();
  const doc = el.ownerDocument;
  if (!(root instanceof (doc.defaultView?.ShadowRoot ?? Object)) || root === doc || doc.getElementById("cw-shared-fonts")) return;
  const rules = [];
  for (const sheet of /** @type {ShadowRoot} */ (root).styleSheets ?? []) {
    try {
      for (const rule of sheet.cssRules) if (rule.constructor.name === "CSSFontFaceRule") rules.push(rule.cssText);
    } catch {
      // a cross-origin sheet cannot be read; ours are inline
    }
  }
  if (!rules.length) return;
  const style = doc.createElement("style");
  style.id = "cw-shared-fonts";
  style.textContent = rules.join("\n");
  doc.head.append(style);
}

/** @typedef {ReturnType<typeof buildDom>} ViewDom */

/**
 * An element's text, hidden when empty.
 * @param {HTMLElement} node
 * @param {string} text
 */
function setText(node, text) {
  node.textContent = text;
  node.hidden = text === "";
}

/** @type {WeakMap<HTMLElement, string>} */
const shownLines = new WeakMap();

/**
 * The counter's line, its asides ("(4.4k cached)") in elements of their own that a narrow header leaves out.
 * @param {HTMLElement} node
 * @param {string} label the whole line
 * @param {{text: string, aside: string}[]} parts
 */
function showCounter(node, label, parts) {
  if (shownLines.get(node) === label) return;
  shownLines.set(node, label);
  const doc = node.ownerDocument;
  node.replaceChildren(...parts.flatMap(({ text, aside }, i) => [
    ...(i ? [" · "] : []), text, ...(aside ? [h(doc, "span", { class: "cw-aside" }, [` (${aside})`])] : []),
  ]));
}

/**
 * Lines of text, one element each; an indented line ("  2,218 read from the cache") belongs to the one before.
 * Rebuilt only when they change (the view paints on every delta).
 * @param {HTMLElement} node
 * @param {string[]} lines
 */
function showLines(node, lines) {
  const text = lines.join("\n");
  if (shownLines.get(node) === text) return;
  shownLines.set(node, text);
  const doc = node.ownerDocument;
  node.replaceChildren(...lines.map((line) =>
    h(doc, "div", { class: line.startsWith("  ") ? "cw-line cw-sub" : "cw-line" }, [line.trim()])));
}

/**
 * Make the view's elements show `state` (the answer's text itself is rendered apart, see answer.js).
 * @param {ViewDom} dom
 * @param {ViewState} state
 */
export function applyViewState(dom, state) {
  for (const node of [dom.root, dom.status]) node.dataset.status = state.status;
  if (state.final) dom.jump.hidden = true; // a finished answer has no box to jump in
  dom.status.textContent = state.statusLabel;
  dom.status.title = state.statusLabel; // in full where the header is too narrow for it
  setText(dom.model, state.facts.model);
  setText(dom.effort, state.facts.effort);
  setText(dom.turn, state.facts.turn);
  setText(dom.elapsed, state.facts.elapsed);
  dom.offline.hidden = state.offlineHidden;

  showCounter(dom.tokens, state.tokens.label, state.tokens.parts);
  dom.tokens.hidden = state.tokens.hidden;
  showLines(dom.breakdown, state.tokens.breakdown);

  // Kept in the layout when it goes (not `hidden`): the header's buttons and the answer below do not move.
  dom.stop.style.visibility = state.stop.hidden ? "hidden" : "";
  dom.stop.toggleAttribute("disabled", state.stop.disabled);
  dom.stop.textContent = state.stop.label;
  dom.copy.toggleAttribute("disabled", state.copyDisabled);

  dom.error.hidden = state.error === null;
  if (state.error) {
    dom.error.dataset.tone = state.error.tone;
    dom.error.dataset.kind = state.error.kind;
    dom.errorText.textContent = state.error.text;
    dom.retry.hidden = state.error.retryHidden;
    dom.retry.toggleAttribute("disabled", state.error.retryDisabled);
  }

  dom.typing.hidden = state.typingHidden;
  dom.typingLabel.textContent = state.typingLabel;
  dom.typing.setAttribute("aria-label", state.typingLabel || "Claude is writing");
  dom.content.setAttribute("aria-busy", String(state.busy));
  dom.thinking.update(state.thinking);
  dom.notice.hidden = state.notice === null;
  dom.noticeText.textContent = state.notice?.text ?? "";
  dom.notice.dataset.tone = state.notice?.tone ?? "warn"; // its colour (styles.css; issue 22, item 9)
  dom.continueButton.hidden = state.notice?.continueHidden ?? true;
  dom.continueButton.toggleAttribute("disabled", state.notice?.continueDisabled ?? state.intentPending);
  dom.changed.hidden = state.changed === "";
  dom.changed.textContent = state.changed;
  dom.replay.hidden = state.replay === null;
  dom.replayText.textContent = state.replay?.text ?? "";
  dom.askAgain.hidden = state.replay?.askHidden ?? true;
  dom.askAgain.toggleAttribute("disabled", state.replay?.askDisabled ?? state.intentPending);
  dom.inspect.setAttribute("aria-pressed", String(state.inspector.shown));
  dom.inspector.element.hidden = !state.inspector.shown;
}
