// The answer text lives at MODEL level, not per view: deltas are custom messages, which are not
// replayed, so a view rendered later (or a second view of the same output) must find everything
// already applied here.
import { StreamBuffer } from "./stream_buffer.js";

/**
 * The part of anywidget's model interface used here.
 * @typedef {{
 *   get(name: string): any,
 *   on(event: string, callback: (...args: any[]) => void): void,
 *   off(event: string, callback: (...args: any[]) => void): void,
 *   send(content: object): void,
 * }} AnyModel
 */

/** @type {WeakMap<AnyModel, {buffer: StreamBuffer, detach: () => void}>} */
const attached = new WeakMap();

/**
 * Apply one kernel → view custom message; asks for ONE resync when a gap starts.
 * @param {StreamBuffer} buffer
 * @param {unknown} msg
 * @param {(content: object) => void} send
 */
export function handleKernelMessage(buffer, msg, send) {
  if (!msg || typeof msg !== "object") return;
  const m = /** @type {{kind?: unknown, offset?: unknown, text?: unknown}} */ (msg);
  if (typeof m.text !== "string") return;
  if (m.kind === "delta" && typeof m.offset === "number" && Number.isInteger(m.offset) && m.offset >= 0) {
    const alreadyWaiting = buffer.awaitingSnapshot;
    if (buffer.applyDelta({ offset: m.offset, text: m.text }) === "gap" && !alreadyWaiting) send({ intent: "resync" });
  } else if (m.kind === "snapshot") {
    buffer.applySnapshot(m.text);
  }
}

/**
 * The model's text buffer, created and wired to the model on first use (idempotent).
 * @param {AnyModel} model
 * @returns {StreamBuffer}
 */
export function bufferFor(model) {
  return attach(model).buffer;
}

/** @param {AnyModel} model */
function attach(model) {
  const existing = attached.get(model);
  if (existing) return existing;
  const buffer = new StreamBuffer(model.get("text") ?? "");
  const onMessage = (/** @type {unknown} */ msg) => handleKernelMessage(buffer, msg, (c) => model.send(c));
  const onText = () => buffer.applySyncedText(model.get("text") ?? "");
  model.on("msg:custom", onMessage);
  model.on("change:text", onText);
  const entry = {
    buffer,
    detach() {
      model.off("msg:custom", onMessage);
      model.off("change:text", onText);
      attached.delete(model);
    },
  };
  attached.set(model, entry);
  return entry;
}

/**
 * anywidget's `initialize`: start collecting the stream before any view exists.
 * @param {{model: AnyModel}} context
 * @returns {() => void} cleanup, called by anywidget when the model goes away
 */
export function initialize({ model }) {
  return attach(model).detach;
}
