// The streamed texts live at MODEL level, not per view: deltas are custom messages, which are not
// replayed, so a view rendered later (or a second view of the same output) must find everything
// already applied here. One buffer per channel: the answer, the thinking, the inspector's event log.
//
// Once per front end the model tells the kernel it `follow`s the deltas (and can inflate compressed
// ones): the kernel then never sends the full `text` and `thinking` again, and this model keeps those
// traits current itself (locally, never sent back), so that saved widget state holds the whole answer.
import { INITIAL_STATUS, isFinished } from "../ui/status.js";
import { bytesOf, DeltaInflater } from "./inflate_stream.js";
import { CHANNELS, channelOf, DEFAULT_CHANNEL, intents, KIND, randomId, TRAIT } from "./protocol.js";
import { StreamBuffer } from "./stream_buffer.js";

/**
 * @typedef {import("./protocol.js").Model} Model
 * @typedef {import("./protocol.js").Channel} Channel
 */

/**
 * One channel as this front end holds it: its text, and the deflate stream its deltas come in.
 * @typedef {{buffer: StreamBuffer, inflater: DeltaInflater}} ChannelState
 */

/**
 * What this front end holds of one answer. `shown`: what its views chose that a view rendered again should
 * keep (JupyterLab renders the output anew when the kernel updates its markdown fallback at the end).
 * @typedef {{channels: Record<Channel, ChannelState>, frontend: string, shown: {inspecting: boolean},
 *   detach: () => void}} Streams
 */

// anywidget hands `initialize` and each `render` a different wrapper of the same model, so the streams are
// found by the answer's id (a synced trait, unique in the kernel) within the wrapper's widget manager (one per
// notebook panel: each holds its own copy of the model). A model without the id (old saved state) is found by
// the wrapper itself.
/** @type {WeakMap<object, Map<string, Streams>>} */
const byManager = new WeakMap();
/** @type {WeakMap<Model, Streams>} */
const byWrapper = new WeakMap();

/**
 * Where the streams of a model are kept, and under which key.
 * @param {Model} model
 * @returns {{get: () => Streams | undefined, set: (streams: Streams) => void, remove: () => void}}
 */
function slotOf(model) {
  const id = model.get("answer_id");
  const manager = /** @type {object | undefined} */ (model.widget_manager);
  if (typeof id !== "string" || !id || !manager) {
    return { get: () => byWrapper.get(model), set: (s) => byWrapper.set(model, s), remove: () => byWrapper.delete(model) };
  }
  const streams = byManager.get(manager) ?? new Map();
  byManager.set(manager, streams);
  return { get: () => streams.get(id), set: (s) => streams.set(id, s), remove: () => streams.delete(id) };
}

/**
 * Apply one kernel → view custom message; asks for ONE resync of the channel when a gap starts.
 * @param {Record<string, ChannelState>} channels
 * @param {unknown} msg
 * @param {unknown[] | undefined} messageBuffers the message's binary buffers
 * @param {(content: object) => void} send
 * @param {string} frontend this front end's id
 */
function handleKernelMessage(channels, msg, messageBuffers, send, frontend) {
  if (!msg || typeof msg !== "object") return;
  const m = /** @type {{kind?: unknown, offset?: unknown, text?: unknown, channel?: unknown, deflate?: unknown, start?: unknown}} */ (msg);
  const channel = channelOf(m);
  const state = Object.hasOwn(channels, channel) ? channels[channel] : undefined;
  if (!state) return;
  const { buffer } = state;
  const resync = (/** @type {{deflate?: false}} */ extra = {}) => send(intents.resync(channel, frontend, extra));
  /** A delta this front end cannot read: one resync, then wait for the snapshot. */
  const lose = (/** @type {{deflate?: false}} */ extra = {}) => {
    if (!buffer.awaitingSnapshot) resync(extra);
    buffer.lose();
  };
  if (m.kind === KIND.delta && typeof m.offset === "number" && Number.isInteger(m.offset) && m.offset >= 0) {
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
  } else if (m.kind === KIND.snapshot && typeof m.text === "string") {
    buffer.applySnapshot(m.text);
  }
}

/**
 * A channel's text buffer, created and wired to the model on first use (idempotent).
 * @param {Model} model
 * @param {Channel} [channel]
 * @returns {StreamBuffer}
 */
export function bufferFor(model, channel = DEFAULT_CHANNEL) {
  return attach(model).channels[channel].buffer;
}

/** @param {Model} model */
function attach(model) {
  const slot = slotOf(model);
  const existing = slot.get();
  if (existing) return existing;
  const channels = /** @type {Record<Channel, ChannelState>} */ ({});
  const frontend = randomId();
  /** @type {Array<[string, (...args: any[]) => void]>} */
  const listeners = [];
  for (const channel of CHANNELS) {
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
    if (isFinished(model.get("status") ?? INITIAL_STATUS)) for (const { inflater } of Object.values(channels)) inflater.release();
  };
  model.on("change:status", onStatus);
  listeners.push(["change:status", onStatus]);
  const onMessage = (/** @type {unknown} */ msg, /** @type {unknown[] | undefined} */ messageBuffers) =>
    handleKernelMessage(channels, msg, messageBuffers, (c) => model.send(c), frontend);
  model.on("msg:custom", onMessage);
  listeners.push(["msg:custom", onMessage]);
  const entry = {
    channels,
    frontend,
    shown: { inspecting: false },
    detach() {
      for (const [event, fn] of listeners) model.off(event, fn);
      slot.remove();
    },
  };
  slot.set(entry);
  model.send(intents.follow({ deflate: true, frontend }));
  return entry;
}

/**
 * Apply messages that arrived before the streams were set up (while the loader fetched this code).
 * @param {Model} model
 * @param {Array<[unknown, unknown[] | undefined]>} messages each message with its binary buffers
 */
export function replay(model, messages) {
  const { channels, frontend } = attach(model);
  for (const [msg, messageBuffers] of messages) handleKernelMessage(channels, msg, messageBuffers, (c) => model.send(c), frontend);
}

/**
 * What this front end's views of a model chose (the inspector open or not), for a view rendered again.
 * @param {Model} model
 */
export function shownOf(model) {
  return attach(model).shown;
}

/**
 * This front end's id for a model, as its intents carry it.
 * @param {Model} model
 */
export function frontendOf(model) {
  return attach(model).frontend;
}

/**
 * anywidget's `initialize`: start collecting the streams before any view exists.
 * @param {{model: Model}} context
 * @returns {() => void} cleanup, called by anywidget when the model goes away
 */
export function initialize({ model }) {
  return attach(model).detach;
}
