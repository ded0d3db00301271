// A visually hidden polite live region: screen readers hear the answer as blocks finish, a sentence
// at a time, never token by token (the content element itself is not live).
const KEEP = 40;

/**
 * A finished block's text in sentence-sized pieces.
 * @param {string} text
 * @returns {string[]}
 */
export function sentences(text) {
  const Segmenter = /** @type {any} */ (Intl).Segmenter;
  const pieces = Segmenter
    ? Array.from(new Segmenter("en", { granularity: "sentence" }).segment(text), (/** @type {any} */ s) => s.segment)
    : text.split(/(?<=[.!?])\s+/);
  return pieces.map((piece) => piece.trim()).filter(Boolean);
}

/**
 * @param {Document} doc
 * @returns {{element: HTMLElement, say(text: string): void}}
 */
export function createAnnouncer(doc) {
  const element = doc.createElement("div");
  element.className = "cw-visually-hidden";
  element.dataset.role = "announcer";
  element.setAttribute("aria-live", "polite");
  element.setAttribute("aria-atomic", "false");
  element.setAttribute("aria-relevant", "additions");
  return {
    element,
    say(text) {
      for (const sentence of sentences(text)) {
        const piece = doc.createElement("p");
        piece.textContent = sentence;
        element.append(piece);
      }
      // additions are what is read; old pieces only need to stay long enough to be queued
      while (element.childElementCount > KEEP) element.firstElementChild?.remove();
    },
  };
}
