// The view's half of the wire protocol, against the examples both sides share (tests/fixtures/protocol.json,
// which the kernel's tests check too): the view decodes every kernel message, and builds every intent, exactly.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { bufferFor, initialize } from "../src/wire/model_stream.js";
import { ACTIONS, ANSWER_MIME, CHANNELS, channelOf, intents, KIND, TRAIT } from "../src/wire/protocol.js";
import { fakeModel } from "./fake_model.js";

const fixture = JSON.parse(readFileSync(new URL("../../tests/fixtures/protocol.json", import.meta.url), "utf8"));

describe("protocol", () => {
  it("names the same channels, texts in state and actions as the kernel", () => {
    assert.deepEqual([...CHANNELS], fixture.channels);
    assert.deepEqual(Object.fromEntries(Object.entries(TRAIT).filter(([, trait]) => trait !== null)), fixture.text_state);
    assert.deepEqual([...ACTIONS], fixture.actions);
    assert.equal(ANSWER_MIME, fixture.answer_mime);
  });

  it("decodes every kernel message the kernel builds", () => {
    for (const example of fixture.kernel_to_view) {
      if (example.message.kind === KIND.bundle) continue; // the loader's, before any model stream exists
      const model = fakeModel();
      initialize({ model });
      const buffers = (example.buffers ?? []).map((/** @type {string} */ b) => new Uint8Array(Buffer.from(b, "base64")));
      model.kernelSends(example.message, buffers);
      assert.equal(bufferFor(model, example.channel).text, example.text, JSON.stringify(example.message));
      assert.deepEqual(model.intents(), []);
    }
  });

  it("builds every intent exactly as the kernel reads it", () => {
    const built = [
      intents.user("stop"),
      intents.user("retry"),
      intents.user("continue"),
      intents.user("ask_again"),
      intents.user("resume"), // a map job's Resume
      intents.follow({ deflate: true, frontend: "f1" }),
      intents.resync("answer", "f1"),
      intents.resync("thinking", "f1", { deflate: false }),
      intents.inspect(true, "f1"),
      intents.inspect(false, "f1"),
      intents.bundle("req-1"),
    ];
    assert.deepEqual(built, fixture.view_to_kernel.map((/** @type {{message: object}} */ e) => e.message));
  });

  it("reads a message without a channel as the answer's", () => {
    assert.equal(channelOf({}), "answer");
    assert.equal(channelOf({ channel: "thinking" }), "thinking");
    assert.equal(channelOf({ channel: 3 }), "answer");
  });
});
