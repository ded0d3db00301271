// Markdown text → the content element's DOM, at a constant cost per streamed delta.
// Each finished top-level block (blocks.js) is rendered once into its own wrapper element and never
// touched again while streaming, so a text selection in it survives; only the open tail is rendered
// again, healed (heal.js), with code blocks as plain text. When the stream ends, the whole text is
// rendered once and compared block by block with what was streamed: blocks that differ (e.g. a
// reference link whose definition came last) are replaced, the others kept. A streamed view and a
// fresh view of the finished answer then have the same text and the same elements.
import DOMPurify from "dompurify";
import { splitTail } from "./blocks.js";
import { healTail } from "./heal.js";
import { lexMarkdown, renderTokens } from "./markdown.js";
import { createShownBlocks } from "./shown_blocks.js";

/** @typedef {import("./shown_blocks.js").ShownBlock<HTMLElement>} ShownBlock */

// Second safety layer behind the renderer's own escaping and URL allowlist. It runs on each block
// once and on the small open tail each frame, never on the whole document.
const PURIFY_CONFIG = {
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
  ADD_ATTR: ["target"],
  // KaTeX's MathML wraps formulas in <semantics> with the TeX source as a text <annotation>
  ADD_TAGS: ["semantics", "annotation"],
  FORBID_TAGS: ["img", "image", "picture", "source", "video", "audio", "iframe", "object", "embed",
    "form", "style", "link", "meta", "base", "use"],
  FORBID_ATTR: ["srcset", "formaction", "xlink:href"],
  RETURN_DOM_FRAGMENT: /** @type {const} */ (true),
};

