// A tooltip that is part of the page: shown while its anchor is hovered or focused (and while the pointer is on
// the tooltip itself, so its text can be selected), hidden by Esc. It is the anchor's description
// (aria-describedby), read by screen readers whether shown or not. Where the browser has popovers it is one, in
// the top layer: an output area that clips or scrolls its content never cuts it off.

let count = 0;

/**
 * @param {HTMLElement} anchor focusable (tabindex="0")
 * @param {HTMLElement} tip
 * @param {AbortSignal} signal
 */
export function attachTooltip(anchor, tip, signal) {
  tip.id ||= `cw-tooltip-${++count}`;
  tip.setAttribute("role", "tooltip");
  anchor.setAttribute("aria-describedby", tip.id);
  const popover = typeof tip.showPopover === "function";
  if (popover) tip.setAttribute("popover", "manual");
  tip.hidden = true;
  let hovered = false;
  let hideTimer = 0;
  const doc = anchor.ownerDocument;
  const win = doc.defaultView ?? window;

  // Below the anchor, its right edge on the anchor's, inside the window.
  const place = () => {
    const at = anchor.getBoundingClientRect();
    const width = tip.offsetWidth;
    const left = Math.max(4, Math.min(at.right - width, win.innerWidth - width - 4));
    const below = at.bottom + 4 + tip.offsetHeight <= win.innerHeight || at.top < tip.offsetHeight + 4;
    tip.style.left = `${left}px`;
    tip.style.top = `${below ? at.bottom + 4 : at.top - tip.offsetHeight - 4}px`;
  };
  const show = () => {
    win.clearTimeout(hideTimer);
    if (!tip.hidden || tip.childElementCount === 0) return;
    tip.hidden = false;
    if (!popover) return;
    tip.showPopover();
    place();
  };
  const hide = () => {
    win.clearTimeout(hideTimer);
    if (tip.hidden) return;
    if (popover && tip.matches(":popover-open")) tip.hidePopover();
    tip.hidden = true;
  };
  // A moment's grace: the pointer crosses the gap between the anchor and the tooltip.
  const hideSoon = () => {
    win.clearTimeout(hideTimer);
    hideTimer = win.setTimeout(() => {
      if (!hovered && !anchor.matches(":focus")) hide();
    }, 150);
  };

  const on = (/** @type {EventTarget} */ target, /** @type {string} */ type, /** @type {(e: any) => void} */ fn) =>
    target.addEventListener(type, fn, { signal });
  on(anchor, "pointerenter", () => ((hovered = true), show()));
  on(anchor, "pointerleave", () => ((hovered = false), hideSoon()));
  on(tip, "pointerenter", () => ((hovered = true), win.clearTimeout(hideTimer)));
  on(tip, "pointerleave", () => ((hovered = false), hideSoon()));
  on(anchor, "focus", show);
  on(anchor, "blur", () => !hovered && hide());
  on(anchor, "keydown", (/** @type {KeyboardEvent} */ e) => {
    if (e.key !== "Escape" || tip.hidden) return;
    e.stopPropagation(); // Esc closes the tooltip; the next one stops the answer
    hide();
  });
  // A popover stays where it was put: when the page (or a box around the anchor) scrolls, it follows the anchor
  // (focusing an anchor below the fold scrolls it into view, and its tooltip must not vanish then).
  win.addEventListener("scroll", (e) => {
    const target = /** @type {Node} */ (e.target);
    if (!tip.hidden && popover && (target === doc || target.contains?.(anchor))) place();
  }, { signal, capture: true, passive: true });
  signal.addEventListener("abort", () => (hide(), win.clearTimeout(hideTimer)), { once: true });
}
