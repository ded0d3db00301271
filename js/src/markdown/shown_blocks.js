// The finished blocks a content renderer shows (content_renderer.js), with no more than its final render needs to
// know of each: where the block is in the text, the link definitions it was rendered with, and its node. Neither
// its source (in the text, which the model holds) nor its HTML (in the node) is copied here: an answer's blocks
// would otherwise keep its text and its HTML a second time for as long as the answer is shown.
import { collectDefinitions, groupBlocks } from "./blocks.js";

/**
 * @typedef {import("./blocks.js").Block} Block
 * @typedef {import("./blocks.js").LinkDefinitions} LinkDefinitions
 * @typedef {import("./markdown.js").Token} Token
 */

/**
 * @template N
 * @typedef {{start: number, length: number, linksKey: string, node: N}} ShownBlock linksKey: the definitions it
 *   was rendered with, as one string shared by every block rendered with the same ones
 */

/**
 * A block of the final text: the streamed block it can keep (same source, same place), if any, and whether that
 * one was rendered with the same definitions (then its HTML is the same: rendering is deterministic).
 * @template N
 * @typedef {{start: number, block: Block, old: ShownBlock<N> | null, sameLinks: boolean}} FinalBlock
 */

/** @template N */
export function createShownBlocks() {
  /** @type {ShownBlock<N>[]} */
  let blocks = [];
  /** @type {LinkDefinitions} */
  let links = {};
  let linksKey = "{}";
  let end = 0;

  return {
    /** where the finished blocks end, in the text */
    get end() {
      return end;
    },
    /** the definitions the finished blocks made */
    get links() {
      return links;
    },
    /** @returns {readonly ShownBlock<N>[]} */
    get blocks() {
      return blocks;
    },

    /**
     * A block finished while streaming, at `end`, shown as `node` (rendered with the definitions so far).
     * @param {Block} block
     * @param {N} node
     * @returns {ShownBlock<N>}
     */
    add(block, node) {
      const shown = { start: end, length: block.raw.length, linksKey, node };
      blocks.push(shown);
      const known = Object.keys(links).length;
      collectDefinitions(block, links);
      if (Object.keys(links).length !== known) linksKey = JSON.stringify(links);
      end += block.raw.length;
      return shown;
    },

    /**
     * The final text's blocks, each with the streamed block it may keep.
     * @param {string} streamed the text the streamed blocks were cut from
     * @param {Token[] & {links: LinkDefinitions}} tokens the final text, lexed whole
     * @returns {FinalBlock<N>[]}
     */
    plan(streamed, tokens) {
      const finalKey = JSON.stringify(tokens.links);
      const byStart = new Map(blocks.map((b) => [b.start, b]));
      /** @type {FinalBlock<N>[]} */
      const plan = [];
      let start = 0;
      for (const block of groupBlocks(tokens)) {
        const candidate = byStart.get(start);
        const same = candidate !== undefined && candidate.length === block.raw.length &&
          streamed.startsWith(block.raw, start);
        const old = same ? candidate : null;
        plan.push({ start, block, old, sameLinks: old !== null && old.linksKey === finalKey });
        start += block.raw.length;
      }
      return plan;
    },

    /**
     * The final render is shown: these are the blocks now, the whole text finished.
     * @param {{start: number, length: number, node: N}[]} final
     * @param {Token[] & {links: LinkDefinitions}} tokens the final text, lexed whole
     */
    settle(final, tokens) {
      links = tokens.links;
      linksKey = JSON.stringify(links);
      blocks = final.map(({ start, length, node }) => ({ start, length, linksKey, node }));
      end = final.reduce((sum, b) => sum + b.length, 0);
    },

    reset() {
      blocks = [];
      links = {};
      linksKey = "{}";
      end = 0;
    },
  };
}
