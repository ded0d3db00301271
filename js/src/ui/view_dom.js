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
  const model = h(doc, "span", { class: "cw-model", "data-role": "model" });
  const offline = h(doc, "span", { class: "cw-badge", "data-role": "offline", title: "Answer from the built-in fake server" }, ["offline"]);
  const tokens = h(doc, "span", { class: "cw-tokens", "data-role": "tokens" });
  const copy = button(doc, "copy", "Copy", "Copy answer as markdown");
  const stop = button(doc, "stop", "Stop", "Stop generating (Esc)");
  const inspect = button(doc, "inspect", "Inspect", "Show the stream's events");
  inspect.setAttribute("aria-pressed", "false");
  const header = h(doc, "div", { class: "cw-header", "data-role": "header" }, [
    status, model, offline, h(doc, "span", { class: "cw-spacer" }), tokens, inspect, copy, stop,
  ]);

  const chips = h(doc, "ul", { class: "cw-chips", "data-role": "chips", "aria-label": "Sent with the question", hidden: "" });
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
  const inspector = createInspector(doc);

  const root = h(doc, "div", { class: "cw-root", "data-role": "root", tabindex: "0" }, [header, chips, body, error, notice, inspector.element]);
  return { root, chips, sources, status, model, offline, tokens, copy, stop, inspect, content, typing, typingLabel, scroll, jump, error, errorText, retry,
    thinking, notice, noticeText, continueButton, inspector };
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
 * Make the view's elements show `state` (the answer's text itself is rendered apart, see answer.js).
 * @param {ViewDom} dom
 * @param {ViewState} state
 */
export function applyViewState(dom, state) {
  for (const node of [dom.root, dom.status]) node.dataset.status = state.status;
  if (state.final) dom.jump.hidden = true; // a finished answer has no box to jump in
  dom.status.textContent = state.statusLabel;
  dom.model.textContent = state.model;
  dom.offline.hidden = state.offlineHidden;

  dom.tokens.textContent = state.tokens.label;
  dom.tokens.hidden = state.tokens.hidden;
  dom.tokens.title = state.tokens.title;

  dom.stop.hidden = state.stop.hidden;
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
  dom.continueButton.hidden = state.notice?.continueHidden ?? true;
  dom.continueButton.toggleAttribute("disabled", state.notice?.continueDisabled ?? state.intentPending);
  dom.inspect.setAttribute("aria-pressed", String(state.inspector.shown));
  dom.inspector.element.hidden = !state.inspector.shown;
}
