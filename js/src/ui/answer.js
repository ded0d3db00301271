// The answer as shown: split where tool calls and later thinks began, one content renderer per slice of text
// and the cards and thinking sections between the slices, each updated in place.
import { createContentRenderer } from "../markdown/content_renderer.js";
import { h } from "./dom.js";
import { createThinkingSection } from "./thinking.js";
import { createToolCard, segmentsFor } from "./tool_cards.js";

/**
 * @typedef {import("../wire/protocol.js").ToolCard} ToolCard
 * @typedef {import("./thinking.js").ThinkSection} ThinkSection
 * @typedef {{at: number, card: ToolCard} | {at: number, think: ThinkSection, key: string}} Insert
 */

/**
 * The cards and thinks in the order they happened: a think goes after the calls begun before it.
 * @param {ToolCard[]} cards in the order the calls began
 * @param {Array<{think: ThinkSection, key: string}>} thinks in the order they began
 * @returns {Insert[]}
 */
export function insertsInOrder(cards, thinks) {
  /** @type {Insert[]} */
  const inserts = [];
  let next = 0;
  for (const { think, key } of thinks) {
    for (; next < Math.min(think.calls, cards.length); next++) inserts.push({ at: cards[next].at, card: cards[next] });
    inserts.push({ at: think.at, think, key });
  }
  for (; next < cards.length; next++) inserts.push({ at: cards[next].at, card: cards[next] });
  return inserts;
}

/**
 * @param {HTMLElement} content the element the slices and cards go into
 * @param {{announce: (text: string) => void, decide: (call: string, run: boolean, reason: string) => void}} options
 *   announce: called with each finished block's text; decide: the user's Run or Skip on a card
 */
export function createAnswer(content, { announce, decide }) {
  const doc = content.ownerDocument;
  /** @type {Array<{element: HTMLElement, renderer: ReturnType<typeof createContentRenderer>}>} */
  const segments = [];
  /** @type {Map<string, ReturnType<typeof createToolCard>>} */
  const cards = new Map();
  /** @type {Map<string, ReturnType<typeof createThinkingSection>>} */
  const thinkings = new Map();
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
     * @param {Array<{think: ThinkSection, key: string}>} [thinks] the thinks shown among the text (not the first, at
     *   the top), each with a key that stays its own
     * @returns {boolean} whether anything changed (the scroll then follows)
     */
    render(text, final, tools, toolInput, thinks = []) {
      const inputs = inputsOf(tools, toolInput);
      const parts = segmentsFor(text.length, insertsInOrder(tools, thinks));
      let changed = false;
      parts.forEach((part, i) => {
        const segment = segmentAt(i);
        // A slice followed by a card is complete: the text after the call goes to the next slice.
        changed = segment.renderer.render(text.slice(part.start, part.end), final || i < parts.length - 1) || changed;
        let anchor = segment.element;
        for (const insert of part.items) {
          /** @type {HTMLElement} */
          let element;
          if ("card" in insert) {
            let card = cards.get(insert.card.id);
            if (!card) {
              card = createToolCard(doc, decide);
              cards.set(insert.card.id, card);
              changed = true;
            }
            card.update(insert.card, inputs.get(insert.card.id) ?? "");
            element = card.element;
          } else {
            let section = thinkings.get(insert.key);
            if (!section) {
              section = createThinkingSection(doc);
              thinkings.set(insert.key, section);
              changed = true;
            }
            section.update(insert.think.state);
            element = section.element;
          }
          if (anchor.nextSibling !== element) anchor.after(element);
          anchor = element;
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
