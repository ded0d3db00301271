// Splitting a streamed markdown text into finished top-level blocks and an open tail, DOM-free.
// A finished block is rendered once and never again, so "finished" must mean that no later text can
// change it. The rules, and the trap each one avoids:
// - a block is finished only once the NEXT block's first line is complete: `1. a\n\n2` is a list and
//   a paragraph until `. b` arrives and makes it one (loose) list;
// - the last block is never finished while streaming (a paragraph may still become a setext heading,
//   a table may still gain rows, a list may still become loose), except:
// - a fenced code block is finished as soon as its closing fence line is complete and anything but
//   blank lines follows (nothing can join it after that; the blank lines belong to it), so it is
//   highlighted once, early. An unclosed fence runs to the end of the text, so it stays open, however
//   many shorter fences it contains.
// Reference definitions found in finished blocks are carried to the lexing of later text; a reference
// whose definition arrives after its use is corrected by the final render (see content_renderer.js).
import { closes, fenceLine, isTopLevel } from "./fences.js";
import { lexMarkdown } from "./markdown.js";

/** @typedef {import("./markdown.js").Token} Token */
/** @typedef {import("./markdown.js").LinkDefinitions} LinkDefinitions */
/** @typedef {{raw: string, tokens: Token[]}} Block one top-level token and the blank lines after it */

/**
 * Group top-level tokens into blocks: each non-space token with the space tokens that follow it.
 * Space tokens before the first block form a block of their own (it renders as nothing).
 * @param {Token[]} tokens
 * @returns {Block[]}
 */
export function groupBlocks(tokens) {
  /** @type {Block[]} */
  const blocks = [];
  for (const token of tokens) {
    const last = blocks[blocks.length - 1];
    if (token.type === "space" && last) {
      last.raw += token.raw;
      last.tokens.push(token);
    } else {
      blocks.push({ raw: token.raw, tokens: [token] });
    }
  }
  return blocks;
}

/**
 * Whether a code token is a fenced block ended by a closing fence (the caller makes sure that the
 * closing line is complete: something follows it).
 * @param {Token} token
 */
export function isClosedFence(token) {
  if (token.type !== "code") return false;
  const lines = token.raw.replace(/\n$/, "").split("\n");
  const opener = fenceLine(lines[0]);
  if (!opener || !isTopLevel(opener)) return false; // indented code
  if (lines.length < 2) return false;
  const closer = fenceLine(lines[lines.length - 1]);
  return closer !== null && isTopLevel(closer) && closes(closer, opener);
}

/**
 * How many leading characters of `tail` form finished blocks.
 * @param {string} tail text after the blocks already finished; starts at a block boundary
 * @param {LinkDefinitions} links definitions from the finished blocks
 * @returns {number}
 */
export function finishedLength(tail, links) {
  const blocks = groupBlocks(lexMarkdown(tail, links));
  let finished = 0;
  let start = 0;
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i];
    const nextStart = start + block.raw.length;
    const next = blocks[i + 1];
    const nextFirstLineComplete = next !== undefined && tail.indexOf("\n", nextStart) >= 0;
    const closedFence = next !== undefined && isClosedFence(block.tokens[0]);
    if (!nextFirstLineComplete && !closedFence) break;
    finished = nextStart;
    start = nextStart;
  }
  return finished;
}

/**
 * Reference definitions made by a block (at any depth, e.g. inside a quote), in document order.
 * @param {Block} block
 * @param {LinkDefinitions} into first definition wins, as in CommonMark
 */
export function collectDefinitions(block, into) {
  /** @param {any[]} tokens */
  const walk = (tokens) => {
    for (const token of tokens) {
      if (token.type === "def" && !Object.hasOwn(into, token.tag)) {
        into[token.tag] = { href: token.href, title: token.title };
      }
      if (Array.isArray(token.tokens)) walk(token.tokens);
      if (Array.isArray(token.items)) walk(token.items);
    }
  };
  walk(block.tokens);
}

/**
 * Split the tail of a streamed text into the blocks finished now and the still open rest. The
 * finished part is lexed again on its own, so that definitions in the open rest (perhaps half-typed)
 * cannot leak into blocks that are never rendered again.
 * @param {string} tail
 * @param {LinkDefinitions} links definitions from earlier finished blocks; not modified
 * @returns {{finished: Block[], open: string}}
 */
export function splitTail(tail, links) {
  const length = finishedLength(tail, links);
  if (length === 0) return { finished: [], open: tail };
  const finished = groupBlocks(lexMarkdown(tail.slice(0, length), links));
  return { finished, open: tail.slice(length) };
}
