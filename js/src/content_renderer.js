// Markdown text → the content element's DOM. The one place where rendering happens, so a
// cheaper strategy (frozen blocks, tail-only parsing) can replace it without touching the view.
import DOMPurify from "dompurify";
import { healTail } from "./heal.js";
import { renderMarkdown } from "./markdown.js";

// Second safety layer behind the renderer's own escaping and URL allowlist.
const PURIFY_CONFIG = {
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
  ADD_ATTR: ["target"],
  // KaTeX's MathML wraps formulas in <semantics> with the TeX source as a text <annotation>
  ADD_TAGS: ["semantics", "annotation"],
  FORBID_TAGS: ["img", "image", "picture", "source", "video", "audio", "iframe", "object", "embed",
    "form", "style", "link", "meta", "base", "use"],
  FORBID_ATTR: ["srcset", "formaction", "xlink:href"],
  RETURN_DOM_FRAGMENT: /** @type {const} */ (true),
};

let hooksInstalled = false;
function installHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  DOMPurify.addHook("uponSanitizeAttribute", (_node, data) => {
    // KaTeX writes inline styles; none of them ever needs a URL
    if (data.attrName === "style" && /url\s*\(|expression\s*\(|@import/i.test(data.attrValue)) data.keepAttr = false;
  });
  DOMPurify.addHook("afterSanitizeAttributes", (node) => {
    if (node.nodeName === "A" && node.getAttribute("target") === "_blank") node.setAttribute("rel", "noopener noreferrer");
  });
}

/**
 * Give every code block a copy button (clicks are handled by the view, by delegation).
 * @param {DocumentFragment} fragment
 */
function addCopyButtons(fragment) {
  for (const block of fragment.querySelectorAll(".cw-code")) {
    const button = block.ownerDocument.createElement("button");
    button.type = "button";
    button.className = "cw-button cw-copy-code";
    button.dataset.role = "copy-code";
    button.setAttribute("aria-label", "Copy code");
    button.textContent = "Copy";
    block.prepend(button);
  }
}

/**
 * @param {HTMLElement} container
 * @returns {{render(text: string, final: boolean): boolean}} render returns whether the DOM changed
 */
export function createContentRenderer(container) {
  installHooks();
  /** @type {{text: string, final: boolean} | null} */
  let shown = null;
  return {
    render(text, final) {
      if (shown && shown.text === text && shown.final === final) return false;
      // a streaming text is healed (unclosed fences, emphasis…); the final one is rendered as is
      const html = renderMarkdown(final ? text : healTail(text));
      const fragment = /** @type {DocumentFragment} */ (/** @type {unknown} */ (DOMPurify.sanitize(html, PURIFY_CONFIG)));
      addCopyButtons(fragment);
      container.replaceChildren(fragment);
      shown = { text, final };
      return true;
    },
  };
}
