// Test helper: texts compressed the way the kernel does it (src/claude_widget/batching.py): pieces of one
// raw deflate stream, each ending with a sync flush.
import zlib from "node:zlib";

/**
 * @param {string[]} texts
 * @returns {Promise<Uint8Array[]>} one piece per text
 */
export async function deflatePieces(texts) {
  const deflater = zlib.createDeflateRaw();
  /** @type {Buffer[]} */
  let chunks = [];
  deflater.on("data", (/** @type {Buffer} */ chunk) => chunks.push(chunk));
  const pieces = [];
  for (const text of texts) {
    deflater.write(text);
    await new Promise((resolve) => deflater.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve(undefined)));
    await new Promise((resolve) => setImmediate(resolve));
    pieces.push(new Uint8Array(Buffer.concat(chunks)));
    chunks = [];
  }
  deflater.close();
  return pieces;
}
