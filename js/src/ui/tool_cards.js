// Tool calls as cards among the answer's text: Claude writing the input, the kernel running the
// function, the result (bounded, expandable), each labelled. A card sits where the call began in the answer.
import { highlightCode } from "../markdown/code_highlight.js";
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
    case "pending":
      return "Waiting for you: Run or Skip";
    case "queued":
      return "Run: waiting for the running cell to end…";
    case "declined":
      return "Skipped";
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
 * The code of a `run_python` call as streamed so far: the `code` string of its input, read from partial JSON (the
 * JSON escapes of a string decoded as far as they are complete).
 * @param {string} json
 * @returns {string | null} null until the code has begun
 */
export function codeOf(json) {
  try { // complete: what the kernel runs (JSON.parse, as Python's json, keeps a repeated key's last value)
    const whole = JSON.parse(json);
    return whole && typeof whole === "object" && typeof whole.code === "string" ? whole.code : null;
  } catch { /* still streaming */ }
  const start = json.match(/^\s*\{\s*"code"\s*:\s*"/);
  if (!start) return null;
  let code = "";
  for (let i = start[0].length; i < json.length; i++) {
    const c = json[i];
    if (c === '"') return code;
    if (c !== "\\") {
      code += c;
      continue;
    }
    const next = json[i + 1];
    if (next === undefined) break;
    if (next === "u") {
      const hex = json.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) break;
      code += String.fromCharCode(parseInt(hex, 16));
      i += 5;
    } else {
      code += { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" }[next] ?? next;
      i += 1;
    }
  }
  return code;
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
 * One card's element, updated in place as the call progresses. A call that waits for the user's word (`pending`)
 * offers Run (also Enter on the card) and Skip with an optional reason for Claude; `decide` sends the choice.
 * @param {Document} doc
 * @param {(call: string, run: boolean, reason: string) => void} decide
 */
export function createToolCard(doc, decide) {
  const name = h(doc, "span", { class: "cw-tool-name" });
  const status = h(doc, "span", { class: "cw-tool-status", "data-role": "tool-status" });
  const input = h(doc, "pre", { class: "cw-tool-input", "data-role": "tool-input" });
  const result = h(doc, "pre", { class: "cw-tool-result", "data-role": "tool-result" });
  // The label folds the input away and back (a long piece of code that ran need not take the page).
  const inputLabel = h(doc, "button", { type: "button", class: "cw-tool-label cw-tool-fold", "aria-expanded": "true",
    "data-role": "tool-fold", title: "Hide or show the input" }, ["Input"]);
  const resultLabel = h(doc, "div", { class: "cw-tool-label", "data-role": "tool-result-label" }, ["Result"]);
  const expand = h(doc, "button", { type: "button", class: "cw-button cw-tool-expand",
    "aria-label": "Show the whole tool result" }, ["Show all"]);
  const run = h(doc, "button", { type: "button", class: "cw-button cw-tool-run", "data-role": "tool-run" }, ["Run"]);
  const skip = h(doc, "button", { type: "button", class: "cw-button", "data-role": "tool-skip" }, ["Skip"]);
  const reason = h(doc, "input", { type: "text", class: "cw-tool-reason", "data-role": "tool-reason",
    placeholder: "Why not? (optional: Claude reads it)", "aria-label": "Why not run it (for Claude)" });
  const choice = h(doc, "div", { class: "cw-tool-choice", "data-role": "tool-choice", hidden: "" }, [run, skip, reason]);
  const header = h(doc, "div", { class: "cw-tool-header" }, [name, status]);
  // What Claude said before the call: today's models write it inside thinking, so it has no place in the text.
  const note = h(doc, "p", { class: "cw-tool-note", "data-role": "tool-note", hidden: "" });
  const element = h(doc, "div", { class: "cw-tool", "data-role": "tool-card", tabindex: "-1" },
    [note, header, inputLabel, input, choice, resultLabel, result, expand]);
  let id = "";
  let decided = ""; // the call this card has sent its word on: its buttons stay hidden until the kernel answers
  let shownInput = "";
  const choose = (/** @type {boolean} */ yes) => {
    if (choice.hidden || decided === id) return;
    decided = id;
    choice.hidden = true;
    decide(id, yes, yes ? "" : /** @type {HTMLInputElement} */ (reason).value.trim());
  };
  run.addEventListener("click", () => choose(true));
  skip.addEventListener("click", () => choose(false));
  // Enter on the card itself runs; Enter in the reason's field skips with it. Not with a modifier (Shift+Enter is
  // the notebook's), not held down, not while an input method composes; the buttons answer Enter themselves.
  element.addEventListener("keydown", (/** @type {KeyboardEvent} */ e) => {
    if (e.key !== "Enter" || choice.hidden || e.shiftKey || e.ctrlKey || e.altKey || e.metaKey || e.repeat
      || e.isComposing || (e.target !== element && e.target !== reason)) return;
    e.preventDefault();
    e.stopPropagation(); // not the notebook's Enter
    choose(e.target === element);
  });
  inputLabel.addEventListener("click", () => {
    const folded = element.classList.toggle("cw-tool-folded");
    inputLabel.setAttribute("aria-expanded", String(!folded));
  });
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
      id = card.id;
      const waiting = card.status === "pending" && decided !== id;
      // Focused when it starts waiting only if the user is in this answer already (not taken from a cell they edit).
      const here = element.ownerDocument.activeElement;
      if (waiting && element.dataset.status !== "pending" && here !== null && element.closest(".cw-root")?.contains(here)) {
        element.focus({ preventScroll: true });
      }
      choice.hidden = !waiting;
      element.dataset.status = card.status;
      element.dataset.server = String(card.server);
      note.hidden = !card.note;
      note.textContent = card.note ?? "";
      name.textContent = `${card.server ? "server tool" : "tool"} · ${card.name}`;
      status.textContent = toolStatusLabel(card);
      if (inputJson !== shownInput) {
        shownInput = inputJson;
        const code = card.name === "run_python" ? codeOf(inputJson) : null;
        inputLabel.textContent = code === null ? "Input" : "Code";
        if (code === null) input.textContent = prettyInput(inputJson);
        else input.innerHTML = highlightCode(code, "python").html; // escaped by the highlighter
        input.classList.toggle("cw-tool-code", code !== null);
      }
      result.hidden = resultLabel.hidden = card.result === null;
      result.textContent = card.result ?? "";
      result.classList.toggle("cw-tool-error", card.is_error);
      expand.hidden = card.result === null || card.result.length < 400;
    },
  };
}
