// A visually hidden polite live region: screen readers hear the answer block by block as blocks
// finish, not token by token (the content element itself is not live).
const KEEP = 20;

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
      const piece = doc.createElement("p");
      piece.textContent = text;
      element.append(piece);
      // additions are what is read; old pieces only need to stay long enough to be queued
      while (element.childElementCount > KEEP) element.firstElementChild?.remove();
    },
  };
}
