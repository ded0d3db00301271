// HTML escaping and the link allowlist. Model output is untrusted: every URL that reaches an
// attribute goes through safeHref, and every piece of text through escapeHtml.

/** @type {Record<string, string>} */
const HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * Escape text for use in HTML content or a double-quoted attribute.
 * @param {string} text
 * @returns {string}
 */
export function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]);
}

/** @type {Record<string, string>} */
const NAMED_ENTITIES = {
  amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0",
  colon: ":", tab: "\t", newline: "\n", sol: "/", lpar: "(", rpar: ")", num: "#", percnt: "%",
};

/**
 * Decode the character references CommonMark allows in link destinations. Unknown named
 * references stay literal; since the result is re-escaped, the browser then sees them literally too.
 * @param {string} text
 * @returns {string}
 */
export function decodeEntities(text) {
  return text.replace(/&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]{1,31}));/g,
    (whole, dec, hex, name) => {
      if (name !== undefined) return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
      const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex, 16);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "\ufffd";
    });
}

const ALLOWED_PREFIX = /^(?:https?:|mailto:|#)/i;

/**
 * The URL to put in an `href`, or null when the link must be rendered as plain text.
 * Allowed: `http:`, `https:`, `mailto:` and in-page `#…`. Relative and protocol-relative URLs are
 * refused too (in Jupyter they would point into the notebook server).
 * The returned string is exactly what the browser will parse (after attribute unescaping): control
 * characters, which URL parsers strip, are removed before the check, not after.
 * @param {string | null | undefined} raw
 * @returns {string | null}
 */
export function safeHref(raw) {
  if (!raw) return null;
  // eslint-disable-next-line no-control-regex
  const url = decodeEntities(raw).replace(/[\u0000-\u001f\u007f]/g, "").trim().replace(/ /g, "%20");
  return ALLOWED_PREFIX.test(url) ? url : null;
}
