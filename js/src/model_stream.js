// The streamed texts live at MODEL level, not per view: deltas are custom messages, which are not
// replayed, so a view rendered later (or a second view of the same output) must find everything
// already applied here. One buffer per channel: the answer, the thinking, the inspector's event log.
//
// Once per front end the model tells the kernel it `follow`s the deltas (and can inflate compressed
// ones): the kernel then never sends the full `text` and `thinking` again, and this model keeps those
// traits current itself (locally, never sent back), so that saved widget state holds the whole answer.
import { bytesOf, DeltaInflater } from "./inflate_stream.js";
import { isFinished } from "./status.js";
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

/**
 * One channel as this front end holds it: its text, and the deflate stream its deltas come in.
 * @typedef {{buffer: StreamBuffer, inflater: DeltaInflater}} ChannelState
 */

/** @type {WeakMap<AnyModel, {channels: Record<Channel, ChannelState>, detach: () => void}>} */
const attached = new WeakMap();

/**
 * Apply one kernel → view custom message; asks for ONE resync of the channel when a gap starts.
 * @param {Record<string, ChannelState>} channels
 * @param {unknown} msg
 * @param {unknown[] | undefined} messageBuffers the message's binary buffers
 * @param {(content: object) => void} send
 */
function handleKernelMessage(channels, msg, messageBuffers, send) {
  if (!msg || typeof msg !== "object") return;
  const m = /** @type {{kind?: unknown, offset?: unknown, text?: unknown, channel?: unknown, deflate?: unknown, start?: unknown}} */ (msg);
  const channel = typeof m.channel === "string" ? m.channel : "answer";
  const state = Object.hasOwn(channels, channel) ? channels[channel] : undefined;
  if (!state) return;
  const { buffer } = state;
  const resync = (/** @type {object} */ extra = {}) =>
    send({ intent: "resync", ...(channel === "answer" ? {} : { channel }), ...extra });
  /** A delta this front end cannot read: one resync, then wait for the snapshot. */
  const lose = (/** @type {object} */ extra = {}) => {
    if (!buffer.awaitingSnapshot) resync(extra);
    buffer.lose();
  };
  if (m.kind === "delta" && typeof m.offset === "number" && Number.isInteger(m.offset) && m.offset >= 0) {
    let text = m.text;
    if (typeof m.deflate === "number") {
      const bytes = bytesOf(messageBuffers?.[0]);
      // No bytes: the host dropped the binary part of the message, so ask for plain text from now on.
      if (bytes === null) return lose({ deflate: false });
      text = state.inflater.inflate({ stream: m.deflate, start: m.start === true, bytes });
      if (text === null) return lose(); // a stream that began before this front end did: the kernel starts anew
    }
    if (typeof text !== "string") return;
    const alreadyWaiting = buffer.awaitingSnapshot;
    if (buffer.applyDelta({ offset: m.offset, text }) === "gap" && !alreadyWaiting) resync();
  } else if (m.kind === "snapshot" && typeof m.text === "string") {
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
  return attach(model).channels[channel].buffer;
}

/** @param {AnyModel} model */
function attach(model) {
  const existing = attached.get(model);
  if (existing) return existing;
  const channels = /** @type {Record<Channel, ChannelState>} */ ({});
  /** @type {Array<[string, (...args: any[]) => void]>} */
  const listeners = [];
  for (const channel of /** @type {Channel[]} */ (["answer", "thinking", "events"])) {
    const trait = TRAIT[channel];
    const buffer = new StreamBuffer(trait ? (model.get(trait) ?? "") : "");
    channels[channel] = { buffer, inflater: new DeltaInflater() };
    if (trait) {
      let settingLocally = false; // our own `set` below is not news from the kernel
      const onTrait = () => settingLocally || buffer.applySyncedText(model.get(trait) ?? "");
      model.on(`change:${trait}`, onTrait);
      listeners.push([`change:${trait}`, onTrait]);
      buffer.subscribe((text) => {
        settingLocally = true;
        try {
          model.set(trait, text);
        } finally {
          settingLocally = false;
        }
      });
    }
  }
  // A finished stream sends no more pieces (Continue and Retry start new deflate streams): free the windows.
  const onStatus = () => {
    if (isFinished(model.get("status"))) for (const { inflater } of Object.values(channels)) inflater.release();
  };
  model.on("change:status", onStatus);
  listeners.push(["change:status", onStatus]);
  const onMessage = (/** @type {unknown} */ msg, /** @type {unknown[] | undefined} */ messageBuffers) =>
    handleKernelMessage(channels, msg, messageBuffers, (c) => model.send(c));
  model.on("msg:custom", onMessage);
  listeners.push(["msg:custom", onMessage]);
  const entry = {
    channels,
    detach() {
      for (const [event, fn] of listeners) model.off(event, fn);
      attached.delete(model);
    },
  };
  attached.set(model, entry);
  model.send({ intent: "follow", deflate: true });
  return entry;
}

/**
 * Apply messages that arrived before the streams were set up (while the loader fetched this code).
 * @param {AnyModel} model
 * @param {Array<[unknown, unknown[] | undefined]>} messages each message with its binary buffers
 */
export function replay(model, messages) {
  const { channels } = attach(model);
  for (const [msg, messageBuffers] of messages) handleKernelMessage(channels, msg, messageBuffers, (c) => model.send(c));
}

/**
 * anywidget's `initialize`: start collecting the streams before any view exists.
 * @param {{model: AnyModel}} context
 * @returns {() => void} cleanup, called by anywidget when the model goes away
 */
export function initialize({ model }) {
  return attach(model).detach;
}
