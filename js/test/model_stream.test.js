import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bufferFor, frontendOf, initialize, shownOf } from "../src/wire/model_stream.js";
import { deflatePieces } from "./deflate.js";
import { fakeModel } from "./fake_model.js";

describe("model-level stream", () => {
  it("seeds the buffer from the text trait", () => {
    const model = fakeModel({ text: "already here" });
    initialize({ model });
    assert.equal(bufferFor(model).text, "already here");
  });

  it("collects deltas before any view exists; every view shares them", () => {
    const model = fakeModel();
    initialize({ model });
    model.kernelSends({ kind: "delta", offset: 0, text: "Hello" });
    model.kernelSends({ kind: "delta", offset: 5, text: " world" });
    assert.equal(bufferFor(model).text, "Hello world");
    assert.equal(bufferFor(model), bufferFor(model));
  });

  it("sends ONE resync per gap, until a snapshot arrives", () => {
    const model = fakeModel();
    initialize({ model });
    model.kernelSends({ kind: "delta", offset: 0, text: "ab" });
    model.kernelSends({ kind: "delta", offset: 5, text: "f" });
    model.kernelSends({ kind: "delta", offset: 6, text: "g" });
    assert.deepEqual(model.intents(), [{ intent: "resync" }]);
    model.kernelSends({ kind: "snapshot", text: "abcdefg" });
    assert.equal(bufferFor(model).text, "abcdefg");
    model.kernelSends({ kind: "delta", offset: 9, text: "x" });
    assert.deepEqual(model.intents(), [{ intent: "resync" }, { intent: "resync" }]);
  });

  it("tells the kernel once that it follows, and keeps the text traits current itself", () => {
    const model = fakeModel({ thinking: "" });
    initialize({ model });
    initialize({ model });
    const follow = { intent: "follow", deflate: true, frontend: frontendOf(model) };
    assert.deepEqual(model.sent, [follow]);
    model.kernelSends({ kind: "delta", offset: 0, text: "Hello" });
    model.kernelSends({ kind: "delta", offset: 5, text: " world" });
    model.kernelSends({ kind: "delta", offset: 0, text: "Hmm", channel: "thinking" });
    assert.equal(model.get("text"), "Hello world");
    assert.equal(model.get("thinking"), "Hmm");
    assert.equal(bufferFor(model).text, "Hello world");
    model.kernelSends({ kind: "snapshot", text: "" }); // a Retry starts over
    assert.equal(model.get("text"), "");
    assert.deepEqual(model.sent, [follow]); // local changes are never sent back
  });

  it("takes the synced text when it is newer than the buffer, ignores it when stale", () => {
    const model = fakeModel();
    initialize({ model });
    model.kernelSends({ kind: "delta", offset: 0, text: "Hello world" });
    model.kernelSets("text", "Hello");
    assert.equal(bufferFor(model).text, "Hello world");
    model.kernelSets("text", "Hello world!");
    assert.equal(bufferFor(model).text, "Hello world!");
  });

  it("ignores malformed messages", () => {
    const model = fakeModel();
    initialize({ model });
    for (const msg of [null, "x", { kind: "delta", offset: "0", text: "a" }, { kind: "delta", offset: 0 }, { kind: "other", text: "a" }]) {
      model.kernelSends(/** @type {any} */ (msg));
    }
    assert.equal(bufferFor(model).text, "");
    assert.deepEqual(model.intents(), []);
  });

  it("initialize is idempotent and its cleanup removes the listeners", () => {
    const model = fakeModel();
    const cleanup = initialize({ model });
    initialize({ model });
    assert.equal(model.handlerCount(), 5); // change:text, change:thinking, change:tool_input, change:status, msg:custom
    cleanup();
    assert.equal(model.handlerCount(), 0);
  });

  it("says which front end it is in every intent about its streams, and each copy of a model is another", () => {
    const [a, b] = [fakeModel(), fakeModel()];
    initialize({ model: a });
    initialize({ model: b });
    a.kernelSends({ kind: "delta", offset: 5, text: "late" });
    const [follow, resync] = /** @type {Array<{frontend?: string}>} */ (a.sent);
    assert.ok(follow.frontend && follow.frontend === resync.frontend && follow.frontend === frontendOf(a));
    assert.notEqual(frontendOf(a), frontendOf(b));
  });

  it("finds one model's streams from every wrapper anywidget hands out, by the answer's id", () => {
    const model = fakeModel({ answer_id: "a1" });
    initialize({ model: model.wrapper() });
    model.kernelSends({ kind: "delta", offset: 0, text: "Hello" });
    const view = model.wrapper();
    assert.equal(bufferFor(view).text, "Hello"); // a view rendered later finds the text collected so far
    assert.equal(frontendOf(view), frontendOf(model.wrapper()));
    assert.equal(model.sent.length, 1); // one `follow` per model, not one per view
    shownOf(view).inspecting = true;
    assert.equal(shownOf(model.wrapper()).inspecting, true); // a view rendered again opens as the last one was
    const other = fakeModel({ answer_id: "a2" });
    other.widget_manager = model.widget_manager;
    assert.notEqual(bufferFor(other), bufferFor(view)); // another answer, even in the same widget manager
  });

  it("keeps each tool input in the tools channel and the tool_input trait", () => {
    const model = fakeModel();
    initialize({ model });
    model.kernelSends({ kind: "delta", offset: 0, text: '{"city": "Pa', channel: "tools" });
    model.kernelSends({ kind: "delta", offset: 12, text: 'ris"}', channel: "tools" });
    assert.equal(bufferFor(model, "tools").text, '{"city": "Paris"}');
    assert.equal(model.get("tool_input"), '{"city": "Paris"}'); // saved widget state holds it
  });

  it("routes each channel to its own buffer", () => {
    const model = fakeModel({ thinking: "" });
    initialize({ model });
    model.kernelSends({ kind: "delta", offset: 0, text: "Answer" });
    model.kernelSends({ kind: "delta", offset: 0, text: "Hmm", channel: "thinking" });
    model.kernelSends({ kind: "snapshot", text: "[0.1, \"request\", \"\"]\n", channel: "events" });
    model.kernelSends({ kind: "delta", offset: 3, text: ", so", channel: "thinking" });
    model.kernelSends({ kind: "delta", offset: 0, text: "ignored", channel: "unknown" });
    assert.equal(bufferFor(model).text, "Answer");
    assert.equal(bufferFor(model, "thinking").text, "Hmm, so");
    assert.equal(bufferFor(model, "events").text, '[0.1, "request", ""]\n');
    model.kernelSets("thinking", "Hmm, so I think");
    assert.equal(bufferFor(model, "thinking").text, "Hmm, so I think");
  });

  it("asks for a resync when a thinking delta leaves a gap", () => {
    const model = fakeModel();
    initialize({ model });
    model.kernelSends({ kind: "delta", offset: 5, text: "late", channel: "thinking" });
    assert.deepEqual(model.intents(), [{ intent: "resync", channel: "thinking" }]);
  });

  it("inflates compressed deltas; joining mid-stream asks once for the channel, then reads the new stream", async () => {
    const [a, b, c] = await deflatePieces(["Hello", " wörld 🎉", "!"]);
    const [d] = await deflatePieces([" And more."]);
    const joinedEarly = fakeModel();
    initialize({ model: joinedEarly });
    joinedEarly.kernelSends({ kind: "delta", offset: 0, deflate: 7, start: true }, [new DataView(a.buffer, a.byteOffset, a.byteLength)]);
    joinedEarly.kernelSends({ kind: "delta", offset: 5, deflate: 7 }, [b]);
    assert.equal(bufferFor(joinedEarly).text, "Hello wörld 🎉");

    const joinedLate = fakeModel({ text: "Hello wörld 🎉" }); // the state it got holds the text so far
    initialize({ model: joinedLate });
    for (const model of [joinedEarly, joinedLate]) model.kernelSends({ kind: "delta", offset: 14, deflate: 7 }, [c]);
    for (const model of [joinedEarly, joinedLate]) model.kernelSends({ kind: "delta", offset: 15, deflate: 7 }, [c]);
    assert.deepEqual(joinedEarly.intents(), []);
    assert.deepEqual(joinedLate.intents(), [{ intent: "resync" }]); // once, not per unreadable delta
    // The kernel answers with a snapshot and starts a new stream, which both read.
    for (const model of [joinedEarly, joinedLate]) {
      model.kernelSends({ kind: "snapshot", text: "Hello wörld 🎉!" });
      model.kernelSends({ kind: "delta", offset: 15, deflate: 8, start: true }, [d]);
      assert.equal(bufferFor(model).text, "Hello wörld 🎉! And more.");
    }
  });

  it("asks for plain text when a compressed delta comes without its bytes", () => {
    const model = fakeModel({ thinking: "" });
    initialize({ model });
    model.kernelSends({ kind: "delta", offset: 0, deflate: 3, start: true, channel: "thinking" }, []);
    assert.deepEqual(model.intents(), [{ intent: "resync", channel: "thinking", deflate: false }]);
    model.kernelSends({ kind: "snapshot", text: "Hmm", channel: "thinking" });
    model.kernelSends({ kind: "delta", offset: 3, text: ", so", channel: "thinking" });
    assert.equal(bufferFor(model, "thinking").text, "Hmm, so");
  });

  it("forgets a deflate stream once the answer has finished: what comes next is a new stream", async () => {
    const [a, b] = await deflatePieces(["Hello", " again"]);
    const [fresh] = await deflatePieces([" and more"]);
    const model = fakeModel({ status: "streaming" });
    initialize({ model });
    model.kernelSends({ kind: "delta", offset: 0, deflate: 1, start: true }, [a]);
    model.kernelSets("status", "done");
    model.kernelSends({ kind: "delta", offset: 5, deflate: 1 }, [b]); // never sent by the kernel: unreadable now
    assert.deepEqual(model.intents(), [{ intent: "resync" }]);
    model.kernelSends({ kind: "snapshot", text: "Hello" });
    model.kernelSets("status", "streaming"); // Continue
    model.kernelSends({ kind: "delta", offset: 5, deflate: 2, start: true }, [fresh]);
    assert.equal(bufferFor(model).text, "Hello and more");
  });
});
