// Tool calls as cards among the answer's text: Claude writing the input, the kernel running the
// function, the result (bounded, expandable), each labelled. A card sits where the call began in the answer.
import { h } from "./dom.js";

/** @typedef {import("../wire/protocol.js").ToolCard} ToolCard */

/**
 * Split the answer where things sit among its text (tool cards, thinks): each segment is a slice of the text
 * followed by the items that begin at its end, in the order given where they begin at the same place. Offsets are
 * clamped, so an item never points past the text.
 * @template {{at: number}} T
 * @param {number} textLength
 * @param {T[]} items
 * @returns {Array<{start: number, end: number, items: T[]}>}
 */
export function segmentsFor(textLength, items) {
  const sorted = [...items].sort((a, b) => a.at - b.at); // stable: the given order where they tie
  /** @type {Array<{start: number, end: number, items: T[]}>} */
  const segments = [];
  let start = 0;
  for (const item of sorted) {
    const at = Math.max(start, Math.min(item.at, textLength));
    const last = segments.at(-1);
    if (last && last.end === at && at === start) last.items.push(item);
    else segments.push({ start, end: at, items: [item] });
    start = at;
  }
  segments.push({ start, end: textLength, items: [] });
  return segments;
}

/**
 * The card's status in words, e.g. "Calling get_weather…".
 * @param {ToolCard} card
 */
export function toolStatusLabel(card) {
  switch (card.status) {
    case "writing":
      return `Claude is writing the call to ${card.name}…`;
    case "running":
      return card.server ? `Anthropic is running ${card.name}…` : `Calling ${card.name}…`;
    case "done":
      return "Done";
    case "error":
      return "Failed";
    case "cancelled":
      return "Stopped";
    default:
      return card.status;
  }
}

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
  const inputLabel = h(doc, "div", { class: "cw-tool-label" }, ["Input"]);
  const resultLabel = h(doc, "div", { class: "cw-tool-label", "data-role": "tool-result-label" }, ["Result"]);
  const expand = h(doc, "button", { type: "button", class: "cw-button cw-tool-expand",
    "aria-label": "Show the whole tool result" }, ["Show all"]);
  const header = h(doc, "div", { class: "cw-tool-header" }, [name, status]);
  // What Claude said before the call: today's models write it inside thinking, so it has no place in the text.
  const note = h(doc, "p", { class: "cw-tool-note", "data-role": "tool-note", hidden: "" });
  const element = h(doc, "div", { class: "cw-tool", "data-role": "tool-card" }, [note, header, inputLabel, input, resultLabel, result,
    expand]);
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
      status.textContent = toolStatusLabel(card);
      input.textContent = prettyInput(inputJson);
      result.hidden = resultLabel.hidden = card.result === null;
      result.textContent = card.result ?? "";
      result.classList.toggle("cw-tool-error", card.is_error);
      expand.hidden = card.result === null || card.result.length < 400;
    },
  };
}
