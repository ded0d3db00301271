// One channel's compressed deltas (see src/claude_widget/batching.py): each delta's bytes are the next
// piece of a raw deflate stream, flushed so that everything sent so far inflates at once. fflate's
// streaming inflate is synchronous, so a delta is text again before the next message is handled and
// nothing (the final status, say) can overtake it.
import { Inflate } from "fflate";

export class DeltaInflater {
  /** the id of the deflate stream being read, or null before one has begun */
  #stream = /** @type {number | null} */ (null);
  /** @type {Inflate | null} */
  #inflate = null;
  /** @type {Uint8Array[]} */
  #out = [];
  #utf8 = new TextDecoder();

  /**
   * The text of one compressed delta, or null when it cannot be read: a stream whose beginning this
   * front end did not see (it joined late, or missed a message), or bytes that are not deflate data.
   * @param {{stream: number, start: boolean, bytes: Uint8Array}} piece
   * @returns {string | null}
   */
  inflate({ stream, start, bytes }) {
    if (start) {
      this.#stream = stream;
      this.#utf8 = new TextDecoder();
      this.#inflate = new Inflate((data) => this.#out.push(data));
    } else if (stream !== this.#stream || this.#inflate === null) {
      return null;
    }
    this.#out = [];
    try {
      /** @type {Inflate} */ (this.#inflate).push(bytes);
    } catch {
      this.#inflate = null; // a corrupt stream stays unreadable until the next one starts
      return null;
    }
    // `stream: true`: a character's UTF-8 bytes may straddle two pieces of output
    return this.#out.map((data) => this.#utf8.decode(data, { stream: true })).join("");
  }

  /** Free the stream's window (~32 KB): it has ended, and whatever comes next starts a new one. */
  release() {
    this.#stream = null;
    this.#inflate = null;
  }
}

/**
 * The bytes of a message buffer as anywidget hands them over (DataView, ArrayBuffer or a typed array).
 * @param {unknown} buffer
 * @returns {Uint8Array | null}
 */
export function bytesOf(buffer) {
  if (buffer instanceof Uint8Array) return buffer;
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  return null;
}
