// Copy text to the clipboard, and say so on the button. The async Clipboard API needs a secure context (https or localhost);
// a notebook served over plain http falls back to the old selection + execCommand way.

/**
 * @param {string} text
 * @param {Document} [doc]
 * @returns {Promise<void>} rejects when neither way worked
 */
export async function copyText(text, doc = document) {
  if (typeof globalThis.navigator?.clipboard?.writeText === "function") {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // not allowed here: try the fallback
    }
  }
  const previousFocus = /** @type {HTMLElement | null} */ (doc.activeElement);
  const area = doc.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.cssText = "position:fixed;top:0;left:0;opacity:0;pointer-events:none";
  doc.body.append(area);
  area.select();
  const copied = doc.execCommand("copy");
  area.remove();
  previousFocus?.focus?.();
  if (!copied) throw new Error("copy failed");
}

const FEEDBACK_MS = 1500;

/**
 * Briefly replace a button's text (e.g. "Copied"), then restore it.
 * @param {HTMLElement} target
 * @param {string} text
 * @param {AbortSignal} signal
 */
export function flash(target, text, signal) {
  const original = target.dataset.label ?? target.textContent ?? "";
  target.dataset.label = original;
  target.textContent = text;
  const timer = setTimeout(() => {
    target.textContent = original;
  }, FEEDBACK_MS);
  signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
}
