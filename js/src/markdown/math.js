// TeX math as marked extensions: `$$…$$` and `\[…\]` (display), `\(…\)` and `$…$` (inline).
// Tokenizers, not a regex over the whole text, so code spans and code blocks are never touched:
// marked hands them to its own tokenizers before ours ever see their content.
import katex from "katex";
import { escapeHtml } from "./safe_url.js";

/** How far ahead the inline start() looks for a formula (see there). */
const START_WINDOW = 2048;

/** @type {import("katex").KatexOptions} */
const KATEX_OPTIONS = {
  throwOnError: false,
  trust: false, // no \href, \url, \includegraphics, \htmlClass… links or attributes from model text
  strict: "ignore",
  maxSize: 20, // em; caps \rule and friends so a formula cannot cover the notebook
  maxExpand: 1000,
};

/**
 * KaTeX HTML for one formula; escaped source if KaTeX fails in a way throwOnError does not cover.
 * @param {string} tex
 * @param {boolean} displayMode
 * @returns {string}
 */
export function renderTex(tex, displayMode) {
  try {
    return katex.renderToString(tex, { ...KATEX_OPTIONS, displayMode });
  } catch {
    return `<code class="cw-math-error">${escapeHtml(tex)}</code>`;
  }
}

/**
 * Index of `closer` in `src` at or after `from`, skipping backslash escapes (`\$`, `\\`).
 * Gives up at a blank line: math never spans paragraphs, and this bounds the search.
 * @param {string} src
 * @param {number} from
 * @param {string} closer
 * @returns {number} -1 when not found
 */
function findCloser(src, from, closer) {
  const escapedCloser = closer[0] === "\\";
  for (let i = from; i < src.length; i++) {
    const ch = src[i];
    if (ch === "\n" && /^\n[ \t]*\n/.test(src.slice(i, i + 80))) return -1;
    if (ch === "\\") {
      if (escapedCloser && src.startsWith(closer, i)) return i;
      i++;
      continue;
    }
    if (!escapedCloser && src.startsWith(closer, i)) return i;
  }
  return -1;
}

const isSpace = (/** @type {string | undefined} */ ch) => ch !== undefined && /\s/.test(ch);
const isDigit = (/** @type {string | undefined} */ ch) => ch !== undefined && ch >= "0" && ch <= "9";

/**
 * Inline math at the very start of `src`, if any.
 * `$…$` follows pandoc's rule so prices stay text: the opening `$` is not followed by whitespace, the
 * first unescaped `$` after it closes, and it must not be preceded by whitespace nor followed by a digit.
 * @param {string} src
 * @returns {{length: number, tex: string, displayMode: boolean} | null}
 */
export function matchInlineMath(src) {
  /** @type {[string, string, boolean][]} opener, closer, display */
  const pairs = [["$$", "$$", true], ["\\(", "\\)", false], ["\\[", "\\]", true]];
  for (const [open, close, displayMode] of pairs) {
    if (!src.startsWith(open)) continue;
    const end = findCloser(src, open.length, close);
    if (end < 0) return null;
    const tex = src.slice(open.length, end);
    return tex.trim() ? { length: end + close.length, tex, displayMode } : null;
  }
  if (src[0] !== "$" || src[1] === "$" || src.length < 3 || isSpace(src[1])) return null;
  const end = findCloser(src, 1, "$");
  if (end < 0 || isSpace(src[end - 1]) || isDigit(src[end + 1])) return null;
  return { length: end + 1, tex: src.slice(1, end), displayMode: false };
}

/**
 * Display math occupying whole lines at the start of `src`: `$$…$$` or `\[…\]`, nothing else on the
 * opening line before it nor on the closing line after it.
 * @param {string} src
 * @returns {{length: number, tex: string} | null}
 */
export function matchBlockMath(src) {
  const opening = /^ {0,3}(\$\$|\\\[)/.exec(src);
  if (!opening) return null;
  const close = opening[1] === "$$" ? "$$" : "\\]";
  const start = opening[0].length;
  const end = findCloser(src, start, close);
  if (end < 0) return null;
  const rest = /^[ \t]*(?:\n|$)/.exec(src.slice(end + close.length));
  if (!rest) return null;
  const tex = src.slice(start, end);
  return tex.trim() ? { length: end + close.length + rest[0].length, tex } : null;
}

/** @type {import("marked").TokenizerAndRendererExtension} */
export const blockMathExtension = {
  name: "cwBlockMath",
  level: "block",
  // Lets a formula interrupt a paragraph. Pointing at a line that turns out not to be math is
  // harmless: marked glues the paragraph back together.
  start(src) {
    const at = src.search(/\n {0,3}(?:\$\$|\\\[)/);
    return at < 0 ? undefined : at + 1;
  },
  tokenizer(src) {
    const match = matchBlockMath(src);
    if (!match) return undefined;
    return { type: "cwBlockMath", raw: src.slice(0, match.length), text: match.tex, displayMode: true };
  },
  renderer(token) {
    return `<div class="cw-math cw-math-display">${renderTex(token.text, true)}</div>\n`;
  },
};

/** @type {import("marked").TokenizerAndRendererExtension} */
export const inlineMathExtension = {
  name: "cwInlineMath",
  level: "inline",
  start(src) {
    // marked calls this with the rest of the paragraph before every text token; scanning all of it
    // each time is quadratic on a long paragraph without math. Look ahead a bounded window and, if
    // no formula starts there, end the text token at the window's last word boundary (marked merges
    // adjacent text tokens, and a boundary never splits a URL or a delimiter run).
    const window = src.length > START_WINDOW ? src.slice(0, START_WINDOW) : src;
    const at = window.search(/\$|\\[([]/);
    if (at >= 0) return at;
    if (window === src) return undefined;
    for (let i = window.length - 1; i > 0; i--) {
      if (/\s/.test(window[i - 1]) && !/\s/.test(window[i])) return i;
    }
    return undefined;
  },
  tokenizer(src) {
    const match = matchInlineMath(src);
    if (!match) return undefined;
    return { type: "cwInlineMath", raw: src.slice(0, match.length), text: match.tex, displayMode: match.displayMode };
  },
  renderer(token) {
    const kind = token.displayMode ? "cw-math cw-math-display" : "cw-math";
    return `<span class="${kind}">${renderTex(token.text, token.displayMode)}</span>`;
  },
};

/**
 * marked's `emStrongMask` hook: hide inline math from the emphasis matcher, so `*` or `_` inside a
 * formula never pairs with one outside it. The mask keeps the length (marked relies on positions).
 * @param {string} src an inline source, with code spans and links already masked by marked
 * @returns {string}
 */
export function maskInlineMath(src) {
  let out = "";
  let copiedTo = 0;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === "`") {
      // a code span still visible here: its content is not math
      const run = /^`+/.exec(src.slice(i))?.[0] ?? "`";
      const close = src.indexOf(run, i + run.length);
      if (close > 0) i = close + run.length - 1;
      continue;
    }
    if (ch !== "$" && ch !== "\\") continue;
    const match = matchInlineMath(src.slice(i));
    if (!match) {
      if (ch === "\\") i++; // `\$` is an escaped dollar, not an opener
      continue;
    }
    out += src.slice(copiedTo, i) + "a".repeat(match.length);
    copiedTo = i + match.length;
    i = copiedTo - 1;
  }
  return copiedTo === 0 ? src : out + src.slice(copiedTo);
}
