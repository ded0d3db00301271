// The answer as markdown, as Copy gives it: its text with the citation markers (`[^1]`), then the footnotes
// those markers point to, as the saved markdown ends (citations.py `footnotes`, fallback.py `answer_markdown`).
// The format is written in both places and checked against the same examples (tests/fixtures/footnotes.json).
import { sourcesOf } from "./sources.js";

const QUOTE_SHOWN = 300; // characters of a cited passage a footnote quotes (citations.py QUOTE_SHOWN)

/**
 * The footnotes of an answer's markers, as markdown definitions: `[^1]: “the passage” (report.pdf, p. 3)`.
 * @param {unknown} citations the `citations` trait
 */
export function footnotes(citations) {
  return sourcesOf(citations)
    .map(({ number, quote, source }) => {
      const chars = Array.from(quote); // by code point, as Python counts
      const shown = chars.length > QUOTE_SHOWN ? `${chars.slice(0, QUOTE_SHOWN - 1).join("")}…` : quote;
      return `[^${number}]: “${shown}”${source ? ` (${source})` : ""}`;
    })
    .join("\n");
}

/**
 * What Copy puts on the clipboard: the answer's text, then its footnotes when it cites anything.
 * @param {string} text
 * @param {unknown} citations the `citations` trait
 */
export function answerMarkdown(text, citations) {
  const notes = footnotes(citations);
  return notes ? `${text}\n\n${notes}` : text;
}
