// The content renderer's record of its finished blocks (src/markdown/shown_blocks.js): what it keeps of an answer,
// and what the final render may keep of the streamed blocks.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { splitTail } from "../src/markdown/blocks.js";
import { lexMarkdown } from "../src/markdown/markdown.js";
import { createShownBlocks } from "../src/markdown/shown_blocks.js";

const corpus = new URL("./corpus/fidelity/", import.meta.url);
const read = (/** @type {string} */ name) => readFileSync(new URL(name, corpus), "utf8");
// A long answer (~27 KB): the corpus documents one after another, seven times (the late reference left out).
const ANSWER = Array(7).fill(readdirSync(corpus).filter((name) => name.endsWith(".md") && !name.includes("late"))
  .sort().map(read).join("\n\n")).join("\n\n");

/**
 * Streams `text` into a record as the content renderer does, `step` characters at a time, each block's node a
 * fresh object (the renderer's is its element).
 * @param {string} text
 * @param {number} [step]
 */
function stream(text, step = 7) {
  /** @type {ReturnType<typeof createShownBlocks<object>>} */
  const blocks = createShownBlocks();
  for (let cut = step; cut < text.length + step; cut += step) {
    for (const block of splitTail(text.slice(0, cut).slice(blocks.end), blocks.links).finished) blocks.add(block, {});
  }
  return blocks;
}

/**
 * The characters of every string a record keeps (a string shared by several blocks counted once).
 * @param {ReturnType<typeof stream>} blocks
 */
function keptChars(blocks) {
  const strings = new Set();
  for (const block of blocks.blocks) {
    for (const value of Object.values(block)) if (typeof value === "string") strings.add(value);
  }
  return [...strings].reduce((sum, s) => sum + s.length, 0);
}

describe("the finished blocks a renderer shows", () => {
  it("keep neither the answer's source nor its HTML: where each block is, and its node", () => {
    assert.ok(ANSWER.length > 20_000);
    const blocks = stream(ANSWER);
    assert.ok(blocks.blocks.length > 100);
    for (const block of blocks.blocks) assert.deepEqual(Object.keys(block).sort(), ["length", "linksKey", "node", "start"]);
    // The link definitions, once per set of them: a few hundred characters against the answer's 25,000.
    assert.ok(keptChars(blocks) < 500, `kept ${keptChars(blocks)} characters`);
    let end = 0;
    for (const block of blocks.blocks) {
      assert.equal(block.start, end);
      end += block.length;
    }
    assert.equal(end, blocks.end);
  });

  it("the final render offers every streamed block at its place, whose source is the same", () => {
    const blocks = stream(ANSWER);
    const plan = blocks.plan(ANSWER, lexMarkdown(ANSWER));
    const offered = plan.filter((b) => b.old !== null);
    assert.deepEqual(offered.map((b) => b.old), blocks.blocks);
    assert.ok(offered.every((b) => b.start === b.old?.start && b.block.raw.length === b.old.length));
    // Rendered with the final definitions: kept as it is (rendering is deterministic). The answer's definitions
    // all come in its first copy of the corpus, so every block after that one saw them all.
    const late = offered.filter((b) => !b.sameLinks);
    assert.ok(late.length > 0 && late.every((b) => b.start < ANSWER.length / 7));
  });

  it("a block rendered before a definition came is offered with other definitions, to compare", () => {
    const text = read("06-late-reference.md");
    const blocks = stream(text);
    const plan = blocks.plan(text, lexMarkdown(text));
    const before = plan.filter((b) => b.old !== null && !b.sameLinks);
    assert.ok(before.length > 0);
    assert.ok(before.every((b) => b.block.raw === text.slice(b.start, b.start + b.block.raw.length)));
  });

  it("a block whose source changed is not kept", () => {
    const blocks = stream("# Title\n\nFirst paragraph.\n\nSecond.\n\n");
    const final = "# Title\n\nFirst paragraph, changed.\n\nSecond.\n\n";
    const plan = blocks.plan("# Title\n\nFirst paragraph.\n\nSecond.\n\n", lexMarkdown(final));
    assert.deepEqual(plan.map((b) => b.old !== null), [true, false, false]);
  });

  it("settles on the final blocks", () => {
    const blocks = stream(ANSWER);
    const tokens = lexMarkdown(ANSWER);
    const final = blocks.plan(ANSWER, tokens).map(({ start, block, old }) => ({ start, length: block.raw.length,
      node: old?.node ?? {} }));
    blocks.settle(final, tokens);
    assert.equal(blocks.end, ANSWER.length);
    assert.equal(blocks.blocks.length, final.length);
  });
});
