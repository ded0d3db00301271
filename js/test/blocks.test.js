import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { collectDefinitions, finishedLength, groupBlocks, isClosedFence, splitTail } from "../src/markdown/blocks.js";
import { lexMarkdown, renderMarkdown, renderTokens } from "../src/markdown/markdown.js";

const corpus = new URL("./corpus/fidelity/", import.meta.url);

describe("groupBlocks", () => {
  it("keeps every character, blank lines going with the block before them", () => {
    const text = "\n\n# a\n\npara\n\n\n- b\n- c\n\n```\nx\n```\n";
    const blocks = groupBlocks(lexMarkdown(text));
    assert.equal(blocks.map((b) => b.raw).join(""), text);
    assert.deepEqual(blocks.map((b) => b.tokens[0].type), ["space", "heading", "paragraph", "list", "code"]);
  });
});

describe("finishedLength: when a block may be frozen", () => {
  /** @type {Array<[string, string, number]>} */
  const cases = [
    ["never the only block", "a paragraph\n\n", 0],
    ["not before the next block has started", "para\n\n", 0],
    ["not while the next block's first line is incomplete", "para\n\nnext", 0],
    ["once the next block's first line is complete", "para\n\nnext\n", 6],
    ["not a list followed by what may become its next item (`1. a\\n2`)", "1. a\n\n2", 0],
    ["not a list whose next item has arrived", "1. a\n\n2. b\n", 0],
    ["not a paragraph that may become a setext heading", "Title\n", 0],
    ["not a setext heading's paragraph", "Title\n---\n", 0],
    ["a setext heading once the next block has a line", "Title\n---\n\nx\n", 11],
    ["not a list that may still become loose", "- a\n- b\n\n", 0],
    ["a list once a paragraph follows it", "- a\n- b\n\nc\n", 9],
    ["not an open code fence", "```\ncode\n", 0],
    ["not an open fence containing a shorter closing-looking fence", "````\n```\nx\n```\n", 0],
    ["a fenced block as soon as it is closed and something follows", "```\ncode\n```\n\nT", 14],
    ["not a closed fence while only blank lines follow", "```\ncode\n```\n\n", 0],
    ["a fence closed by a longer fence", "```\ncode\n`````\nT", 15],
    ["not a table that may gain rows", "| a |\n|---|\n| 1 |\n", 0],
    ["a table once a paragraph follows", "| a |\n|---|\n| 1 |\n\nx\n", 19],
    ["several blocks at once", "# a\n\nb\n\n# c\n", 8],
    ["not indented code that may continue after a blank line", "    a\n\n", 0],
  ];
  for (const [name, text, expected] of cases) {
    it(`${name}: ${JSON.stringify(text)}`, () => assert.equal(finishedLength(text, {}), expected));
  }
});

describe("isClosedFence", () => {
  const code = (/** @type {string} */ text) => lexMarkdown(text)[0];
  it("tells a closed fence from an open or indented one", () => {
    assert.equal(isClosedFence(code("```\nx\n```\n")), true);
    assert.equal(isClosedFence(code("~~~\nx\n~~~  \n")), true);
    assert.equal(isClosedFence(code("````\nx\n```\n")), false);
    assert.equal(isClosedFence(code("```\nx\n")), false);
    assert.equal(isClosedFence(code("```")), false);
    assert.equal(isClosedFence(code("    indented\n")), false);
  });
});

describe("reference definitions", () => {
  it("are carried from finished blocks into later text", () => {
    /** @type {import("../src/markdown/markdown.js").LinkDefinitions} */
    const links = {};
    const { finished } = splitTail("[r]: https://a.b\n\nuse [r]\n", links);
    for (const block of finished) collectDefinitions(block, links);
    assert.deepEqual(links, { r: { href: "https://a.b", title: undefined } });
    assert.match(renderTokens(lexMarkdown("see [r]", links)), /<a href="https:\/\/a.b"/);
  });

  it("inside a quote count too", () => {
    /** @type {import("../src/markdown/markdown.js").LinkDefinitions} */
    const links = {};
    collectDefinitions(groupBlocks(lexMarkdown("> [q]: https://q.q\n> text"))[0], links);
    assert.equal(links.q?.href, "https://q.q");
  });

  it("in the open rest do not reach finished blocks", () => {
    const { finished, open } = splitTail("see [r]\n\n[x]: https://x\n[r]: https://half", {});
    assert.equal(finished.length, 1);
    assert.doesNotMatch(renderTokens(finished[0].tokens), /half/);
    assert.match(open, /^\[x\]/);
  });
});

/**
 * Stream `text` in `step`-character deltas through the splitter, as the renderer does; return the
 * finished blocks with their HTML as rendered at the moment they froze.
 * @param {string} text
 * @param {number} step
 */
function streamBlocks(text, step) {
  /** @type {{start: number, raw: string, html: string}[]} */
  const frozen = [];
  const links = {};
  let end = 0;
  for (let i = step; i < text.length + step; i += step) {
    const { finished } = splitTail(text.slice(end, Math.min(i, text.length)), links);
    for (const block of finished) {
      frozen.push({ start: end, raw: block.raw, html: renderTokens(block.tokens) });
      collectDefinitions(block, links);
      end += block.raw.length;
    }
  }
  return frozen;
}

describe("streaming the fidelity corpus in 3-character deltas", () => {
  for (const name of readdirSync(corpus).filter((n) => n.endsWith(".md")).sort()) {
    it(`${name}: every block frozen while streaming equals the one-shot render's block`, () => {
      const text = readFileSync(new URL(name, corpus), "utf8");
      const final = new Map();
      let start = 0;
      for (const block of groupBlocks(lexMarkdown(text))) {
        final.set(start, { raw: block.raw, html: renderTokens(block.tokens) });
        start += block.raw.length;
      }
      const frozen = streamBlocks(text, 3);
      assert.ok(frozen.length > 0 || final.size <= 2, "something froze");
      const differing = frozen.filter((b) => final.get(b.start)?.raw !== b.raw || final.get(b.start)?.html !== b.html);
      if (name.includes("late-reference")) {
        assert.ok(differing.length > 0, "a use before its definition is fixed only by the final render");
      } else {
        assert.deepEqual(differing, []);
      }
      const oneShot = [...final.values()].map((b) => b.html).join("");
      assert.equal(oneShot, renderMarkdown(text), "block-wise rendering equals a whole-text render");
    });
  }
});