let hooksInstalled = false;
function installHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  DOMPurify.addHook("uponSanitizeAttribute", (_node, data) => {
    // KaTeX writes inline styles; none of them ever needs a URL
    if (data.attrName === "style" && /url\s*\(|expression\s*\(|@import/i.test(data.attrValue)) data.keepAttr = false;
  });
  DOMPurify.addHook("afterSanitizeAttributes", (node) => {
    if (node.nodeName === "A" && node.getAttribute("target") === "_blank") node.setAttribute("rel", "noopener noreferrer");
    // The only inputs are task-list checkboxes (raw HTML never gets here): DOMPurify drops their `type`.
    if (node.nodeName === "INPUT") {
      for (const name of node.getAttributeNames()) if (name !== "checked") node.removeAttribute(name);
      node.setAttribute("type", "checkbox");
      node.setAttribute("disabled", "");
    }
  });
}

/**
 * Sanitized DOM for rendered HTML; every code block gets a copy button (clicks are handled by the
 * view, by delegation).
 * @param {string} html
 * @returns {DocumentFragment}
 */
function toFragment(html) {
  const fragment = /** @type {DocumentFragment} */ (/** @type {unknown} */ (DOMPurify.sanitize(html, PURIFY_CONFIG)));
  for (const block of fragment.querySelectorAll(".cw-code")) {
    const button = block.ownerDocument.createElement("button");
    button.type = "button";
    button.className = "cw-button cw-copy-code";
    button.dataset.role = "copy-code";
    button.setAttribute("aria-label", "Copy code");
    button.textContent = "Copy";
    block.prepend(button);
  }
  return fragment;
}

/**
 * What a screen reader should hear for a finished block: its text, formulas as their MathML text
 * (not twice), code blocks named rather than read out.
 * @param {Element} node
 * @returns {string}
 */
export function spokenText(node) {
  const copy = /** @type {Element} */ (node.cloneNode(true));
  for (const code of copy.querySelectorAll(".cw-code")) {
    const lang = code.getAttribute("data-lang");
    code.replaceWith(lang ? `Code block in ${lang}.` : "Code block.");
  }
  for (const hidden of copy.querySelectorAll(".katex-html, annotation, button")) hidden.remove();
  return (copy.textContent ?? "").replace(/\s+/g, " ").trim();
}

/**
 * @param {HTMLElement} container
 * @param {{announce?: (text: string) => void}} [options] announce: receives each finished block's
 *   spoken text (for a polite live region), once
 * @returns {{render(text: string, final: boolean): boolean, stats: {frozen: number, corrected: number}}}
 *   render returns whether the DOM changed. stats (for tests): blocks finished while streaming, and
 *   streamed blocks the final render had to replace.
 */
export function createContentRenderer(container, { announce } = {}) {
  installHooks();
  const doc = container.ownerDocument;
  /** @type {ReturnType<typeof createShownBlocks<HTMLElement>>} */
  const blocks = createShownBlocks();
  /** @type {HTMLElement | null} */
  let tail = null;
  let tailHtml = "";
  /** @type {{text: string, final: boolean} | null} */
  let shown = null;
  /** how much of the text has been announced */
  let announcedEnd = 0;
  /** a view's first render shows what is already there without reading it all out */
  let quiet = false;
  const stats = { frozen: 0, corrected: 0 };

  /** @param {string} html */
  function blockNode(html) {
    const node = doc.createElement("div");
    node.className = "cw-block";
    node.append(toFragment(html));
    return node;
  }

  /** @param {ShownBlock} block */
  function say(block) {
    if (!announce || block.start < announcedEnd) return;
    announcedEnd = block.start + block.length;
    if (quiet) return;
    const text = spokenText(block.node);
    if (text) announce(text);
  }

  function reset() {
    blocks.reset();
    tail = null;
    tailHtml = "";
    announcedEnd = 0;
    container.replaceChildren();
  }

  /** @param {string} text */
  function renderStreaming(text) {
    if (shown?.final || !text.startsWith(shown?.text.slice(0, blocks.end) ?? "")) reset();
    const { finished, open } = splitTail(text.slice(blocks.end), blocks.links);
    for (const block of finished) {
      const node = blockNode(renderTokens(block.tokens));
      if (tail) tail.before(node);
      else container.append(node);
      stats.frozen++;
      say(blocks.add(block, node));
    }
    const html = open ? renderTokens(lexMarkdown(healTail(open), blocks.links), { highlight: false }) : "";
    if (html !== tailHtml || !tail) {
      if (!tail) {
        tail = doc.createElement("div");
        tail.className = "cw-tail";
        container.append(tail);
      }
      tail.replaceChildren(toFragment(html));
      tailHtml = html;
    }
  }

  /**
   * @param {string} text
   * @param {string} streamed the text shown before ("" if none)
   */
  function renderFinal(text, streamed) {
    const tokens = lexMarkdown(text);
    /** @type {Set<HTMLElement>} */
    const kept = new Set();
    const next = blocks.plan(streamed, tokens).map(({ start, block, old, sameLinks }) => {
      let node = sameLinks && old ? old.node : null;
      if (!node) {
        node = blockNode(renderTokens(block.tokens));
        // Other definitions now (one came late): a block that renders the same stays, its selection with it.
        if (old && old.node.innerHTML === node.innerHTML) node = old.node;
      }
      if (node === old?.node) kept.add(node);
      return { start, length: block.raw.length, node };
    });
    stats.corrected += blocks.blocks.filter((b) => !kept.has(b.node)).length;
    // Put the final blocks in place without moving the kept ones (a moved node loses its selection).
    for (const child of [...container.children]) {
      if (!kept.has(/** @type {HTMLElement} */ (child))) child.remove();
    }
    let cursor = /** @type {ChildNode | null} */ (container.firstChild);
    for (const block of next) {
      if (kept.has(block.node)) cursor = block.node.nextSibling;
      else container.insertBefore(block.node, cursor);
    }
    blocks.settle(next, tokens);
    tail = null;
    tailHtml = "";
    for (const block of blocks.blocks) say(block);
  }

  return {
    stats,
    render(rawText, final) {
      const text = rawText.replace(/\r\n?/g, "\n"); // as marked's lexer does; offsets must agree
      if (shown && shown.text === text && shown.final === final) return false;
      quiet = shown === null;
      if (final) renderFinal(text, shown?.text ?? "");
      else renderStreaming(text);
      shown = { text, final };
      return true;
    },
  };
}
