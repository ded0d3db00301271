// anywidget `render`: builds one view of a ChatWidget model and wires it. The view only shows
// synced state and the model-level text buffer; it talks back with user intents only (stop, retry,
// continue, inspect; the model says `follow` and `resync` itself, see model_stream.js).
import { createAnnouncer } from "./announcer.js";
import { copyText } from "./clipboard.js";
import { createContentRenderer } from "./content_renderer.js";
import { h } from "./dom.js";
import { bufferFor } from "./model_stream.js";
import { createScrollController } from "./scroll.js";
import { parseLog, createInspector } from "./inspector.js";
import { errorBanner, isActive, isFinished, noticeBanner, statusLabel } from "./status.js";
import { createThinkingSection } from "./thinking.js";
import { createToolCard, segmentsFor } from "./tool_cards.js";
import { displayUsage } from "./tokens.js";

/** @typedef {import("./model_stream.js").AnyModel} AnyModel */

const FEEDBACK_MS = 1500;

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
function buildDom(doc) {
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

  const content = h(doc, "div", { class: "cw-content", "data-role": "content", "aria-busy": "false" });
  const dots = [1, 2, 3].map(() => h(doc, "span", { class: "cw-dot" }));
  const typing = h(doc, "div", { class: "cw-typing", "data-role": "typing", role: "img", "aria-label": "Claude is writing" }, dots);
  const thinking = createThinkingSection(doc);
  const scroll = h(doc, "div", { class: "cw-scroll", "data-role": "scroll", tabindex: "0", "aria-label": "Answer" }, [thinking.element, content, typing]);
  const jump = button(doc, "jump", "↓ Jump to latest", "Jump to latest");
  const body = h(doc, "div", { class: "cw-body" }, [scroll, jump]);

  const errorText = h(doc, "span", { class: "cw-error-text", "data-role": "error-text" });
  const retry = button(doc, "retry", "Retry", "Retry the request");
  const error = h(doc, "div", { class: "cw-error", "data-role": "error", role: "alert" }, [errorText, retry]);

  const noticeText = h(doc, "span", { class: "cw-notice-text" });
  const continueButton = button(doc, "continue", "Continue", "Continue the answer");
  const notice = h(doc, "div", { class: "cw-notice", "data-role": "notice", role: "status" }, [noticeText, continueButton]);
  const inspector = createInspector(doc);

  const root = h(doc, "div", { class: "cw-root", "data-role": "root", tabindex: "0" }, [header, body, error, notice, inspector.element]);
  return { root, status, model, offline, tokens, copy, stop, inspect, content, typing, scroll, jump, error, errorText, retry,
    thinking, notice, noticeText, continueButton, inspector };
}

/**
 * Hosts such as marimo render widgets in a shadow root, where browsers ignore `@font-face` rules: the
 * KaTeX fonts would never load. Copy those rules (once per document) to the document's head.
 * @param {HTMLElement} el
 */
