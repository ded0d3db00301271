import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { isClosedFence } from "../src/markdown/blocks.js";
import { canOpen, closes, fenceLine, isTopLevel } from "../src/markdown/fences.js";
import { healTail } from "../src/markdown/heal.js";
import { lexMarkdown } from "../src/markdown/markdown.js";

/** @param {string} line */
const fence = (line) => {
  const found = fenceLine(line);
  assert.ok(found, line);
  return found;
};

const shared = JSON.parse(readFileSync(new URL("../../tests/fixtures/fences.json", import.meta.url), "utf8"));

describe("code fences", () => {
  it("are recognised as the kernel's markdown fallback recognises them (tests/fixtures/fences.json)", () => {
    for (const c of shared.lines) {
      const found = fenceLine(c.line);
      assert.deepEqual(found, c.fence, JSON.stringify(c.line));
      if (found) assert.deepEqual([isTopLevel(found), canOpen(found)], [c.top_level, c.can_open], JSON.stringify(c.line));
    }
    for (const c of shared.closing) assert.equal(closes(fence(c.line), fence(c.opener)), c.closes, JSON.stringify(c));
  });

  it("are runs of three or more backticks or tildes, with an info string", () => {
    assert.deepEqual(fenceLine("```python"), { indent: "", run: "```", info: "python" });
    assert.deepEqual(fenceLine("  ~~~~ x y"), { indent: "  ", run: "~~~~", info: " x y" });
    assert.deepEqual(fenceLine("```\r"), { indent: "", run: "```", info: "" });
    assert.equal(fenceLine("``"), null);
    assert.equal(fenceLine("text ```"), null);
  });

  it("open unless a backtick fence's info string holds a backtick", () => {
    assert.equal(canOpen(fence("```js")), true);
    assert.equal(canOpen(fence("``` a`b")), false);
    assert.equal(canOpen(fence("~~~ a`b")), true);
  });

  it("close with the same character, at least as long, followed by spaces or tabs only", () => {
    assert.equal(closes(fence("```"), fence("```js")), true);
    assert.equal(closes(fence("`````  \t"), fence("```")), true);
    assert.equal(closes(fence("``` x"), fence("```")), false);
    assert.equal(closes(fence("~~~"), fence("```")), false);
    assert.equal(closes(fence("```"), fence("````")), false);
    assert.equal(closes(fence("```\u00a0"), fence("```")), false);
  });

  it("sit at the top level when indented by three spaces at most", () => {
    assert.equal(isTopLevel(fence("   ```")), true);
    assert.equal(isTopLevel(fence("    ```")), false);
    assert.equal(isTopLevel(fence("\t```")), false);
  });

  it("are read alike by the healer and the block splitter, as marked reads them", () => {
    for (const [text, closed] of /** @type {Array<[string, boolean]>} */ ([
      ["```\nx\n```\n", true],
      ["```\nx\n```\u00a0\n", false],
      ["~~~~\nx\n~~~\n", false],
      ["   ```\nx\n   ```\n", true],
    ])) {
      const token = lexMarkdown(text)[0];
      assert.equal(isClosedFence(token), closed, JSON.stringify(text));
      assert.equal(token.raw, text, "marked: the fence runs to the end unless closed");
      // the healer closes only a fence that is still open
      const streamed = text.slice(0, -1);
      assert.equal(healTail(streamed) === streamed, closed, JSON.stringify(text));
    }
  });
});
