// The page's registry of widget managers holding answers' models, as the JupyterLab extension asks it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isLive, modelMade, onChange } from "../src/lab/live_models.js";

/** A widget manager holding these model ids (mutable, as a real one's are). */
const manager = (/** @type {string[]} */ ...ids) => {
  const models = new Set(ids);
  return { models, has_model: (/** @type {string} */ id) => models.has(id) };
};

describe("live models", () => {
  it("knows a model once a manager that holds it has made an answer", () => {
    assert.equal(isLive("m1"), false);
    const first = manager("m1");
    modelMade(first);
    assert.equal(isLive("m1"), true);
    assert.equal(isLive("elsewhere"), false);
    modelMade(manager("m2")); // a second notebook's manager
    assert.equal(isLive("m2"), true);
    assert.equal(isLive("m1"), true);
  });

  it("ignores what is not a widget manager (another host's, or none)", () => {
    modelMade(undefined);
    modelMade({});
    modelMade({ has_model: true });
    assert.equal(isLive("anything"), false);
  });

  it("tells its listeners when a model comes, and after one is gone, once the manager dropped it", async () => {
    const seen = /** @type {boolean[]} */ ([]);
    const held = manager();
    const stop = onChange(() => seen.push(isLive("m9")));
    held.models.add("m9");
    const gone = modelMade(held);
    assert.deepEqual(seen, [true]);
    gone();
    held.models.delete("m9"); // a manager closes a model, then forgets it, in the same task
    assert.deepEqual(seen, [true]);
    await Promise.resolve();
    assert.deepEqual(seen, [true, false]);
    stop();
    modelMade(held);
    assert.deepEqual(seen, [true, false]);
  });

  it("is one registry per page, whichever bundle asks", async () => {
    const again = await import(`../src/lab/live_models.js?copy=${Date.now()}`);
    modelMade(manager("shared"));
    assert.equal(again.isLive("shared"), true);
  });
});
