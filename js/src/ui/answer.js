// The answer as shown: split where tool calls began, one content renderer per slice of text and the
// tool cards between the slices, each card updated in place.
import { createContentRenderer } from "../markdown/content_renderer.js";
import { h } from "./dom.js";
import { createToolCard, segmentsFor } from "./tool_cards.js";

/** @typedef {import("../wire/protocol.js").ToolCard} ToolCard */

/**
 * @param {HTMLElement} content the element the slices and cards go into
 * @param {{announce: (text: string) => void}} options announce: called with each finished block's text
 */
export function createAnswer(content, { announce }) {
  const doc = content.ownerDocument;
  /** @type {Array<{element: HTMLElement, renderer: ReturnType<typeof createContentRenderer>}>} */
  const segments = [];
  /** @type {Map<string, ReturnType<typeof createToolCard>>} */
  const cards = new Map();
  const segmentAt = (/** @type {number} */ i) => {
    while (segments.length <= i) {
      const element = h(doc, "div", { class: "cw-segment" });
      content.append(element);
      segments.push({ element, renderer: createContentRenderer(element, { announce }) });
    }
    return segments[i];
  };

  return {
    /**
     * @param {string} text the answer so far
     * @param {boolean} final
     * @param {ToolCard[]} tools
     * @param {string} toolInput every call's input as streamed, one after the other
     * @returns {boolean} whether anything changed (the scroll then follows)
     */
    render(text, final, tools, toolInput) {
      const inputs = inputsOf(tools, toolInput);
      const parts = segmentsFor(text.length, tools);
      let changed = false;
      parts.forEach((part, i) => {
        const segment = segmentAt(i);
        // A slice followed by a card is complete: the text after the call goes to the next slice.
        changed = segment.renderer.render(text.slice(part.start, part.end), final || i < parts.length - 1) || changed;
        let anchor = segment.element;
        for (const info of part.cards) {
          let card = cards.get(info.id);
          if (!card) {
            card = createToolCard(doc);
            cards.set(info.id, card);
            changed = true;
          }
          card.update(info, inputs.get(info.id) ?? "");
          if (anchor.nextSibling !== card.element) anchor.after(card.element);
          anchor = card.element;
        }
      });
      return changed;
    },
  };
}

/**
 * Each call's input: its slice of the tool input text, from where its card says it begins to where the next
 * one's begins (calls stream one after the other).
 * @param {ToolCard[]} cards
 * @param {string} toolInput
 * @returns {Map<string, string>}
 */
export function inputsOf(cards, toolInput) {
  const sorted = [...cards].sort((a, b) => a.input_at - b.input_at);
  return new Map(sorted.map((card, i) => [card.id, toolInput.slice(card.input_at, sorted[i + 1]?.input_at ?? toolInput.length)]));
}
