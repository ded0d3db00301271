// anywidget `render`: builds one view of a ChatWidget model and wires it. The view only shows
// synced state and the model-level text buffers; it talks back with user intents only (stop, retry,
// continue, inspect; the model says `follow` and `resync` itself, see ../wire/model_stream.js).
// What it shows is decided by viewState (view_state.js) and applied by applyViewState (view_dom.js).
import { bufferFor, frontendOf, shownOf } from "../wire/model_stream.js";
import { intents } from "../wire/protocol.js";
import { createAnnouncer } from "./announcer.js";
import { createAnswer } from "./answer.js";
import { answerMarkdown } from "./answer_markdown.js";
import { showChips } from "./chips.js";
import { copyText, flash } from "./clipboard.js";
import { createAnswerClock, createTicker } from "./clocks.js";
import { createLogReader } from "./inspector.js";
import { createScrollController } from "./scroll.js";
import { INITIAL_STATUS, INTENT_PATIENCE_MS, isActive } from "./status.js";
import { attachTooltip } from "./tooltip.js";
import { thinkSections } from "./thinking.js";
import { applyViewState, buildDom, shareFontsOutsideShadowRoot } from "./view_dom.js";
import { PAINTED_TRAITS, viewState } from "./view_state.js";

/**
 * @typedef {import("../wire/protocol.js").Model} Model
 * @typedef {import("../wire/protocol.js").UserIntent} UserIntent
 * @typedef {import("./view_state.js").ShownTraits} ShownTraits
 */

/**
 * The traits viewState reads, as the model has them now.
 * @param {Model} model
 * @returns {ShownTraits}
 */
function shownTraits(model) {
  return {
    status: model.get("status"),
    usage: model.get("usage"),
    prices: model.get("prices"),
    error: model.get("error"),
    model: model.get("model"),
    effort: model.get("effort"),
    stop_reason: model.get("stop_reason"),
    offline: model.get("offline"),
    notice: model.get("notice"),
    thinking_tokens: model.get("thinking_tokens"),
    thinking_phase: model.get("thinking_phase"),
    actions: model.get("actions"),
    input_estimate: model.get("input_estimate"),
    elapsed: model.get("elapsed"),
    cards: model.get("cards"),
    turn: model.get("turn"),
    replay: model.get("replay"),
    receipt: model.get("receipt"),
    changed: model.get("changed"),
  };
}

