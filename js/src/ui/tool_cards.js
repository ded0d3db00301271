// Tool calls as cards among the answer's text: Claude writing the input, the kernel running the
// function, the result (bounded, expandable). A card sits where the call began in the answer.
import { h } from "./dom.js";

/**
 * @typedef {import("../wire/protocol.js").ToolCard} ToolCard
 * @typedef {{start: number, end: number, cards: ToolCard[]}} Segment
 */

/**
 * Split the answer at the tool calls: each segment is a slice of the text followed by the cards that
 * begin at its end. Offsets are clamped, so a card never points past the text.
 * @param {number} textLength
 * @param {ToolCard[]} cards
 * @returns {Segment[]}
 */
export function segmentsFor(textLength, cards) {
  const sorted = [...cards].sort((a, b) => a.at - b.at);
  /** @type {Segment[]} */
  const segments = [];
  let start = 0;
  for (const card of sorted) {
    const at = Math.max(start, Math.min(card.at, textLength));
    const last = segments.at(-1);
    if (last && last.end === at && at === start) last.cards.push(card);
    else segments.push({ start, end: at, cards: [card] });
    start = at;
  }
  segments.push({ start, end: textLength, cards: [] });
  return segments;
}

/** @type {Record<string, string>} */
const STATUS_LABELS = {
  writing: "Claude is writing the input…",
  running: "Running…",
  done: "Done",
  error: "Error",
  cancelled: "Stopped",
};

/**
 * The input as readable JSON once it parses, as streamed until then.
 * @param {string} json
 */
export function prettyInput(json) {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

/**
 * One card's element, updated in place as the call progresses.
 * @param {Document} doc
 */
export function createToolCard(doc) {
  const name = h(doc, "span", { class: "cw-tool-name" });
  const status = h(doc, "span", { class: "cw-tool-status", "data-role": "tool-status" });
  const input = h(doc, "pre", { class: "cw-tool-input", "data-role": "tool-input" });
  const result = h(doc, "pre", { class: "cw-tool-result", "data-role": "tool-result" });
  const expand = h(doc, "button", { type: "button", class: "cw-button cw-tool-expand",
    "aria-label": "Show the whole tool result" }, ["Show all"]);
  const header = h(doc, "div", { class: "cw-tool-header" }, [name, status]);
  // What Claude said before the call: today's models write it inside thinking, so it has no place in the text.
  const note = h(doc, "p", { class: "cw-tool-note", "data-role": "tool-note", hidden: "" });
  const element = h(doc, "div", { class: "cw-tool", "data-role": "tool-card" }, [note, header, input, result, expand]);
  expand.addEventListener("click", () => {
    const expanded = element.classList.toggle("cw-tool-expanded");
    expand.textContent = expanded ? "Show less" : "Show all";
  });
  return {
    element,
    /**
     * @param {ToolCard} card
     * @param {string} inputJson the call's input as streamed so far
     */
    update(card, inputJson) {
      element.dataset.status = card.status;
      element.dataset.server = String(card.server);
      note.hidden = !card.note;
      note.textContent = card.note ?? "";
      name.textContent = `${card.server ? "server tool" : "tool"} · ${card.name}`;
      status.textContent = STATUS_LABELS[card.status] ?? card.status;
      input.textContent = prettyInput(inputJson);
      result.hidden = card.result === null;
      result.textContent = card.result ?? "";
      result.classList.toggle("cw-tool-error", card.is_error);
      expand.hidden = card.result === null || card.result.length < 400;
    },
  };
}
