// Markdown → HTML string, DOM-free. Model text is untrusted (prompt injection), so this renderer is
// the first safety layer: raw HTML is shown as text, link schemes are allowlisted, images are never
// loaded. The view runs DOMPurify over the result as a second layer.
import { Lexer, Marked, Parser } from "marked";
import { highlightCode } from "./code_highlight.js";
import { citationRefExtension } from "./citation_refs.js";
import { blockMathExtension, inlineMathExtension, maskInlineMath } from "./math.js";
import { escapeHtml, safeHref } from "./safe_url.js";

const NEW_TAB = ' target="_blank" rel="noopener noreferrer"';

/**
 * Attributes for a link to an allowed URL. In-page `#…` links stay in the page.
 * @param {string} href from safeHref
 * @param {string | null | undefined} title
 */
function linkAttributes(href, title) {
  const titleAttr = title ? ` title="${escapeHtml(title)}"` : "";
  return `href="${escapeHtml(href)}"${href.startsWith("#") ? "" : NEW_TAB}${titleAttr}`;
}

/** Off while rendering the open tail of a stream: an open code block shows as plain text. */
let highlightCodeBlocks = true;

const marked = new Marked({ gfm: true, breaks: false, async: false });
marked.use({
  extensions: [blockMathExtension, inlineMathExtension, citationRefExtension],
  hooks: {
    emStrongMask: maskInlineMath,
  },
  renderer: {
    html({ text, block }) {
      const shown = escapeHtml(text);
      return block ? `<p class="cw-raw-html">${shown}</p>\n` : shown;
    },
    link({ href, title, tokens }) {
      const inner = this.parser.parseInline(tokens);
      const url = safeHref(href);
      return url === null ? inner : `<a ${linkAttributes(url, title)}>${inner}</a>`;
    },
    image({ href, title, text }) {
      // Loading a remote image leaks data to its server (documented exfiltration channel): show a link.
      const label = `🖼 ${escapeHtml(text || "image")}`;
      const url = safeHref(href);
      return url === null
        ? `<span class="cw-image-link">${label}</span>`
        : `<a class="cw-image-link" ${linkAttributes(url, title || href)}>${label}</a>`;
    },
    code({ text, lang }) {
      const requested = (lang ?? "").trim().split(/\s+/)[0].replace(/[^\w+#.-]/g, "");
      const { html, language } = highlightCodeBlocks
        ? highlightCode(text, requested)
        : { html: escapeHtml(text), language: null };
      const codeClass = language ? `hljs language-${language}` : "hljs";
      const dataLang = language ? ` data-lang="${escapeHtml(language)}"` : "";
      return `<div class="cw-code"${dataLang}><pre><code class="${codeClass}">${html}</code></pre></div>\n`;
    },
  },
});

/** @typedef {import("marked").Token} Token */
/** @typedef {Record<string, {href: string | null, title?: string | null}>} LinkDefinitions */

/**
 * Tokens of a markdown text (block level, inline tokens filled in). `links` are reference definitions
 * from earlier in the document, which this text cannot see (the streaming renderer lexes only the tail).
 * @param {string} text
 * @param {LinkDefinitions} [links]
 * @returns {Token[] & {links: LinkDefinitions}}
 */
export function lexMarkdown(text, links) {
  const lexer = new Lexer(marked.defaults);
  if (links) Object.assign(lexer.tokens.links, links);
  return /** @type {Token[] & {links: LinkDefinitions}} */ (lexer.lex(text));
}

/**
 * HTML of block tokens from lexMarkdown.
 * @param {Token[]} tokens
 * @param {{highlight?: boolean}} [options] highlight: false shows code blocks as plain text
 * @returns {string}
 */
export function renderTokens(tokens, { highlight = true } = {}) {
  highlightCodeBlocks = highlight;
  try {
    return Parser.parse(tokens, marked.defaults);
  } finally {
    highlightCodeBlocks = true;
  }
}

/**
 * Render markdown (GFM + TeX math) to an HTML string.
 * @param {string} text
 * @returns {string}
 */
export function renderMarkdown(text) {
  return /** @type {string} */ (marked.parse(text));
}
