// The streamed texts live at MODEL level, not per view: deltas are custom messages, which are not
// replayed, so a view rendered later (or a second view of the same output) must find everything
// already applied here. One buffer per channel: the answer, the thinking, the inspector's event log.
//
// Once per front end the model tells the kernel it `follow`s the deltas: the kernel then never sends
// the full `text` and `thinking` again, and this model keeps those traits current itself (locally,
// never sent back), so that saved widget state holds the whole answer.
import { StreamBuffer } from "./stream_buffer.js";

/**
 * The part of anywidget's model interface used here.
 * @typedef {{
 *   get(name: string): any,
 *   set(name: string, value: any): void,
 *   on(event: string, callback: (...args: any[]) => void): void,
 *   off(event: string, callback: (...args: any[]) => void): void,
 *   send(content: object): void,
 * }} AnyModel
 * @typedef {"answer" | "thinking" | "events"} Channel
 */

/** The synced trait that holds each channel's full text, if any (the event log has none). */
const TRAIT = /** @type {Record<Channel, string | null>} */ ({ answer: "text", thinking: "thinking", events: null });

/** @type {WeakMap<AnyModel, {buffers: Record<Channel, StreamBuffer>, detach: () => void}>} */
const attached = new WeakMap();

/**
 * Apply one kernel → view custom message; asks for ONE resync when a gap starts.
 * @param {StreamBuffer | Record<string, StreamBuffer>} target a buffer, or the buffers by channel
 * @param {unknown} msg
 * @param {(content: object) => void} send
 */
export function handleKernelMessage(target, msg, send) {
  if (!msg || typeof msg !== "object") return;
  const m = /** @type {{kind?: unknown, offset?: unknown, text?: unknown, channel?: unknown}} */ (msg);
  if (typeof m.text !== "string") return;
  const channel = typeof m.channel === "string" ? m.channel : "answer";
  const buffer = target instanceof StreamBuffer ? (channel === "answer" ? target : undefined) : target[channel];
  if (!buffer) return;
  if (m.kind === "delta" && typeof m.offset === "number" && Number.isInteger(m.offset) && m.offset >= 0) {
    const alreadyWaiting = buffer.awaitingSnapshot;
    if (buffer.applyDelta({ offset: m.offset, text: m.text }) === "gap" && !alreadyWaiting) send({ intent: "resync" });
  } else if (m.kind === "snapshot") {
    buffer.applySnapshot(m.text);
  }
}

/**
 * A channel's text buffer, created and wired to the model on first use (idempotent).
 * @param {AnyModel} model
 * @param {Channel} [channel]
 * @returns {StreamBuffer}
 */
export function bufferFor(model, channel = "answer") {
  return attach(model).buffers[channel];
}

/** @param {AnyModel} model */
function attach(model) {
  const existing = attached.get(model);
  if (existing) return existing;
  const buffers = /** @type {Record<Channel, StreamBuffer>} */ ({});
  /** @type {Array<[string, () => void]>} */
  const listeners = [];
  for (const channel of /** @type {Channel[]} */ (["answer", "thinking", "events"])) {
    const trait = TRAIT[channel];
    const buffer = new StreamBuffer(trait ? (model.get(trait) ?? "") : "");
    buffers[channel] = buffer;
    if (trait) {
      // Our own `set` below comes back here as a prefix of the buffer, which changes nothing.
      const onTrait = () => buffer.applySyncedText(model.get(trait) ?? "");
      model.on(`change:${trait}`, onTrait);
      listeners.push([`change:${trait}`, onTrait]);
      buffer.subscribe((text) => model.set(trait, text));
    }
  }
  const onMessage = (/** @type {unknown} */ msg) => handleKernelMessage(buffers, msg, (c) => model.send(c));
  model.on("msg:custom", onMessage);
  listeners.push(["msg:custom", onMessage]);
  const entry = {
    buffers,
    detach() {
      for (const [event, fn] of listeners) model.off(event, fn);
      attached.delete(model);
    },
  };
  attached.set(model, entry);
  model.send({ intent: "follow" });
  return entry;
}

/**
 * Apply messages that arrived before the streams were set up (while the loader fetched this code).
 * @param {AnyModel} model
 * @param {unknown[]} messages
 */
export function replay(model, messages) {
  const { buffers } = attach(model);
  for (const msg of messages) handleKernelMessage(buffers, msg, (c) => model.send(c));
}

/**
 * anywidget's `initialize`: start collecting the streams before any view exists.
 * @param {{model: AnyModel}} context
 * @returns {() => void} cleanup, called by anywidget when the model goes away
 */
export function initialize({ model }) {
  return attach(model).detach;
}