function shareFontsOutsideShadowRoot(el) {
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

/**
 * Seconds left before the kernel retries, counted from when this view learnt of the wait, and a
 * once-a-second repaint while the wait lasts.
 * @param {AnyModel} model
 * @param {Window} win
 * @param {() => void} repaint
 * @param {AbortSignal} signal
 */
function createCountdown(model, win, repaint, signal) {
  let since = win.performance.now();
  let timer = 0;
  const restart = () => {
    since = win.performance.now();
    win.clearInterval(timer);
    timer = model.get("status") === "retrying" ? win.setInterval(repaint, 1000) : 0;
  };
  model.on("change:error", restart);
  signal.addEventListener("abort", () => {
    model.off("change:error", restart);
    win.clearInterval(timer);
  }, { once: true });
  restart();
  return {
    /** @param {string} status */
    secondsLeft(status) {
      const wait = model.get("error")?.retry_in;
      if (status !== "retrying" || typeof wait !== "number") return null;
      return Math.max(0, wait - (win.performance.now() - since) / 1000);
    },
  };
}

/**
 * Briefly replace a button's text (e.g. "Copied"), then restore it.
 * @param {HTMLElement} target
 * @param {string} text
 * @param {AbortSignal} signal
 */
function flash(target, text, signal) {
  const original = target.dataset.label ?? target.textContent ?? "";
  target.dataset.label = original;
  target.textContent = text;
  const timer = setTimeout(() => {
    target.textContent = original;
  }, FEEDBACK_MS);
  signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
}

/**
 * anywidget `render`.
 * @param {{model: AnyModel, el: HTMLElement, signal?: AbortSignal}} context
 * @returns {() => void} cleanup (also run when `signal` aborts)
 */
export function render({ model, el, signal }) {
  const lifetime = new AbortController();
  const cleanup = () => lifetime.abort();
  signal?.addEventListener("abort", cleanup, { once: true });
  const alive = lifetime.signal;

  const doc = el.ownerDocument;
  const win = doc.defaultView ?? window;
  const buffer = bufferFor(model);
  const dom = buildDom(doc);
  const announcer = createAnnouncer(doc);
  dom.scroll.after(announcer.element);
  const thinkingBuffer = bufferFor(model, "thinking");
  const eventsBuffer = bufferFor(model, "events");
  // The answer is split where tool calls began: one renderer per slice of text, the cards between.
  /** @type {Array<{element: HTMLElement, renderer: ReturnType<typeof createContentRenderer>}>} */
  const segments = [];
  /** @type {Map<string, ReturnType<typeof createToolCard>>} */
  const cards = new Map();
  const segmentAt = (/** @type {number} */ i) => {
    while (segments.length <= i) {
      const element = h(doc, "div", { class: "cw-segment" });
      dom.content.append(element);
      segments.push({ element, renderer: createContentRenderer(element, { announce: announcer.say }) });
    }
    return segments[i];
  };
  const renderAnswer = (/** @type {string} */ text, /** @type {boolean} */ final) => {
    const parts = segmentsFor(text.length, model.get("tools") ?? []);
    let changed = false;
    parts.forEach((part, i) => {
      const segment = segmentAt(i);
      // A slice followed by a card is complete: the text after the call goes to the next slice.
      changed = segment.renderer.render(text.slice(part.start, part.end), final || i < parts.length - 1) || changed;
      let anchor = segment.element;
      for (const info of part.cards) {
        let card = cards.get(info.id);
        if (!card) {
          card = createToolCard(doc);
          cards.set(info.id, card);
          changed = true;
        }
        card.update(info);
        if (anchor.nextSibling !== card.element) anchor.after(card.element);
        anchor = card.element;
      }
    });
    return changed;
  };
  let inspecting = false;
  const scroller = createScrollController(dom.scroll, dom.content, {
    signal: alive,
    onChange: (following) => {
      dom.jump.hidden = following;
    },
  });
  dom.jump.hidden = true;

  /** The status for which Stop/Retry was last clicked: disables the button until the status moves on. */
  let intentSentAt = /** @type {string | null} */ (null);
  const status = () => /** @type {string} */ (model.get("status") ?? "connecting");

  // While waiting to retry, the banner counts down; the kernel only says how long the wait is.
  const retryCountdown = createCountdown(model, win, () => schedule(), alive);

  // -- painting: everything the view shows, once per batch of changes ----------------------------
  // A microtask, not an animation frame: the kernel sends at most ~30 messages a second, so painting
  // each one costs no more than painting per frame, and the text is in the DOM up to a frame sooner.
  // Changes made in one task (a state update touches several traits) still paint once. Only the
  // scroll, which reads layout, waits for the frame.
  let painting = false;
  function schedule() {
    if (painting || alive.aborted) return;
    painting = true;
    queueMicrotask(paint);
  }
  let frame = 0;
  function followAtNextFrame() {
    if (!frame && !alive.aborted) frame = win.requestAnimationFrame(() => ((frame = 0), scroller.follow()));
  }
  alive.addEventListener("abort", () => win.cancelAnimationFrame(frame), { once: true });

  function paint() {
    painting = false;
    if (alive.aborted) return;
    const current = status();
    const text = buffer.text;
    if (intentSentAt !== null && intentSentAt !== current) intentSentAt = null;

    for (const node of [dom.root, dom.status]) node.dataset.status = current;
    dom.status.textContent = statusLabel(current, model.get("stop_reason"));
    dom.model.textContent = model.get("model") ?? "";
    dom.offline.hidden = !model.get("offline");

    const usage = displayUsage({ usage: model.get("usage"), text, status: current, prices: model.get("prices") });
    const thinkingText = thinkingBuffer.text;
    const thinkingTokens = model.get("thinking_tokens") ?? 0;
    const thoughtPart = thinkingText ? ` · ${thinkingTokens || "~" + Math.ceil(thinkingText.length / 4)} thinking` : "";
    dom.tokens.textContent = usage.label + (usage.label ? thoughtPart : "");
    dom.tokens.hidden = !usage.label;
    dom.tokens.title = usage.outputExact ? "" : "Output tokens are estimated until the answer is complete";

    dom.stop.hidden = !isActive(current);
    dom.stop.toggleAttribute("disabled", intentSentAt !== null);
    dom.stop.textContent = intentSentAt !== null ? "Stopping…" : "Stop";
    dom.copy.toggleAttribute("disabled", text === "");

    const banner = errorBanner(model.get("error"), current, retryCountdown.secondsLeft(current));
    dom.error.hidden = banner === null;
    if (banner) {
      dom.error.dataset.tone = banner.tone;
      dom.error.dataset.kind = banner.kind;
      dom.errorText.textContent = banner.text;
      dom.retry.hidden = !banner.canRetry;
      dom.retry.toggleAttribute("disabled", intentSentAt !== null);
    }

    dom.typing.hidden = !(isActive(current) && text === "");
    // screen readers hear finished blocks through the announcer, not the content token by token
    dom.content.setAttribute("aria-busy", String(isActive(current)));
    dom.thinking.update({ thinking: thinkingText, active: isActive(current), answerStarted: text !== "", tokens: thinkingTokens });
    const notice = noticeBanner(model.get("notice"), model.get("stop_reason"), current);
    dom.notice.hidden = notice === null;
    dom.noticeText.textContent = notice?.text ?? "";
    dom.continueButton.hidden = !notice?.canContinue;
    dom.continueButton.toggleAttribute("disabled", intentSentAt !== null);
    if (inspecting) dom.inspector.update(parseLog(eventsBuffer.text), model.get("usage")?.output_tokens ?? 0);
    if (renderAnswer(text, isFinished(current))) followAtNextFrame();
  }

  // -- inputs --------------------------------------------------------------------------------------
  /** @param {"stop" | "retry" | "continue"} intent */
  const sendIntent = (intent) => {
    if (intentSentAt !== null) return;
    intentSentAt = status();
    model.send({ intent });
    schedule();
  };

  const listen = (/** @type {EventTarget} */ target, /** @type {string} */ type, /** @type {(e: any) => void} */ fn) =>
    target.addEventListener(type, fn, { signal: alive });

  listen(dom.stop, "click", () => sendIntent("stop"));
  listen(dom.retry, "click", () => sendIntent("retry"));
  listen(dom.continueButton, "click", () => sendIntent("continue"));
  listen(dom.inspect, "click", () => {
    inspecting = !inspecting;
    dom.inspect.setAttribute("aria-pressed", String(inspecting));
    dom.inspector.element.hidden = !inspecting;
    if (inspecting && eventsBuffer.text === "") model.send({ intent: "inspect" });
    schedule();
  });
  listen(dom.jump, "click", () => scroller.jump());
  listen(dom.root, "keydown", (/** @type {KeyboardEvent} */ e) => {
    if (e.key !== "Escape" || !isActive(status())) return;
    e.preventDefault();
    e.stopPropagation(); // the notebook would otherwise also act on Esc
    sendIntent("stop");
  });
  listen(dom.copy, "click", () => {
    copyText(buffer.text, doc).then(
      () => flash(dom.copy, "Copied", alive),
      () => flash(dom.copy, "Copy failed", alive),
    );
  });
  listen(dom.content, "click", (/** @type {MouseEvent} */ e) => {
    const target = /** @type {Element} */ (e.target);
    const copyButton = /** @type {HTMLElement | null} */ (target.closest?.('[data-role="copy-code"]'));
    const code = copyButton?.parentElement?.querySelector("code");
    if (!copyButton || !code) return;
    copyText(code.textContent ?? "", doc).then(
      () => flash(copyButton, "Copied", alive),
      () => flash(copyButton, "Copy failed", alive),
    );
  });

  for (const name of ["status", "usage", "prices", "error", "model", "stop_reason", "offline", "tools", "notice", "thinking_tokens"]) {
    const event = `change:${name}`;
    model.on(event, schedule);
    alive.addEventListener("abort", () => model.off(event, schedule), { once: true });
  }
  for (const stream of [buffer, thinkingBuffer, eventsBuffer]) {
    const unsubscribe = stream.subscribe(schedule);
    alive.addEventListener("abort", unsubscribe, { once: true });
  }

  el.append(dom.root);
  shareFontsOutsideShadowRoot(el);
  alive.addEventListener("abort", () => dom.root.remove(), { once: true });
  paint(); // a view rendered late shows everything at once, without waiting a frame
  return cleanup;
}
