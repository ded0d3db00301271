// Test and benchmark harness: the real renderer on `window.cw`, bundled by `node build.mjs --harness DIR`
// and loaded by tests/browser/test_rendering.py and bench/render.py into a page of their own.
import { createAnnouncer } from "../../src/ui/announcer.js";
import { createContentRenderer } from "../../src/markdown/content_renderer.js";
import { renderMarkdown } from "../../src/markdown/markdown.js";

/**
 * A new content element inside a `.cw-root` (so the widget's styles apply), appended to the body.
 * @param {string} [label]
 */
function mount(label = "") {
  const root = document.createElement("div");
  root.className = "cw-root";
  root.dataset.label = label;
  const content = document.createElement("div");
  content.className = "cw-content";
  content.dataset.role = "content";
  root.append(content);
  document.body.append(root);
  return content;
}

/**
 * Everything in a rendered answer that could run code or fetch something, as readable strings.
 * @param {Element} root
 * @returns {string[]}
 */
function unsafeParts(root) {
  const found = [];
  for (const el of root.querySelectorAll("*")) {
    const tag = el.localName;
    if (["script", "iframe", "object", "embed", "img", "image", "video", "audio", "source", "picture", "style",
      "link", "meta", "base", "form", "use", "foreignobject", "animate", "set"].includes(tag)) found.push(`<${tag}>`);
    for (const { name, value } of el.attributes) {
      if (/^on/i.test(name)) found.push(`${tag}[${name}]`);
      if (["src", "srcset", "action", "formaction", "xlink:href", "data", "poster", "background"].includes(name)) {
        found.push(`${tag}[${name}=${value}]`);
      }
      if (name === "href" && !/^(?:https?:|mailto:|#)/i.test(value)) found.push(`${tag}[href=${value}]`);
      if (name === "style" && /url\s*\(|expression|@import/i.test(value)) found.push(`${tag}[style=${value}]`);
    }
    if (tag === "a" && el.getAttribute("target") === "_blank" && el.getAttribute("rel") !== "noopener noreferrer") {
      found.push(`a[target=_blank] without rel=noopener noreferrer`);
    }
  }
  return found;
}

/**
 * Stream `text` through a renderer in `step`-character deltas, rendering after every delta (stricter
 * than the view, which renders at most once per frame), then render it as final.
 * @param {HTMLElement} content
 * @param {string} text
 * @param {number} step
 * @param {{check?: boolean}} [options] check: collect unsafe parts after every render
 */
function stream(content, text, step, { check = false } = {}) {
  /** @type {string[]} */
  const said = [];
  const renderer = createContentRenderer(content, { announce: (t) => said.push(t) });
  const unsafe = new Set();
  for (let end = Math.min(step, text.length); ; end = Math.min(end + step, text.length)) {
    renderer.render(text.slice(0, end), false);
    if (check) for (const part of unsafeParts(content)) unsafe.add(part);
    if (end === text.length) break;
  }
  renderer.render(text, true);
  if (check) for (const part of unsafeParts(content)) unsafe.add(part);
  return { stats: { ...renderer.stats }, unsafe: [...unsafe], said };
}

/**
 * A fresh view of a finished answer.
 * @param {HTMLElement} content
 * @param {string} text
 */
function oneShot(content, text) {
  const renderer = createContentRenderer(content);
  renderer.render(text, true);
  return renderer;
}

/** @type {any} */ (window).cw = { mount, stream, oneShot, unsafeParts, createContentRenderer, createAnnouncer, renderMarkdown };
