// The times an answer's view shows, counted in the browser (the kernel's clock is not the browser's): the retry
// countdown, how long Claude has been thinking, and the answer's time in the header while it runs. Each repaints the
// view once a second while it counts.
import { isActive } from "./status.js";

/**
 * @typedef {import("../wire/protocol.js").Model} Model
 */

/**
 * Seconds since `event` last changed the model, as this view saw it, and a once-a-second repaint while `ticking()`
 * holds.
 * @param {Model} model
 * @param {Window} win
 * @param {() => void} repaint
 * @param {AbortSignal} signal
 * @param {"change:error" | "change:thinking_phase"} event
 * @param {() => boolean} ticking
 */
export function createTicker(model, win, repaint, signal, event, ticking) {
  let since = win.performance.now();
  let timer = 0;
  const restart = () => {
    since = win.performance.now();
    win.clearInterval(timer);
    timer = ticking() ? win.setInterval(repaint, 1000) : 0;
  };
  model.on(event, restart);
  signal.addEventListener("abort", () => {
    model.off(event, restart);
    win.clearInterval(timer);
  }, { once: true });
  restart();
  return { elapsed: () => (win.performance.now() - since) / 1000 };
}

/**
 * The answer's time: counted from when this view saw it start (a Retry starts it again), ticking once a second
 * while it runs; the kernel's `elapsed` stands once it has ended.
 * @param {Model} model
 * @param {Window} win
 * @param {() => void} repaint
 * @param {AbortSignal} signal
 * @param {() => string} status
 * @returns {{elapsedSeconds(): number | null}}
 */
export function createAnswerClock(model, win, repaint, signal, status) {
  let startedAt = isActive(status()) ? win.performance.now() : null;
  let endedAt = /** @type {number | null} */ (null);
  let clock = 0;
  const onStatus = () => {
    const now = win.performance.now();
    if (isActive(status())) {
      if (startedAt === null || endedAt !== null) {
        startedAt = now;
        endedAt = null;
      }
      clock ||= win.setInterval(repaint, 1000);
    } else {
      if (startedAt !== null && endedAt === null) endedAt = now;
      win.clearInterval(clock);
      clock = 0;
    }
  };
  onStatus();
  model.on("change:status", onStatus);
  signal.addEventListener("abort", () => (model.off("change:status", onStatus), win.clearInterval(clock)), { once: true });
  return {
    elapsedSeconds: () => (startedAt === null ? null : ((endedAt ?? win.performance.now()) - startedAt) / 1000),
  };
}
