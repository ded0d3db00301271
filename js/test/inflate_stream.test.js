import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bytesOf, DeltaInflater } from "../src/wire/inflate_stream.js";
import { deflatePieces } from "./deflate.js";

describe("compressed deltas", () => {
  it("turns each piece of a stream into its text at once, whatever the characters", async () => {
    const texts = ["# Title\n\n", "Ünïcödé ", "🎉🎉 ", "x".repeat(20_000), " `code` ", "é"];
    const pieces = await deflatePieces(texts);
    const inflater = new DeltaInflater();
    const out = pieces.map((bytes, i) => inflater.inflate({ stream: 1, start: i === 0, bytes }));
    assert.deepEqual(out, texts);
    assert.ok(pieces[3].length < 200); // repeated text shrinks
  });

  it("cannot read a stream it did not see begin, until a new one starts", async () => {
    const [first, second] = await deflatePieces(["one ", "two"]);
    const [fresh] = await deflatePieces(["three"]);
    const inflater = new DeltaInflater();
    assert.equal(inflater.inflate({ stream: 4, start: false, bytes: second }), null);
    assert.equal(inflater.inflate({ stream: 5, start: true, bytes: fresh }), "three");
    assert.equal(inflater.inflate({ stream: 4, start: false, bytes: first }), null); // an older stream
  });

  it("treats bytes that are not deflate data as unreadable, and recovers with the next stream", async () => {
    const [fresh] = await deflatePieces(["fine"]);
    const inflater = new DeltaInflater();
    assert.equal(inflater.inflate({ stream: 1, start: true, bytes: new Uint8Array([0xff, 0xff, 0xff, 0xff]) }), null);
    assert.equal(inflater.inflate({ stream: 1, start: false, bytes: fresh }), null);
    assert.equal(inflater.inflate({ stream: 2, start: true, bytes: fresh }), "fine");
  });

  it("takes the bytes of a message buffer in any of the forms hosts hand them over", () => {
    const bytes = new Uint8Array([1, 2, 3, 4]);
    assert.deepEqual(bytesOf(bytes), bytes);
    assert.deepEqual(bytesOf(new DataView(bytes.buffer, 1, 2)), new Uint8Array([2, 3]));
    assert.deepEqual(bytesOf(bytes.buffer), bytes);
    assert.equal(bytesOf(undefined), null);
    assert.equal(bytesOf("AQID"), null);
  });
});
