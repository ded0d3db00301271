import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StreamBuffer } from "../src/wire/stream_buffer.js";

describe("StreamBuffer", () => {
  it("appends in-order deltas", () => {
    const buffer = new StreamBuffer();
    assert.equal(buffer.applyDelta({ offset: 0, text: "Hel" }), "ok");
    assert.equal(buffer.applyDelta({ offset: 3, text: "lo" }), "ok");
    assert.equal(buffer.text, "Hello");
  });

  it("starts from an initial text", () => {
    const buffer = new StreamBuffer("Hi");
    assert.equal(buffer.applyDelta({ offset: 2, text: "!" }), "ok");
    assert.equal(buffer.text, "Hi!");
  });

  it("appends only the unseen part of an overlapping delta", () => {
    const buffer = new StreamBuffer("Hello");
    assert.equal(buffer.applyDelta({ offset: 3, text: "lo world" }), "overlap-trimmed");
    assert.equal(buffer.text, "Hello world");
  });

  it("ignores a delta it has fully seen", () => {
    const buffer = new StreamBuffer("Hello");
    let changes = 0;
    buffer.subscribe(() => changes++);
    assert.equal(buffer.applyDelta({ offset: 1, text: "ell" }), "overlap-trimmed");
    assert.equal(buffer.text, "Hello");
    assert.equal(changes, 0);
  });

  it("does not apply a delta after a gap and waits for a snapshot", () => {
    const buffer = new StreamBuffer("Hello");
    assert.equal(buffer.awaitingSnapshot, false);
    assert.equal(buffer.applyDelta({ offset: 7, text: "rld" }), "gap");
    assert.equal(buffer.text, "Hello");
    assert.equal(buffer.awaitingSnapshot, true);
    assert.equal(buffer.applyDelta({ offset: 10, text: "!" }), "gap");
    buffer.applySnapshot("Hello world!");
    assert.equal(buffer.awaitingSnapshot, false);
    assert.equal(buffer.text, "Hello world!");
    assert.equal(buffer.applyDelta({ offset: 12, text: "?" }), "ok");
    assert.equal(buffer.text, "Hello world!?");
  });

  it("replaces everything with a snapshot, shorter ones included (Retry starts over)", () => {
    const buffer = new StreamBuffer("An answer that failed");
    buffer.applySnapshot("");
    assert.equal(buffer.text, "");
    assert.equal(buffer.applyDelta({ offset: 0, text: "New" }), "ok");
    assert.equal(buffer.text, "New");
  });

  it("counts offsets in UTF-16 code units, like JS string indices", () => {
    const buffer = new StreamBuffer();
    buffer.applyDelta({ offset: 0, text: "a😀" }); // the emoji is 2 code units
    assert.equal(buffer.text.length, 3);
    assert.equal(buffer.applyDelta({ offset: 3, text: "b" }), "ok");
    assert.equal(buffer.applyDelta({ offset: 1, text: "😀bc" }), "overlap-trimmed");
    assert.equal(buffer.text, "a😀bc");
    assert.equal(buffer.applyDelta({ offset: 6, text: "👍" }), "gap");
  });

  it("ignores a synced text that is a stale prefix, takes a newer or different one", () => {
    const buffer = new StreamBuffer("Hello world");
    assert.equal(buffer.applySyncedText("Hello"), false);
    assert.equal(buffer.applySyncedText("Hello world"), false);
    assert.equal(buffer.text, "Hello world");
    assert.equal(buffer.applySyncedText("Hello world, again"), true);
    assert.equal(buffer.text, "Hello world, again");
    assert.equal(buffer.applySyncedText("Something else"), true);
    assert.equal(buffer.text, "Something else");
  });

  it("notifies subscribers of changes until they unsubscribe", () => {
    const buffer = new StreamBuffer();
    /** @type {string[]} */
    const seen = [];
    const unsubscribe = buffer.subscribe((text) => seen.push(text));
    buffer.applyDelta({ offset: 0, text: "a" });
    buffer.applySnapshot("abc");
    buffer.applySnapshot("abc"); // no change, no call
    unsubscribe();
    buffer.applyDelta({ offset: 3, text: "d" });
    assert.deepEqual(seen, ["a", "abc"]);
  });
});
