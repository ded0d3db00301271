// Properties of the streaming markdown helpers over EVERY prefix of every fidelity corpus document, as
// streamdown's remend tests its healing (packages/remend/__tests__/streaming-properties.test.ts): a stream
// may be cut anywhere, so each cut is a case. marked's lexer is the oracle for what is a block and what is
// code. Deterministic: no generator, the corpus is the input.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { collectDefinitions, groupBlocks, splitTail } from "../src/markdown/blocks.js";
import { healTail } from "../src/markdown/heal.js";
import { lexMarkdown, renderTokens } from "../src/markdown/markdown.js";

const corpus = new URL("./corpus/fidelity/", import.meta.url);
const documents = readdirSync(corpus)
  .filter((name) => name.endsWith(".md"))
  .sort()
  .map((name) => ({ name, text: readFileSync(new URL(name, corpus), "utf8") }));

/** @param {string} text */
const prefixes = function* (text) {
  for (let cut = 0; cut <= text.length; cut++) yield text.slice(0, cut);
};

/**
 * The top-level blocks of a text by where they start, with their HTML.
 * @param {string} text
 * @returns {Map<number, {raw: string, html: string}>}
 */
function blocksByStart(text) {
  const blocks = new Map();
  let start = 0;
  for (const block of groupBlocks(lexMarkdown(text))) {
    blocks.set(start, { raw: block.raw, html: renderTokens(block.tokens) });
    start += block.raw.length;
  }
  return blocks;
}

/** @typedef {{type: string, text: string, lang?: string}} CodeNode */

/**
 * Every code block and code span of a text, in document order, at any depth.
 * @param {string} text
 * @returns {CodeNode[]}
 */
function codeNodes(text) {
  /** @type {CodeNode[]} */
  const found = [];
  /** @param {any[]} tokens */
  const walk = (tokens) => {
    for (const token of tokens ?? []) {
      if (token.type === "code") found.push({ type: "code", text: token.text, lang: token.lang ?? "" });
      if (token.type === "codespan") found.push({ type: "codespan", text: token.text });
      walk(token.tokens);
      walk(token.items);
      if (token.type === "table") {
        for (const cell of token.header) walk(cell.tokens);
        for (const row of token.rows) for (const cell of row) walk(cell.tokens);
      }
    }
  };
  walk(lexMarkdown(text));
  return found;
}

/**
 * Whether healing left the code of `prefix` as it was. Allowed at the end of the text only: a code span
 * that healing closed is new (and absorbs spans read inside it, as in remend); a half-typed closing fence
 * on the last line is completed, so it leaves the code block's text; and the last code block may differ in
 * trailing whitespace (a closing fence after a whitespace-only line makes that line part of the code, as
 * the next delta will anyway; remend allows the same).
 * @param {string} prefix
 * @param {string} healed
 */
function assertCodeUnchanged(prefix, healed) {
  const before = codeNodes(prefix);
  const after = codeNodes(healed);
  let common = 0;
  while (common < before.length && common < after.length && JSON.stringify(before[common]) === JSON.stringify(after[common])) {
    common++;
  }
  const lost = before.slice(common);
  const added = after.slice(common);
  if (lost.length === 0) {
    // nothing changed; at most a span closed at the end (not a new code block, as a fence closed after
    // the list item that held it had ended)
    assert.ok(added.length === 0 || (added.length === 1 && added[0].type === "codespan"),
      `healing added code: ${JSON.stringify(prefix)} -> ${JSON.stringify(healed)}\nadded: ${JSON.stringify(added)}`);
    return;
  }
  const last = lost[0];
  if (lost.length === 1 && added.length === 1 && last.type === "code" && added[0].type === "code") {
    if (last.lang === added[0].lang && last.text.trimEnd() === added[0].text.trimEnd()) return;
    const lines = last.text.split("\n");
    const withoutPartialCloser = lines.slice(0, -1).join("\n");
    if (/^[ \t]*(`+|~+)$/.test(lines[lines.length - 1]) && added[0].text === withoutPartialCloser) return;
  }
  const closedSpan = added.length === 1 && added[0].type === "codespan" &&
    lost.every((node) => node.type === "codespan" && added[0].text.includes(node.text));
  assert.ok(closedSpan, `healing changed code: ${JSON.stringify(prefix)} -> ${JSON.stringify(healed)}\n` +
    `lost: ${JSON.stringify(lost)}\nadded: ${JSON.stringify(added)}`);
}

/**
 * How many leading characters of `input` survive in `output`, in order (healing inserts closers and may
 * drop a fragment, so the rest of what was written is a subsequence of the result).
 * @param {string} input
 * @param {string} output
 */
function preservedLength(input, output) {
  let matched = 0;
  for (let i = 0; i < output.length && matched < input.length; i++) if (output[i] === input[matched]) matched++;
  return matched;
}

describe("streaming properties, on every prefix of every corpus document", () => {
  for (const { name, text } of documents) {
    it(`${name}: a block once frozen never changes as the text grows`, () => {
      // The splitter driven as the content renderer drives it: the tail after the frozen blocks, with the
      // definitions those blocks made.
      /** @type {{start: number, raw: string, html: string}[]} */
      const frozen = [];
      const links = {};
      let end = 0;
      // A use before its definition is corrected by the final render only (see content_renderer.js).
      const lateDefinitions = name.includes("late-reference");
      for (const prefix of prefixes(text)) {
        const { finished } = splitTail(prefix.slice(end), links);
        for (const block of finished) {
          frozen.push({ start: end, raw: block.raw, html: renderTokens(block.tokens) });
          collectDefinitions(block, links);
          end += block.raw.length;
        }
        const now = blocksByStart(prefix);
        for (const block of frozen) {
          const current = now.get(block.start);
          const where = `frozen at ${block.start}, cut at ${prefix.length}`;
          assert.equal(current?.raw, block.raw, `${where}: the block's source changed`);
          if (!lateDefinitions) assert.equal(current?.html, block.html, `${where}: the block renders differently`);
        }
      }
      assert.equal(frozen.map((b) => b.raw).join(""), text.slice(0, end));
    });

    it(`${name}: healing is idempotent, leaves code as it is, and only touches the last line`, () => {
      let end = 0;
      const links = {};
      for (const prefix of prefixes(text)) {
        const healed = healTail(prefix);
        assert.equal(healTail(healed), healed, `not idempotent: ${JSON.stringify(prefix)} -> ${JSON.stringify(healed)}`);
        assertCodeUnchanged(prefix, healed);
        // Healing drops at most an unfinished fragment of the last line (a link target, a dangling marker,
        // a half-typed closing fence), the space before the closers it appends, and a marker that opens
        // nothing yet (`$$` and a line break, then only a backslash): every earlier character survives.
        const kept = prefix.trimEnd();
        const mustKeep = kept.slice(0, kept.lastIndexOf("\n") + 1);
        const lost = mustKeep.slice(preservedLength(mustKeep, healed));
        assert.match(lost, /^\s*(?:[*_~`$]+\s*)?$/,
          `dropped more than the last line: ${JSON.stringify(prefix)} -> ${JSON.stringify(healed)}`);

        // The renderer heals only the open tail after the frozen blocks: the same holds there.
        for (const block of splitTail(prefix.slice(end), links).finished) {
          collectDefinitions(block, links);
          end += block.raw.length;
        }
        const open = prefix.slice(end);
        const healedOpen = healTail(open);
        assert.equal(healTail(healedOpen), healedOpen, `open tail not idempotent: ${JSON.stringify(open)}`);
        assertCodeUnchanged(open, healedOpen);
      }
    });
  }
});
