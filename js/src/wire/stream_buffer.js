// The answer text as the view knows it, built from the kernel's `delta` and `snapshot` messages
// (docs/protocol.md). Offsets are JS string indices (UTF-16 code units), as the protocol says.

/** @typedef {"ok" | "overlap-trimmed" | "gap"} DeltaResult */
/** @typedef {(text: string) => void} Listener */

export class StreamBuffer {
  #text = "";
  #awaitingSnapshot = false;
  /** @type {Set<Listener>} */
  #listeners = new Set();

  /** @param {string} [initialText] */
  constructor(initialText = "") {
    this.#text = initialText;
  }

  /** @returns {string} */
  get text() {
    return this.#text;
  }

  /**
   * True from the first gap until a snapshot (or a longer synced `text`) arrives. The caller sends
   * one `resync` when a gap starts, not one per delta.
   * @returns {boolean}
   */
  get awaitingSnapshot() {
    return this.#awaitingSnapshot;
  }

  /**
   * Apply `{offset, text}`. An overlap (offset below the current length) appends only the unseen
   * part, and a fully seen delta changes nothing ("overlap-trimmed" in both cases). A gap (offset
   * beyond the current length) is not applied.
   * @param {{offset: number, text: string}} delta
   * @returns {DeltaResult}
   */
  applyDelta({ offset, text }) {
    const length = this.#text.length;
    if (offset > length) {
      this.#awaitingSnapshot = true;
      return "gap";
    }
    const unseen = text.slice(length - offset);
    if (unseen) this.#set(this.#text + unseen);
    return offset === length ? "ok" : "overlap-trimmed";
  }

  /** A delta that could not be read (see DeltaInflater): like a gap, wait for a snapshot. */
  lose() {
    this.#awaitingSnapshot = true;
  }

  /**
   * Replace everything (reply to `resync`, or a Retry that starts over).
   * @param {string} text
   */
  applySnapshot(text) {
    this.#awaitingSnapshot = false;
    if (text !== this.#text) this.#set(text);
  }

  /**
   * Take the synced `text` trait into account. It is synced at a throttled cadence, so while
   * streaming it is normally a stale prefix of what the deltas built: ignore it then. Anything else
   * (longer, or different) is newer than this buffer and replaces it.
   * @param {string} text
   * @returns {boolean} whether it was taken
   */
  applySyncedText(text) {
    if (this.#text.startsWith(text)) return false;
    this.applySnapshot(text);
    return true;
  }

  /**
   * Call `listener` with the new text after every change.
   * @param {Listener} listener
   * @returns {() => void} unsubscribe
   */
  subscribe(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** @param {string} text */
  #set(text) {
    this.#text = text;
    for (const listener of [...this.#listeners]) listener(text);
  }
}