/**
 * anywidget `render`.
 * @param {{model: Model, el: HTMLElement, signal?: AbortSignal}} context
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
  const thinkingBuffer = bufferFor(model, "thinking");
  const toolInputBuffer = bufferFor(model, "tools");
  const eventsBuffer = bufferFor(model, "events");
  const log = createLogReader(); // parses only the lines that are new since the last paint
  const dom = buildDom(doc);
  const announcer = createAnnouncer(doc);
  dom.scroll.after(announcer.element);
  const answer = createAnswer(dom.content, { announce: announcer.say,
    decide: (call, run, reason) => model.send(intents.decide(call, run, reason)) });
  const scroller = createScrollController(dom.scroll, dom.content, {
    signal: alive,
    onChange: (following) => {
      dom.jump.hidden = following;
    },
  });
  dom.jump.hidden = true;

  // The view's own state, besides what the model holds.
  const shown = shownOf(model); // kept at model level: JupyterLab may render this output again
  let inspecting = shown.inspecting;
  /** The status for which Stop/Retry/Continue was last clicked: disables the button until the status moves on. */
  let intentSentAt = /** @type {string | null} */ (null);
  /** That click's intent once the kernel has kept it waiting a while (a cell runs; see waitingLabel). */
  let intentWaiting = /** @type {string | null} */ (null);
  let patience = 0;
  alive.addEventListener("abort", () => win.clearTimeout(patience), { once: true });
  const status = () => model.get("status") ?? INITIAL_STATUS;

  // While waiting to retry, the banner counts down; the kernel only says how long the wait is.
  const retryTicker = createTicker(model, win, () => schedule(), alive, "change:error",
    () => model.get("status") === "retrying");
  /** @param {string} status */
  const secondsLeft = (status) => {
    const wait = model.get("error")?.retry_in;
    return status === "retrying" && typeof wait === "number" ? Math.max(0, wait - retryTicker.elapsed()) : null;
  };
  // While Claude thinks, "Thinking · N s" counts up: the kernel says when a think begins and ends, and the time of
  // the turn's finished thinks.
  const thinkingTicker = createTicker(model, win, () => schedule(), alive, "change:thinking_phase",
    () => Boolean(model.get("thinking_phase")?.active));
  // The answer's time in the header, counted here while it runs.
  const answerClock = createAnswerClock(model, win, () => schedule(), alive, status);
  const thinkingSeconds = () => {
    const phase = model.get("thinking_phase");
    return phase ? phase.seconds + (phase.active ? thinkingTicker.elapsed() : 0) : 0;
  };

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
    const text = buffer.text;
    const state = viewState({
      traits: shownTraits(model),
      text,
      thinking: thinkingBuffer.text,
      intentSentAt,
      intentWaiting,
      inspecting,
      secondsLeft: secondsLeft(status()),
      thinkingSeconds: thinkingSeconds(),
      elapsedSeconds: answerClock.elapsedSeconds(),
    });
    if (!state.intentPending) {
      intentSentAt = intentWaiting = null;
      win.clearTimeout(patience);
    }
    // Each think where it happened: the first at the top (unless a call came before it), the rest among the text.
    const cards = model.get("cards") ?? [];
    const thinks = thinkSections(thinkingBuffer.text, model.get("thoughts"), { textLength: text.length,
      calls: cards.length, active: state.thinking.active, tokens: state.thinking.tokens, seconds: state.thinking.seconds ?? 0 });
    const atTop = thinks[0].at === 0 && thinks[0].calls === 0;
    state.thinking = atTop ? thinks[0].state : { ...thinks[0].state, thinking: "" };
    const among = thinks.slice(atTop ? 1 : 0).map((think, i) => ({ think, key: String(i + (atTop ? 1 : 0)) }));
    applyViewState(dom, state);
    if (state.inspector.shown) dom.inspector.update(log.read(eventsBuffer.text), state.inspector.outputTokens);
    dom.sources.update(model.get("citations"));
    if (answer.render(text, state.final, cards, toolInputBuffer.text, among)) followAtNextFrame();
  }

  // -- inputs --------------------------------------------------------------------------------------
  /** @param {UserIntent} intent */
  const sendIntent = (intent) => {
    if (intentSentAt !== null) return;
    intentSentAt = status();
    model.send(intents.user(intent));
    patience = win.setTimeout(() => ((intentWaiting = intent), schedule()), INTENT_PATIENCE_MS);
    schedule();
  };

  const listen = (/** @type {EventTarget} */ target, /** @type {string} */ type, /** @type {(e: any) => void} */ fn) =>
    target.addEventListener(type, fn, { signal: alive });

  attachTooltip(dom.tokens, dom.breakdown, alive);
  listen(dom.stop, "click", () => sendIntent("stop"));
  listen(dom.retry, "click", () => sendIntent("retry"));
  listen(dom.continueButton, "click", () => sendIntent("continue"));
  listen(dom.askAgain, "click", () => sendIntent("ask_again"));
  listen(dom.inspect, "click", () => {
    inspecting = !inspecting;
    shown.inspecting = inspecting;
    model.send(intents.inspect(inspecting, frontendOf(model)));
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
    copyText(answerMarkdown(buffer.text, model.get("citations")), doc).then(
      () => flash(dom.copy, "Copied", alive),
      () => flash(dom.copy, "Copy failed", alive),
    );
  });
  listen(dom.content, "click", (/** @type {MouseEvent} */ e) => {
    const target = /** @type {Element} */ (e.target);
    const marker = /** @type {HTMLElement | null} */ (target.closest?.("a[data-cite]"));
    if (marker) {
      e.preventDefault(); // each answer has its own footnotes: not a link by id
      dom.sources.show(marker.dataset.cite ?? "");
      return;
    }
    const copyButton = /** @type {HTMLElement | null} */ (target.closest?.('[data-role="copy-code"]'));
    const code = copyButton?.parentElement?.querySelector("code");
    if (!copyButton || !code) return;
    copyText(code.textContent ?? "", doc).then(
      () => flash(copyButton, "Copied", alive),
      () => flash(copyButton, "Copy failed", alive),
    );
  });

  // The chips are set when the question is sent and never change: shown at once, before any paint.
  const updateChips = () => showChips(dom.chips, model.get("attachments"));
  updateChips();
  model.on("change:attachments", updateChips);
  alive.addEventListener("abort", () => model.off("change:attachments", updateChips), { once: true });

  for (const name of PAINTED_TRAITS) {
    const event = `change:${name}`;
    model.on(event, schedule);
    alive.addEventListener("abort", () => model.off(event, schedule), { once: true });
  }
  alive.addEventListener("abort", () => {
    if (!inspecting) return;
    try {
      model.send(intents.inspect(false, frontendOf(model))); // this view goes: its inspector closes with it
    } catch {
      // the model went first: the kernel has nothing left to stream
    }
  }, { once: true });
  for (const stream of [buffer, thinkingBuffer, toolInputBuffer, eventsBuffer]) {
    const unsubscribe = stream.subscribe(schedule);
    alive.addEventListener("abort", unsubscribe, { once: true });
  }

  el.append(dom.root);
  shareFontsOutsideShadowRoot(el);
  alive.addEventListener("abort", () => dom.root.remove(), { once: true });
  paint(); // a view rendered late shows everything at once, without waiting a frame
  return cleanup;
}
