// Tool calls as cards among the answer's text: Claude writing the input, the kernel running the
// function, the result (bounded, expandable). A card sits where the call began in the answer.

/**
 * @typedef {{id: string, name: string, status: string, input_json: string, at: number,
 *   result: string | null, is_error: boolean, server: boolean}} ToolCard
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
  const element = doc.createElement("div");
  element.className = "cw-tool";
  element.dataset.role = "tool-card";
  const header = doc.createElement("div");
  header.className = "cw-tool-header";
  const name = doc.createElement("span");
  name.className = "cw-tool-name";
  const status = doc.createElement("span");
  status.className = "cw-tool-status";
  status.dataset.role = "tool-status";
  header.append(name, status);
  const input = doc.createElement("pre");
  input.className = "cw-tool-input";
  input.dataset.role = "tool-input";
  const result = doc.createElement("pre");
  result.className = "cw-tool-result";
  result.dataset.role = "tool-result";
  const expand = doc.createElement("button");
  expand.type = "button";
  expand.className = "cw-button cw-tool-expand";
  expand.textContent = "Show all";
  expand.setAttribute("aria-label", "Show the whole tool result");
  expand.addEventListener("click", () => {
    const expanded = element.classList.toggle("cw-tool-expanded");
    expand.textContent = expanded ? "Show less" : "Show all";
  });
  element.append(header, input, result, expand);
  return {
    element,
    /** @param {ToolCard} card */
    update(card) {
      element.dataset.status = card.status;
      element.dataset.server = String(card.server);
      name.textContent = `${card.server ? "server tool" : "tool"} · ${card.name}`;
      status.textContent = STATUS_LABELS[card.status] ?? card.status;
      input.textContent = prettyInput(card.input_json);
      result.hidden = card.result === null;
      result.textContent = card.result ?? "";
      result.classList.toggle("cw-tool-error", card.is_error);
      expand.hidden = card.result === null || card.result.length < 400;
    },
  };
}
