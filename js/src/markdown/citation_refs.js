// A citation's marker in the answer's text, `[^1]` (a markdown footnote reference, written by the kernel after
// each cited passage: citations.py), as a superscript link to the view's footnote. The view handles the click
// (each widget has its own footnotes, so the link is not by id).

/** How far ahead start() looks for a marker (a bounded window, like the math extension's). */
const START_WINDOW = 2048;
const MARKER = /^\[\^(\d{1,4})\]/;

/** @type {import("marked").TokenizerAndRendererExtension} */
export const citationRefExtension = {
  name: "cwCitationRef",
  level: "inline",
  start(src) {
    const at = (src.length > START_WINDOW ? src.slice(0, START_WINDOW) : src).indexOf("[^");
    return at >= 0 ? at : undefined;
  },
  tokenizer(src) {
    const match = MARKER.exec(src);
    return match ? { type: "cwCitationRef", raw: match[0], number: Number(match[1]) } : undefined;
  },
  renderer(token) {
    const n = String(token.number);
    return `<sup class="cw-cite-ref"><a href="#cw-source-${n}" data-cite="${n}" aria-label="Source ${n}">${n}</a></sup>`;
  },
};
